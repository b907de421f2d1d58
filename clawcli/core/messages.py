"""What a chat message says, and about how many tokens that is: one rule for the whole code base.

    content_text(msg["content"])      # the text a model reads from a message's content
    message_text(msg)                  # the same, from the message
    estimate_tokens(text)              # BPE-shaped estimate (a float; round when showing)
    remembered_estimate(text)          # the same float, remembered per text (the per-request paths)
    whole_tokens(text)                 # the same as a count: rounded up, at least 1 for any text

The router, request compression, the session journal, the proxy's chat commands and the gateway
emulator all read messages through these, so they agree on what counts as text: a string
content, or the ``text`` and ``input_text`` parts of a list (OpenAI chat and Responses styles;
bare strings in a list too). Images and other parts are not text. Parts are joined by a newline,
so a code fence that opens a part still opens a line.

The token estimate counts *runs* the way a BPE pre-tokeniser (cl100k style) splits text, so it
sees what whitespace or JSON-indentation removal saves, which ``chars / 4`` overstates:

- a word run (letters, digits, ``_``) ~1.24 + 0.04 per char,
- a punctuation run ~0.51 + 0.30 per further char (``{"``, ``":``, ``",`` are single tokens),
- a whitespace run holding a newline 1, indentation after it 0.5 more,
- non-ASCII text 0.65 per extra UTF-8 byte (~1.3 per CJK character).

The weights were fitted against the real cl100k_base vocabulary (dev-time only; no tokenizer is a
dependency, DESIGN.md §11). It is computed with ``bytes.translate``, big-integer shifts and ANDs
and ``bytes.count`` (C loops), a few microseconds per KB, cheap enough for every request and for
`claw route` (stdlib only).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from clawcli.core.memo import BoundedMemo, TextMemo, by_size

#: content-part types that carry text a model reads
TEXT_PART_TYPES = frozenset(("text", "input_text"))
IMAGE_PART_TYPES = frozenset(("image_url", "image", "input_image"))


def part_text(part: Any) -> str:
    """The text of one content part ("" for images and anything else that is not text)."""
    if type(part) is dict or isinstance(part, Mapping):  # the type test spares the ABC check
        if part.get("type") in TEXT_PART_TYPES:
            t = part.get("text")
            if isinstance(t, str):
                return t
        return ""
    return part if isinstance(part, str) else ""


def is_text_part(part: Any) -> bool:
    """True for a text part of a content list (a dict): the parts compression may edit."""
    return ((type(part) is dict or isinstance(part, Mapping)) and part.get("type") in TEXT_PART_TYPES
            and isinstance(part.get("text"), str))


def content_text(content: Any) -> str:
    """The text of a message's ``content``: a string, or its text parts joined by newlines."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        if len(content) == 1:  # the same text (a one-part join returns its part), without the join
            return part_text(content[0])
        return "\n".join([t for t in map(part_text, content) if t])
    return ""


def message_text(msg: Any) -> str:
    """The text of a message (a dict with ``content``); "" for anything else."""
    return content_text(msg.get("content")) if isinstance(msg, Mapping) else ""


_WORD = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"
_SPACE = b" \t\x0b\x0c"
_NEWLINE = b"\n\r"
_HIGH = bytes(range(128, 256))  # the bytes of non-ASCII characters

# Each UTF-8 byte becomes one class bit: word char 1, punctuation 2, newline 4, space/tab 8,
# anything else (non-ASCII bytes) 0. Runs are counted as class bytes whose previous byte is not
# of the same class: the bytes as one big integer, ANDed with itself shifted by one byte, give
# each byte's class bit only where the byte before shares it (C loops over machine words; the
# pairwise bytes.count this replaces scanned the text once per pair and cost twice as much).
_CLASS = bytearray(256)
for _b in range(256):
    _CLASS[_b] = 1 if _b in _WORD else 0 if _b in _HIGH else 4 if _b in _NEWLINE else 8 if _b in _SPACE else 2
_CLASS = bytes(_CLASS)
del _b
_from_bytes = int.from_bytes


def estimate_tokens(text: str) -> float:
    """Estimated BPE tokens of ``text`` (a float: sums stay unbiased; round when showing).

    Weights fitted against the real cl100k_base tokenizer on the compression corpus (399 distinct
    message texts, before and after every mode): total within 2 %, median error per text ~6 %.
    """
    if not text:
        return 0.0
    raw = text.encode("utf-8", "surrogatepass")
    tokens = 0.65 * (len(raw) - len(text))  # non-ASCII: ~1.3 per CJK char, ~0.65 per Cyrillic/Arabic letter
    c = raw.translate(_CLASS)
    n = len(c)
    x = _from_bytes(c, "big")
    repeats = (x & (x >> 8)).to_bytes(n, "big")  # a byte's class where the byte before has it too
    word_chars = c.count(1)
    if word_chars:
        runs = word_chars - repeats.count(1)
        tokens += 1.24 * runs + 0.04 * word_chars
    punct = c.count(2)
    if punct:
        runs = punct - repeats.count(2)
        tokens += 0.51 * runs + 0.30 * (punct - runs)
    if b"\n" in raw:
        # a whitespace run holding a newline is one token; indentation after it about half of one
        # more (a newline byte followed by two space bytes: the two next bytes' shared bits, moved
        # from the space bit onto the newline bit, where this byte has it)
        indented = (x & (((x << 8) & (x << 16)) >> 1)).to_bytes(n, "big").count(4)
        tokens += c.count(4) - repeats.count(4) + 0.5 * indented
    return tokens


# An agent resends its whole conversation on every request, and the router and compression's
# token accounting each estimate every message of it (counting costs ~15 ns a character; a long
# conversation, millions of instructions a request). The estimate is remembered per text: a short
# one keyed by the text itself (hashing costs ~1/10 of counting), a longer one by its length and
# both ends, a hit confirmed by comparing the whole text (memo.by_text). Pure memoisation: the same
# float. Bounded: 1024 short texts (< 4 KB each) and 4M characters of longer ones (a full 200k-token
# context is ~800k); a text over 256 KB is counted each time.
REMEMBER_SHORT = 4096
REMEMBER_MAX = 256 * 1024
_SHORT = BoundedMemo(1024)
_LONG = TextMemo(1024, 4_000_000)


def remembered_estimate(text: str) -> float:
    """``estimate_tokens(text)``, remembered (see above): for the paths that run every request."""
    return by_size(text, estimate_tokens, _SHORT, _LONG, REMEMBER_SHORT, REMEMBER_MAX)


def whole_tokens(text: str) -> int:
    """``estimate_tokens`` as a count (usage records, token fields): rounded up, 1 for any text."""
    return max(1, math.ceil(estimate_tokens(text))) if text else 0
