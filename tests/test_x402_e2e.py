"""x402 end to end: the engine's own payment path (what `claw ask` and `claw serve` run) with the
real payer, against the local gateway emulator over real loopback sockets.

Each test goes through ``Engine.complete`` / ``Engine.stream``: if the engine stopped paying, or
paid twice, or forgot to record a settlement, these fail.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from clawcli.core.config import Settings
from clawcli.core.errors import PolicyRefusal
from clawcli.core.paths import Paths
from clawcli.core.upstream import Engine
from clawcli.core.x402 import Payer, SpendLedger, SpendPolicy, parse_payment_required
from clawcli.testing import GatewayEmulator

EVM_KEY = "0x1053fae1b3ac64f178bcc21026fd06a3f4544ec2f35338b001f02d1d8efa3d5f"
EVM_ADDR = "0xF278cF59F82eDcf871d630F28EcC8056f25C1cdb"
MODEL = "openai/gpt-5.4"
FREE = "nvidia/gpt-oss-120b"
BODY = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "max_tokens": 16}


def payer(tmp_path: Path, **policy) -> Payer:
    return Payer(EVM_KEY, policy=SpendPolicy(**policy), ledger=SpendLedger(tmp_path / "ledger.json"))


def engine(gw: GatewayEmulator, p: Payer) -> Engine:
    return Engine(Settings(gateway_url=gw.url), Paths.from_env(), payer=p)


def sent(gw: GatewayEmulator, model: str = MODEL) -> list[tuple[int, bool]]:
    """(status, carried a payment) of every chat request the gateway saw for ``model``."""
    return [(r.status, r.payment_attached) for r in gw.chat_requests() if r.model == model]


@pytest.fixture(scope="module")
def gw():
    with GatewayEmulator(price_usd=0.002) as g:
        yield g


@pytest.fixture(scope="module")
def gw_v1():
    with GatewayEmulator(price_usd=0.002, x402_version=1) as g:
        yield g


@pytest.fixture(autouse=True)
def _fresh(gw, gw_v1):
    for g in (gw, gw_v1):
        g.clear_requests()
        g.clear_faults()
    yield


async def test_a_paid_answer_is_paid_once_and_its_settlement_recorded(gw, tmp_path) -> None:
    p = payer(tmp_path)
    async with engine(gw, p) as eng:
        res = await eng.complete(BODY, source="ask")
    assert res.model == MODEL and "Hello from" in res.content
    assert sent(gw) == [(402, False), (200, True)]
    paid = gw.paid_requests()
    assert len(paid) == 1 and paid[0].payer == EVM_ADDR and paid[0].amount_usd == pytest.approx(0.002)
    assert res.cost == pytest.approx(0.002) and res.attempts[-1].paid
    assert res.settlement is not None and res.settlement.tx == paid[0].transaction
    (entry,) = p.ledger.entries()
    assert entry["state"] == "settled" and entry["amount"] == 2000 and entry["model"] == MODEL
    assert entry["tx"] == paid[0].transaction


async def test_a_v1_gateway_is_paid_with_the_x_payment_header(gw_v1, tmp_path) -> None:
    p = payer(tmp_path)
    async with engine(gw_v1, p) as eng:
        res = await eng.complete(BODY, source="ask")
    (paid,) = gw_v1.paid_requests()
    assert "x-payment" in paid.headers and "payment-signature" not in paid.headers
    assert res.settlement is not None and res.settlement.tx == paid.transaction
    assert res.cost == pytest.approx(0.002)


async def test_a_paid_stream_arrives_as_chunks_and_is_settled(gw, tmp_path) -> None:
    p = payer(tmp_path)
    events = []
    async with engine(gw, p) as eng:
        async for ev in eng.stream({**BODY, "stream": True}, source="serve"):
            events.append(ev)
    kinds = [e.type for e in events]
    assert kinds.count("chunk") > 2 and kinds[-1] == "done"
    done = events[-1].data
    assert done.settlement is not None and done.cost == pytest.approx(0.002)
    assert sent(gw) == [(402, False), (200, True)]
    assert [e["state"] for e in p.ledger.entries()] == ["settled"]


async def test_a_persistent_payment_rejection_is_resigned_once_then_falls_back(gw, tmp_path) -> None:
    gw.inject(MODEL, "payment_rejected", times=None, reason="invalid_exact_evm_payload_signature")
    p = payer(tmp_path)
    async with engine(gw, p) as eng:
        res = await eng.complete(BODY, source="ask")
    # one unpaid request, the signed one, one fresh signature: never a loop, nothing paid
    assert sent(gw) == [(402, False), (402, True), (402, True)]
    assert res.model == FREE and res.cost == 0 and gw.paid_total() == 0
    failed = res.attempts[0]
    assert failed.model == MODEL and failed.error_class is not None and not failed.paid
    assert [e["state"] for e in p.ledger.entries()] == ["rejected", "rejected"]


async def test_a_settlement_failure_is_never_resigned_and_keeps_counting(gw, tmp_path) -> None:
    gw.inject(MODEL, "settlement_failed", times=None)
    p = payer(tmp_path)
    async with engine(gw, p) as eng:
        res = await eng.complete(BODY, source="ask")
    assert sent(gw) == [(402, False), (402, True)]  # the transfer may have happened: no second signature
    assert res.model == FREE
    (entry,) = p.ledger.entries()
    assert entry["state"] == "uncertain" and p.ledger.totals().pending_day == 2000


async def test_a_policy_refusal_sends_no_payment(gw, tmp_path) -> None:
    p = payer(tmp_path, max_per_request=1000)  # $0.001 < the $0.002 quote
    async with engine(gw, p) as eng:
        with pytest.raises(PolicyRefusal, match=r"per-request cap of \$0.001"):
            await eng.complete(BODY, source="ask")
    assert sent(gw) == [(402, False)]
    assert p.ledger.entries() == [] and gw.paid_total() == 0


async def test_a_free_model_is_answered_without_a_payment(gw, tmp_path) -> None:
    p = payer(tmp_path)
    async with engine(gw, p) as eng:
        res = await eng.complete({**BODY, "model": FREE}, source="ask")
    assert res.model == FREE and res.cost == 0
    assert sent(gw, FREE) == [(200, False)] and p.ledger.entries() == []


def test_the_gateway_refuses_a_replayed_signature(gw, tmp_path) -> None:
    """The emulator's side of the protocol: a signed payment is good for one request."""
    p = payer(tmp_path)
    with httpx.Client(timeout=10) as client:
        first = client.post(gw.chat_url, json=BODY)
        signed = p.sign(parse_payment_required(first), model=MODEL)
        ok = client.post(gw.chat_url, json=BODY, headers=signed.headers)
        assert ok.status_code == 200
        p.settled(signed, ok.headers)
        replay = client.post(gw.chat_url, json=BODY, headers=signed.headers)
    assert replay.status_code == 402 and "PAYMENT_REPLAY" in replay.text
    assert [x.paid for x in gw.chat_requests()] == [False, True, False]
    assert gw.paid_total() == pytest.approx(0.002)
