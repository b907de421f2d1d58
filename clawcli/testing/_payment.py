"""The seller side of x402 (EVM ``exact`` scheme, EIP-3009): requirements, header codecs, verification.

Written independently of ``clawcli.core.x402`` on purpose: the emulator is the yardstick the client
is measured against, so it must not share the client's bugs. The signature check recovers the signer
of the EIP-712 ``TransferWithAuthorization`` typed data with eth-account and compares it with
``authorization.from``, as a facilitator does (reference/x402-wallet.md §2.3).
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

# Constants (reference/x402-wallet.md §1.8). The domain name/version are what Base USDC really uses.
USDC_BASE = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"
USDC_BASE_SEPOLIA = "0x036CbD53842c5426634e7929541eC2318f3dCF7e"
USDC_SOLANA_MINT = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"
BASE_NETWORK = "eip155:8453"
BASE_SEPOLIA_NETWORK = "eip155:84532"
#: v2 CAIP-2 id -> (v1 name, chain id, EIP-712 domain name, version, USDC address)
NETWORKS: dict[str, tuple[str, int, str, str, str]] = {
    BASE_NETWORK: ("base", 8453, "USD Coin", "2", USDC_BASE),
    BASE_SEPOLIA_NETWORK: ("base-sepolia", 84532, "USDC", "2", USDC_BASE_SEPOLIA),
}
# The payee of the reference signing vector (reference/x402-wallet.md §2.3), not BlockRun's treasury;
# tests that need another payee pass ``payee=``.
DEFAULT_PAYEE = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"

TRANSFER_WITH_AUTHORIZATION_TYPES = {
    "TransferWithAuthorization": [
        {"name": "from", "type": "address"},
        {"name": "to", "type": "address"},
        {"name": "value", "type": "uint256"},
        {"name": "validAfter", "type": "uint256"},
        {"name": "validBefore", "type": "uint256"},
        {"name": "nonce", "type": "bytes32"},
    ]
}


def b64json(obj: Any) -> str:
    """Standard base64 (with padding) of compact UTF-8 JSON, as x402 headers carry it."""
    return base64.b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode("ascii")


def unb64json(value: str) -> Any:
    return json.loads(base64.b64decode(value.strip(), validate=True).decode("utf-8"))


_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58encode(data: bytes) -> str:
    """Base58 (Bitcoin alphabet), as Solana writes addresses, signatures and blockhashes."""
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = _B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def usd_to_micros(usd: float) -> int:
    # round, not truncate: 0.0015 USD must be 1500 micro-USDC, not 1499 from float noise
    return int(round(float(usd) * 1_000_000))


class QuoteDocuments:
    """The 402 documents of a requirement (v2 ``accepts`` entry and body, v1 likewise), shared by the
    EVM and the Solana requirement: each provides ``amount_micros``, ``pay_to``, ``resource_url``,
    ``network``, ``v1_network``, ``asset``, ``extra``, ``max_timeout_seconds`` and ``description``."""

    amount_micros: int
    pay_to: str
    resource_url: str
    network: str
    v1_network: str
    asset: str
    extra: dict[str, str]
    max_timeout_seconds: int
    description: str

    def v2_accept(self) -> dict[str, Any]:
        return {
            "scheme": "exact",
            "network": self.network,
            "amount": str(self.amount_micros),
            "asset": self.asset,
            "payTo": self.pay_to,
            "maxTimeoutSeconds": self.max_timeout_seconds,
            "extra": self.extra,
        }

    def v2_payment_required(self, error: str = "PAYMENT-SIGNATURE header is required") -> dict[str, Any]:
        return {
            "x402Version": 2,
            "error": error,
            "resource": {"url": self.resource_url, "description": self.description, "mimeType": "application/json"},
            "accepts": [self.v2_accept()],
            "extensions": {},
        }

    def v1_accept(self) -> dict[str, Any]:
        return {
            "scheme": "exact",
            "network": self.v1_network,
            "maxAmountRequired": str(self.amount_micros),
            "resource": self.resource_url,
            "description": self.description,
            "mimeType": "application/json",
            "outputSchema": None,
            "payTo": self.pay_to,
            "maxTimeoutSeconds": self.max_timeout_seconds,
            "asset": self.asset,
            "extra": self.extra,
        }

    def v1_payment_required(self, error: str = "X-PAYMENT header is required") -> dict[str, Any]:
        return {"x402Version": 1, "error": error, "accepts": [self.v1_accept()]}


@dataclass(frozen=True)
class Requirement(QuoteDocuments):
    """One payment requirement the gateway quotes for one request."""

    amount_micros: int
    pay_to: str
    resource_url: str
    network: str = BASE_NETWORK
    max_timeout_seconds: int = 300
    description: str = "LLM chat completion"

    @property
    def v1_network(self) -> str:
        return NETWORKS[self.network][0]

    @property
    def chain_id(self) -> int:
        return NETWORKS[self.network][1]

    @property
    def asset(self) -> str:
        return NETWORKS[self.network][4]

    @property
    def extra(self) -> dict[str, str]:
        return {"name": NETWORKS[self.network][2], "version": NETWORKS[self.network][3]}


@dataclass
class Verified:
    """A payment that passed every check; ``settle()`` turns it into the settlement record."""

    payer: str
    value_micros: int
    nonce: str  # 0x + 64 lowercase hex
    network: str
    x402_version: int

    def settlement(self, success: bool = True, error_reason: str | None = None) -> dict[str, Any]:
        tx = "0x" + hashlib.sha256(f"{self.payer}:{self.nonce}".encode()).hexdigest()
        return settlement_record(self, tx if success else "", NETWORKS[self.network][0], success, error_reason)


def settlement_record(v: Any, tx: str, v1_network: str, success: bool, error_reason: str | None) -> dict[str, Any]:
    """The settlement header's object for a verified payment ``v`` (EVM or Solana)."""
    out: dict[str, Any] = {
        "success": success,
        "transaction": tx,
        "network": v.network if v.x402_version == 2 else v1_network,
        "payer": v.payer,
        "amount": str(v.value_micros),
    }
    if error_reason:
        out["errorReason"] = error_reason
    return out


class PaymentError(Exception):
    """A payment that fails verification. ``reason`` is an x402 error enum, ``code`` BlockRun's code."""

    def __init__(self, reason: str, message: str, code: str = "PAYMENT_INVALID", payer: str | None = None,
                 nonce: str | None = None):
        super().__init__(message)
        self.nonce = nonce
        self.reason = reason
        self.message = message
        self.code = code
        self.payer = payer

    def body(self) -> dict[str, Any]:
        """The gateway's error body (reference/x402-wallet.md §2.8, Base gateway format)."""
        inner = {"invalidReason": self.reason, "invalidMessage": self.message, "payer": self.payer or ""}
        title = {
            "PAYMENT_UNDERPAID": "Payment below quoted price",
            "PAYMENT_REPLAY": "Payment authorization already used",
        }.get(self.code, "Payment verification failed")
        summary = "insufficient funds" if self.reason == "insufficient_funds" else title.lower()
        return {
            "error": "Payment verification failed",
            "message": f"{summary}: {self.message}",
            "code": self.code,
            "title": title,
            "reason": self.reason,
            "details": f"Verification failed: {json.dumps(inner)}\n",
        }


def payment_header(headers: Any) -> tuple[str, str] | None:
    """(header name, value) of the payment a request carries; header names are case-insensitive."""
    for name in ("PAYMENT-SIGNATURE", "X-PAYMENT"):
        value = headers.get(name)
        if value:
            return name, value
    return None


def decode_payload(header_value: str, x402_version: int) -> dict[str, Any]:
    """The payment header's JSON object, checked for the gateway's x402 version."""
    try:
        payload = unb64json(header_value)
    except Exception:
        raise PaymentError("invalid_payload", "payment header is not base64 JSON") from None
    if not isinstance(payload, dict):
        raise PaymentError("invalid_payload", "payment payload is not a JSON object")
    if payload.get("x402Version") != x402_version:
        raise PaymentError(
            "invalid_x402_version",
            f"x402Version {payload.get('x402Version')!r} does not match the gateway's {x402_version}",
        )
    return payload


def check_scheme_network(scheme: Any, network: Any, expected_network: str) -> None:
    if scheme != "exact":
        raise PaymentError("unsupported_scheme", f"scheme {scheme!r} is not supported")
    if network != expected_network:
        raise PaymentError("invalid_network", f"network {network!r}; expected {expected_network!r}")


def _int(v: Any, field: str) -> int:
    try:
        return int(str(v), 0) if isinstance(v, str) and v.startswith("0x") else int(str(v))
    except (TypeError, ValueError):
        raise PaymentError("invalid_payload", f"authorization.{field} is not an integer: {v!r}") from None


def verify_payment(
    header_value: str,
    required: Requirement,
    *,
    x402_version: int,
    now: float | None = None,
) -> Verified:
    """Decode and check a payment header against the requirement; raise PaymentError on any problem.

    Checks, in the order a facilitator would: encoding, version, scheme, network, asset, payee,
    amount, validity window, signature. Nonce replay and balance are checked by the caller, which
    owns that state.
    """
    from eth_account import Account
    from eth_account.messages import encode_typed_data
    from eth_utils import is_address, to_checksum_address

    payload = decode_payload(header_value, x402_version)
    if x402_version == 2:
        accepted = payload.get("accepted")
        if not isinstance(accepted, dict):
            raise PaymentError("invalid_payload", "v2 payload has no 'accepted' requirement")
        scheme, network = accepted.get("scheme"), accepted.get("network")
        if str(accepted.get("asset", "")).lower() != required.asset.lower():
            raise PaymentError("invalid_payment_requirements", f"asset {accepted.get('asset')!r} is not USDC")
        if str(accepted.get("payTo", "")).lower() != required.pay_to.lower():
            raise PaymentError(
                "invalid_exact_evm_payload_recipient_mismatch", f"accepted.payTo {accepted.get('payTo')!r} is not the payee"
            )
        expected_network = required.network
    else:
        scheme, network = payload.get("scheme"), payload.get("network")
        expected_network = required.v1_network
    check_scheme_network(scheme, network, expected_network)

    inner = payload.get("payload")
    if not isinstance(inner, dict) or not isinstance(inner.get("authorization"), dict):
        raise PaymentError("invalid_payload", "payload.authorization is missing")
    auth = inner["authorization"]
    signature = inner.get("signature")
    frm, to = str(auth.get("from", "")), str(auth.get("to", ""))
    if not is_address(frm) or not is_address(to):
        raise PaymentError("invalid_payload", "authorization.from/to is not an address")
    payer = to_checksum_address(frm)
    if to.lower() != required.pay_to.lower():
        raise PaymentError(
            "invalid_exact_evm_payload_recipient_mismatch", f"authorization.to {to} is not the payee", payer=payer
        )
    value = _int(auth.get("value"), "value")
    valid_after = _int(auth.get("validAfter"), "validAfter")
    valid_before = _int(auth.get("validBefore"), "validBefore")
    nonce = str(auth.get("nonce", "")).lower()
    if not (nonce.startswith("0x") and len(nonce) == 66):
        raise PaymentError("invalid_payload", "authorization.nonce is not 32 bytes of hex", payer=payer)
    try:
        nonce_bytes = bytes.fromhex(nonce[2:])
    except ValueError:
        raise PaymentError("invalid_payload", "authorization.nonce is not hex", payer=payer) from None
    if value < required.amount_micros:
        raise PaymentError(
            "invalid_exact_evm_payload_authorization_value_mismatch",
            f"value {value} < required {required.amount_micros}",
            code="PAYMENT_UNDERPAID",
            payer=payer,
        )
    t = int(now if now is not None else time.time())
    if valid_after > t:
        raise PaymentError(
            "invalid_exact_evm_payload_authorization_valid_after", f"validAfter {valid_after} is in the future", payer=payer
        )
    if valid_before <= t:
        raise PaymentError(
            "invalid_exact_evm_payload_authorization_valid_before", f"authorization expired at {valid_before}", payer=payer
        )
    if not isinstance(signature, str) or not signature.startswith("0x"):
        raise PaymentError("invalid_exact_evm_payload_signature", "signature missing", payer=payer)

    domain = {
        "name": required.extra["name"],
        "version": required.extra["version"],
        "chainId": required.chain_id,
        "verifyingContract": to_checksum_address(required.asset),
    }
    message = {
        "from": payer,
        "to": to_checksum_address(to),
        "value": value,
        "validAfter": valid_after,
        "validBefore": valid_before,
        "nonce": nonce_bytes,
    }
    try:
        signable = encode_typed_data(domain, TRANSFER_WITH_AUTHORIZATION_TYPES, message)
        signer = Account.recover_message(signable, signature=signature)
    except Exception as exc:  # malformed signature bytes, bad v, ...
        raise PaymentError("invalid_exact_evm_payload_signature", f"signature does not verify: {exc}", payer=payer) from None
    if signer.lower() != payer.lower():
        raise PaymentError(
            "invalid_exact_evm_payload_signature", f"signature recovers to {signer}, not {payer}", payer=payer
        )
    return Verified(payer=payer, value_micros=value, nonce=nonce, network=required.network, x402_version=x402_version)
