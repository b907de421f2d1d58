"""The cost estimate clamps max_tokens to the model's maximum output, as the gateway
does when it quotes (OpenClaw sends 100k-token defaults). An unclamped estimate overstated the
`x-clawrouter-cost` header 2-3x and made a strict per-run cap refuse affordable calls."""

from __future__ import annotations

import pytest

from clawcli.core.catalog import default_catalog
from clawcli.core.router import route

OPUS = "anthropic/claude-opus-4.6"


def test_estimate_is_priced_on_the_clamped_output() -> None:
    cat = default_catalog()
    opus = cat.models[OPUS]
    msgs = [{"role": "user", "content": "hi"}]
    big = route({"model": OPUS, "max_tokens": opus.max_output * 4, "messages": msgs}, catalog=cat)
    exact = route({"model": OPUS, "max_tokens": opus.max_output, "messages": msgs}, catalog=cat)
    assert big.estimated_cost == pytest.approx(exact.estimated_cost)
    assert big.estimated_cost == pytest.approx(opus.cost(big.input_tokens, opus.max_output))


def test_strict_cap_admits_a_call_whose_gateway_quote_fits(make_proxy, gw) -> None:  # noqa: F811
    proxy = make_proxy(max_cost_per_run=1.5, cap_mode="strict", max_per_request=2.0)
    body = {"model": OPUS, "max_tokens": 100_000, "messages": [{"role": "user", "content": "hi"}]}
    r = proxy.post(body, **{"x-session-id": "one-run"})
    assert r.status_code == 200, r.text
    paid = gw.paid_requests()
    assert len(paid) == 1 and paid[0].amount_usd < 1.5
    # the header's estimate is the clamped price, within the gateway's 1.2 margin of the quote
    assert float(r.headers["x-clawrouter-cost"]) == pytest.approx(paid[0].amount_usd, rel=0.01)
