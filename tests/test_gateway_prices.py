"""What a paid answer costs, checked against prices written here, not read from the client's catalog.

The gateway emulator quotes from the same catalog the client ships (clawcli/data/catalog.json), so
a wrong price there would be invisible to every other test: client and emulator would agree on it.
This table is BlockRun's published price per 1M tokens (reference/router.md), typed by hand.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction

import pytest

from clawcli.core.config import Settings
from clawcli.core.paths import Paths
from clawcli.core.upstream import Engine
from clawcli.core.x402 import Payer, SpendLedger, SpendPolicy
from clawcli.testing import GatewayEmulator

KEY = "0x1053fae1b3ac64f178bcc21026fd06a3f4544ec2f35338b001f02d1d8efa3d5f"
#: model -> (USD per 1M input tokens, USD per 1M output tokens)
PUBLISHED = {
    "anthropic/claude-opus-4.6": (5.00, 25.00),
    "moonshot/kimi-k2.5": (0.60, 3.00),
    "openai/gpt-5.3-codex": (1.75, 14.00),
    "xai/grok-4-1-fast-reasoning": (0.20, 0.50),
    "google/gemini-2.5-flash": (0.30, 2.50),
}
MARGIN = 1.2  # the gateway quotes 20 % over the estimate
MIN_USD = 0.001


def expected_quote_usd(model: str, body: dict) -> float:
    """The gateway's quote: ceil(len(messages JSON) / 4) input tokens + max_tokens output tokens."""
    price_in, price_out = (Fraction(str(p)) for p in PUBLISHED[model])
    input_tokens = math.ceil(len(json.dumps(body["messages"], separators=(",", ":"), ensure_ascii=False)) / 4)
    micro_usd = (input_tokens * price_in + body["max_tokens"] * price_out) * Fraction(str(MARGIN))  # exact
    return max(MIN_USD, math.ceil(micro_usd) / 1e6)


@pytest.mark.parametrize("model", sorted(PUBLISHED))
async def test_a_paid_answer_costs_the_published_price(model, tmp_path) -> None:
    body = {"model": model, "max_tokens": 2000,
            "messages": [{"role": "user", "content": "Summarise the plot of Hamlet in three sentences."}]}
    expected = expected_quote_usd(model, body)
    with GatewayEmulator() as gw:
        payer = Payer(KEY, policy=SpendPolicy(), ledger=SpendLedger(tmp_path / "ledger.json"))
        async with Engine(Settings(gateway_url=gw.url), Paths.from_env(), payer=payer) as eng:
            res = await eng.complete(body, source="ask")
        (paid,) = gw.paid_requests()
    assert res.model == model
    assert paid.amount_usd == pytest.approx(expected, abs=1e-6)
    assert res.cost == pytest.approx(expected, abs=1e-6)
    assert [e["amount"] for e in payer.ledger.entries()] == [round(expected * 1e6)]
