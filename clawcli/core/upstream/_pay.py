"""The engine's side of x402: thin calls into ``clawcli.core.x402`` (imported lazily: eth-account
is slow to import and a free-model request never needs it).

Signing runs in a worker thread: it takes the spend ledger's file lock and does EIP-712 math,
neither of which may stall the proxy's event loop.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from clawcli.core.errors import PaymentError

_BALANCE = re.compile(r"insufficient|balance|fund", re.IGNORECASE)


def parse_required(headers: Mapping[str, str], body: bytes | None) -> Any:
    """The parsed 402 challenge (raises PaymentError when the 402 carries none)."""
    from clawcli.core.x402.protocol import parse_payment_required_parts

    return parse_payment_required_parts(headers, body)


async def sign(payer: Any, required: Any, model: str, bound: Any = None) -> Any:
    """Sign through the payer (policy, ledger, then the signature); ``bound`` is the request's
    quote tolerance or a re-sign's limits (``clawcli.core.x402.policy.QuoteBound``)."""
    if bound is None:
        return await asyncio.to_thread(payer.sign, required, model=model)
    return await asyncio.to_thread(payer.sign, required, model=model, bound=bound)


def quote_bound(settings: Any, estimate_usd: float | None) -> Any:
    """The quote tolerance of a request (None when off)."""
    from clawcli.core.x402.policy import quote_bound as bound

    return bound(settings, estimate_usd)


def headers_of(signed: Any) -> dict[str, str]:
    return dict(signed.headers)


def is_balance_error(exc: PaymentError) -> bool:
    return bool(_BALANCE.search(exc.message))


def settlement_of(payer: Any, signed: Any, headers: Mapping[str, str], *, rejected: bool = False,
                  reason: str = "") -> Any:
    """Record the outcome of a paid request in the payer's ledger; return a settlement that moved
    money (an object with ``amount_usd``, ``tx``, ``network``), or None when nothing was paid."""
    if rejected:
        from clawcli.core.x402.protocol import decode_settlement, rejection_reason

        try:
            s = decode_settlement(headers)
        except PaymentError:
            s = None
        if s is not None and s.success:
            # a 402 that nevertheless reports a settled transfer: the money moved, so the ledger
            # must count it as spent (recording it as rejected would free budget that is gone)
            return Paid.of(payer.settled(signed, headers) or s, signed)
        payer.rejected(signed, rejection_reason(headers, reason))
        return None
    s = payer.settled(signed, headers)
    if s is not None and not s.success:
        return None
    return Paid.of(s, signed)


def resign_bound(bound: Any, rejected: Any) -> Any:
    """The bound of the re-sign after the gateway rejected the signed payment ``rejected``: at most
    its amount, to its payee (and still within the request's quote tolerance)."""
    from clawcli.core.x402.policy import QuoteBound

    return (bound or QuoteBound()).resign(rejected.amount, rejected.payee)


def release(payer: Any, signed: Any, reason: str) -> None:
    """A signed payment the gateway answered with an error (5xx, ...): the gateway still holds a
    valid authorisation, so it keeps counting against the caps (only a payment never sent stops)."""
    payer.rejected(signed, reason)


class Paid:
    """What one settled payment cost, for the result and the usage record."""

    __slots__ = ("amount", "amount_usd", "claimed_usd", "network", "payer", "tx")

    def __init__(self, amount_usd: float, tx: str | None, network: str | None, payer: str | None, amount: int,
                 claimed_usd: float | None = None):
        self.amount_usd = amount_usd
        self.tx = tx
        self.network = network
        self.payer = payer
        self.amount = amount
        #: what the gateway's settlement header claimed, when it differs from what we record
        self.claimed_usd = claimed_usd

    @classmethod
    def of(cls, s: Any, signed: Any) -> Paid:
        # "what was paid" has one definition: what we signed and what settled. An authorisation
        # moves at most its value, so a larger claim is kept aside (gatewayClaimedCost), never paid
        claimed = s.amount if (s is not None and s.amount is not None) else None
        atomic = signed.amount if claimed is None else min(claimed, signed.amount)
        usd = float(Decimal(atomic) / Decimal(1_000_000))
        other = float(Decimal(claimed) / Decimal(1_000_000)) if claimed is not None and claimed != atomic else None
        return cls(usd, (s.transaction or None) if s is not None else None,
                   (s.network or None) if s is not None else signed.network,
                   (s.payer or None) if s is not None else signed.payer, atomic, other)

    def to_dict(self) -> dict[str, Any]:
        out = {"amountUsd": self.amount_usd, "tx": self.tx, "network": self.network, "payer": self.payer}
        if self.claimed_usd is not None:
            out["gatewayClaimedUsd"] = self.claimed_usd
        return out
