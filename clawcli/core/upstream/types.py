"""What the engine takes and hands back: time limits, attempts, results, stream events, its own errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from clawcli.core.errors import AllAttemptsFailed, UpstreamError


@dataclass(frozen=True)
class Timeouts:
    """The engine's time limits, in seconds (``hold_chars`` in characters)."""

    connect: float = 10.0
    attempt: float = 60.0  # per model attempt, until the answer starts reaching the caller
    reasoning_attempt: float = 180.0  # the same for reasoning models
    idle: float = 60.0  # max silence between two reads (streams included)
    total: float = 300.0  # the whole chain walk
    retry_delay: float = 0.2  # before the single 429 retry
    hold_chars: int = 48  # stream: non-blank characters held back before relaying starts
    wallet_empty_memory: float = 30.0  # after "insufficient funds", go straight to the free model


@dataclass
class Attempt:
    """One try of one model (a 429 retry of the same model is a second Attempt)."""

    model: str
    status: int | None = None  # HTTP status of the final response; None when none came
    error_class: str | None = None  # None: this attempt answered
    ms: int = 0
    paid: bool = False  # a settled payment was made for it
    reason: str = ""  # short human text for failures

    def to_dict(self) -> dict[str, Any]:
        out = {"model": self.model, "status": self.status, "errorClass": self.error_class,
               "ms": self.ms, "paid": self.paid}
        if self.reason:
            out["reason"] = self.reason
        return out

    def describe(self) -> str:
        what = self.error_class or "ok"
        status = f" {self.status}" if self.status else ""
        paid = ", paid" if self.paid else ""
        reason = f": {self.reason}" if self.reason and self.error_class else ""
        return f"{self.model} ({what}{status}, {self.ms} ms{paid}){reason}"


@dataclass
class EngineResult:
    request_id: str
    content: str
    model: str  # the model that answered
    tier: str
    profile: str
    cost: float  # USD settled (0 when nothing was paid)
    estimated_cost: float  # estimate for the model that answered
    baseline_cost: float
    savings: float  # 0..1 against the baseline model
    latency_ms: int
    ttft_ms: int | None
    attempts: list[Attempt]
    usage: dict[str, Any] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    settlement: Any = None  # x402 Settlement (tx, network, payer, amount) when paid
    response: dict[str, Any] | None = None  # the full chat.completion (non-streaming calls)
    finish_reason: str | None = None
    tool_calls: list[Any] | None = None
    decision: Any = None  # the router Decision used

    def to_dict(self) -> dict[str, Any]:
        """The `claw ask --json` shape (camelCase)."""
        return {
            "content": self.content,
            "model": self.model,
            "tier": self.tier,
            "profile": self.profile,
            "cost": round(self.cost, 8),
            "estimatedCost": round(self.estimated_cost, 8),
            "savings": round(self.savings, 6),
            "latencyMs": self.latency_ms,
            "attempts": [a.to_dict() for a in self.attempts],
            "usage": self.usage,
            "requestId": self.request_id,
            "baselineCost": round(self.baseline_cost, 8),
            "notices": list(self.notices),
            "settlement": getattr(self.settlement, "tx", None),
        }


@dataclass
class EngineEvent:
    """One event of ``Engine.stream``.

    ``type`` is ``decision`` (data: Decision), ``notice`` (data: str), ``chunk`` (data: an
    OpenAI ``chat.completion.chunk`` dict, relayed as it arrived) or ``done`` (data: EngineResult).
    """

    type: str
    data: Any


class CostCapExceeded(UpstreamError):
    """The session's ``maxCostPerRun`` would be exceeded (strict mode, or nothing cheaper fits)."""

    code = "cost_cap_exceeded"

    def __init__(self, message: str, *, spent: float, cap: float, hint: str | None = None):
        super().__init__(message, hint)
        self.spent = spent
        self.cap = cap


class StreamInterrupted(UpstreamError):
    """The answer had started reaching the caller when the upstream failed: no retry is possible."""

    code = "stream_interrupted"

    def __init__(self, message: str, error_class: str, hint: str | None = None):
        super().__init__(message, hint)
        self.error_class = error_class


class GatewayUnreachable(AllAttemptsFailed):
    """The gateway itself cannot be reached (connection refused, DNS): no model can answer."""

    code = "gateway_unreachable"

    def __init__(self, url: str, reason: str, attempts: list[dict[str, Any]]):
        why = reason.split(": ", 1)[-1] if ": " in reason else reason
        # one line on purpose: offline is common and needs no attempt list
        super().__init__(f"cannot reach the gateway at {url} ({why}); check your network or CLAWCLI_GATEWAY_URL",
                         attempts)
        self.url = url
