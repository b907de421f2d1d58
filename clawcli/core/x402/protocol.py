"""x402 wire formats (reference/x402-wallet.md §2.1): 402 requirements, payment and
settlement headers, for protocol versions 1 (JSON body, ``X-PAYMENT``) and 2
(``PAYMENT-REQUIRED`` / ``PAYMENT-SIGNATURE`` / ``PAYMENT-RESPONSE`` headers, base64 JSON).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from clawcli.core.errors import PaymentError
from clawcli.core.wallet.constants import ATOMIC_PER_USDC

PAYMENT_REQUIRED = "PAYMENT-REQUIRED"
PAYMENT_SIGNATURE = "PAYMENT-SIGNATURE"
PAYMENT_RESPONSE = "PAYMENT-RESPONSE"
X_PAYMENT = "X-PAYMENT"
X_PAYMENT_RESPONSE = "X-PAYMENT-RESPONSE"


def b64json_encode(obj: Any) -> str:
    return base64.b64encode(json.dumps(obj, separators=(",", ":")).encode("utf-8")).decode("ascii")


def b64json_decode(value: str, what: str) -> Any:
    try:
        raw = base64.b64decode(value.strip(), validate=True)
        return json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise PaymentError(f"the gateway sent a {what} header that is not base64 JSON") from None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header lookup for any mapping (httpx.Headers already is)."""
    value = headers.get(name)
    if value is not None:
        return value
    low = name.lower()
    for k, v in headers.items():
        if k.lower() == low:
            return v
    return None


@dataclass(frozen=True)
class Requirement:
    """One entry of ``accepts[]``. ``amount`` is in atomic units (USDC: 6 decimals)."""

    scheme: str
    network: str
    amount: int
    asset: str
    pay_to: str
    max_timeout_seconds: int | None
    extra: dict[str, Any]
    raw: dict[str, Any] = field(repr=False)

    @property
    def amount_usd(self) -> float:
        return self.amount / ATOMIC_PER_USDC

    @classmethod
    def from_dict(cls, d: Any, version: int) -> Requirement:
        if not isinstance(d, dict):
            raise PaymentError("a payment requirement is not an object")
        amount_raw = d.get("amount") if version >= 2 else d.get("maxAmountRequired", d.get("amount"))
        try:
            amount = int(str(amount_raw))
        except (TypeError, ValueError):
            raise PaymentError(f"a payment requirement has an invalid amount {amount_raw!r}") from None
        if amount < 0:
            raise PaymentError(f"a payment requirement has a negative amount {amount}")
        timeout = d.get("maxTimeoutSeconds")
        try:
            timeout = int(timeout) if timeout is not None else None
        except (TypeError, ValueError):
            timeout = None
        extra = d.get("extra") if isinstance(d.get("extra"), dict) else {}
        return cls(
            scheme=str(d.get("scheme", "")),
            network=str(d.get("network", "")),
            amount=amount,
            asset=str(d.get("asset", "")),
            pay_to=str(d.get("payTo", "")),
            max_timeout_seconds=timeout,
            extra=dict(extra),
            raw=dict(d),
        )


@dataclass(frozen=True)
class PaymentRequired:
    """A parsed 402 challenge."""

    version: int
    accepts: tuple[Requirement, ...]
    error: str | None = None
    resource: dict[str, Any] | None = None
    extensions: dict[str, Any] = field(default_factory=dict)


def parse_payment_required_parts(headers: Mapping[str, str], body: bytes | str | None) -> PaymentRequired:
    """Parse a 402 from its headers and body: the v2 header first, then a v1 JSON body."""
    header = _header(headers, PAYMENT_REQUIRED)
    if header:
        data = b64json_decode(header, PAYMENT_REQUIRED)
    else:
        data = None
        if body:
            try:
                data = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                data = None
        if not (isinstance(data, dict) and data.get("x402Version") == 1):
            raise PaymentError(
                "the gateway answered 402 without payment requirements",
                "no PAYMENT-REQUIRED header and no x402 v1 body; is the gateway URL right?",
            )
    if not isinstance(data, dict):
        raise PaymentError("the gateway's payment requirements are not a JSON object")
    try:
        version = int(data.get("x402Version", 2 if header else 1))
    except (TypeError, ValueError):
        raise PaymentError("the gateway's payment requirements have no valid x402Version") from None
    if version not in (1, 2):
        raise PaymentError(f"unsupported x402 version {version}")
    accepts = data.get("accepts")
    if not isinstance(accepts, list) or not accepts:
        raise PaymentError("the gateway's 402 lists no payment options (empty accepts)")
    resource = data.get("resource") if isinstance(data.get("resource"), dict) else None
    extensions = data.get("extensions") if isinstance(data.get("extensions"), dict) else {}
    error = data.get("error") if isinstance(data.get("error"), str) else None
    return PaymentRequired(
        version=version,
        accepts=tuple(Requirement.from_dict(a, version) for a in accepts),
        error=error,
        resource=resource,
        extensions=dict(extensions),
    )


def parse_payment_required(response: Any) -> PaymentRequired:
    """Parse an ``httpx.Response`` (status 402; its body must have been read)."""
    try:
        body = response.content
    except Exception:  # a streamed response that was not read: headers only
        body = None
    return parse_payment_required_parts(response.headers, body)


@dataclass(frozen=True)
class Settlement:
    """A decoded ``PAYMENT-RESPONSE``. ``amount`` is atomic units (None when not reported)."""

    success: bool
    transaction: str
    network: str
    payer: str
    amount: int | None = None
    error_reason: str | None = None

    @property
    def amount_usd(self) -> float | None:
        return None if self.amount is None else self.amount / ATOMIC_PER_USDC

    def to_dict(self) -> dict[str, Any]:
        return {
            "success": self.success,
            "transaction": self.transaction,
            "network": self.network,
            "payer": self.payer,
            "amount": self.amount,
            "errorReason": self.error_reason,
        }


def decode_settlement(headers: Mapping[str, str]) -> Settlement | None:
    """``PAYMENT-RESPONSE`` (what BlockRun sends), falling back to ``X-PAYMENT-RESPONSE``."""
    value = _header(headers, PAYMENT_RESPONSE) or _header(headers, X_PAYMENT_RESPONSE)
    if not value:
        return None
    data = b64json_decode(value, PAYMENT_RESPONSE)
    if not isinstance(data, dict):
        raise PaymentError("the gateway's PAYMENT-RESPONSE is not a JSON object")
    amount = data.get("amount")
    try:
        amount = int(str(amount)) if amount is not None else None
    except ValueError:
        amount = None
    return Settlement(
        success=bool(data.get("success")),
        transaction=str(data.get("transaction") or ""),
        network=str(data.get("network") or ""),
        payer=str(data.get("payer") or ""),
        amount=amount,
        error_reason=str(data["errorReason"]) if data.get("errorReason") else None,
    )


def rejection_reason(headers: Mapping[str, str], body: bytes | str | None) -> str:
    """The gateway's reason for refusing a paid request, in one line."""
    try:
        s = decode_settlement(headers)
    except PaymentError:
        s = None
    if s is not None and s.error_reason:
        return s.error_reason
    data: Any = None
    if body:
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
            return " ".join(text.split())[:200] or "payment rejected"
    if isinstance(data, dict):
        parts = []
        err = data.get("error")
        if isinstance(err, dict):
            err = err.get("message") or err.get("code")
        for v in (err, data.get("code"), data.get("details"), data.get("debug"), data.get("invalidReason")):
            if isinstance(v, str) and v.strip() and v.strip() not in parts:
                parts.append(v.strip())
        if parts:
            return " ".join(": ".join(parts).split())[:300]
    header = _header(headers, PAYMENT_REQUIRED)
    if header:
        try:
            pr = b64json_decode(header, PAYMENT_REQUIRED)
            if isinstance(pr, dict) and isinstance(pr.get("error"), str):
                return pr["error"]
        except PaymentError:
            pass
    return "payment rejected"
