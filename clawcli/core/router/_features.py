"""Feature extraction for the classifier: cue matching (``_lexicon``) and the shape of the text
(its regexes and counters are in ``_shape``).

Everything here is compiled once at import; ``extract(text)`` makes one pass of a few C-level
regexes plus one Python loop over the words (or over CJK cue positions), so the cost is linear
in the length of the text and the expensive part (cue matching) is capped on long inputs.

Speed (``benchmarks/router_speed.py``; the budget is ~30 us per short prompt): the word loop does
one dict lookup per word in a per-word table (``_WORDS``, filled on first sight of a word, since
what a word can match never changes), pure-ASCII text skips the other-script scans and uses a
simpler tokenizer, and slow regexes run behind cheap necessary conditions (a substring, a set
intersection, a one-character-class scan).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ._lexicon import LEXICON
from ._lexicon_rank import COMPOUND_CJK as _COMPOUND_CJK
from ._lexicon_rank import COMPOUND_WORDS as _COMPOUND_WORDS
from ._lexicon_rank import STEP_WORDS
from ._shape import (  # noqa: F401  (_COMPOUND_RE: tests read it here)
    _ASCII_NUMBER_RE,
    _ASCII_SCALE_HINT_RE,
    _canned,
    _CAPS_TOKEN_RE,
    _CODE_LINE_RE,
    _CODE_MARKS,
    _COMPOUND_RE,
    _ENUM_RE,
    _EXT_RE,
    _FILE_COUNT_RE,
    _FRAC_RE,
    _LIST_RE,
    _MATH_SYM_RE,
    _MATH_WORDS,
    _NUMBER_RE,
    _PATH_RE,
    _PAYLOAD_RE,
    _QUESTION_RE,
    _ROMAN_ITEM_RE,
    _SCALE_HINT_RE,
    _SCALE_NUM_RE,
    _SLASHY_RE,
    _STEP_CJK_RE,
)

# Cue matching looks at most at this much of the ask (head + tail): the ask is what matters,
# and it keeps a 10k-char paste well under a millisecond.
_HEAD = 2400
_TAIL = 600
_CJK_LIMIT = 1200  # a CJK character carries ~2.5 Latin ones: the same budget in content

# words; a CJK/Hangul run is never part of a word, so "Kubernetesクラスタ" yields "kubernetes"
_TOKEN_RE = re.compile(r"[^\W_\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]+")
# the same words in lower-case ASCII text (no CJK, no "_"): the runs of [a-z0-9], found faster by
# turning every other byte into a space (bytes.translate) and splitting
_ASCII_WORD_BYTES = bytes(c if (0x61 <= c <= 0x7A or 0x30 <= c <= 0x39) else 0x20 for c in range(256))
_CJK_RE = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]"
)
_CJK_COUNT_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_ARABIC_RE = re.compile(r"[\u0600-\u06ff]")
_OTHER_SCRIPT_RE = re.compile(
    r"[\u0600-\u06ff\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]"
)
_AR_DIACRITICS = re.compile(r"[\u064b-\u065f\u0670\u0640]")
_AR_PAIRS = (
    ("أ", "ا"),
    ("إ", "ا"),
    ("آ", "ا"),
    ("ٱ", "ا"),
    ("ى", "ي"),
    ("ة", "ه"),
    ("ؤ", "و"),
    ("ئ", "ي"),
)
_AR_CLITICS = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك", "س")
_AR_BY_FIRST: dict[str, tuple[str, ...]] = {}
for _c in _AR_CLITICS:
    _AR_BY_FIRST[_c[0]] = _AR_BY_FIRST.get(_c[0], ()) + (_c,)


def _is_scan_script(term: str) -> bool:
    return bool(_CJK_RE.search(term))


def normalize_arabic(s: str) -> str:
    """Drop diacritics and unify letter variants (أ إ آ -> ا, ى -> ي, ة -> ه ...)."""
    s = _AR_DIACRITICS.sub("", s)
    for a, b in _AR_PAIRS:  # a few str.replace calls beat str.translate with a dict
        if a in s:
            s = s.replace(a, b)
    return s


def _build():
    # word -> [(group, label)]; first 3 letters -> [(stem, following words, group, label)];
    # first word -> [(following words, group, label)]; a following word is (word, is_prefix)
    exact: dict[str, list[tuple[str, str]]] = {}
    prefix: dict[str, list[tuple[str, tuple, str, str]]] = {}
    phrase: dict[str, list[tuple[tuple, str, str]]] = {}
    scan: dict[str, list[tuple[str, list[str]]]] = {}
    seen: set[tuple] = (
        set()
    )  # "step by step" and "step-by-step" are the same words: count once
    for group, langs in LEXICON.items():
        for terms in langs.values():
            for raw in terms:
                term = raw.strip().lower()
                if not term:
                    continue
                if _ARABIC_RE.search(term):
                    term = normalize_arabic(term)
                if _is_scan_script(term):
                    lst = scan.setdefault(term[0], [])
                    for t, groups in lst:
                        if t == term:
                            groups.append(group)
                            break
                    else:
                        lst.append((term, [group]))
                    continue
                label = raw.strip()
                parts = [
                    (w, True) if w.endswith("*") else (w, False) for w in term.split()
                ]
                words: list[tuple[str, bool]] = []
                for (
                    w,
                    pre,
                ) in parts:  # "what's" -> what, s ; "узк* мест*" -> (узк, prefix), (мест, prefix)
                    toks = _TOKEN_RE.findall(w.rstrip("*"))
                    words.extend(
                        (t, pre and j == len(toks) - 1) for j, t in enumerate(toks)
                    )
                if not words:
                    continue
                key = (group, tuple(words))
                if key in seen:
                    continue
                seen.add(key)
                first, first_prefix = words[0]
                rest = tuple(words[1:])
                if first_prefix:
                    if len(first) < 3:
                        raise ValueError(
                            f"prefix {raw!r} is too short (3 letters at least)"
                        )
                    prefix.setdefault(first[:3], []).append((first, rest, group, label))
                elif rest:
                    phrase.setdefault(first, []).append((rest, group, label))
                else:
                    exact.setdefault(first, []).append((group, label))
    for lst in scan.values():
        lst.sort(key=lambda t: -len(t[0]))  # longest match first
    first_chars = "".join(sorted(scan))
    scan_re = re.compile("[" + re.escape(first_chars) + "]") if first_chars else None
    return exact, prefix, phrase, scan, scan_re


_EXACT, _PREFIX, _PHRASE, _SCAN, _SCAN_RE = _build()


def _phrase_tables(phrase):
    """Phrases keyed by (first, second word) when the second word is exact, else by first word."""
    pairs: dict[tuple[str, str], list] = {}
    loose: dict[str, list] = {}
    for first, lst in phrase.items():
        for rest, group, label in lst:
            (second, pre), tail = rest[0], rest[1:]
            if pre:
                loose.setdefault(first, []).append((rest, group, label))
            else:
                pairs.setdefault((first, second), []).append((tail, group, label))
    return pairs, loose


_PAIRS, _LOOSE = _phrase_tables(_PHRASE)

# cue groups that make the ask trivial whatever is pasted after it
_TRIVIAL_ASKS = frozenset(
    ("identify", "translate", "define", "trivial_edit", "transform", "fact_question")
)


@dataclass(slots=True)
class Features:
    """What the classifier knows about one text (counts, never raw text)."""

    hits: dict[str, list[str]] = field(
        default_factory=dict
    )  # group -> matched terms (distinct)
    length: int = 0  # characters in the whole text
    ask_units: float = (
        0.0  # size of the ask in "Latin characters" (a CJK char counts 2.5)
    )
    total_units: float = 0.0  # the same for the whole text
    payload_len: int = 0  # characters of pasted material after the ask
    fences: int = 0
    code_lines: int = 0
    math_syms: int = 0
    numbers: int = 0
    scale_nums: int = 0
    scale_terms: tuple[str, ...] = ()  # the first few of them, for --explain
    list_items: int = 0
    enums: int = 0
    paths: int = 0
    file_counts: int = 0
    caps_tokens: int = 0
    questions: int = 0
    sentences: int = 0
    number_words: int = 0  # quantities stated in words ("twice", "half", "three")
    compound: int = 0  # numbered statements/scenarios judged together


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
    payload = text[m.start() :]
    # a closing question after the paste ("... what does this do?") belongs to the ask
    tail_nl = payload.rfind("\n")
    if (
        tail_nl != -1
        and len(payload) - tail_nl < 200
        and not payload.rstrip().endswith("```")
    ):
        tail = payload[tail_nl + 1 :].strip()
        if tail and not _CODE_LINE_RE.search(tail):
            ask = ask + "\n" + tail
    return ask, payload


def _follows(rest: tuple[tuple[str, bool], ...], i: int, tokens: list[str]) -> bool:
    """Do the words after position i match ``rest`` ((word, is_prefix) pairs)?"""
    if i + len(rest) >= len(tokens):
        return False
    j = i + 1
    for w, pre in rest:
        t = tokens[j]
        if not (t == w or (pre and t.startswith(w))):
            return False
        j += 1
    return True


def _add(hits: dict[str, list[str]], group: str, label: str) -> None:
    lst = hits.get(group)
    if lst is None:
        hits[group] = [label]
    elif label not in lst:
        lst.append(label)


def _apply(info: tuple, i: int, tokens: list[str], hits: dict) -> bool:
    kind, exact, pairs, loose, pre = info[0], info[1], info[2], info[3], info[4]
    if kind == _PLAIN:
        # the common case: a plain word, at most one term per group (deduplicated at build)
        for group, label in exact:
            _add(hits, group, label)
        return True
    got: dict[str, str] = {}
    for group, label in exact:
        got.setdefault(group, label)
    if pairs and i + 1 < len(tokens):
        for tail, group, label in pairs.get(tokens[i + 1], ()):
            if not tail or _follows(tail, i + 1, tokens):
                got.setdefault(group, label)
    for rest, group, label in loose:
        if _follows(rest, i, tokens):
            got.setdefault(group, label)
    for rest, group, label in pre:
        if not rest or _follows(rest, i, tokens):
            got.setdefault(group, label)
    for group, label in got.items():
        _add(hits, group, label)
    return bool(got)


# Per-word lookup, computed once per distinct word and kept (a lexer's symbol table, not a cache
# of results: the answer for a word never changes). Bounded: cleared when it grows past _WORDS_MAX.
# kinds of cue word: all its terms are single words / it only starts two-word-keyed phrases (a
# lookup of the next word says whether any can match) / anything else
_PLAIN, _PAIRED, _PHRASAL = 1, 2, 3
_MISS = object()
_WORDS_MAX = 50_000
_SECOND: dict[str, dict[str, list]] = {}
for (_first, _second), _lst in _PAIRS.items():
    _SECOND.setdefault(_first, {})[_second] = _lst
# two-word terms ("what is", "capital of"), the most common phrases: what _apply would add for the
# pair, precomputed (the first label per group, in order), when no entry needs a third word
_TWO_WORD: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {}
for (_first, _second), _lst in _PAIRS.items():
    if all(not _tail for _tail, _, _ in _lst):
        _got: dict[str, str] = {}
        for _, _group, _label in _lst:
            _got.setdefault(_group, _label)
        _TWO_WORD.setdefault(_first, {})[_second] = tuple(_got.items())
_NO_PAIRS: dict = {}


def _word_info(tok: str):
    """(kind, exact terms, phrases by next word, loose phrases, matching prefix terms, flags) or
    None for a word that is no cue and no counted word. flags: 1 maths word, 2 number word,
    4 compound keyword."""
    exact = _EXACT.get(tok, ())
    pairs = _SECOND.get(tok)
    loose = tuple(_LOOSE.get(tok, ()))
    pre = tuple(
        (rest, group, label)
        for stem, rest, group, label in (
            _PREFIX.get(tok[:3], ()) if len(tok) >= 3 else ()
        )
        if tok.startswith(stem)
    )
    flags = (
        (1 if tok in _MATH_WORDS else 0)
        | (2 if tok in STEP_WORDS else 0)
        | (4 if tok in _COMPOUND_WORDS else 0)
    )
    if not (exact or pairs or loose or pre):
        info = (0, (), None, (), (), flags, _NO_PAIRS) if flags else None
    else:
        if not (pairs or loose or pre):
            kind = _PLAIN
        elif pairs and not (exact or loose or pre):
            kind = _PAIRED
        else:
            kind = _PHRASAL
        info = (kind, tuple(exact), pairs, loose, pre, flags, _TWO_WORD.get(tok, _NO_PAIRS))
    if len(_WORDS) >= _WORDS_MAX:
        _WORDS.clear()
    _WORDS[tok] = info
    return info


_WORDS: dict[str, tuple | None] = {}
# A bare number is a cue only if a table names it (HTTP 502 ...), so any other number ("42",
# "2026") is skipped without being looked up or kept in _WORDS (a proxy sees new numbers on every
# request: counters, ids, times). A number can start no prefix term and no phrase (no such key).
_NUMBER_CUES = frozenset(
    k
    for table in (_EXACT, _SECOND, _LOOSE, _PREFIX, _MATH_WORDS, STEP_WORDS, _COMPOUND_WORDS)
    for k in table
    if k.isdigit()
)


def _match(
    lower: str, hits: dict[str, list[str]], other_scripts: bool = True
) -> tuple[int, int, int]:
    """Add the cue terms found in ``lower`` to ``hits``; return the number of math-function words,
    of number words (see ``_lexicon_rank``) and of numbered statements."""
    if "/" in lower:
        # paths, branches, URLs, "and/or": not words of the ask
        lower = _SLASHY_RE.sub(" ", lower)
    arabic = other_scripts and _ARABIC_RE.search(lower) is not None
    if arabic:
        lower = normalize_arabic(lower)
    if lower.isascii():
        # re.findall("[a-z0-9]+", lower), ~4x faster: every byte that is not [a-z0-9] becomes a
        # space (C loops), and split() then yields exactly those runs
        tokens = lower.encode("ascii").translate(_ASCII_WORD_BYTES).decode("ascii").split()
    else:
        tokens = _TOKEN_RE.findall(lower)
    numwords = compound = 0
    mathw: set[str] | None = None  # distinct maths words ("log", "sin" ...)
    words = _WORDS
    if arabic:
        # Arabic words carry clitics (و، ال، ب ...): try each stripped form of each word.
        for i, tok in enumerate(tokens):
            if "\u0600" <= tok[0] <= "\u06ff":
                cl = _AR_BY_FIRST.get(tok[0])
                forms = (
                    [tok]
                    + [
                        tok[len(c) :]
                        for c in cl
                        if tok.startswith(c) and len(tok) - len(c) >= 2
                    ]
                    if cl
                    else [tok]
                )
            else:
                forms = [tok]
            counted = False
            for form in forms:
                info = words.get(form, _MISS)
                if info is _MISS:
                    info = _word_info(form)
                if info is None:
                    continue
                if not counted and info[5]:
                    counted = True
                    fl = info[5]
                    if fl & 1:
                        mathw = (mathw or set()) | {form}
                    numwords += (fl >> 1) & 1
                    compound |= fl & 4
                if info[0] and _apply(info, i, tokens, hits):
                    break
    else:
        # one dictionary lookup per word: most words are no cue (None)
        get = words.get
        n = len(tokens)
        for i, tok in enumerate(tokens):
            info = get(tok, _MISS)
            if info is None:
                continue
            if info is _MISS:
                if tok.isdigit() and tok not in _NUMBER_CUES:
                    continue
                info = _word_info(tok)
                if info is None:
                    continue
            kind = info[0]
            if kind == _PLAIN:
                for group, label in info[1]:
                    lst = hits.get(group)
                    if lst is None:
                        hits[group] = [label]
                    elif label not in lst:
                        lst.append(label)
            elif kind == _PAIRED:
                # most function words ("what", "how", "in") start phrases that do not follow
                if i + 1 < n:
                    nxt = tokens[i + 1]
                    two = info[6].get(nxt)
                    if two is not None:  # what _apply adds, without building it again
                        for group, label in two:
                            lst = hits.get(group)
                            if lst is None:
                                hits[group] = [label]
                            elif label not in lst:
                                lst.append(label)
                    elif nxt in info[2]:
                        _apply(info, i, tokens, hits)
            elif kind:
                _apply(info, i, tokens, hits)
            fl = info[5]
            if fl:
                if fl & 1:
                    mathw = (mathw or set()) | {tok}
                numwords += (fl >> 1) & 1
                compound |= fl & 4
    maths = len(mathw) if mathw else 0
    if compound:
        compound = len(_COMPOUND_RE.findall(lower))
    if other_scripts and _SCAN_RE is not None and _CJK_RE.search(lower):
        scan = _SCAN
        next_free = 0
        for m in _SCAN_RE.finditer(lower):
            pos = m.start()
            if pos < next_free:
                continue
            for term, groups in scan[m.group()]:
                if lower.startswith(term, pos):
                    for group in groups:
                        if group != "_stop":
                            _add(hits, group, term)
                    next_free = pos + len(term)
                    break
        numwords += len(_STEP_CJK_RE.findall(lower))
        if not compound and any(w in lower for w in _COMPOUND_CJK):
            compound = len(_COMPOUND_RE.findall(lower))
    return maths, numwords, compound


def _big(num: str) -> bool:
    """A count in the thousands or more ("2000 servers", "1,000,000 rows"), not a year."""
    digits = (
        num.replace(",", "").replace(".", "")
        if ("," in num or "." in num) and len(num) > 4
        else num
    )
    if not digits.isdigit() or len(digits) < 4:
        return False
    return not (len(digits) == 4 and 1900 <= int(digits) <= 2100)


def _sample(s: str, limit: int) -> str:
    """Head and tail of a long text: the ask sits at either end, and it bounds the cost."""
    if len(s) <= limit:
        return s
    tail = limit // 5
    return s[: limit - tail] + "\n" + s[-tail:]


def extract(text: str) -> Features:
    """Features of one text; linear in its length, bounded above ~3,000 characters."""
    # Computed into locals and built positionally at the end (Features' field order): a default
    # Features() and twenty attribute stores cost more than the one call. ``s.count(c) if c in s``:
    # the `in` test is a fraction of a count call (no argument parsing), and most counts are 0.
    hits: dict[str, list[str]] = {}
    length = len(text)
    ask, payload = _split_ask(text)
    # most prompts are pure Latin/Cyrillic: one C-level scan decides whether the Arabic and CJK
    # paths are needed at all
    n = length
    ascii_text = text.isascii()  # then the ask and every sample of the text are ASCII too
    other = not ascii_text and (
        _OTHER_SCRIPT_RE.search(text, 0, _HEAD) is not None
        or (
            n > _HEAD
            and _OTHER_SCRIPT_RE.search(text, max(_HEAD, n - _TAIL)) is not None
        )
    )
    limit = (
        _CJK_LIMIT
        if other and len(text) > _CJK_LIMIT and _CJK_RE.search(text, 0, 200)
        else _HEAD + _TAIL
    )
    ask_s = ask if len(ask) <= limit else _sample(ask, limit)
    maths, numwords, compound = _match(ask_s.lower(), hits, other)
    if payload and not (hits.keys() & _TRIVIAL_ASKS):
        # A substantive ask over pasted material: the material is part of the task (a spec's
        # requirement list, the code to review). A trivial ask ("what language is this?",
        # "summarise this") is judged on the ask alone, whatever the paste contains.
        m2, n2, c2 = _match(_sample(payload, limit).lower(), hits, other)
        maths += m2
        numwords += n2
        compound += c2
        ask = text
        ask_s = _sample(text, limit)
    text_s = (
        ask_s if ask is text else (text if len(text) <= limit else _sample(text, limit))
    )
    cjk = len(_CJK_COUNT_RE.findall(ask_s)) if other and _CJK_RE.search(ask_s) else 0
    ratio = (
        1.5 * cjk / max(1, len(ask_s))
    )  # CJK chars carry ~2.5x the content of Latin ones
    ask_units = len(ask) * (1 + ratio)
    total_units = len(text) * (1 + ratio)
    # cheap guards first: most short prompts have no newline, digit, slash or underscore
    fences = code_lines = 0
    multiline = "\n" in text_s
    if multiline:
        fences = text_s.count("```") // 2
        code_lines = len(_CODE_LINE_RE.findall(text_s)) + sum(
            text_s.count(m) for m in _CODE_MARKS
        )
    elif "=>" in text_s or ") {" in text_s:
        code_lines = text_s.count("=>") + text_s.count(") {")
    nums = (_ASCII_NUMBER_RE if ascii_text else _NUMBER_RE).findall(ask_s)
    numbers = len(nums)
    math_syms = (
        # in ASCII text only = ^ + can match the class: three C counts beat a findall
        (
            (ask_s.count("=") if "=" in ask_s else 0) + (ask_s.count("^") if "^" in ask_s else 0)
            + (ask_s.count("+") if "+" in ask_s else 0)
            if ascii_text
            else len(_MATH_SYM_RE.findall(ask_s))
        )
        + maths
        + (
            len(_FRAC_RE.findall(ask_s))
            if numbers and ("/" in ask_s or "!" in ask_s)
            else 0
        )
    )
    scale_nums = 0
    scale_terms: tuple[str, ...] = ()
    if nums:
        terms = [n for n in nums[:40] if len(n) >= 4 and _big(n)]
        if (_ASCII_SCALE_HINT_RE if ascii_text else _SCALE_HINT_RE).search(ask_s):
            terms = _SCALE_NUM_RE.findall(ask_s) + terms
        scale_nums = len(terms)
        scale_terms = tuple(terms[:3])
    list_items = len(_LIST_RE.findall(ask_s)) if multiline and "\n" in ask_s else 0
    enums = (
        (ask_s.count(",") if "," in ask_s else 0) + (ask_s.count(";") if ";" in ask_s else 0)
        + (ask_s.count(":") if ":" in ask_s else 0)
        if ascii_text
        else len(_ENUM_RE.findall(ask_s))
    )
    paths = (len(_PATH_RE.findall(text_s)) if "/" in text_s else 0) + (
        len(_EXT_RE.findall(text_s)) if "." in text_s else 0
    )
    file_counts = (
        len(_FILE_COUNT_RE.findall(ask_s))
        if (numbers and "multi_file" in hits)
        else 0
    )
    caps_tokens = len(_CAPS_TOKEN_RE.findall(ask_s)) if "_" in ask_s else 0
    caps_tokens += _canned(ask_s)
    if ascii_text:
        questions = ask_s.count("?") if "?" in ask_s else 0
    else:
        questions = len(_QUESTION_RE.findall(ask_s))
    if multiline and "\nII" in text_s:
        compound += len(_ROMAN_ITEM_RE.findall(text_s))
    return Features(
        hits, length, ask_units, total_units, len(payload), fences, code_lines, math_syms, numbers,
        scale_nums, scale_terms, list_items, enums, paths, file_counts, caps_tokens, questions,
        0,  # sentences
        numwords,  # number_words
        compound,
    )
