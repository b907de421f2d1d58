"""The hot paths' bounded memo (core/memo.py): never more than its size, never a wrong hit."""

from __future__ import annotations

from clawcli.core.memo import BoundedMemo, TextMemo, by_text


def test_a_full_memo_forgets_its_oldest_entry() -> None:
    memo = BoundedMemo(3)
    for i in range(10):
        memo.put(i, str(i))
    assert len(memo) == 3 and list(memo) == [7, 8, 9]


def test_a_text_with_the_same_length_and_ends_is_computed_again() -> None:
    memo = BoundedMemo(8)
    calls: list[str] = []

    def compute(t: str) -> int:
        calls.append(t)
        return t.count("x")

    a = "a" * 100 + "x" * 5 + "a" * 100
    b = "a" * 100 + "y" * 5 + "a" * 100  # same length, same 64-character ends
    assert by_text(memo, a, compute) == 5
    assert by_text(memo, "".join(list(a)), compute) == 5  # an equal copy: remembered
    assert by_text(memo, b, compute) == 0  # not confused with a
    assert calls == [a, b]


def test_a_text_memo_keeps_its_texts_under_its_character_budget() -> None:
    memo = TextMemo(100, chars=1000)
    texts = [f"{i:03d}" + "x" * 297 for i in range(10)]  # 300 characters each, distinct ends
    for t in texts:
        assert by_text(memo, t, len) == 300
        assert memo.used == sum(len(v[0]) for v in memo.values()) <= 1000
    assert [v[0] for v in memo.values()] == texts[-3:]  # the oldest forgotten first
    assert by_text(memo, "y" * 2000, len) == 2000 and len(memo) == 3  # too big to keep: not kept
    same_key = texts[-1][:100] + "z" * 100 + texts[-1][200:]  # replaces the entry of texts[-1]
    assert by_text(memo, same_key, lambda t: t.count("z")) == 100
    assert len(memo) == 3 and memo.used == 900
