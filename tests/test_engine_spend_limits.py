"""The engine against the loopback gateway emulator: money bounds and what the
usage log says about requests that did not finish."""

from __future__ import annotations

import json

import pytest

from clawcli.core.config import Settings
from clawcli.core.paths import Paths
from clawcli.core.errors import AllAttemptsFailed
from clawcli.core.upstream import Engine, StreamInterrupted
from clawcli.core.upstream.types import CostCapExceeded
from clawcli.testing import GatewayEmulator

KEY = "0x" + "6e" * 32
REQ = {"messages": [{"role": "user", "content": "What is the capital of Peru?"}]}
LONG = ("Lima is the capital of Peru. It lies on the Pacific coast and has been the seat of government "
        "since the sixteenth century; its old town is a world heritage site visited by many.")


@pytest.fixture
def gw():
    with GatewayEmulator(reply=LONG, stream_chunks=6) as g:
        yield g


def engine_for(gw: GatewayEmulator) -> Engine:
    from clawcli.core.x402.ledger import SpendLedger
    from clawcli.core.x402.payer import Payer
    from clawcli.core.x402.policy import SpendPolicy

    paths = Paths.from_env()
    settings = Settings(gateway_url=gw.url)
    payer = Payer(KEY, policy=SpendPolicy.from_settings(settings), ledger=SpendLedger(paths.ledger_file))
    return Engine(settings, paths, payer=payer)


def log_lines() -> list[dict]:
    paths = Paths.from_env()
    return [json.loads(line) for f in sorted(paths.logs_dir.glob("usage-*.jsonl"))
            for line in f.read_text().splitlines() if line.strip()]


async def test_max_cost_bounds_the_whole_request_not_each_attempt(gw):
    # every paid answer breaks off before reaching the caller, so the engine falls back: before the
    # fix each fallback was held to --max-cost on its own and 5 attempts spent 2.3x the cap
    gw.inject("*", "disconnect", times=None)
    cap = 0.02
    async with engine_for(gw) as eng:
        with pytest.raises(AllAttemptsFailed) as info:
            await eng.complete(REQ, source="ask", max_cost=cap)
    assert gw.paid_total() <= cap + 1e-9
    assert len(gw.paid_requests()) >= 1  # it did try, and paid, within the cap
    assert "above --max-cost" in str(info.value)
    rec = log_lines()[-1]
    assert rec["cost"] == pytest.approx(gw.paid_total(), abs=1e-9)


async def test_interrupted_stream_logs_the_paid_attempt_and_its_model(gw):
    gw.inject("*", "disconnect", after_chunks=4)
    async with engine_for(gw) as eng:
        with pytest.raises(StreamInterrupted):
            async for _ in eng.stream(REQ, source="ask"):
                pass
    rec = log_lines()[-1]
    paid = gw.paid_requests()
    assert len(paid) == 1 and rec["cost"] == pytest.approx(paid[0].amount_usd)
    # the money must be attributable: the model and its (paid, failed) attempt are in the line
    assert rec["model"] == paid[0].model
    assert rec["attempts"] and rec["attempts"][-1]["model"] == paid[0].model
    assert rec["attempts"][-1]["paid"] is True and rec["attempts"][-1]["errorClass"] == "network"


async def test_cost_cap_refusal_is_logged_with_its_routing_decision(gw):
    async with engine_for(gw) as eng:
        eng.settings.exclude = ["nvidia/gpt-oss-120b"]  # the free model fits any --max-cost: no refusal
        with pytest.raises(CostCapExceeded):
            await eng.complete(REQ, source="ask", max_cost=0.000001)
    rec = log_lines()[-1]
    assert rec["status"] == "blocked" and rec["errorClass"] == "cost_cap"
    assert rec["tier"] is not None and rec["profile"] == "auto"
    assert rec["estimatedCost"] > 0.000001
    assert gw.chat_requests() == []  # refused before anything was sent


async def test_free_model_excluded_by_alias_is_not_used_as_billing_fallback(gw):
    # `exclude = ["gpt-120b"]` (an alias of the free model): the empty-wallet fallback used to
    # compare raw names and answer with the excluded model anyway
    from clawcli.core.x402.ledger import SpendLedger
    from clawcli.core.x402.payer import Payer
    from clawcli.core.x402.policy import SpendPolicy

    gw.inject("*", "insufficient_funds", times=None)
    paths = Paths.from_env()
    settings = Settings(gateway_url=gw.url, exclude=["gpt-120b"])
    payer = Payer(KEY, policy=SpendPolicy.from_settings(settings), ledger=SpendLedger(paths.ledger_file))
    async with Engine(settings, paths, payer=payer) as eng:
        with pytest.raises(AllAttemptsFailed):
            await eng.complete(REQ, source="ask")
    assert "nvidia/gpt-oss-120b" not in [r.model for r in gw.chat_requests()]
