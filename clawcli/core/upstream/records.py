"""What a request leaves behind: the EngineResult handed to the caller and its one usage-log
record (DESIGN.md §3)."""

from __future__ import annotations

from typing import Any

from clawcli.core.messages import whole_tokens
from clawcli.core.upstream._stream import chunks_to_completion
from clawcli.core.upstream.request_state import OpenAnswer, RequestState
from clawcli.core.upstream.types import EngineResult
from clawcli.core.usage.log import make_record


def build_result(r: RequestState, opened: OpenAnswer, streaming: bool, now: float) -> EngineResult:
    plan = r.plan
    assert plan is not None
    d = plan.decision
    model = opened.attempt.model
    acc = opened.acc
    est = plan.estimate(model)
    usage = dict(acc.usage) if acc.usage else {}
    base, saved = _realized(plan, model, r.cost, usage, acc.content)
    if streaming:
        completion = chunks_to_completion(acc, model)
    else:
        completion = opened.completion or chunks_to_completion(acc, model)
    return EngineResult(
        request_id=r.request_id,
        content=acc.content,
        model=model,
        tier=d.tier,
        profile=d.profile,
        cost=r.cost,
        estimated_cost=est,
        baseline_cost=base,
        savings=saved,
        latency_ms=int((now - r.t0) * 1000),
        ttft_ms=int(((r.ttft or now) - r.t0) * 1000),
        attempts=list(r.attempts) + [opened.attempt],
        usage=usage,
        notices=list(r.notices),
        settlement=r.settlement,
        response=completion,
        finish_reason=acc.finish_reason,
        tool_calls=acc.tool_call_list(),
        decision=d,
    )

def _output_tokens(usage: dict[str, Any], content: str) -> int:
    out = usage.get("completion_tokens")
    if isinstance(out, int) and out >= 0:
        return out
    return whole_tokens(content)


def _realized(plan: Any, model: str, paid: float, usage: dict[str, Any], content: str) -> tuple[float, float]:
    """(baselineCost, savings): the baseline model's price for the tokens actually used against
    what was paid (``select.realized_savings``, the one definition)."""
    from clawcli.core.router.select import realized_savings

    inp = usage.get("prompt_tokens")
    if not (isinstance(inp, int) and inp >= 0):
        inp = plan.input_tokens
    return realized_savings(plan.catalog, plan.baseline_model, model, paid, inp, _output_tokens(usage, content))


def usage_record(r: RequestState, status: str, error_class: str | None, model: str | None,
                 result: EngineResult | None, now: float) -> dict[str, Any]:
    """The one usage-log line of a request (DESIGN.md §3); ``cost`` is what settled, nothing else."""
    d = r.plan.decision if r.plan else None
    attempts = result.attempts if result else r.attempts
    est = r.plan.estimate(model) if (r.plan and model) else float(getattr(d, "estimated_cost", 0.0) or 0.0)
    usage = result.usage if result else {}
    out_tokens = usage.get("completion_tokens")
    if out_tokens is None and result is not None:
        out_tokens = whole_tokens(result.content)
    # answered: the result's realized figures (what the caller was shown); failed: nothing saved
    base, saved = (result.baseline_cost, result.savings) if result is not None else (0.0, 0.0)
    s = r.settlement
    return make_record(
        requestId=r.request_id,
        source=r.source,
        sessionId=r.session_id,
        profile=getattr(d, "profile", None),
        tier=getattr(d, "tier", None),
        confidence=round(float(getattr(d, "confidence", 0.0) or 0.0), 4) if d is not None else None,
        requestedModel=getattr(d, "requested_model", None) or (r.plan.requested if r.plan else None),
        model=model,
        status=status,
        errorClass=error_class,
        cost=round(r.cost, 8),
        estimatedCost=round(est, 8),
        baselineCost=round(base, 8),
        savings=round(saved, 6),
        latencyMs=int((now - r.t0) * 1000),
        ttftMs=int((r.ttft - r.t0) * 1000) if r.ttft else (result.ttft_ms if result else None),
        inputTokens=usage.get("prompt_tokens") or getattr(d, "input_tokens", None),
        outputTokens=out_tokens,
        attempts=[a.to_dict() for a in attempts],
        network=getattr(s, "network", None),
        settlement=getattr(s, "tx", None) or getattr(s, "transaction", None),
        **(r.compression.log_fields() if r.compression is not None else {}),
        # a gateway claiming another amount than what settled: kept aside, never counted as cost
        **({"gatewayClaimedCost": round(r.gateway_claimed, 8)} if abs(r.gateway_claimed - r.cost) > 1e-9 else {}),
    )
