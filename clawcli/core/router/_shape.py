"""The shape of a text, for the classifier's features (``_features.extract``): compiled regexes
and the small counters built on them (code lines, maths notation, numbers and their scale, lists,
paths, canned status replies, compound statements). Everything is compiled once at import.
"""

from __future__ import annotations

import re

from ._lexicon_rank import COMPOUND_CJK as _COMPOUND_CJK
from ._lexicon_rank import STEP_CJK

_FENCE_RE = re.compile(r"```")
_CODE_LINE_RE = re.compile(
    r"(?m)^[ \t]*(?:def |class |import |from \S+ import|return\b|function\b|const |let |var |public |"
    r"private |#include|SELECT\b|resource \"|if |for |while |elif |else:|try:|except|print\(|console\.|}|"
    r"<\w+[^>\n]*>[ \t]*$)"
)
_CODE_MARKS = (";\n", "{\n", "=>", ") {")
# Math notation: one character class so the scan is a fast C loop; fractions like 3/4 apart.
_MATH_SYM_RE = re.compile(r"[=^+√∑∏∫≥≤≠±×÷∞≈∈∀∃⇒≡∠π−²³⁴⁵⁶⁷⁸⁹ⁿ⁰¹]")
_FRAC_RE = re.compile(r"\d/\d|\d!")  # fractions 3/4, factorials 100!
_MATH_WORDS = frozenset(
    (
        "lim",
        "log",
        "ln",
        "sin",
        "cos",
        "tan",
        "mod",
        "gcd",
        "lcm",
        "sqrt",
        "exp",
        "dx",
        "dy",
    )
)
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
# the same in ASCII text, where \d is [0-9]: a plain class is tested faster than a Unicode category
_ASCII_NUMBER_RE = re.compile(r"[0-9]+(?:[.,][0-9]+)*")
# counts with a magnitude ("500M", "2 TB", "1B events/day", "100k writes/sec", "5000万"), not units
# of measure ("10m/s", "5 m")
_SCALE_NUM_RE = re.compile(
    r"\d(?<![\d.,]\d)[\d.,]*(?:(?:[kmb]|bn)(?![/\w])|\s?(?:tb|pb|gb|mio|mrd|million|billion)\b|"
    r"\s?(?:/s|/sec|/day|/min|rps|qps|tps|req/s)\b|"
    r"\s?(?:万|億|亿|만|억|млн|млрд|events?/|writes?/|reads?/|requests?/|messages?/))",
    re.IGNORECASE,
)
# a necessary condition for _SCALE_NUM_RE (a digit, then a suffix's first character): one cheap
# pass that spares the slow regex on most texts with numbers ("15 cups", "#3-4")
_SCALE_HINT_RE = re.compile(r"\d[.,]*\s?[kmbtpgrqew/万億亿만억мKMBTPGRQEWМ]")
_ASCII_SCALE_HINT_RE = re.compile(r"[0-9][.,]*\s?[kmbtpgrqew/KMBTPGRQEW]")
_LIST_RE = re.compile(r"(?m)^[ \t]*(?:[-*•·]|\d{1,2}[.)]|[a-z][.)])[ \t]+")
_ENUM_RE = re.compile(r"[,，、،;；:：]")
_PATH_RE = re.compile(
    r"/(?<=\w/)(?=[\s,;:)]|$)"
)  # a directory: "api/", "src/utils/" (not "and/or")
_EXT_RE = re.compile(
    r"\.(?<=\w\.)(?:py|ts|tsx|js|jsx|go|rs|java|kt|rb|ya?ml|json|toml|cs|cpp|swift|php|sql|tf|vue|scala)\b"
)
_FILE_COUNT_RE = re.compile(
    r"\d\s*(?:\+\s*)?(?:files|modules|services|packages|repos|call sites|places|functions|lambdas|endpoints|"
    r"components|screens|pages|handlers|controllers|microservices|apps|scripts|jobs|cron jobs|dags|tables|"
    r"queues|pipelines|stellen|dateien|archivos|экран|画面|화면|"
    r"arquivos|файл|модул|сервис|ファイル|個のファイル|个文件|个服务|处|개 파일|개의 파일|ملف|ملفات)"
)
_CAPS_TOKEN_RE = re.compile(r"_(?<=[A-Z]_)[A-Z]{2,}")
# "reply NONE", "answer OK": an agent's canned status answer
_CANNED_RE = re.compile(  # (?<!\w) is \b before a letter, and lets the scan skip to the first letter
    r"(?<!\w)(?:[Rr]e(?:ply|spond|turn)|[Aa]nswer|[Ss]ay)(?: with| only)? ['\"]?[A-Z]{2,}\b"
)
# _CANNED_RE.findall counted by trying the regex only where a keyword is (found by str.find on
# its tail, then its capitalised or lower-case first letter): the same count, as every match
# starts at a keyword and no keyword starts inside a match.
_CANNED_KEYS = (("eply", "Rr"), ("espond", "Rr"), ("eturn", "Rr"), ("nswer", "Aa"), ("ay ", "Ss"))


def _canned(s: str) -> int:
    n = 0
    match = _CANNED_RE.match  # (?<!\w) still sees the character before the start position
    for tail, heads in _CANNED_KEYS:
        if tail not in s:  # `in` costs a fraction of a find call (no argument parsing)
            continue
        i = s.find(tail, 1)
        while i > 0:
            if s[i - 1] in heads and match(s, i - 1):
                n += 1
            i = s.find(tail, i + 1)
    return n


_SLASHY_RE = re.compile(r"[^\s/]*/[^\s]*")
_QUESTION_RE = re.compile(r"[?？؟]")
_STEP_CJK_RE = re.compile(
    "|".join(map(re.escape, sorted(STEP_CJK, key=len, reverse=True)))
)
# a compound question: several numbered statements/scenarios judged together ("Statement 1 |
# Statement 2", "Scenario 1 ... Scenario 2", "I. ... II. ... III."): every part must be right.
# The regexes only run when a keyword is among the words (a set intersection), as they are slow.
_COMPOUND_RE = re.compile(
    r"(?:statement|scenario|premise|claim|assertion|proposition|aussage|behauptung|szenario|"
    r"afirmaci[oó]n|afirma[cç][aã]o|enunciado|escenario|cen[aá]rio|утверждени[ея]|сценари[йя]|"
    + "|".join(_COMPOUND_CJK)
    + r")\s*(?:[1-4１-４]|i{1,3}\b|iv\b)"
)
_ROMAN_ITEM_RE = re.compile(r"(?m)^[ \t]*(?:I|II|III|IV)[.)][ \t]")
# The ask ends where a paste begins: a fence, "...:" + newline, or a blank line.
_PAYLOAD_RE = re.compile(r"```|[:：]\s|\n\s*\n")
