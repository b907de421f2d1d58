"""What a request leaves behind: the EngineResult handed to the caller and its one usage-log
record (DESIGN.md §3)."""

from __future__ import annotations

from typing import Any

from clawcli.core.messages import whole_tokens
from clawcli.core.router.select import realized_savings
from clawcli.core.upstream._stream import chunks_to_completion
from clawcli.core.upstream.request_state import OpenAnswer, RequestState
from clawcli.core.upstream.types import EngineResult
from clawcli.core.usage.log import FIELDS, SCHEMA, utc_timestamp

#: every field of a usage record in schema order (DESIGN.md §3); copied, never changed
_RECORD: dict[str, Any] = dict.fromkeys(FIELDS)
_RECORD["schema"] = SCHEMA


def build_result(r: RequestState, opened: OpenAnswer, streaming: bool, now: float) -> EngineResult:
    plan = r.plan
    assert plan is not None
    d = plan.decision
    model = opened.attempt.model
    acc = opened.acc
    est = plan.estimate(model)
    usage = dict(acc.usage) if acc.usage else {}
    content = acc.content  # joined once
    base, saved = _realized(plan, model, r.cost, usage, content)
    if streaming:
        completion = chunks_to_completion(acc, model)
    else:
        completion = opened.completion or chunks_to_completion(acc, model)
    # positionally, in the field order of types.EngineResult (19 keywords cost ~10k instructions a
    # request; tests/test_engine.py holds the order)
    return EngineResult(
        r.request_id,  # request_id
        content,  # content
        model,  # model
        d.tier,  # tier
        d.profile,  # profile
        r.cost,  # cost
        est,  # estimated_cost
        base,  # baseline_cost
        saved,  # savings
        int((now - r.t0) * 1000),  # latency_ms
        int(((r.ttft or now) - r.t0) * 1000),  # ttft_ms
        [*r.attempts, opened.attempt],  # attempts
        usage,  # usage
        list(r.notices),  # notices
        r.settlement,  # settlement
        completion,  # response
        acc.finish_reason,  # finish_reason
        acc.tool_call_list(),  # tool_calls
        d,  # decision
    )

def _output_tokens(usage: dict[str, Any], content: str) -> int:
    out = usage.get("completion_tokens")
    if isinstance(out, int) and out >= 0:
        return out
    return whole_tokens(content)


def _realized(plan: Any, model: str, paid: float, usage: dict[str, Any], content: str) -> tuple[float, float]:
    """(baselineCost, savings): the baseline model's price for the tokens actually used against
    what was paid (``select.realized_savings``, the one definition)."""
    inp = usage.get("prompt_tokens")
    if not (isinstance(inp, int) and inp >= 0):
        inp = plan.input_tokens
    return realized_savings(plan.catalog, plan.baseline_model, model, paid, inp, _output_tokens(usage, content))


def _rounded(x: float, scale: float, digits: int) -> float:
    """``round(x, digits)``, the same float, about twice as fast for the usual amounts (scale =
    10**digits; a usage record rounds five numbers per request).

    Below 1e12, y = x*scale is within 2**-13 of the exact product; unless y is within 0.001 of a
    half, its nearest integer n is the one the exact product rounds to, and n / scale (exact
    operands, one correctly rounded division) is the double nearest n*10**-digits: what round()
    returns, as it rounds the exact value to decimal digits and reads them back. Anything else
    (zero, negative, huge, NaN, near a tie, not a float) is round()'s own."""
    if type(x) is float:
        y = x * scale
        if 0.0 < y < 1e12:
            n = round(y)
            if n and -0.499 < y - n < 0.499:
                return n / scale
        elif not x:
            return x  # round(±0.0, d) is the same zero
    return round(x, digits)


def usage_record(r: RequestState, status: str, error_class: str | None, model: str | None,
                 result: EngineResult | None, now: float) -> dict[str, Any]:
    """The one usage-log line of a request (DESIGN.md §3); ``cost`` is what settled, nothing else.

    Filled into a copy of the schema-ordered template (``usage.log.FIELDS``; the tests hold it to
    ``make_record``'s layout): `claw serve` makes one per request, and the generic keyword
    constructor was most of the cost."""
    plan = r.plan
    d = plan.decision if plan else None
    if result is not None:
        attempts = result.attempts
        usage = result.usage
        out_tokens = usage.get("completion_tokens")
        if out_tokens is None:
            out_tokens = whole_tokens(result.content)
        # answered: the result's realized figures (what the caller was shown)
        base, saved = result.baseline_cost, result.savings
    else:
        attempts, usage, out_tokens = r.attempts, {}, None
        base = saved = 0.0  # failed: nothing saved
    if plan and model:
        # the answering model's estimate is already in the result (the same plan.estimate(model))
        est = result.estimated_cost if (result is not None and model == result.model) else plan.estimate(model)
    else:
        est = float(getattr(d, "estimated_cost", 0.0) or 0.0)
    cost = r.cost
    s = r.settlement
    # a copy of the template, filled in place: every field in schema order, cheaper than a literal
    rec = _RECORD.copy()
    rec["timestamp"] = utc_timestamp()
    rec["requestId"] = r.request_id
    rec["source"] = r.source
    rec["sessionId"] = r.session_id
    if d is not None:
        rec["profile"] = getattr(d, "profile", None)
        rec["tier"] = getattr(d, "tier", None)
        rec["confidence"] = _rounded(float(getattr(d, "confidence", 0.0) or 0.0), 1e4, 4)
    rec["requestedModel"] = getattr(d, "requested_model", None) or (plan.requested if plan else None)
    rec["model"] = model
    rec["status"] = status
    rec["errorClass"] = error_class
    rec["cost"] = _rounded(cost, 1e8, 8)
    rec["estimatedCost"] = _rounded(est, 1e8, 8)
    rec["baselineCost"] = _rounded(base, 1e8, 8)
    rec["savings"] = _rounded(saved, 1e6, 6)
    rec["latencyMs"] = int((now - r.t0) * 1000)
    rec["ttftMs"] = int((r.ttft - r.t0) * 1000) if r.ttft else (result.ttft_ms if result else None)
    rec["inputTokens"] = usage.get("prompt_tokens") or getattr(d, "input_tokens", None)
    rec["outputTokens"] = out_tokens
    rec["attempts"] = [attempts[0].to_dict()] if len(attempts) == 1 else [a.to_dict() for a in attempts]
    if s is not None:
        rec["network"] = getattr(s, "network", None)
        rec["settlement"] = getattr(s, "tx", None) or getattr(s, "transaction", None)
    extras = r.compression.log_fields() if r.compression is not None else None
    # a gateway claiming another amount than what settled: kept aside, never counted as cost
    if abs(r.gateway_claimed - cost) > 1e-9:
        extras = {**(extras or {}), "gatewayClaimedCost": _rounded(r.gateway_claimed, 1e8, 8)}
    if extras:  # extra fields (a superset is fine for readers) go last, sorted, as make_record puts them
        for k in sorted(extras):
            rec[k] = extras[k]
    return rec
