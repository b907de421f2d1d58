"""Per-request state of the engine: the bookkeeping of one call, the answer that opened, and the
control-flow exception that moves the chain on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from clawcli.core.upstream._plan import Plan
from clawcli.core.upstream._stream import Accumulator
from clawcli.core.upstream.gateway_client import GatewayResponse
from clawcli.core.upstream.types import Attempt


@dataclass
class RequestState:
    """Per-request bookkeeping (one per complete()/stream() call)."""

    request_id: str
    source: str
    session_id: str | None
    t0: float
    plan: Plan | None = None
    attempts: list[Attempt] = field(default_factory=list)  # failed attempts, in order
    notices: list[str] = field(default_factory=list)
    cost: float = 0.0  # USD settled so far (failed paid attempts included)
    gateway_claimed: float = 0.0  # USD the gateway's settlement headers claimed for the same payments
    settlement: Any = None
    ttft: float | None = None  # clock time the first content reached the caller
    logged: bool = False
    max_cost: float | None = None
    compression: Any = None  # CompressionStats of this request: extra usage-log fields
    paid_attempt: Attempt | None = None  # the latest attempt a settlement was counted for (logged if cancelled)
    sent_attempt: Attempt | None = None  # the latest attempt whose signed payment went out, settled or not


@dataclass
class OpenAnswer:
    """A successful attempt: a parsed completion, or an open stream with its held-back chunks."""

    attempt: Attempt
    acc: Accumulator
    held: list[dict[str, Any]]
    response: GatewayResponse | None = None  # still open: more events to relay
    events: AsyncIterator[str] | None = None  # the SSE data iterator to continue
    completion: dict[str, Any] | None = None


class AttemptFailed(Exception):
    """An attempt failed in a way that moves the chain on (internal control flow)."""

    def __init__(self, attempt: Attempt, retry_after: float | None = None, wallet_empty: bool = False):
        self.attempt = attempt
        self.retry_after = retry_after
        self.wallet_empty = wallet_empty
