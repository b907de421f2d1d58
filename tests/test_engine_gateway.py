"""The engine with the real payer against the clawcli.testing gateway over loopback, in-process:
what needs one process serving several requests (cooldowns), and the payment edge cases."""

from __future__ import annotations

import pytest

from clawcli.core.config import Settings
from clawcli.core.paths import Paths
from clawcli.core.upstream import Engine, StreamInterrupted, Timeouts
from clawcli.testing import GatewayEmulator

KEY = "0x" + "5d" * 32
FREE = "nvidia/gpt-oss-120b"
REQ = {"messages": [{"role": "user", "content": "What is the capital of France?"}]}


def _first_two() -> tuple[str, str]:
    from clawcli.core.router import route

    chain = route(REQ, profile="auto").chain  # the tests follow whatever the router picks
    return chain[0], chain[1]


A, B = _first_two()
LONG = ("Paris is the capital of France. It lies on the Seine and has been the seat of government for most "
        "of the last thousand years; its museums and boulevards draw millions of visitors every year.")


@pytest.fixture(scope="module")
def address() -> str:
    from eth_account import Account

    return Account.from_key(KEY).address


@pytest.fixture
def gw(address):
    with GatewayEmulator(enforce_balance=True, reply=LONG, stream_chunks=6) as g:
        g.set_balance(address, 5)
        yield g


def engine_for(gw: GatewayEmulator, **kw) -> Engine:
    from clawcli.core.x402.ledger import SpendLedger
    from clawcli.core.x402.payer import Payer
    from clawcli.core.x402.policy import SpendPolicy

    paths = Paths.from_env()
    settings = Settings(gateway_url=gw.url)
    payer = Payer(KEY, policy=SpendPolicy.from_settings(settings), ledger=SpendLedger(paths.ledger_file))
    return Engine(settings, paths, payer=payer, **kw)


def chat_models(gw) -> list[str]:
    return [r.model for r in gw.chat_requests() if r.status != 402]


async def test_529_cooldown_is_honoured_by_the_next_request(gw):
    gw.inject(A, "529", times=1)
    async with engine_for(gw) as eng:
        r1 = await eng.complete(REQ, source="serve")
        assert r1.model == B and r1.attempts[0].error_class == "overloaded" and not r1.attempts[0].paid
        assert 14 < eng.cooldowns.remaining(A) <= 15
        r2 = await eng.complete(REQ, source="serve")
        assert r2.model == B
    assert chat_models(gw) == [A, B, B]  # the second request did not even try the cooling model
    assert gw.paid_total() == pytest.approx(r1.cost + r2.cost)


async def test_429_retry_after_sets_the_cooldown(gw):
    gw.inject(A, "429", times=2, retry_after=42)
    async with engine_for(gw) as eng:
        res = await eng.complete(REQ, source="serve")
        assert res.model == B and 41 < eng.cooldowns.remaining(A) <= 42


async def test_settlement_failure_is_never_resigned_and_falls_back_free(gw):
    gw.inject(A, "settlement_failed", times=None)
    async with engine_for(gw) as eng:
        res = await eng.complete(REQ, source="ask")
    paid_tries = [r for r in gw.chat_requests() if r.model == A and r.payment_attached]
    assert len(paid_tries) == 1  # one signature for A, never a second
    assert res.model == FREE and res.cost == 0 and res.attempts[0].error_class == "billing"
    assert any("billing error" in n for n in res.notices)


async def test_expired_payment_is_resigned_once_and_paid_once(gw):
    gw.inject(A, "payment_rejected", times=1, reason="invalid_exact_evm_payload_authorization_valid_before",
              message="authorization expired at 1700000000")
    async with engine_for(gw) as eng:
        res = await eng.complete(REQ, source="ask")
    assert res.model == A and len(res.attempts) == 1 and res.attempts[0].paid
    tries = [r for r in gw.chat_requests() if r.model == A and r.payment_attached]
    assert len(tries) == 2 and sum(r.paid for r in tries) == 1
    assert res.cost == pytest.approx(gw.paid_total())


async def test_disconnect_after_the_answer_started_is_not_retried(gw):
    gw.inject(A, "disconnect", after_chunks=3)
    async with engine_for(gw) as eng:
        got = []
        with pytest.raises(StreamInterrupted, match="mid-answer"):
            async for ev in eng.stream(REQ, source="serve"):
                got.append(ev)
    assert any(e.type == "chunk" for e in got)
    assert chat_models(gw) == [A]


async def test_slow_model_times_out_and_is_not_charged(gw):
    gw.inject(A, "slow", delay=3)
    async with engine_for(gw, timeouts=Timeouts(attempt=1.0, reasoning_attempt=1.0)) as eng:
        res = await eng.complete(REQ, source="ask")
    assert res.model == B and res.attempts[0].error_class == "network" and not res.attempts[0].paid
    assert [r.model for r in gw.paid_requests()] == [B]


async def test_streamed_paid_answer_matches_the_gateway_record(gw):
    async with engine_for(gw) as eng:
        events = [ev async for ev in eng.stream(REQ, source="serve", session_id="s1")]
        assert eng.budgets.spent("s1") == pytest.approx(gw.paid_total())
    chunks = [e.data for e in events if e.type == "chunk"]
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks) == LONG
    done = events[-1].data
    [paid] = gw.paid_requests()
    assert done.settlement.tx == paid.transaction and done.cost == pytest.approx(paid.amount_usd)


async def test_the_gateways_quote_is_held_to_the_session_cap(gw):
    """The local estimate fits, the 402 quote does not: nothing above the cap is ever signed off."""
    from clawcli.core.upstream import CostCapExceeded

    gw.set_price(A, 0.05)  # estimate for A is ~$0.01, the gateway asks $0.05
    eng = engine_for(gw)
    eng.settings.max_cost_per_run = 0.03
    eng.settings.quote_tolerance = None  # this test is about the session cap, not the quote tolerance
    async with eng:
        res = await eng.complete(REQ, source="serve", session_id="s")  # graceful: the next model
        assert res.model == B and res.attempts[0].error_class == "cost_cap" and not res.attempts[0].paid
        assert eng.budgets.spent("s") == pytest.approx(res.cost) and res.cost <= 0.03
        eng.settings.cap_mode = "strict"
        with pytest.raises(CostCapExceeded, match="quotes"):
            await eng.complete(REQ, source="serve", session_id="s2")
    assert [r.model for r in gw.paid_requests()] == [B]
    assert not any(r.payment_attached for r in gw.chat_requests() if r.model == A)


async def test_every_degraded_kind_of_the_gateway_falls_back(gw):
    from clawcli.core.router import route

    chain = route(REQ, profile="auto").chain
    kinds = ["error_200", "single_char", "whitespace", "line_loop"]
    async with engine_for(gw) as eng:
        for kind in kinds:  # one paid degraded answer per request: the next model answers
            gw.clear_requests()
            gw.inject(chain[0], kind)
            res = await eng.complete(REQ, source="serve")
            assert res.model == chain[1] and res.content == LONG, kind
            assert [a.error_class for a in res.attempts] == ["degraded", None], kind
            assert res.cost == pytest.approx(sum(r.amount_usd for r in gw.paid_requests()))
        streamed = [ev async for ev in eng.stream(REQ, source="serve")][-1].data  # faults were one-shot
    assert streamed.model == chain[0] and streamed.content == LONG
