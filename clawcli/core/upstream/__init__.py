"""The upstream engine: gateway client, fallback chain, error classes, degraded-response checks.

    engine = Engine(settings, paths, payer=payer)          # one per process
    result = await engine.complete(request, source="ask")  # EngineResult
    async for ev in engine.stream(request, source="serve", session_id=sid, decision=d):
        ...                                                # decision, notice, chunk, done

Failures raise ClawError subclasses: BadRequestError (the request itself is wrong; no chain
burned), PolicyRefusal (the spend policy refused to sign), CostCapExceeded (session cap, strict
mode or nothing fits), AllAttemptsFailed / GatewayUnreachable (every attempt listed),
StreamInterrupted (failed after the answer had started: never retried).
"""

from clawcli.core.upstream.classify import (
    classify_error,
    completion_problem,
    degraded_reason,
    loop_reason,
)
from clawcli.core.upstream.engine import Engine, Timeouts
from clawcli.core.upstream.state import Cooldowns, SessionBudgets
from clawcli.core.upstream.types import (
    Attempt,
    CostCapExceeded,
    EngineEvent,
    EngineResult,
    GatewayUnreachable,
    StreamInterrupted,
)

__all__ = [
    "Attempt",
    "Cooldowns",
    "CostCapExceeded",
    "Engine",
    "EngineEvent",
    "EngineResult",
    "GatewayUnreachable",
    "SessionBudgets",
    "StreamInterrupted",
    "Timeouts",
    "classify_error",
    "completion_problem",
    "degraded_reason",
    "loop_reason",
]
