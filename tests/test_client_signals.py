"""What real clients are told (issue 14 §1-§5), seen through the OpenAI Python SDK and raw SSE:
whole streams or an honest error, OpenAI-shaped chunks, retry headers the SDKs obey, billing as
a 402 `insufficient_quota`, cost caps as 429s (a strict cap always before the 200)."""

from __future__ import annotations

import asyncio
import json

import httpx
import openai
import pytest

pytestmark = pytest.mark.e2e
FREE = "nvidia/gpt-oss-120b"
LONG = "Once upon a time there was a proxy that had to tell its clients the truth about every stream it relayed."


def events(text: str) -> list:
    """The data events of an SSE body: dicts, and the string "[DONE]"."""
    out = []
    for block in text.split("\n\n"):
        for line in block.splitlines():
            if line.startswith("data: "):
                payload = line[6:]
                out.append(payload if payload == "[DONE]" else json.loads(payload))
    return out


def ask(text: str, **extra) -> dict:
    return {"model": "auto", "messages": [{"role": "user", "content": text}], **extra}


@pytest.fixture
def proxy(make_proxy, gw):
    yield make_proxy()
    gw.reply = None
    gw.clear_faults()


# -- §1 truncated streams ------------------------------------------------------------------------
def test_truncated_stream_after_the_answer_started_ends_with_an_error_event(proxy, gw):
    gw.reply = LONG
    gw.inject("*", "truncate", times=None, after_chunks=3)
    resp, text = proxy.stream(ask("tell me a story"))
    assert resp.status_code == 200
    evs = events(text)
    assert evs[-1] == "[DONE]"
    err = evs[-2]["error"]
    assert err["code"] == "upstream_stream_truncated" and err["type"] == "upstream_error"
    assert any(isinstance(e, dict) and e.get("choices") for e in evs)  # the part that arrived
    rec = proxy.log_records()[-1]
    assert rec["status"] == "error" and rec["errorClass"] == "upstream_stream_truncated"
    assert rec["attempts"][-1]["errorClass"] == "upstream_stream_truncated"
    # the Python SDK raises instead of returning half an answer as if it were whole
    with pytest.raises(openai.APIError) as caught:
        for _ in proxy.openai().chat.completions.create(stream=True, **ask("another story")):
            pass
    assert caught.value.code == "upstream_stream_truncated"


def test_truncated_stream_before_anything_was_sent_falls_back(proxy, gw):
    gw.inject("*", "truncate", times=1, after_chunks=1)  # the role chunk, then a clean end
    resp, text = proxy.stream(ask("hello there"))
    assert resp.status_code == 200 and "error" not in text
    rec = proxy.log_records()[-1]
    assert rec["status"] == "ok"
    assert [a["errorClass"] for a in rec["attempts"]] == ["upstream_stream_truncated", None]
    # non-streaming requests read a stream from nowhere; a JSON body cut in half falls back too
    gw.inject("*", "truncate", times=1)
    r = proxy.post(ask("hello again"))
    assert r.status_code == 200 and len(proxy.log_records()[-1]["attempts"]) == 2


# -- §2 OpenAI-shaped chunks ---------------------------------------------------------------------
def test_first_chunk_has_the_role_and_one_id_for_the_whole_stream_notice_included(proxy, gw):
    gw.inject("*", "402_billing", times=1)  # the first model: billing -> a notice, then the free model
    gw.inject("*", "no_role", times=None)  # (faults fire in injection order)
    resp, text = proxy.stream(ask("hello with a notice"))
    chunks = [e for e in events(text) if isinstance(e, dict)]
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[0]["choices"][0]["delta"]["content"].startswith("> notice:")  # claw's own notice
    assert len({c["id"] for c in chunks}) == 1
    assert chunks[0]["id"] == f"chatcmpl-{resp.headers['x-request-id']}"
    assert sum(1 for c in chunks for ch in c["choices"] if "role" in ch["delta"]) == 1
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"


def test_a_completion_without_a_role_gets_one(proxy, gw):
    gw.inject("*", "no_role", times=None)
    r = proxy.post(ask("hi without a role"))
    assert r.status_code == 200 and r.json()["choices"][0]["message"]["role"] == "assistant"


def test_python_sdk_stream_without_upstream_roles(proxy, gw):
    gw.inject("*", "no_role", times=None)
    roles = [ch.choices[0].delta.role for ch in proxy.openai().chat.completions.create(stream=True, **ask("hi"))
             if ch.choices]
    assert roles[0] == "assistant" and set(roles[1:]) == {None}


# -- §3 retry headers ----------------------------------------------------------------------------
def test_all_attempts_failed_says_do_not_retry_and_the_sdk_obeys(proxy, gw):
    gw.inject("*", "500", times=None)
    client = openai.OpenAI(base_url=proxy.url + "/v1", api_key="x", max_retries=2)  # the SDK default
    with pytest.raises(openai.InternalServerError) as caught:
        client.chat.completions.create(**ask("fails everywhere"))
    assert caught.value.status_code == 502
    assert caught.value.response.headers["x-should-retry"] == "false"
    assert len(proxy.log_records()) == 1  # one chain walk, not three
    n = len(gw.chat_requests())
    assert n <= 2 * 8  # (paid models: the 402 and the failing paid retry per model)


def test_rate_limited_everywhere_is_a_429_with_retry_after(proxy, gw):
    gw.inject("*", "429", times=None, retry_after=7)
    r = proxy.post(ask("busy everywhere"))
    assert r.status_code == 429 and r.json()["error"]["code"] == "all_rate_limited"
    assert int(r.headers["retry-after"]) >= 1
    assert "x-should-retry" not in r.headers  # waiting can help: the SDK may retry after retry-after


# -- §4 billing and cost caps --------------------------------------------------------------------
def test_billing_is_a_plain_402_insufficient_quota_with_the_funding_hint(proxy, gw):
    gw.inject("*", "402_billing", times=None)
    r = proxy.post(ask("no money"))
    assert r.status_code == 402
    err = r.json()["error"]
    assert err["type"] == "insufficient_quota" and err["code"] == "insufficient_quota"
    assert "insufficient balance (payment required)" in err["message"] and "claw wallet fund" in err["message"]
    assert r.headers["x-should-retry"] == "false"
    # streamed: the same type and words inside the stream
    resp, text = proxy.stream(ask("no money, streamed"))
    err2 = [e for e in events(text) if isinstance(e, dict) and "error" in e][-1]["error"]
    assert err2["type"] == "insufficient_quota" and err2["message"].startswith("insufficient balance (payment required)")
    assert "claw wallet fund" in err2["message"]
    with pytest.raises(openai.APIStatusError) as caught:
        proxy.openai().chat.completions.create(**ask("no money, sdk"))
    assert caught.value.status_code == 402 and caught.value.code == "insufficient_quota"


def test_graceful_cap_that_runs_out_is_a_429(make_proxy, gw):
    proxy = make_proxy(max_cost_per_run=0.025, cap_mode="graceful", exclude=[FREE])
    gw.set_price("*", 0.01)  # the quote, not the estimate, breaks the cap on the third call
    # (a quote within the quote tolerance of the estimate: 3x + $0.01)
    try:
        codes = [proxy.post(ask(f"step {i}"), x_session_id="run-1").status_code for i in range(3)]
        assert codes[:2] == [200, 200]
        r = proxy.post(ask("step 3"), x_session_id="run-1")
        assert r.status_code == 429, r.text
        assert r.json()["error"]["type"] == "cost_cap_exceeded" and r.headers["x-should-retry"] == "false"
    finally:
        gw.reset()


def test_strict_cap_gives_30_concurrent_streams_their_429_before_the_200(make_proxy, gw):
    proxy = make_proxy(max_cost_per_run=0.1, cap_mode="strict")
    gw.set_price("*", 0.01)
    gw.chunk_delay = 0.02

    async def one(client: httpx.AsyncClient, i: int) -> tuple[int, str]:
        async with client.stream("POST", proxy.url + "/v1/chat/completions", headers={"x-session-id": "agent-7"},
                                 json=ask(f"parallel task number {i}", stream=True)) as r:
            return r.status_code, (await r.aread()).decode()

    async def all_of_them() -> list[tuple[int, str]]:
        async with httpx.AsyncClient(timeout=60) as client:
            return await asyncio.gather(*(one(client, i) for i in range(30)))

    try:
        results = asyncio.run(all_of_them())
        paid = sum(r.amount_usd or 0 for r in gw.paid_requests())
    finally:
        gw.chunk_delay = 0.0
        gw.reset()
    codes = [c for c, _ in results]
    assert set(codes) == {200, 429}, codes
    for code, text in results:
        if code == 200:  # a 200 is always a whole answer, never the cap inside the stream
            assert '"error"' not in text and text.rstrip().endswith("data: [DONE]")
        else:
            assert json.loads(text)["error"]["type"] == "cost_cap_exceeded"
    assert codes.count(200) <= 10 and paid <= 0.1 + 1e-9


# -- the OpenAI Python SDK with tools (plain, its stream helper, raw accumulation) -------------------
WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Current weather of a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}


@pytest.mark.parametrize("shape", ["normal", "no_role"])
def test_python_sdk_tool_calls(proxy, gw, shape):
    gw.tool_calls = True
    if shape == "no_role":
        gw.inject("*", "no_role", times=None)
    client = proxy.openai()
    try:
        msg = client.chat.completions.create(tools=[WEATHER], **ask("weather in Paris?")).choices[0].message
        assert msg.role == "assistant"
        assert [(c.function.name, json.loads(c.function.arguments)) for c in msg.tool_calls] == \
            [("get_weather", {"city": "Paris"})]
        with client.chat.completions.stream(tools=[WEATHER], **ask("weather in Paris, streamed?")) as s:
            final = s.get_final_completion()  # (tolerates a missing role; the Node SDK does not)
        call = final.choices[0].message.tool_calls[0]
        assert final.choices[0].finish_reason == "tool_calls"
        assert (call.function.name, json.loads(call.function.arguments)) == ("get_weather", {"city": "Paris"})
    finally:
        gw.tool_calls = False


def test_chunk_shaper_closes_choices_the_upstream_left_open():
    """[DONE] without a finish_reason (some upstreams): the stream still ends the OpenAI way."""
    from clawcli.proxy.sse import ChunkShaper

    sh = ChunkShaper("chatcmpl-r1")
    a = sh.chunk({"id": "up-1", "model": "m", "created": 1, "choices": [{"index": 0, "delta": {"content": "hi"}}]})
    b = sh.chunk({"id": "up-1", "model": "m", "created": 1, "choices": [
        {"index": 1, "delta": {"tool_calls": [{"index": 0, "id": "c", "function": {"name": "f", "arguments": ""}}]}}]})
    assert a["id"] == b["id"] == "chatcmpl-r1"
    assert a["choices"][0]["delta"] == {"role": "assistant", "content": "hi"}
    assert b["choices"][0]["delta"]["role"] == "assistant"
    closing = sh.closing()
    assert [(c["index"], c["finish_reason"]) for c in closing[0]["choices"]] == [(0, "stop"), (1, "tool_calls")]
    sh.chunk({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"},
                          {"index": 1, "delta": {}, "finish_reason": "tool_calls"}]})
    assert sh.closing() == []
