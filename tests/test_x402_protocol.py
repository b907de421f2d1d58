"""x402 wire formats: v2 header / v1 body parsing, settlement decoding, rejection reasons."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from clawcli.core.errors import PaymentError
from clawcli.core.x402 import (
    decode_settlement,
    parse_payment_required,
    rejection_reason,
)

USDC = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"
PAYEE = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"


def b64(obj) -> str:
    return base64.b64encode(json.dumps(obj).encode()).decode()


def v2_required(**over) -> dict:
    accept = {"scheme": "exact", "network": "eip155:8453", "amount": "1500", "asset": USDC, "payTo": PAYEE,
              "maxTimeoutSeconds": 300, "extra": {"name": "USD Coin", "version": "2"}}
    accept.update(over)
    return {"x402Version": 2, "error": "PAYMENT-SIGNATURE header is required",
            "resource": {"url": "https://gw.test/v1/chat/completions", "mimeType": "application/json"},
            "accepts": [accept], "extensions": {"x": {"info": 1}}}


@pytest.mark.parametrize("name", ["PAYMENT-REQUIRED", "payment-required", "Payment-Required"])
def test_v2_header_any_case(name: str) -> None:
    resp = httpx.Response(402, headers={name: b64(v2_required())}, json={"error": "Payment Required"})
    pr = parse_payment_required(resp)
    assert pr.version == 2 and len(pr.accepts) == 1
    r = pr.accepts[0]
    assert (r.amount, r.network, r.pay_to, r.asset, r.max_timeout_seconds) == (1500, "eip155:8453", PAYEE, USDC, 300)
    assert float(r.amount_usd) == 0.0015
    assert pr.resource["url"].endswith("/v1/chat/completions") and pr.extensions == {"x": {"info": 1}}


def test_v2_header_wins_over_body_and_plain_dict_headers_work() -> None:
    from clawcli.core.x402 import parse_payment_required_parts

    pr = parse_payment_required_parts({"payment-required": b64(v2_required(amount="7"))}, b"not json")
    assert pr.accepts[0].amount == 7


def test_v1_json_body() -> None:
    body = {"x402Version": 1, "error": "X-PAYMENT header is required", "accepts": [
        {"scheme": "exact", "network": "base", "maxAmountRequired": "2000", "asset": USDC, "payTo": PAYEE,
         "resource": "https://gw.test/v1/chat/completions", "maxTimeoutSeconds": 60,
         "extra": {"name": "USD Coin", "version": "2"}}]}
    pr = parse_payment_required(httpx.Response(402, json=body))
    assert pr.version == 1 and pr.accepts[0].amount == 2000 and pr.accepts[0].network == "base"


@pytest.mark.parametrize(
    "resp",
    [
        httpx.Response(402, json={"error": "Payment Required"}),  # no requirements at all
        httpx.Response(402, text="<html>402</html>"),
        httpx.Response(402, headers={"payment-required": "%%%not-base64%%%"}),
        httpx.Response(402, headers={"payment-required": b64({"x402Version": 2, "accepts": []})}),
        httpx.Response(402, headers={"payment-required": b64(v2_required(amount="lots"))}),
        httpx.Response(402, headers={"payment-required": b64({"x402Version": 3, "accepts": [{}]})}),
    ],
)
def test_unreadable_402_is_a_payment_error(resp: httpx.Response) -> None:
    with pytest.raises(PaymentError):
        parse_payment_required(resp)


def test_settlement_v2_then_v1_fallback() -> None:
    s = {"success": True, "transaction": "0xabc", "network": "eip155:8453", "payer": "0xF278", "amount": "1500"}
    got = decode_settlement(httpx.Headers({"payment-response": b64(s)}))
    assert got is not None
    assert (got.transaction, got.network, got.payer, got.amount) == ("0xabc", "eip155:8453", "0xF278", 1500)
    assert got.amount_usd == pytest.approx(0.0015)
    got1 = decode_settlement({"X-PAYMENT-RESPONSE": b64({**s, "transaction": "0xdef"})})
    assert got1 is not None and got1.transaction == "0xdef"
    both = decode_settlement(httpx.Headers({"x-payment-response": b64({**s, "transaction": "old"}),
                                            "payment-response": b64(s)}))
    assert both is not None and both.transaction == "0xabc"
    assert decode_settlement({}) is None


def test_rejection_reasons_from_gateway_bodies() -> None:
    body = json.dumps({"error": "Payment verification failed",
                       "details": "Verification failed: {\"invalidReason\":\"insufficient_funds\"}"}).encode()
    assert "Payment verification failed" in rejection_reason({}, body)
    assert "insufficient_funds" in rejection_reason({}, body)
    fail = b64({"success": False, "transaction": "", "network": "eip155:8453", "payer": "0x1",
                "errorReason": "invalid_exact_evm_payload_signature"})
    assert rejection_reason({"payment-response": fail}, b"{}") == "invalid_exact_evm_payload_signature"
    sol = json.dumps({"error": "Payment verification failed", "code": "PAYMENT_REPLAY", "debug": "nonce used"}).encode()
    assert rejection_reason({}, sol) == "Payment verification failed: PAYMENT_REPLAY: nonce used"
    assert rejection_reason({}, b"") == "payment rejected"
