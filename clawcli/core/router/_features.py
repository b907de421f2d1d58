"""Feature extraction for the classifier: cue matching (``_lexicon``) and the shape of the text.

Everything here is compiled once at import; ``extract(text)`` makes one pass of a few C-level
regexes plus one Python loop over the words (or over CJK cue positions), so the cost is linear
in the length of the text and the expensive part (cue matching) is capped on long inputs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ._lexicon import LEXICON

# Cue matching looks at most at this much of the ask (head + tail): the ask is what matters,
# and it keeps a 10k-char paste well under a millisecond.
_HEAD = 2400
_TAIL = 600

_TOKEN_RE = re.compile(r"[^\W_]+")
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_CJK_COUNT_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_ARABIC_RE = re.compile(r"[\u0600-\u06ff]")
_AR_DIACRITICS = re.compile(r"[\u064b-\u065f\u0670\u0640]")
_AR_MAP = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"})
_AR_CLITICS = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك", "س")


def _is_scan_script(term: str) -> bool:
    return bool(_CJK_RE.search(term))


def normalize_arabic(s: str) -> str:
    return _AR_DIACRITICS.sub("", s).translate(_AR_MAP)


def _build():
    exact: dict[str, list[tuple[str, str]]] = {}
    prefix: dict[str, list[tuple[str, str, str]]] = {}  # key: first 3 chars
    phrase: dict[str, list[tuple[tuple[str, ...], bool, str, str]]] = {}
    scan: dict[str, list[tuple[str, str]]] = {}
    for group, langs in LEXICON.items():
        for lang, terms in langs.items():
            for raw in terms.split("|"):
                term = raw.strip().lower()
                if not term:
                    continue
                if _ARABIC_RE.search(term):
                    term = normalize_arabic(term)
                if _is_scan_script(term):
                    scan.setdefault(term[0], []).append((term, group))
                    continue
                is_prefix = term.endswith("*")
                words = tuple(_TOKEN_RE.findall(term.rstrip("*")))
                if not words:
                    continue
                label = raw.strip()
                if len(words) == 1:
                    w = words[0]
                    if is_prefix:
                        prefix.setdefault(w[:3], []).append((w, group, label))
                    else:
                        exact.setdefault(w, []).append((group, label))
                else:
                    phrase.setdefault(words[0], []).append((words[1:], is_prefix, group, label))
    for lst in scan.values():
        lst.sort(key=lambda t: -len(t[0]))  # longest match first
    first_chars = "".join(sorted(scan))
    scan_re = re.compile("[" + re.escape(first_chars) + "]") if first_chars else None
    return exact, prefix, phrase, scan, scan_re


_EXACT, _PREFIX, _PHRASE, _SCAN, _SCAN_RE = _build()
# one lookup per word: word -> (exact hits, phrases starting with it)
_INDEX: dict[str, tuple[tuple, tuple]] = {
    w: (tuple(_EXACT.get(w, ())), tuple(_PHRASE.get(w, ()))) for w in set(_EXACT) | set(_PHRASE)
}
_INDEX_KEYS = frozenset(_INDEX)
_PREFIX_KEYS = frozenset(_PREFIX)

# ---------------------------------------------------------------------------- shape regexes
_FENCE_RE = re.compile(r"```")
_CODE_LINE_RE = re.compile(
    r"(?m)^[ \t]*(?:def |class |import |from \S+ import|return\b|function\b|const |let |var |public |"
    r"private |#include|SELECT\b|resource \"|if \(|for \(|while \(|}[ \t]*$|<\w+[^>\n]*>[ \t]*$)|"
    r"[;{][ \t]*$|=>|\)[ \t]*\{"
)
# Math notation: symbols, superscripts, and operators between operands ("x + 1", "3*4", "n^2").
# Every alternative starts with a character class so the scan is a fast C loop.
_MATH_SYM_RE = re.compile(
    r"[=^√∑∏∫≥≤≠±×÷∞≈∈∀∃⇒≡∠π−]|[²³⁴⁵⁶⁷⁸⁹ⁿ⁰¹]+|[+*/](?<=[\w)][+*/])(?=[\w(])|[+*/](?<=[\w)] [+*/])(?= [\w(])"
)
_MATH_WORDS = frozenset(("lim", "log", "ln", "sin", "cos", "tan", "mod", "gcd", "lcm", "sqrt", "exp", "dx", "dy"))
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
_SCALE_NUM_RE = re.compile(
    r"\d(?<![\d.,]\d)[\d.,]*(?:\s?(?:[kmb]|bn|tb|pb|gb|mio|mrd|/s|/sec|/day|/min|rps|qps|tps|req/s)\b|"
    r"\s?(?:万|億|亿|만|억|млн|млрд|events?/|writes?/|reads?/|requests?/|messages?/))",
    re.IGNORECASE,
)
_LIST_RE = re.compile(r"(?m)^[ \t]*(?:[-*•·]|\d{1,2}[.)]|[a-z][.)])[ \t]+")
_ENUM_RE = re.compile(r"[,，、،;；:：]")
_PATH_RE = re.compile(r"/(?<=\w/)[\w.-]+|/(?<=\w/)(?=\s|$)")
_EXT_RE = re.compile(
    r"\.(?<=\w\.)(?:py|ts|tsx|js|jsx|go|rs|java|kt|rb|ya?ml|json|toml|cs|cpp|swift|php|sql|tf|vue|scala)\b"
)
_FILE_COUNT_RE = re.compile(
    r"\d\s*(?:\+\s*)?(?:files|modules|services|packages|repos|call sites|places|stellen|dateien|archivos|"
    r"arquivos|файл|модул|сервис|ファイル|個のファイル|个文件|个服务|处|개 파일|개의 파일|ملف|ملفات)"
)
_CAPS_TOKEN_RE = re.compile(r"_(?<=[A-Z]_)[A-Z]{2,}")
_QUESTION_RE = re.compile(r"[?？؟]")
# The ask ends where a paste begins: a fence, "...:" + newline, or a blank line.
_PAYLOAD_RE = re.compile(r"```|[:：]\s*\n|\n\s*\n")


# cue groups that make the ask trivial whatever is pasted after it
_TRIVIAL_ASKS = frozenset(("identify", "translate", "define", "trivial_edit", "transform", "fact_question"))


@dataclass
class Features:
    """What the classifier knows about one text (counts, never raw text)."""

    hits: dict[str, list[str]] = field(default_factory=dict)  # group -> matched terms (distinct)
    length: int = 0  # characters in the whole text
    ask_units: float = 0.0  # size of the ask in "Latin characters" (a CJK char counts 2.5)
    payload_len: int = 0  # characters of pasted material after the ask
    fences: int = 0
    code_lines: int = 0
    math_syms: int = 0
    numbers: int = 0
    scale_nums: int = 0
    list_items: int = 0
    enums: int = 0
    paths: int = 0
    file_counts: int = 0
    caps_tokens: int = 0
    questions: int = 0
    sentences: int = 0


def _split_ask(text: str) -> tuple[str, str]:
    """Separate the instruction from pasted material (code, a document, a log)."""
    if len(text) < 80:
        return text, ""
    m = _PAYLOAD_RE.search(text, 0, 600)
    if m is None or len(text) - m.end() < 60:
        return text, ""
    ask = text[: m.start()]
    if len(ask) < 8:
        return text, ""
    payload = text[m.start():]
    # a closing question after the paste ("... what does this do?") belongs to the ask
    tail_nl = payload.rfind("\n")
    if tail_nl != -1 and len(payload) - tail_nl < 200 and not payload.rstrip().endswith("```"):
        tail = payload[tail_nl + 1:].strip()
        if tail and not _CODE_LINE_RE.search(tail):
            ask = ask + "\n" + tail
    return ask, payload


def _match_word(form: str, i: int, tokens: list[str], add) -> bool:
    found = False
    entry = _INDEX.get(form)
    if entry is not None:
        exact, phrases = entry
        for group, label in exact:
            found = True
            add(group, label)
        if phrases and i + 1 < len(tokens):
            second = tokens[i + 1]
            for rest, is_prefix, group, label in phrases:
                # cheap reject on the second word before slicing
                if rest[0] != second and not (is_prefix and len(rest) == 1 and second.startswith(rest[0])):
                    continue
                k = len(rest)
                if i + k < len(tokens):
                    nxt = tokens[i + 1: i + 1 + k]
                    if is_prefix:
                        ok = nxt[:-1] == list(rest[:-1]) and nxt[-1].startswith(rest[-1])
                    else:
                        ok = tuple(nxt) == rest
                    if ok:
                        found = True
                        add(group, label)
    if len(form) > 3:
        p = _PREFIX.get(form[:3])
        if p is not None:
            for stem, group, label in p:
                if form.startswith(stem):
                    found = True
                    add(group, label)
    return found


def _match(lower: str, hits: dict[str, list[str]]) -> int:
    """Add the cue terms found in ``lower`` to ``hits``; return the number of math-function words."""

    def add(group: str, label: str) -> None:
        lst = hits.get(group)
        if lst is None:
            hits[group] = [label]
        elif label not in lst:
            lst.append(label)

    arabic = _ARABIC_RE.search(lower) is not None
    if arabic:
        lower = normalize_arabic(lower)
    tokens = _TOKEN_RE.findall(lower)
    distinct = set(tokens)
    maths = len(distinct & _MATH_WORDS)
    if arabic:
        # Arabic words carry clitics (و، ال، ب ...): try each stripped form of each word.
        for i, tok in enumerate(tokens):
            if "\u0600" <= tok[0] <= "\u06ff":
                forms = [tok] + [tok[len(c):] for c in _AR_CLITICS if tok.startswith(c) and len(tok) - len(c) >= 2]
            else:
                forms = [tok]
            for form in forms:
                if _match_word(form, i, tokens, add):
                    break
    else:
        # Fast path: set intersections in C pick the few words worth a closer look.
        words = distinct & _INDEX_KEYS
        stems = {t for t in distinct if len(t) > 3 and t[:3] in _PREFIX_KEYS}
        if words or stems:
            for i, tok in enumerate(tokens):
                if tok in words or tok in stems:
                    _match_word(tok, i, tokens, add)
    if _SCAN_RE is not None and _CJK_RE.search(lower):
        scan = _SCAN
        next_free = 0
        for m in _SCAN_RE.finditer(lower):
            pos = m.start()
            if pos < next_free:
                continue
            for term, group in scan[m.group()]:
                if lower.startswith(term, pos):
                    if group != "_stop":
                        add(group, term)
                    next_free = pos + len(term)
                    break
    return maths


def extract(text: str) -> Features:
    f = Features()
    f.length = len(text)
    ask, payload = _split_ask(text)
    f.payload_len = len(payload)
    scan_text = ask if len(ask) <= _HEAD + _TAIL else ask[:_HEAD] + "\n" + ask[-_TAIL:]
    maths = _match(scan_text.lower(), f.hits)
    if payload and not (f.hits.keys() & _TRIVIAL_ASKS):
        # A substantive ask over pasted material: the material is part of the task (a spec's
        # requirement list, the code to review). A trivial ask ("what language is this?",
        # "summarise this") is judged on the ask alone, whatever the paste contains.
        scan_text = payload if len(payload) <= _HEAD else payload[: _HEAD // 2] + "\n" + payload[-_HEAD // 2:]
        maths += _match(scan_text.lower(), f.hits)
        ask = text
    cjk = len(_CJK_COUNT_RE.findall(scan_text)) if _CJK_RE.search(scan_text) else 0
    f.ask_units = len(ask) + 1.5 * cjk * (len(ask) / max(1, len(scan_text)))
    f.fences = len(_FENCE_RE.findall(text)) // 2
    f.code_lines = len(_CODE_LINE_RE.findall(text))
    f.math_syms = len(_MATH_SYM_RE.findall(ask)) + maths
    f.numbers = len(_NUMBER_RE.findall(ask))
    f.scale_nums = len(_SCALE_NUM_RE.findall(ask)) if f.numbers else 0
    f.list_items = len(_LIST_RE.findall(ask))
    f.enums = len(_ENUM_RE.findall(ask))
    f.paths = (len(_PATH_RE.findall(text)) if "/" in text else 0) + len(_EXT_RE.findall(text))
    f.file_counts = len(_FILE_COUNT_RE.findall(ask)) if (f.numbers and "multi_file" in f.hits) else 0
    f.caps_tokens = len(_CAPS_TOKEN_RE.findall(ask)) if "_" in ask else 0
    f.questions = len(_QUESTION_RE.findall(ask))
    return f
