"""Per-model latency, time to first token and throughput through the gateway, paid like any request.

The published fleet-benchmark method (reference/router.md §10): three Python coding prompts
(IPv4 validation, LCS, LRU cache), two requests per model per prompt, 256 max tokens,
temperature 0.7. We stream, so time to first token is measured too (as the caller sees it: the
engine holds back the first few dozen characters to catch degraded answers); ``tps`` is output tokens
over end-to-end latency, as the predecessor's ``blockrun_tps`` (256 tokens / latency), and
``decodeTps`` is output tokens over the time after the first token. ``stream=False`` repeats
the published run exactly (non-streaming; no time to first token then).

    plan = plan_models_bench(catalog, models=["google/gemini-2.5-flash"])
    plan.estimated_cost                       # show it, confirm above a threshold
    result = await run_models_bench(engine, plan, progress=lambda model, sample: ...)
    result["results"]                         # rows sorted by latency, benchmark-merged.json-like

Every request goes through the engine (x402 payment, spend policy, usage log with
``source="bench"``), pinned to the model under test: no fallback to another model. Prompts
carry a run nonce so no response cache can answer.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from clawcli.core.catalog import Catalog
from clawcli.core.errors import ClawError, PolicyRefusal, UsageError
from clawcli.core.messages import whole_tokens

BENCH_PROMPTS = (
    ("ipv4", "Write a Python function that validates an IPv4 address string. Handle leading zeros, "
             "empty octets and values above 255, and include a few doctest examples."),
    ("lcs", "Write a Python function that returns the longest common subsequence of two strings using "
            "dynamic programming, and explain its time and space complexity."),
    ("lru", "Implement an LRU cache class in Python with O(1) get and put, without using "
            "functools.lru_cache or OrderedDict. Include a short usage example."),
)
METHOD = {
    "prompts": [name for name, _ in BENCH_PROMPTS],
    "requestsPerPromptPerModel": 2,
    "maxTokens": 256,
    "temperature": 0.7,
    "stream": True,
    "path": "clawcli engine -> x402 gateway -> provider",
}


QUOTE_MARGIN = 1.2  # the gateway's quote over list price (reference/proxy.md §4.8)
MIN_PAYMENT_USD = 0.001  # the smallest x402 payment the facilitator takes


@dataclass
class ModelsBenchPlan:
    models: list[str]
    prompts: list[tuple[str, str]]
    repeat: int
    max_tokens: int
    temperature: float = 0.7
    stream: bool = True
    per_model_cost: dict[str, float] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        return len(self.models) * len(self.prompts) * self.repeat

    @property
    def estimated_cost(self) -> float:
        """Upper bound: every request priced at its input estimate + max_tokens of output."""
        return sum(self.per_model_cost.values())


def default_models(catalog: Catalog) -> list[str]:
    """The models `auto` routes to first (one per tier), cheapest way to compare what you use."""
    out: list[str] = []
    for tier_chain in catalog.profiles.get("auto", {}).values():
        if tier_chain and tier_chain[0] not in out and tier_chain[0] in catalog:
            out.append(tier_chain[0])
    return out


def plan_models_bench(catalog: Catalog, models: Sequence[str] | None = None, *, prompts: int = 3,
                      repeat: int = 2, max_tokens: int = 256, temperature: float = 0.7,
                      stream: bool = True) -> ModelsBenchPlan:
    """Resolve ``models`` (ids or aliases; ``["all"]`` = the whole catalog) and price the run."""
    from clawcli.core.router import estimate_tokens

    if not 1 <= prompts <= len(BENCH_PROMPTS):
        raise UsageError(f"--prompts must be between 1 and {len(BENCH_PROMPTS)}")
    if repeat < 1:
        raise UsageError("--repeat must be at least 1")
    if max_tokens < 1:
        raise UsageError("--max-tokens must be at least 1")
    if not models:
        chosen = default_models(catalog)
    elif [m.strip().lower() for m in models] == ["all"]:
        chosen = sorted(catalog.models)
    else:
        chosen = []
        for m in models:
            if not m.strip():
                continue
            if catalog.profile_name(m) is not None:
                raise UsageError(f"{m!r} is a routing profile, not a model", "name models: --models google/gemini-2.5-flash,...")
            mid = _resolve(catalog, m)
            if mid not in chosen:
                chosen.append(mid)
    if not chosen:
        raise UsageError("no models to benchmark", "pass --models a,b,c")
    plan = ModelsBenchPlan(models=chosen, prompts=list(BENCH_PROMPTS[:prompts]), repeat=repeat,
                           max_tokens=max_tokens, temperature=temperature, stream=stream)
    for mid in chosen:
        model = catalog.get(mid)
        assert model is not None
        if model.is_free:
            plan.per_model_cost[mid] = 0.0
            continue
        # an upper bound, as the gateway quotes: +20 % margin, $0.001 minimum per payment
        per = [max(MIN_PAYMENT_USD, model.cost(estimate_tokens(p) + 16, max_tokens) * QUOTE_MARGIN) for _, p in plan.prompts]
        plan.per_model_cost[mid] = sum(per) * repeat
    return plan


def _resolve(catalog: Catalog, name: str) -> str:
    """An id or alias; a bare model name (``gemini-2.5-flash``) is accepted when one provider has it."""
    from clawcli.core.errors import UnknownModelError

    try:
        return catalog.resolve(name)
    except UnknownModelError:
        bare = name.strip().lower()
        hits = [mid for mid in catalog.models if mid.split("/", 1)[-1].lower() == bare]
        if len(hits) == 1:
            return hits[0]
        raise


def _pin(catalog: Catalog, request: dict[str, Any], model: str) -> Any:
    """The routing decision for an explicit ``model`` with its chain cut to that model alone."""
    from clawcli.core.router import route

    d = route(request, catalog=catalog)
    d.chain = [model]
    return d


def _median(xs: list[float]) -> float | None:
    return statistics.median(xs) if xs else None


def _r(x: float | None, nd: int = 1) -> float | None:
    return None if x is None else round(x, nd)


async def run_models_bench(engine: Any, plan: ModelsBenchPlan, *,
                           progress: Callable[[str, dict[str, Any]], None] | None = None,
                           clock: Callable[[], float] = time.perf_counter) -> dict[str, Any]:
    """Run the plan through ``engine`` (``clawcli.core.upstream.Engine``) and return the `--json` object.

    ``progress(model, sample)`` is called after every request. A spend-policy refusal stops the
    run (it would refuse the rest too); any other failure is counted against its model.
    """
    run = os.urandom(3).hex()
    catalog = engine.catalog
    rows: list[dict[str, Any]] = []
    total_cost = 0.0
    for model in plan.models:
        lat: list[float] = []
        ttft: list[float] = []
        tps: list[float] = []
        decode: list[float] = []
        out_tokens = 0
        cost = 0.0
        errors: dict[str, int] = {}
        for name, prompt in plan.prompts:
            for k in range(plan.repeat):
                request = {
                    "model": model,
                    "messages": [{"role": "user", "content": f"{prompt}\n\n(benchmark run {run}, {name} #{k + 1})"}],
                    "max_tokens": plan.max_tokens,
                    "temperature": plan.temperature,
                }
                sample: dict[str, Any] = {"prompt": name, "ok": False}
                t0 = clock()
                first: float | None = None
                try:
                    result = None
                    decision = _pin(catalog, request, model)
                    if plan.stream:
                        async for ev in engine.stream(request, source="bench", decision=decision):
                            if ev.type == "chunk" and first is None and _has_text(ev.data):
                                first = clock()
                            elif ev.type == "done":
                                result = ev.data
                    else:
                        result = await engine.complete(request, source="bench", decision=decision)
                    end = clock()
                    if result is None:  # pragma: no cover - the engine always ends with done or raises
                        raise ClawError("the engine ended without an answer")
                    cost += result.cost
                    if result.model != model:
                        errors["answered_by_other"] = errors.get("answered_by_other", 0) + 1
                        sample["error"] = f"answered by {result.model}"
                    else:
                        ms = (end - t0) * 1000
                        toks = int((result.usage or {}).get("completion_tokens") or 0) or whole_tokens(result.content)
                        lat.append(ms)
                        tps.append(toks / (ms / 1000) if ms > 0 else 0.0)
                        out_tokens += toks
                        sample.update(ok=True, latencyMs=round(ms, 1), outputTokens=toks)
                        if plan.stream:
                            first_ms = ((first or end) - t0) * 1000
                            ttft.append(first_ms)
                            if ms > first_ms:
                                decode.append(toks / ((ms - first_ms) / 1000))
                            sample["ttftMs"] = round(first_ms, 1)
                except PolicyRefusal:
                    raise
                except ClawError as exc:
                    cls = _error_class(exc)
                    errors[cls] = errors.get(cls, 0) + 1
                    sample["error"] = exc.message
                if progress is not None:
                    progress(model, sample)
        total_cost += cost
        m = catalog.get(model)
        rows.append({
            "model": model,
            "provider": model.split("/", 1)[0],
            "requests": plan.repeat * len(plan.prompts),
            "ok": len(lat),
            "errors": sum(errors.values()),
            "errorClasses": errors,
            "latencyMs": _r(_median(lat)),
            "latencyMeanMs": _r(statistics.fmean(lat) if lat else None),
            "ttftMs": _r(_median(ttft)),
            "tps": _r(_median(tps)),
            "decodeTps": _r(_median(decode)),
            "outputTokens": out_tokens,
            "cost": round(cost, 8),
            "estimatedCost": round(plan.per_model_cost.get(model, 0.0), 8),
            # the predecessor's benchmark-merged.json columns, for side-by-side comparison
            "blockrun_latency_ms": _r(_median(lat), 0),
            "blockrun_tps": _r(_median(tps)),
            "price_input_1m": m.input_price if m else None,
            "price_output_1m": m.output_price if m else None,
        })
    rows.sort(key=lambda r: (r["latencyMs"] is None, r["latencyMs"] or 0.0))
    return {
        "method": {**METHOD, "prompts": [n for n, _ in plan.prompts], "requestsPerPromptPerModel": plan.repeat,
                   "maxTokens": plan.max_tokens, "temperature": plan.temperature, "stream": plan.stream},
        "gateway": getattr(engine, "base_url", None),
        "models": len(plan.models),
        "requests": plan.requests,
        "estimatedCost": round(plan.estimated_cost, 8),
        "cost": round(total_cost, 8),
        "results": rows,
    }


def _has_text(chunk: Any) -> bool:
    try:
        for c in chunk.get("choices") or ():
            d = c.get("delta") or {}
            if d.get("content") or d.get("tool_calls") or d.get("reasoning_content"):
                return True
    except AttributeError:
        return False
    return False


def _error_class(exc: ClawError) -> str:
    attempts = getattr(exc, "attempts", None)
    if attempts:
        last = attempts[-1]
        cls = last.get("errorClass") if isinstance(last, dict) else None
        if cls:
            return str(cls)
    return exc.code
