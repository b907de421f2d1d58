"""The router's capability filters on a small catalog written here (independent of the packaged one):
which models a request may be sent to (clawcli/core/router/select.py)."""

from __future__ import annotations

from clawcli.core.catalog import PROFILE_NAMES, Catalog
from clawcli.core.router import route

FREE = "free/model"
TIERS = ("SIMPLE", "MEDIUM", "COMPLEX", "REASONING")
TOOLS = [{"type": "function", "function": {"name": "run", "parameters": {"type": "object", "properties": {}}}}]


def model(mid: str, *, window: int = 200_000, tools: bool = True, price: float = 1.0) -> dict:
    return {"id": mid, "name": mid, "inputPrice": price, "outputPrice": price, "contextWindow": window,
            "maxOutput": 100_000, "capabilities": {"tools": tools}}


def catalog(models: list[dict], chain: list[str], *, noncompliant: tuple[str, ...] = ()) -> Catalog:
    return Catalog.from_data(
        {"freeModel": FREE, "models": [*models, model(FREE, price=0.0)]},
        {"maxChain": 5, "toolNoncompliant": list(noncompliant),
         "profiles": {p: {t: list(chain) for t in TIERS} for p in PROFILE_NAMES}},
    )


def ask(max_tokens: int, **extra) -> dict:
    return {"model": "auto", "max_tokens": max_tokens, "messages": [{"role": "user", "content": "hi"}], **extra}


def test_a_model_is_skipped_when_the_request_would_fill_more_than_90_percent_of_its_window() -> None:
    cat = catalog([model("small/window", window=10_000), model("big/window")], ["small/window", "big/window"])
    needed = route(ask(9_300), catalog=cat)
    assert needed.input_tokens + needed.max_tokens <= 10_000  # it would fit, but without headroom
    assert needed.chain[0] == "big/window" and "small/window" not in needed.chain
    roomy = route(ask(5_000), catalog=cat)
    assert roomy.chain[0] == "small/window"  # well within the window: the table's order stands


def test_a_model_known_to_ignore_tool_calls_is_dropped_when_the_request_has_tools() -> None:
    cat = catalog([model("ignores/tools"), model("follows/tools")], ["ignores/tools", "follows/tools"],
                  noncompliant=("ignores/tools",))
    with_tools = route(ask(100, tools=TOOLS), catalog=cat)
    assert with_tools.chain == ["follows/tools"]
    without = route(ask(100), catalog=cat)
    assert without.chain[0] == "ignores/tools"  # only requests with tools are filtered


def test_the_tool_compliance_filter_never_leaves_a_request_without_a_model() -> None:
    cat = catalog([model("ignores/tools")], ["ignores/tools"], noncompliant=("ignores/tools",))
    assert route(ask(100, tools=TOOLS), catalog=cat).chain == ["ignores/tools"]
