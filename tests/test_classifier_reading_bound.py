"""The classifier reads a long ask at its head and tail only (clawcli/core/router/_features.py), so a
huge paste costs no more than its read bound: what sits in the middle does not change the tier."""

from __future__ import annotations

from clawcli.core.router import route

FILLER = "The weather report for the coastal towns lists wind, rain and sunshine for each day. " * 60
PROOF = " Prove by induction that the sum of the first n odd numbers is n squared, step by step. "


def decision(text: str):
    return route({"messages": [{"role": "user", "content": text}]})


def signals(d) -> list[tuple[str, float]]:
    """The scoring dimensions that fired and their values (the length one names the char count)."""
    return [(x["name"], x["value"]) for x in d.to_dict()["dimensions"]]


def test_a_request_in_the_middle_of_a_long_ask_is_not_read() -> None:
    head, tail = "Please read this note. " + FILLER, FILLER + " Thanks."
    with_middle = decision(head + PROOF + tail)
    without = decision(head + tail)
    assert len(head + PROOF + tail) > 10_000
    assert with_middle.tier == without.tier
    assert signals(with_middle) == signals(without)


def test_the_same_request_at_the_end_of_a_long_ask_is_read() -> None:
    """Guards the test above: the words it hides do change the decision when they are read."""
    alone = decision(PROOF)
    at_end = decision("Please read this note. " + FILLER + FILLER + PROOF)
    plain = decision("Please read this note. " + FILLER + FILLER + " Thanks.")
    assert alone.tier == "REASONING" and at_end.tier != plain.tier
