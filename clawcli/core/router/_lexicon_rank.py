"""Ranking cues (data): words that state a quantity (number words, multiplicatives, fractions).

A problem that states its quantities in words ("three times as many", "half of the rest", "a
dozen") has more facts to combine than its digits show, so these words count as given
quantities. They move the continuous score only (``classifier``: the ``number_words``
dimension), never the tier. Written from grammar, never copied from evaluation data.
"""

from __future__ import annotations

# whole words (Latin, Cyrillic and Arabic scripts), lower case
STEP_WORDS: frozenset[str] = frozenset(
    (
        # en: number words, multiplicatives, fractions
        "one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty "
        "fifty sixty hundred thousand half twice double triple thrice quarter third thirds dozen "
        "dozens percent"
        # de ("ein" is also the article: left out)
        " zwei drei vier fünf sechs sieben acht neun zehn zwölf zwanzig hundert tausend hälfte halb "
        "doppelt doppelte zweimal dreimal drittel viertel dutzend prozent"
        # es / pt ("uno", "una", "um" are also articles)
        " dos tres cuatro cinco seis siete ocho nueve diez doce veinte cien mil mitad doble triple "
        "tercio docena porcentaje dois duas três quatro cinco seis sete oito nove dez doze vinte cem "
        "metade dobro triplo terço dúzia porcento"
        # ru
        " один одна два две три четыре пять шесть семь восемь девять десять двенадцать двадцать сто "
        "тысяча тысячи половина половину вдвое втрое треть четверть дюжина процент процентов процента"
        # ar (normalised: ة -> ه, أ/إ -> ا)
        " واحد اثنان اثنين ثلاثه اربعه خمسه سته سبعه ثمانيه تسعه عشره مائه الف نصف ضعف ثلث ربع "
        "بالمائه بالمئه"
    ).split()
)

# substrings in Chinese, Japanese and Korean text (no word boundaries there)
STEP_CJK: tuple[str, ...] = (
    # zh
    "倍",
    "一半",
    "百分之",
    "分之",
    "两",
    "三",
    "四",
    "五",
    "六",
    "七",
    "八",
    "九",
    "十",
    "百",
    "千",
    # ja
    "半分",
    "二つ",
    "三つ",
    "四つ",
    "五つ",
    # ko
    "절반",
    "퍼센트",
    "두 ",
    "세 ",
    "네 ",
    "다섯",
    "여섯",
    "일곱",
    "여덟",
    "아홉",
    "열 ",
)

# a compound question names its parts: "Statement 1 | ... Statement 2 | ...", "Scenario 1";
# these words (followed by a numeral, see ``_features._COMPOUND_RE``) mark one
COMPOUND_WORDS: frozenset[str] = frozenset(
    "statement statements scenario scenarios premise claim assertion proposition aussage "
    "behauptung szenario afirmación afirmacion afirmação afirmacao enunciado escenario cenário "
    "cenario утверждение утверждения сценарий сценария".split()
)
COMPOUND_CJK: tuple[str, ...] = (
    "陈述",
    "命题",
    "说法",
    "記述",
    "命題",
    "진술",
    "명제",
    "العباره",
)
