"""Bounded memoisation for the hot paths (the router and the proxy, once per request).

An agent resends the same big texts on every request (a ~47 KB system prompt, ~15 KB of tool
schemas), and each request parses a new copy of them, so a dict keyed by the text itself would
hash all of it every time. :func:`by_text` keys an entry by the text's length and both ends and
confirms a hit by comparing the whole text (a memcmp): a text that shares the key but differs in
the middle is computed afresh and replaces the entry. Everything here is pure memoisation (a hit
returns what the computation would) and bounded: a :class:`BoundedMemo` forgets its oldest entry
when full; a :class:`TextMemo` also when the texts it keeps alive exceed a character budget.

    memo = BoundedMemo(64)
    tokens = by_text(memo, system_prompt, count_tokens)
    memo.put(key, value); memo.get(key)
    seen.setdefault(text_key(text), [])    # a dict of big texts that never hashes them whole
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

#: characters (or bytes) of each end of a text that go into its key
TEXT_SAMPLE = 64


class BoundedMemo(dict):
    """A dict that keeps at most ``size`` entries: :meth:`put` forgets the oldest one when full."""

    __slots__ = ("size",)

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def put(self, key: Hashable, value: Any) -> None:
        if len(self) >= self.size:
            self.pop(next(iter(self), None), None)
        self[key] = value


class TextMemo(BoundedMemo):
    """A :class:`BoundedMemo` for :func:`by_text` that also bounds the characters it keeps alive:
    at most ``chars`` of remembered texts (each entry's text; a result is no longer than its text
    for the callers that use this), forgetting the oldest entries first."""

    __slots__ = ("chars", "used")

    def __init__(self, size: int, chars: int) -> None:
        super().__init__(size)
        self.chars = chars
        self.used = 0

    def put(self, key: Hashable, value: Any) -> None:
        n = len(value[0])
        if n > self.chars:
            return
        old = self.pop(key, None)  # a text sharing the key is replaced: its characters are freed
        if old is not None:
            self.used -= len(old[0])
        while self and (len(self) >= self.size or self.used + n > self.chars):
            self.used -= len(self.pop(next(iter(self)))[0])
        self[key] = value
        self.used += n


def text_key(text: Any) -> tuple:
    """A cheap dict key for a big str or bytes: its length and both ends (confirm a hit with ==)."""
    return (len(text), text[:TEXT_SAMPLE], text[-TEXT_SAMPLE:])


def by_text(memo: BoundedMemo, text: Any, compute: Callable[[Any], T]) -> T:
    """``compute(text)`` for a str or bytes ``text``, remembered in ``memo`` (see the module docstring)."""
    key = (len(text), text[:TEXT_SAMPLE], text[-TEXT_SAMPLE:])  # text_key, inlined (a call per request)
    hit = memo.get(key)
    if hit is not None and hit[0] == text:
        return hit[1]
    value = compute(text)
    memo.put(key, (text, value))
    return value


def by_size(text: str, compute: Callable[[str], T], short: BoundedMemo, long: BoundedMemo, short_below: int,
            long_max: int | None = None) -> T:
    """``compute(text)`` remembered: a text shorter than ``short_below`` keyed by itself in ``short``
    (hashing a short text costs less than cutting its key), a longer one in ``long`` by
    :func:`by_text`; one over ``long_max`` is computed every time. ``compute`` never returns None."""
    n = len(text)
    if n < short_below:
        value = short.get(text)
        if value is None:
            value = compute(text)
            short.put(text, value)
        return value
    if long_max is None or n <= long_max:
        return by_text(long, text, compute)
    return compute(text)
