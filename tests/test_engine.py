"""The upstream engine against a scripted gateway (httpx.MockTransport): classification, fallback,
retries, cooldowns, degraded 200s, streaming hold-back, cost caps and the usage record."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from clawcli.core.config import Settings
from clawcli.core.errors import AllAttemptsFailed, BadRequestError
from clawcli.core.paths import Paths
from clawcli.core.router.types import Decision
from clawcli.core.upstream import (
    CostCapExceeded,
    Engine,
    GatewayUnreachable,
    StreamInterrupted,
    Timeouts,
)

FREE = "nvidia/gpt-oss-120b"
A, B, C = "google/gemini-2.5-flash", "deepseek/deepseek-chat", "moonshot/kimi-k2.5"


def ok_body(model: str, content: str = "Paris is the capital of France.") -> dict[str, Any]:
    return {"id": "x", "object": "chat.completion", "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 7, "completion_tokens": 8, "total_tokens": 15}}


def sse_body(model: str, pieces: list[str]) -> bytes:
    out = []
    for p in pieces:
        out.append("data: " + json.dumps({"id": "s", "object": "chat.completion.chunk", "model": model,
                                          "choices": [{"index": 0, "delta": {"content": p}, "finish_reason": None}]}))
    out.append("data: " + json.dumps({"id": "s", "object": "chat.completion.chunk", "model": model,
                                      "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}))
    out.append("data: [DONE]")
    return ("\n\n".join(out) + "\n\n").encode()


class Script:
    """model -> queue of responses (the last one repeats). Records (model, time) per call."""

    def __init__(self, **by_model: Any) -> None:
        self.by_model: dict[str, list[Any]] = {}
        self.calls: list[tuple[str, float]] = []

    def on(self, model: str, *responses: Any) -> Script:
        self.by_model.setdefault(model, []).extend(responses)
        return self

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        model = body["model"]
        self.calls.append((model, asyncio.get_running_loop().time()))
        queue = self.by_model.get(model) or [("ok",)]
        item = queue.pop(0) if len(queue) > 1 else queue[0]
        if callable(item):
            return await item(request, body) if asyncio.iscoroutinefunction(item) else item(request, body)
        kind, *args = item
        if kind == "ok":
            content = args[0] if args else "Paris is the capital of France."
            if body.get("stream"):
                return httpx.Response(200, content=sse_body(model, [content[i:i + 8] for i in range(0, len(content), 8)]),
                                      headers={"content-type": "text/event-stream"})
            return httpx.Response(200, json=ok_body(model, content))
        if kind == "status":
            status, payload = args[0], args[1] if len(args) > 1 else {"error": {"message": "x"}}
            headers = args[2] if len(args) > 2 else {}
            if isinstance(payload, str):
                return httpx.Response(status, text=payload, headers=headers)
            return httpx.Response(status, json=payload, headers=headers)
        if kind == "raw200":
            return httpx.Response(200, json=args[0])
        if kind == "connect":
            raise httpx.ConnectError("connection refused", request=request)
        raise AssertionError(kind)

    def models(self) -> list[str]:
        return [m for m, _ in self.calls]


def decision(chain: list[str], *, tier: str = "SIMPLE", explicit: bool = False, profile: str = "auto") -> Decision:
    return Decision(tier=tier, score=0.1, confidence=0.9, profile=profile, model=chain[0], chain=list(chain),
                    input_tokens=100, max_tokens=1000, estimated_cost=0.001, baseline_cost=0.0255,
                    savings=0.9, explicit=explicit)


REQ = {"messages": [{"role": "user", "content": "What is the capital of France?"}]}


def make_engine(script: Script, tmp: Path | None = None, **settings: Any) -> Engine:
    paths = Paths.from_env()
    s = Settings(gateway_url="http://gw.test", **settings)
    return Engine(s, paths, transport=httpx.MockTransport(script),
                  timeouts=Timeouts(retry_delay=0.2, attempt=5, reasoning_attempt=5, total=20))


def log_lines() -> list[dict[str, Any]]:
    paths = Paths.from_env()
    out = []
    for f in sorted(paths.logs_dir.glob("usage-*.jsonl")):
        out += [json.loads(line) for line in f.read_text().splitlines()]
    return out


# --- success and logging -------------------------------------------------------------------------


async def test_complete_answers_and_logs_one_record():
    s = Script().on(A, ("ok", "Paris."))
    async with make_engine(s) as eng:
        res = await eng.complete(REQ, source="ask", decision=decision([A, B, FREE]))
    assert res.content == "Paris." and res.model == A and res.cost == 0
    assert s.models() == [A]
    [rec] = log_lines()
    assert rec["status"] == "ok" and rec["model"] == A and rec["source"] == "ask"
    assert rec["attempts"] == [{"model": A, "status": 200, "errorClass": None, "ms": rec["attempts"][0]["ms"], "paid": False}]
    assert rec["cost"] == 0 and rec["outputTokens"] == 8 and rec["schema"] == 1


async def test_the_estimate_of_a_fallback_is_the_answering_models_own():
    """The record's estimatedCost is the price of the model that answered, never the one tried
    first (the estimate is priced once per model per request and reused)."""
    from clawcli.core.catalog import default_catalog
    from clawcli.core.router.select import estimate_cost

    s = Script().on(A, ("status", 500, {"error": {"message": "boom"}})).on(C, ("ok", "Paris."))
    async with make_engine(s) as eng:  # max_cost: every model of the chain is priced up front
        res = await eng.complete(REQ, source="ask", decision=decision([A, C, FREE]), max_cost=10.0)
    cat = default_catalog()
    est_a, est_c = (estimate_cost(cat.get(m), 100, 1000) for m in (A, C))
    assert res.model == C and est_a != est_c
    assert res.estimated_cost == pytest.approx(est_c)
    [rec] = log_lines()
    assert rec["estimatedCost"] == pytest.approx(round(est_c, 8))


# --- 429 -----------------------------------------------------------------------------------------


async def test_429_retried_once_after_200ms_on_same_model():
    s = Script().on(A, ("status", 429, {"error": {"message": "rate limit"}}), ("ok",))
    waits: list[tuple[int, float]] = []  # (calls made so far, seconds): the order of calls and waits

    async def sleep(seconds: float) -> None:
        waits.append((len(s.calls), seconds))

    eng = Engine(Settings(gateway_url="http://gw.test"), Paths.from_env(), transport=httpx.MockTransport(s),
                 timeouts=Timeouts(retry_delay=0.2, attempt=5, reasoning_attempt=5, total=20), sleep=sleep)
    async with eng:
        res = await eng.complete(REQ, source="ask", decision=decision([A, B]))
    assert s.models() == [A, A] and res.model == A
    assert waits == [(1, 0.2)]  # one wait of 200 ms, between the 429 and the retry
    assert [a.error_class for a in res.attempts] == ["rate_limited", None]
    assert not eng.cooldowns.cooling(A)


async def test_429_twice_moves_on_and_cools_down_honouring_retry_after():
    s = Script().on(A, ("status", 429, {"error": {"message": "slow down"}}, {"retry-after": "7"}))
    async with make_engine(s) as eng:
        res = await eng.complete(REQ, source="ask", decision=decision([A, B]))
        assert s.models() == [A, A, B] and res.model == B
        assert 6 < eng.cooldowns.remaining(A) <= 7
        # the next request tries the cooling model last
        res2 = await eng.complete(REQ, source="ask", decision=decision([A, B]))
        assert res2.model == B and s.models()[3:] == [B]


# --- classification table --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status,payload,cls",
    [
        (401, {"error": {"message": "bad key"}}, "auth"),
        (403, {"error": {"message": "Forbidden"}}, "auth"),
        (529, {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}, "overloaded"),
        (503, {"error": {"message": "model is overloaded"}}, "overloaded"),
        (503, {"error": {"message": "Service unavailable"}}, "server_error"),
        (500, {"error": {"message": "boom"}}, "server_error"),
        (520, {"type": "api_error", "message": "unknown error, 520 (1000)"}, "server_error"),
        (429, {"error": {"code": "1311", "message": "plan does not include GLM-5"}}, "billing"),
        (429, {"error": {"code": "1113", "message": "Insufficient balance or no resource package"}}, "auth"),
        (400, {"error": {"message": "maximum context length is 8192 tokens", "code": "context_length_exceeded"}}, "config"),
        (413, {"error": {"message": "Request too large"}}, "config"),
    ],
)
async def test_failure_classes_move_to_next_model(status, payload, cls):
    s = Script().on(A, ("status", status, payload))
    async with make_engine(s) as eng:
        res = await eng.complete(REQ, source="serve", decision=decision([A, B]))
    assert res.attempts[0].error_class == cls
    assert res.model == (FREE if cls == "billing" else B)
    if cls == "billing":
        assert any("billing" in n for n in res.notices)


async def test_plain_bad_request_goes_back_to_the_caller():
    s = Script().on(A, ("status", 400, {"error": {"message": "Invalid value for 'temperature'"}}))
    async with make_engine(s) as eng:
        with pytest.raises(BadRequestError, match="temperature"):
            await eng.complete(REQ, source="serve", decision=decision([A, B]))
    assert s.models() == [A]
    [rec] = log_lines()
    assert rec["status"] == "error" and rec["errorClass"] == "bad_request"


async def test_overloaded_cools_down_15s_and_next_request_tries_it_last():
    now = [1000.0]
    s = Script().on(A, ("status", 529, {"error": {"message": "Overloaded"}}), ("ok",))
    eng = Engine(Settings(gateway_url="http://gw.test"), Paths.from_env(), transport=httpx.MockTransport(s),
                 clock=lambda: now[0])
    async with eng:
        r1 = await eng.complete(REQ, source="serve", decision=decision([A, B]))
        assert r1.model == B and eng.cooldowns.remaining(A) == pytest.approx(15)
        r2 = await eng.complete(REQ, source="serve", decision=decision([A, B]))
        assert r2.model == B and s.models() == [A, B, B]
        now[0] += 16  # cooldown over: A is tried first again
        r3 = await eng.complete(REQ, source="serve", decision=decision([A, B]))
        assert r3.model == A


# --- degraded 200s -------------------------------------------------------------------------------------


@pytest.mark.parametrize("content,why", [
    ("", "empty"), ("   \n\t ", "empty"), (".", "single-character"),
    (" ".join(["the"] * 200), "repeated-token"),
    ("\n".join(["I will now answer the question."] * 24), "repeated-line"),
])
async def test_degraded_200_falls_back(content, why):
    s = Script().on(A, ("ok", content))
    async with make_engine(s) as eng:
        res = await eng.complete(REQ, source="ask", decision=decision([A, B]))
    assert res.model == B and res.attempts[0].error_class == "degraded" and why in res.attempts[0].reason


async def test_error_object_inside_200_falls_back():
    s = Script().on(A, ("raw200", {"error": {"message": "The AI service is temporarily overloaded.", "code": "overloaded"}}))
    async with make_engine(s) as eng:
        res = await eng.complete(REQ, source="ask", decision=decision([A, B]))
    assert res.model == B and res.attempts[0].error_class in ("degraded", "overloaded")


async def test_tool_call_with_empty_content_is_not_degraded():
    msg = {"role": "assistant", "content": None,
           "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}
    body = {"choices": [{"index": 0, "message": msg, "finish_reason": "tool_calls"}]}
    s = Script().on(A, ("raw200", body))
    async with make_engine(s) as eng:
        res = await eng.complete(dict(REQ, tools=[{"type": "function", "function": {"name": "f"}}]),
                                 source="serve", decision=decision([A, B]))
    assert res.model == A and res.tool_calls and res.tool_calls[0]["function"]["name"] == "f"


# --- all failed, network, timeouts ---------------------------------------------------------------------


async def test_all_failed_lists_every_attempt_and_logs_error():
    s = Script().on(A, ("status", 500, {"error": {"message": "boom"}})).on(B, ("status", 502, "bad gateway"))
    async with make_engine(s) as eng:
        with pytest.raises(AllAttemptsFailed) as ei:
            await eng.complete(REQ, source="ask", decision=decision([A, B]))
    att = ei.value.attempts
    assert [(a["model"], a["status"], a["errorClass"], a["paid"]) for a in att] == [
        (A, 500, "server_error", False), (B, 502, "server_error", False)]
    assert all(isinstance(a["ms"], int) for a in att)
    [rec] = log_lines()
    assert rec["status"] == "error" and len(rec["attempts"]) == 2 and rec["cost"] == 0


async def test_connect_error_is_one_clear_gateway_unreachable():
    s = Script().on(A, ("connect",)).on(B, ("connect",))
    async with make_engine(s) as eng:
        with pytest.raises(GatewayUnreachable, match="cannot reach the gateway at http://gw.test"):
            await eng.complete(REQ, source="ask", decision=decision([A, B]))
    assert s.models() == [A]  # no point walking the chain against a dead gateway


async def test_attempt_timeout_moves_on():
    async def slow(request, body):
        await asyncio.sleep(5)
        return httpx.Response(200, json=ok_body(A))

    s = Script().on(A, slow)
    eng = Engine(Settings(gateway_url="http://gw.test"), Paths.from_env(), transport=httpx.MockTransport(s),
                 timeouts=Timeouts(attempt=0.3, reasoning_attempt=0.3))
    async with eng:
        res = await eng.complete(REQ, source="ask", decision=decision([A, B]))
    assert res.model == B and res.attempts[0].error_class == "network" and "timed out" in res.attempts[0].reason


# --- streaming -----------------------------------------------------------------------------------------


async def test_stream_relays_chunks_and_holds_back_a_loop():
    loop_text = " ".join(["the"] * 60)
    good = "Paris is the capital of France, and it has been for a very long time indeed."
    s = Script().on(A, ("ok", loop_text)).on(B, ("ok", good))
    async with make_engine(s) as eng:
        events = [ev async for ev in eng.stream(REQ, source="serve", decision=decision([A, B]))]
    kinds = [e.type for e in events]
    assert kinds[0] == "decision" and kinds[-1] == "done"
    chunks = [e.data for e in events if e.type == "chunk"]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert text == good and len(chunks) > 3  # relayed piecewise, the loop never reached the caller
    assert events[-1].data.model == B and events[-1].data.attempts[0].error_class == "degraded"


async def test_stream_empty_answer_falls_back():
    s = Script().on(A, ("ok", "")).on(B, ("ok", "Fine answer here."))
    async with make_engine(s) as eng:
        events = [ev async for ev in eng.stream(REQ, source="serve", decision=decision([A, B]))]
    assert events[-1].data.model == B and events[-1].data.content == "Fine answer here."


async def test_stream_cut_after_first_content_is_not_retried():
    async def cut(request, body):
        async def gen():
            yield sse_body(A, ["Paris is the capital of France; it sits on the Seine river."]).split(b"\n\n")[0] + b"\n\n"
            raise httpx.ReadError("peer closed")
        return httpx.Response(200, content=gen(), headers={"content-type": "text/event-stream"})

    s = Script().on(A, cut)
    async with make_engine(s) as eng:
        got = []
        with pytest.raises(StreamInterrupted):
            async for ev in eng.stream(REQ, source="serve", decision=decision([A, B])):
                got.append(ev)
    assert s.models() == [A]
    assert any(e.type == "chunk" for e in got)
    [rec] = log_lines()
    assert rec["status"] == "error" and rec["errorClass"] == "network"


async def test_cancelled_stream_is_logged_as_cancelled():
    s = Script().on(A, ("ok", "A long enough answer " * 10))
    async with make_engine(s) as eng:
        agen = eng.stream(REQ, source="serve", decision=decision([A, B]))
        async for ev in agen:
            if ev.type == "chunk":
                break
        await agen.aclose()
    [rec] = log_lines()
    assert rec["status"] == "error" and rec["errorClass"] == "cancelled"


# --- cost caps -----------------------------------------------------------------------------------------


async def test_max_cost_refuses_before_any_call():
    s = Script()
    async with make_engine(s) as eng:
        with pytest.raises(CostCapExceeded, match="above --max-cost"):
            await eng.complete(REQ, source="ask", decision=decision(["anthropic/claude-opus-4.6", B]), max_cost=0.0001)
    assert s.calls == []
    [rec] = log_lines()
    assert rec["status"] == "blocked"


async def test_session_cap_strict_refuses_and_graceful_downgrades():
    s = Script()
    async with make_engine(s, max_cost_per_run=0.01, cap_mode="strict") as eng:
        eng.budgets.add("sess", 0.0095)
        with pytest.raises(CostCapExceeded, match="session cost cap"):
            await eng.complete(REQ, source="serve", session_id="sess",
                               decision=decision(["anthropic/claude-opus-4.6", B]))
    async with make_engine(s, max_cost_per_run=0.01, cap_mode="graceful") as eng:
        eng.budgets.add("sess", 0.0095)
        res = await eng.complete(REQ, source="serve", session_id="sess",
                                 decision=decision(["anthropic/claude-opus-4.6", "openai/gpt-5.4"], tier="COMPLEX"))
        assert res.model != "anthropic/claude-opus-4.6"
        assert any("downgraded" in n for n in res.notices)


def test_event_chunk_reads_done_json_and_what_orjson_refuses():
    """One SSE data field: [DONE] (whitespace around it too) ends the stream, a JSON object is a
    chunk, anything else is skipped; what orjson refuses (NaN) still parses through the stdlib."""
    import math

    from clawcli.core.upstream.relay import _END, _event_chunk

    assert _event_chunk("[DONE]") is _END and _event_chunk(" [DONE]\n") is _END
    assert _event_chunk('{"a":1}') == {"a": 1} and _event_chunk(' {"a":1}') == {"a": 1}
    assert _event_chunk("[1]") is None and _event_chunk("") is None and _event_chunk("{oops") is None
    assert math.isnan(_event_chunk('{"a": NaN}')["a"])


def test_positional_constructions_follow_the_field_order():
    """EngineResult, Plan and RequestState are built positionally on the per-request path
    (records.build_result, _plan.plan_request, Engine._begin): a reordered or inserted field
    must fail here, not silently swap two values of the same type (cost and estimated_cost...)."""
    from dataclasses import fields

    from clawcli.core.upstream._plan import Plan
    from clawcli.core.upstream.request_state import RequestState
    from clawcli.core.upstream.types import EngineResult

    assert [f.name for f in fields(EngineResult)] == [
        "request_id", "content", "model", "tier", "profile", "cost", "estimated_cost", "baseline_cost", "savings",
        "latency_ms", "ttft_ms", "attempts", "usage", "notices", "settlement", "response", "finish_reason",
        "tool_calls", "decision"]
    assert [f.name for f in fields(Plan)] == [
        "decision", "chain", "catalog", "input_tokens", "max_tokens", "free_allowed", "requested", "notices",
        "baseline_model", "_estimates"]
    assert [f.name for f in fields(RequestState)][:13] == [
        "request_id", "source", "session_id", "t0", "plan", "attempts", "notices", "cost", "gateway_claimed",
        "settlement", "ttft", "logged", "max_cost"]


async def test_a_result_carries_each_figure_in_its_own_field():
    """Distinct values for the figures of the same type: none lands in its neighbour's field."""
    s = Script().on(A, ("ok", "Paris."))
    async with make_engine(s) as eng:
        d = decision([A, B, FREE])
        res = await eng.complete(REQ, source="ask", decision=d, request_id="rid-1")
    assert res.request_id == "rid-1" and res.content == "Paris." and res.model == A
    assert (res.tier, res.profile, res.decision) == ("SIMPLE", "auto", d)
    # (the estimate prices max_tokens; the baseline, the tokens used; nothing paid saves it all)
    assert res.cost == 0 and res.estimated_cost > res.baseline_cost > 0 and res.savings == 1.0
    assert res.latency_ms >= res.ttft_ms >= 0
    assert [a.model for a in res.attempts] == [A] and res.usage["completion_tokens"] == 8
    assert res.notices == [] and res.settlement is None and res.finish_reason == "stop" and res.tool_calls is None
    assert res.response["choices"][0]["message"]["content"] == "Paris."


async def test_the_planning_context_follows_the_wallet_and_the_engines_parts():
    """The planning context is made once per wallet state (cached): the wallet turning empty and
    back, and a replaced part of the engine, are still seen by the next plan."""
    from clawcli.core.upstream.state import Cooldowns

    now = [100.0]
    async with make_engine(Script()) as eng:
        eng.wallet._clock = lambda: now[0]
        full = eng._planning_context()
        assert full is eng._planning_context() and not full.wallet_empty
        eng.wallet.mark_empty()
        empty = eng._planning_context()
        assert empty.wallet_empty and empty is not full
        now[0] += 3600
        assert eng._planning_context() is full
        eng.cooldowns = Cooldowns()
        assert eng._planning_context().cooldowns is eng.cooldowns
