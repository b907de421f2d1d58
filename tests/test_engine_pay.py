"""The engine's ledger bookkeeping for paid attempts (clawcli/core/upstream/_pay.py)."""

import base64
import json
from types import SimpleNamespace

from clawcli.core.upstream import _pay


class RecordingPayer:
    def __init__(self):
        self.calls = []

    def settled(self, signed, headers):
        from clawcli.core.x402.protocol import decode_settlement

        self.calls.append("settled")
        return decode_settlement(headers)

    def rejected(self, signed, reason):
        self.calls.append("rejected")


def _hdr(success: bool) -> dict:
    body = {"success": success, "transaction": "0xabc", "network": "eip155:8453", "payer": "0xp", "amount": "2500"}
    return {"PAYMENT-RESPONSE": base64.b64encode(json.dumps(body).encode()).decode()}


SIGNED = SimpleNamespace(amount=2500, network="eip155:8453", payer="0xp")


def test_a_402_that_reports_a_settled_transfer_counts_as_spent():
    payer = RecordingPayer()
    paid = _pay.settlement_of(payer, SIGNED, _hdr(True), rejected=True, reason="late error")
    assert payer.calls == ["settled"]
    assert paid is not None and paid.amount_usd == 0.0025 and paid.tx == "0xabc"


def test_a_rejected_payment_is_booked_rejected_and_keeps_counting():  # never released: the gateway holds it
    payer = RecordingPayer()
    assert _pay.settlement_of(payer, SIGNED, _hdr(False), rejected=True, reason="invalid") is None
    assert _pay.settlement_of(payer, SIGNED, {}, rejected=True, reason="invalid") is None
    assert payer.calls == ["rejected", "rejected"]
