"""Signing (EIP-3009 as EIP-712), payment headers v1/v2, and every pre-sign policy refusal."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from clawcli.core.config import Settings
from clawcli.core.errors import PolicyRefusal
from clawcli.core.wallet.constants import BASE, BASE_SEPOLIA
from clawcli.core.x402 import (
    Payer,
    SpendLedger,
    SpendPolicy,
    evm,
    parse_payment_required_parts,
)

EVM_KEY = "0x1053fae1b3ac64f178bcc21026fd06a3f4544ec2f35338b001f02d1d8efa3d5f"
EVM_ADDR = "0xF278cF59F82eDcf871d630F28EcC8056f25C1cdb"
PAYEE = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"
NOW = 1_740_672_000


def b64(obj) -> str:
    return base64.b64encode(json.dumps(obj).encode()).decode()


def unb64(s: str):
    return json.loads(base64.b64decode(s))


def accept(**over) -> dict:
    a = {"scheme": "exact", "network": "eip155:8453", "amount": "1000", "asset": BASE.usdc, "payTo": PAYEE,
         "maxTimeoutSeconds": 300, "extra": {"name": "USD Coin", "version": "2"}}
    a.update(over)
    return a


def required(*accepts: dict, version: int = 2):
    if version == 2:
        data = {"x402Version": 2, "resource": {"url": "http://gw.test/v1/chat/completions"},
                "accepts": list(accepts) or [accept()], "extensions": {"e": {"info": {}}}}
        return parse_payment_required_parts({"PAYMENT-REQUIRED": b64(data)}, None)
    body = {"x402Version": 1, "accepts": list(accepts)}
    return parse_payment_required_parts({}, json.dumps(body).encode())


def make_payer(tmp_path: Path, **policy) -> Payer:
    return Payer(EVM_KEY, policy=SpendPolicy(**policy),
                 ledger=SpendLedger(tmp_path / "ledger.json", clock=lambda: NOW), clock=lambda: NOW)


def test_reference_signing_vector() -> None:
    domain = evm.domain_for(BASE, BASE.usdc, {"name": "USD Coin", "version": "2"})
    sig, auth = evm.sign_authorization(EVM_KEY, domain=domain, to=PAYEE, value=1000, valid_after=1740672089,
                                       valid_before=1740672389, nonce=(1).to_bytes(32, "big"))
    assert sig == ("0x7c2d8cbe4b300ff01c8ddfdb8243e33f0d4e695aef61a8cc118aebd225cdafa66b87d064956a32a69145d14b"
                   "63dee005f0f108d76e50d30b386c9f1a814879431c")
    assert auth["nonce"] == "0x" + "00" * 31 + "01" and auth["value"] == "1000"


def test_domain_separators_match_reference() -> None:
    from eth_account._utils.encode_typed_data.encoding_and_hashing import hash_domain

    assert "0x" + hash_domain(evm.domain_for(BASE, BASE.usdc, {})).hex() == \
        "0x02fa7265e7c5d81118673727957699e4d68f74cd74b7db77da710fe8a2c7834f"
    assert "0x" + hash_domain(evm.domain_for(BASE_SEPOLIA, BASE_SEPOLIA.usdc, {})).hex() == \
        "0x71f17a3b2ff373b803d70a5a07c046c1a2bc8e89c09ef722fcb047abe94c9818"


def test_v2_header_recovers_to_the_payer(tmp_path: Path) -> None:
    payer = make_payer(tmp_path)
    signed = payer.sign(required(), model="openai/gpt-5.4")
    assert list(signed.headers) == ["PAYMENT-SIGNATURE"]
    payload = unb64(signed.headers["PAYMENT-SIGNATURE"])
    assert payload["x402Version"] == 2 and payload["accepted"] == accept()
    assert payload["resource"]["url"].endswith("/v1/chat/completions")
    assert payload["extensions"] == {"e": {"info": {}}}
    auth = payload["payload"]["authorization"]
    assert auth["from"] == EVM_ADDR and auth["to"] == PAYEE and auth["value"] == "1000"
    assert auth["validAfter"] == str(NOW - 600) and auth["validBefore"] == str(NOW + 300)
    assert all(isinstance(v, str) for v in auth.values())
    assert len(auth["nonce"]) == 66
    domain = {"name": "USD Coin", "version": "2", "chainId": 8453, "verifyingContract": BASE.usdc}
    assert evm.recover_signer(domain, auth, payload["payload"]["signature"]) == EVM_ADDR
    assert signed.amount == 1000 and signed.amount_usd == pytest.approx(0.001)
    assert signed.payer == EVM_ADDR and signed.payee == PAYEE and signed.network == "eip155:8453"
    assert EVM_KEY[2:] not in repr(signed) and EVM_KEY[2:] not in repr(payer)


def test_v1_header(tmp_path: Path) -> None:
    a = accept(network="base")
    a["maxAmountRequired"] = a.pop("amount")
    signed = make_payer(tmp_path).sign(required(a, version=1))
    assert list(signed.headers) == ["X-PAYMENT"]
    payload = unb64(signed.headers["X-PAYMENT"])
    assert (payload["x402Version"], payload["scheme"], payload["network"]) == (1, "exact", "base")
    auth = payload["payload"]["authorization"]
    domain = evm.domain_for(BASE, BASE.usdc, {})
    assert evm.recover_signer(domain, auth, payload["payload"]["signature"]) == EVM_ADDR


def test_nonces_are_fresh_and_window_is_clamped(tmp_path: Path) -> None:
    payer = make_payer(tmp_path)
    a = payer.sign(required(accept(maxTimeoutSeconds=86400)))
    b = payer.sign(required(accept(maxTimeoutSeconds=None)))
    assert a.nonce != b.nonce
    assert a.valid_before == NOW + 600  # a day-long authorisation is never signed
    assert b.valid_before == NOW + 300  # default when the gateway does not say


def test_extra_domain_defaults_for_sepolia(tmp_path: Path) -> None:
    payer = make_payer(tmp_path, networks=(BASE, BASE_SEPOLIA))
    signed = payer.sign(required(accept(network="eip155:84532", asset=BASE_SEPOLIA.usdc, extra={})))
    auth = signed.payload["payload"]["authorization"]
    domain = {"name": "USDC", "version": "2", "chainId": 84532, "verifyingContract": BASE_SEPOLIA.usdc}
    assert evm.recover_signer(domain, auth, signed.payload["payload"]["signature"]) == EVM_ADDR


def test_cheapest_payable_requirement_is_chosen(tmp_path: Path) -> None:
    signed = make_payer(tmp_path).sign(required(
        accept(network="eip155:1", amount="10"),  # not allowed
        accept(amount="3000"),
        accept(amount="2000"),
    ))
    assert signed.amount == 2000


@pytest.mark.parametrize(
    ("req", "cap", "fragment"),
    [
        (accept(amount="600000"), "per_request", "per-request cap of $0.50"),
        (accept(scheme="upto"), "scheme", "only 'exact'"),
        (accept(network="eip155:1"), "network", "eip155:8453"),
        (accept(network="eip155:84532", asset=BASE_SEPOLIA.usdc), "network", "eip155:84532"),
        (accept(network="solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp"), "network", "Solana payments"),
        (accept(asset="0x4200000000000000000000000000000000000006"), "asset", "only USDC"),
        (accept(amount="0"), "amount", "0 units"),
    ],
)
def test_policy_refusals_sign_nothing(tmp_path: Path, req: dict, cap: str, fragment: str) -> None:
    payer = make_payer(tmp_path)
    with pytest.raises(PolicyRefusal) as info:
        payer.sign(required(req), model="openai/gpt-5.4")
    assert info.value.cap == cap and fragment in info.value.message and info.value.hint
    assert payer.ledger.entries() == []  # nothing reserved


def test_per_request_refusal_names_amount_and_fix(tmp_path: Path) -> None:
    with pytest.raises(PolicyRefusal) as info:
        make_payer(tmp_path).sign(required(accept(amount="750000")), model="anthropic/claude-opus-4.6")
    e = info.value
    assert "$0.75" in e.message and "anthropic/claude-opus-4.6" in e.message
    assert "claw wallet limits --per-request 0.75" in e.hint
    assert (e.amount, e.limit) == (750000, 500000)


def test_a_100x_re_quote_names_the_re_sign_rule_not_the_per_request_cap(tmp_path: Path) -> None:
    """Q1: a gateway re-quoting 100x after rejecting $0.0148 ($1.4755, above the $0.50 cap) was told
    off with "raise it with `claw wallet limits --per-request 1.48`": the hint invited the user to
    let a lying gateway overcharge. The re-sign rule (and the quote tolerance) come first."""
    from clawcli.core.x402.policy import QuoteBound

    payer = make_payer(tmp_path)  # per-request cap $0.50
    first = QuoteBound().resign(14755, PAYEE)
    with pytest.raises(PolicyRefusal) as info:
        payer.sign(required(accept(amount="1475500")), model="openai/gpt-5.4", bound=first)
    e = info.value
    assert e.cap == "quote", e.cap
    assert "never re-signed for a higher amount" in e.message and "$1.4755" in e.message
    assert "--per-request" not in e.hint and "per-request" not in e.message
    tolerance = QuoteBound(20000, "3x the request's estimate", "a quote far above the catalog price is refused")
    with pytest.raises(PolicyRefusal) as info:  # same order for the first signature's quote tolerance
        payer.sign(required(accept(amount="1475500")), bound=tolerance)
    assert info.value.cap == "quote" and "--per-request" not in info.value.hint
    assert payer.ledger.entries() == []  # nothing reserved, nothing signed


def test_payee_allowlist(tmp_path: Path) -> None:
    other = "0x1111111111111111111111111111111111111111"
    payer = make_payer(tmp_path, allowed_payees=frozenset({other.lower()}))
    with pytest.raises(PolicyRefusal) as info:
        payer.sign(required())
    assert info.value.cap == "payee" and PAYEE in info.value.message
    ok = make_payer(tmp_path, allowed_payees=frozenset({PAYEE.lower()})).sign(required())
    assert ok.payee == PAYEE


def test_policy_from_settings() -> None:
    p = SpendPolicy.from_settings(Settings(max_per_request=0.25, daily_limit=5.0, testnet=True,
                                           allowed_payees=[PAYEE]))
    # a config without an hourly cap gets the default one ($10), never "no limit"
    assert p.max_per_request == 250_000 and p.daily_limit == 5_000_000 and p.hourly_limit == 10_000_000
    assert SpendPolicy.from_settings(Settings(hourly_limit=None)).hourly_limit is None
    assert BASE_SEPOLIA in p.networks and PAYEE.lower() in p.allowed_payees
    assert SpendPolicy.from_settings(Settings()).max_per_request == 500_000
    assert SpendPolicy.from_settings(Settings(max_per_request=None)).max_per_request is None


def test_hourly_and_daily_caps(tmp_path: Path) -> None:
    payer = make_payer(tmp_path, hourly_limit=2500, daily_limit=3500)
    s1 = payer.sign(required())
    payer.settled(s1, {})
    payer.sign(required())  # pending: counts too
    with pytest.raises(PolicyRefusal) as info:
        payer.sign(required())
    assert info.value.cap == "hourly" and "$0.0025" in info.value.message and "--hourly" in info.value.hint
    # one hour later the hourly window has rolled, the daily one has not
    later = Payer(EVM_KEY, policy=payer.policy, ledger=SpendLedger(payer.ledger.path, clock=lambda: NOW + 3700),
                  clock=lambda: NOW + 3700)
    later.sign(required())  # hour: $0.001, day: $0.003
    with pytest.raises(PolicyRefusal) as info:
        later.sign(required())
    assert info.value.cap == "daily" and "--daily" in info.value.hint


def test_rejected_payment_keeps_counting_only_release_frees(tmp_path: Path) -> None:
    payer = make_payer(tmp_path, daily_limit=2000)
    s1 = payer.sign(required())
    payer.rejected(s1, "PAYMENT_REPLAY")  # the gateway's word: it still holds a valid authorisation
    s2 = payer.sign(required())
    with pytest.raises(PolicyRefusal):  # s1 (rejected) + s2 (pending) = the cap
        payer.sign(required())
    payer.released(s1, "not sent")  # too late: s1 was handed over, release changes nothing
    with pytest.raises(PolicyRefusal):
        payer.sign(required())
    payer.released(s2, "not sent")  # s2 was never sent: it stops counting at once
    s3 = payer.sign(required())
    settlement = b64({"success": True, "transaction": "0xtx", "network": "eip155:8453", "payer": EVM_ADDR,
                      "amount": "1000"})
    got = payer.settled(s3, {"payment-response": settlement})
    assert got is not None and got.transaction == "0xtx"
    with pytest.raises(PolicyRefusal):
        payer.sign(required())
    states = {e["id"]: e for e in payer.ledger.entries()}
    assert states[s1.reservation]["state"] == "rejected" and states[s1.reservation]["reason"] == "PAYMENT_REPLAY"
    assert states[s2.reservation]["state"] == "released"
    assert states[s3.reservation]["state"] == "settled" and states[s3.reservation]["tx"] == "0xtx"
    t = payer.ledger.totals()
    assert (t.spent_day, t.rejected_day, t.pending_day) == (1000, 1000, 1000)


def test_settlement_claiming_more_than_signed_records_what_was_signed(tmp_path: Path) -> None:
    payer = make_payer(tmp_path)
    s = payer.sign(required())  # 1000 units signed
    claim = b64({"success": True, "transaction": "0xtx", "network": "eip155:8453", "payer": EVM_ADDR,
                 "amount": "100000"})
    payer.settled(s, {"PAYMENT-RESPONSE": claim})
    t = payer.ledger.totals()
    assert t.spent_day == 1000  # an authorisation cannot move more than its value
    (entry,) = [e for e in payer.ledger.entries() if e["id"] == s.reservation]
    assert entry["amount"] == 1000 and entry["claimedAmount"] == 100000


def test_a_failed_settlement_is_uncertain_not_spend_and_keeps_counting(tmp_path: Path) -> None:
    payer = make_payer(tmp_path)
    s = payer.sign(required())
    fail = b64({"success": False, "transaction": "", "network": "eip155:8453", "payer": EVM_ADDR,
                "errorReason": "unexpected_settle_error"})
    got = payer.settled(s, {"PAYMENT-RESPONSE": fail})
    assert got is not None and got.success is False
    t = payer.ledger.totals()
    # not spend, but the transfer may have happened: it keeps counting against the caps
    assert t.spent_day == 0 and t.pending_day == 1000
    assert [e["state"] for e in payer.ledger.entries()] == ["uncertain"]  # not settled, not rejected
    s2 = payer.sign(required())
    payer.rejected(s2, "Payment settlement failed: unable to estimate gas")
    assert payer.ledger.totals().pending_day == 2000
