"""Pre-authorisation: remember the gateway's last quote so the next paid request carries its
payment from the start (one round trip instead of 402 + paid resend).

A quote is remembered per (model, request-size bucket, network, payee). The bucket is the
power of two of the request's own cost estimate for that model (µUSD), so a request at most
twice as expensive as the one that was quoted reuses it and a larger one never does (the
predecessor let a small request's quote stand for a large one, which the gateway then refused).
A remembered quote is used only while it is younger than ``ttl`` and not above the request's
estimate tolerance; the pre-signed payment then goes through the payer's spend policy and
ledger and the engine's caps exactly like any other signature. A 402 to it drops the entry
and the new quote is paid through the normal path.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: seconds a quote stays reusable (a price drop must not be overpaid for long)
QUOTE_TTL = 300.0
#: entries kept (models x buckets); the oldest goes first
MAX_QUOTES = 256


def size_bucket(estimate_usd: float) -> int:
    """The power-of-two bucket of a cost estimate (1 µUSD and below share bucket 0)."""
    return max(0, math.ceil(math.log2(max(estimate_usd * 1_000_000, 1.0))))


@dataclass(frozen=True)
class CachedQuote:
    required: Any  # the parsed 402 challenge (x402 PaymentRequired) that was paid
    amount_usd: float  # what was signed for it
    network: str
    payee: str
    stored_at: float


class QuoteCache:
    """The last paid quote per (model, size bucket, network, payee). One per engine."""

    def __init__(self, ttl: float = QUOTE_TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._clock = clock
        self._quotes: dict[tuple[str, int, str, str], CachedQuote] = {}
        self._route: tuple[str, str] | None = None  # (network, payee) of the latest payment

    def get(self, model: str, bucket: int) -> CachedQuote | None:
        if self._route is None:
            return None
        key = (model, bucket, *self._route)
        quote = self._quotes.get(key)
        if quote is not None and self._clock() - quote.stored_at > self._ttl:
            del self._quotes[key]
            return None
        return quote

    def put(self, model: str, bucket: int, required: Any, signed: Any) -> None:
        network, payee = str(signed.network), str(signed.payee)
        self._route = (network, payee)
        if len(self._quotes) >= MAX_QUOTES:
            del self._quotes[next(iter(self._quotes))]
        self._quotes[(model, bucket, network, payee)] = CachedQuote(
            required, float(signed.amount_usd), network, payee, self._clock())

    def drop(self, model: str, bucket: int) -> None:
        if self._route is not None:
            self._quotes.pop((model, bucket, *self._route), None)

    def __len__(self) -> int:
        return len(self._quotes)


def quote_ceiling(settings: Any, estimate_usd: float) -> float:
    """The most a request estimated at ``estimate_usd`` may be pre-authorised for: the estimate
    tolerance (``quote_tolerance`` x estimate + ``quote_tolerance_usd``), or the estimate's own
    bucket when no tolerance is configured."""
    tolerance = getattr(settings, "quote_tolerance", None)
    if tolerance is None:
        return 2.0 ** size_bucket(estimate_usd) / 1_000_000
    return estimate_usd * float(tolerance) + float(getattr(settings, "quote_tolerance_usd", 0.0) or 0.0)
