"""x402 end to end against the local gateway emulator over real loopback sockets."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from clawcli.core.errors import PaymentError, PolicyRefusal
from clawcli.core.x402 import (
    Payer,
    SpendLedger,
    SpendPolicy,
    X402Auth,
    parse_payment_required,
)
from clawcli.testing import GatewayEmulator

EVM_KEY = "0x1053fae1b3ac64f178bcc21026fd06a3f4544ec2f35338b001f02d1d8efa3d5f"
EVM_ADDR = "0xF278cF59F82eDcf871d630F28EcC8056f25C1cdb"
MODEL = "openai/gpt-5.4"
BODY = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "max_tokens": 16}


def chats(g: GatewayEmulator) -> list:
    return [r for r in g.requests if r.path.endswith("/chat/completions")]


def payer(tmp_path: Path, **policy) -> Payer:
    return Payer(EVM_KEY, policy=SpendPolicy(**policy), ledger=SpendLedger(tmp_path / "ledger.json"))


@pytest.fixture(scope="module")
def gw():
    with GatewayEmulator(price_usd=0.002) as g:
        yield g


@pytest.fixture(scope="module")
def gw_v1():
    with GatewayEmulator(price_usd=0.002, x402_version=1) as g:
        yield g


def test_auth_pays_once_and_records_settlement(gw: GatewayEmulator, tmp_path: Path) -> None:
    gw.clear_requests()
    p = payer(tmp_path)
    auth = X402Auth(p)
    with httpx.Client(auth=auth, timeout=10) as client:
        r = client.post(gw.chat_url, json=BODY)
    assert r.status_code == 200 and "Hello from" in r.json()["choices"][0]["message"]["content"]
    reqs = chats(gw)
    assert [x.status for x in reqs] == [402, 200]
    assert reqs[1].paid and reqs[1].payer == EVM_ADDR and reqs[1].amount_usd == pytest.approx(0.002)
    s = auth.last_settlement
    assert s is not None and s.success and s.payer.lower() == EVM_ADDR.lower() and s.transaction == reqs[1].transaction
    (entry,) = p.ledger.entries()
    assert entry["state"] == "settled" and entry["amount"] == 2000 and entry["model"] == MODEL
    assert entry["tx"] == reqs[1].transaction


def test_v1_gateway(gw_v1: GatewayEmulator, tmp_path: Path) -> None:
    gw_v1.clear_requests()
    auth = X402Auth(payer(tmp_path))
    with httpx.Client(auth=auth, timeout=10) as client:
        r = client.post(gw_v1.chat_url, json=BODY)
    assert r.status_code == 200
    paid = chats(gw_v1)[-1]
    assert paid.paid and "x-payment" in paid.headers and "payment-signature" not in paid.headers
    assert auth.last_payment is not None and auth.last_payment.version == 1
    assert auth.last_settlement is not None and auth.last_settlement.success


async def test_async_streaming_response_stays_a_stream(gw: GatewayEmulator, tmp_path: Path) -> None:
    gw.clear_requests()
    auth = X402Auth(payer(tmp_path))
    async with httpx.AsyncClient(auth=auth, timeout=10) as client:
        async with client.stream("POST", gw.chat_url, json={**BODY, "stream": True}) as r:
            assert r.status_code == 200
            lines = [line async for line in r.aiter_lines() if line.startswith("data:")]
    assert lines[-1] == "data: [DONE]" and len(lines) > 2
    assert chats(gw)[-1].paid and auth.last_settlement is not None


def test_replayed_signature_is_rejected_and_not_paid_again(gw: GatewayEmulator, tmp_path: Path) -> None:
    gw.clear_requests()
    p = payer(tmp_path)
    with httpx.Client(timeout=10) as client:
        first = client.post(gw.chat_url, json=BODY)
        signed = p.sign(parse_payment_required(first), model=MODEL)
        ok = client.post(gw.chat_url, json=BODY, headers=signed.headers)
        assert ok.status_code == 200
        p.settled(signed, ok.headers)
        replay = client.post(gw.chat_url, json=BODY, headers=signed.headers)
    assert replay.status_code == 402
    assert "PAYMENT_REPLAY" in replay.text
    assert [x.paid for x in chats(gw)] == [False, True, False]
    # the auth flow refuses to answer a 402 to a request that already carried a payment
    with httpx.Client(auth=X402Auth(p), timeout=10) as client:
        with pytest.raises(PaymentError, match="PAYMENT_REPLAY"):
            client.post(gw.chat_url, json=BODY, headers=signed.headers)
    assert len(chats(gw)) == 4 and gw.paid_total() == pytest.approx(0.002)


def test_second_402_is_an_error_with_the_gateways_reason(gw: GatewayEmulator, tmp_path: Path) -> None:
    gw.clear_requests()
    gw.inject(MODEL, "payment_rejected", reason="invalid_exact_evm_payload_signature")
    p = payer(tmp_path)
    try:
        with httpx.Client(auth=X402Auth(p), timeout=10) as client:
            with pytest.raises(PaymentError) as info:
                client.post(gw.chat_url, json=BODY)
    finally:
        gw.clear_faults()
    assert "invalid_exact_evm_payload_signature" in info.value.message
    assert len(chats(gw)) == 2  # one unpaid, one paid attempt: never a loop
    (entry,) = p.ledger.entries()
    assert entry["state"] == "rejected"
    assert p.ledger.totals().pending_day == 0


def test_settlement_failure_keeps_counting(gw: GatewayEmulator, tmp_path: Path) -> None:
    gw.clear_requests()
    gw.inject(MODEL, "settlement_failed")
    p = payer(tmp_path)
    try:
        with httpx.Client(auth=X402Auth(p), timeout=10) as client:
            with pytest.raises(PaymentError, match="unexpected_settle_error"):
                client.post(gw.chat_url, json=BODY)
    finally:
        gw.clear_faults()
    (entry,) = p.ledger.entries()
    assert entry["state"] == "uncertain" and p.ledger.totals().pending_day == 2000


def test_policy_refusal_sends_no_payment(gw: GatewayEmulator, tmp_path: Path) -> None:
    gw.clear_requests()
    p = payer(tmp_path, max_per_request=1000)  # $0.001 < the $0.002 quote
    with httpx.Client(auth=X402Auth(p), timeout=10) as client:
        with pytest.raises(PolicyRefusal, match="per-request cap of \\$0.001"):
            client.post(gw.chat_url, json=BODY)
    assert len(chats(gw)) == 1 and not chats(gw)[0].payment_attached
    assert p.ledger.entries() == []


def test_free_model_needs_no_payment(gw: GatewayEmulator, tmp_path: Path) -> None:
    gw.clear_requests()
    p = payer(tmp_path)
    with httpx.Client(auth=X402Auth(p), timeout=10) as client:
        r = client.post(gw.chat_url, json={**BODY, "model": "nvidia/gpt-oss-120b"})
    assert r.status_code == 200 and p.ledger.entries() == []
