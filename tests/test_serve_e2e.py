"""`claw serve` end to end: the proxy in a uvicorn thread, the x402 gateway emulator behind it,
real loopback sockets, the official `openai` SDK and raw HTTP in front of it."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pytest
from _proxy import Proxy

from clawcli.core.catalog import default_catalog

FREE = "nvidia/gpt-oss-120b"
PAID = "openai/gpt-4o-mini"


@pytest.fixture
def proxy(make_proxy) -> Proxy:
    return make_proxy()


def chat(content: str = "What is the capital of France?", **kw: Any) -> dict[str, Any]:
    return {"model": kw.pop("model", "auto"), "messages": [{"role": "user", "content": content}], **kw}


# ------------------------------------------------------------------------------------ openai SDK
def test_openai_sdk_non_streaming_routed_and_paid(proxy: Proxy, gw) -> None:
    client = proxy.openai()
    raw = client.chat.completions.with_raw_response.create(
        model="auto", messages=[{"role": "user", "content": "What is the capital of France?"}])
    resp = raw.parse()
    assert "capital of France" in resp.choices[0].message.content
    h = raw.headers
    assert h["x-clawrouter-profile"] == "auto"
    assert h["x-clawrouter-tier"] in ("SIMPLE", "MEDIUM", "COMPLEX", "REASONING")
    assert h["x-clawrouter-model"] == resp.model
    for name in ("confidence", "reasoning", "agentic-score", "cost", "savings"):
        assert h[f"x-clawrouter-{name}"]
    assert h["x-clawrouter-savings"].endswith("%")
    paid = gw.paid_requests()
    assert len(paid) == 1 and paid[0].model == resp.model
    assert float(h["x-clawrouter-cost"]) == pytest.approx(paid[0].amount_usd, abs=1e-6)
    rec = proxy.log_records()[-1]
    assert rec["source"] == "serve" and rec["status"] == "ok" and rec["model"] == resp.model
    assert rec["cost"] == pytest.approx(paid[0].amount_usd)


def test_openai_sdk_streaming(proxy: Proxy, gw) -> None:
    client = proxy.openai()
    pieces = [c.choices[0].delta.content for c in client.chat.completions.create(
        model="eco", stream=True, messages=[{"role": "user", "content": "Say hello to the stream"}])
        if c.choices and c.choices[0].delta.content]
    assert len(pieces) >= 2  # chunks relayed, not one blob
    assert "Say hello to the stream" in "".join(pieces)
    assert gw.chat_requests()[-1].stream is True
    assert proxy.log_records()[-1]["source"] == "serve"


def test_raw_stream_shape_debug_comment_and_done(proxy: Proxy) -> None:
    with httpx.stream("POST", proxy.url + "/v1/chat/completions", json=chat(stream=True), timeout=10) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        assert r.headers["cache-control"].startswith("no-cache")
        assert r.headers["x-clawrouter-tier"]
        why = r.headers["x-clawrouter-reasoning"]
        lines = [ln for ln in r.iter_lines() if ln]
    assert lines[0].startswith(": x-clawrouter-debug profile=auto tier=")
    assert lines[-1] == "data: [DONE]"
    # the opening and the closing comment show the same routing reasons as the headers
    comments = [ln for ln in lines if ln.startswith(": x-clawrouter-debug")]
    assert len(comments) == 2 and all(f"reasoning={why}" in c for c in comments)
    assert f"model={r.headers['x-clawrouter-model']}" in comments[-1]
    datas = [json.loads(ln[6:]) for ln in lines if ln.startswith("data: {")]
    assert datas and all(d["object"] == "chat.completion.chunk" for d in datas)


@pytest.mark.parametrize("client_says, expected", [(b"close", [b"connection: close"]), (None, [])])
def test_a_stream_carries_at_most_one_connection_header(proxy: Proxy, client_says: bytes | None,
                                                        expected: list[bytes]) -> None:
    """A client that asks `Connection: close` got `connection: keep-alive` and `connection: close`
    on a stream (ours, then the server's): contradictory headers. HTTP/1.1 keeps the connection
    alive by default; only the server's answer to the client is sent."""
    import socket

    body = json.dumps(chat("one connection header", stream=True)).encode()
    head = (b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n" % len(body))
    if client_says:
        head += b"Connection: " + client_says + b"\r\n"
    with socket.create_connection(("127.0.0.1", int(proxy.url.rsplit(":", 1)[1])), timeout=10) as s:
        s.sendall(head + b"\r\n" + body)
        raw = b""
        while b"data: [DONE]" not in raw:
            piece = s.recv(65536)
            assert piece, raw[-500:]
            raw += piece
    lines = raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    assert lines[0] == b"HTTP/1.1 200 OK"
    assert [ln for ln in lines if ln.lower().startswith(b"connection:")] == expected


def test_debug_false_turns_headers_and_comment_off(proxy: Proxy) -> None:
    off = {"x-clawrouter-debug": "false"}
    r = httpx.post(proxy.url + "/v1/chat/completions", json=chat(), headers=off, timeout=10)
    assert r.status_code == 200
    assert not [k for k in r.headers if k.startswith("x-clawrouter-")]
    with httpx.stream("POST", proxy.url + "/v1/chat/completions", json=chat("again", stream=True),
                      headers=off, timeout=10) as s:
        text = s.read().decode()
    assert "x-clawrouter-debug" not in text and "data: [DONE]" in text
    assert not [k for k in s.headers if k.startswith("x-clawrouter-")]


def test_tools_and_extra_parameters_pass_through_untouched(proxy: Proxy, gw) -> None:
    tools = [{"type": "function", "function": {"name": "get_weather", "description": "Weather for a city",
                                                "parameters": {"type": "object", "properties": {
                                                    "city": {"type": "string"}}, "required": ["city"]}}}]
    messages = [
        {"role": "user", "content": [{"type": "text", "text": "Weather in Paris?"},
                                     {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}]},
        {"role": "assistant", "content": None, "reasoning_content": "I should call the tool",
         "tool_calls": [{"id": "call_1", "type": "function",
                         "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "{\"temp\": 21}"},
        {"role": "user", "content": "And tomorrow?"},
    ]
    rf = {"type": "json_schema", "json_schema": {"name": "w", "schema": {"type": "object"}}}
    client = proxy.openai()
    client.chat.completions.create(model="auto", messages=messages, tools=tools,
                                   tool_choice={"type": "function", "function": {"name": "get_weather"}},
                                   response_format=rf, temperature=0.2)
    sent = gw.chat_requests()[-1].body
    assert sent["tools"] == tools
    assert sent["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}
    assert sent["response_format"] == rf
    assert sent["messages"] == messages
    assert sent["temperature"] == 0.2
    assert default_catalog().get(sent["model"]).tools  # tools -> a tool-capable model


def test_explicit_model_skips_routing(proxy: Proxy, gw) -> None:
    r = httpx.post(proxy.url + "/v1/chat/completions", json=chat(model=PAID), timeout=10)
    assert r.status_code == 200
    assert r.json()["model"] == PAID
    assert r.headers["x-clawrouter-model"] == PAID
    assert r.headers["x-clawrouter-tier"] == "EXPLICIT"
    assert gw.chat_requests()[-1].model == PAID


@pytest.mark.parametrize("model", ["auto", "eco", "premium", "free", "agentic",
                                   "clawcli/auto", "blockrun/eco", "clawcli/premium", "blockrun/free",
                                   "clawcli/agentic"])
def test_profile_ids_with_and_without_prefix(proxy: Proxy, gw, model: str) -> None:
    r = httpx.post(proxy.url + "/v1/chat/completions", json=chat("Hi there", model=model), timeout=10)
    assert r.status_code == 200, r.text
    want = model.split("/")[-1]
    assert r.headers["x-clawrouter-profile"] == want
    if want == "free":
        assert r.json()["model"] == FREE and not gw.paid_requests()
    assert gw.chat_requests()[-1].model == r.headers["x-clawrouter-model"]


def test_cjk_reasoning_header_is_ascii_safe(proxy: Proxy) -> None:
    r = httpx.post(proxy.url + "/v1/chat/completions",
                   json=chat("请证明根号二是无理数，并逐步推导每一个步骤。证明过程要严谨。"), timeout=10)
    assert r.status_code == 200
    for k, v in r.headers.items():
        if k.startswith("x-clawrouter-"):
            assert v.isascii()


# ------------------------------------------------------------------------------------ bad input
def test_bad_inputs_in_openai_error_shape(proxy: Proxy, gw) -> None:
    url = proxy.url + "/v1/chat/completions"
    big = b'{"model":"auto","messages":[{"role":"user","content":"' + b"x" * (10 * 1024 * 1024) + b'"}]}'
    cases = [
        (httpx.post(url, content=big, headers={"content-type": "application/json"}, timeout=30), 413,
         "request_too_large"),
        (httpx.post(url, content=b"{not json", headers={"content-type": "application/json"}, timeout=5), 400,
         "invalid_json"),
        (httpx.post(url, json=[1, 2], timeout=5), 400, "invalid_json"),
        (httpx.post(url, json={"model": "auto"}, timeout=5), 400, "missing_messages"),
        (httpx.post(url, json={"model": "auto", "messages": []}, timeout=5), 400, "missing_messages"),
        (httpx.post(url, json=chat(model="no-such-model-xyz"), timeout=5), 400, "model_not_found"),
        (httpx.post(url, json={**chat(), "stream": "yes"}, timeout=5), 400, "invalid_stream"),
    ]
    for r, status, code in cases:
        assert r.status_code == status, (status, r.text)
        err = r.json()["error"]
        assert err["code"] == code and err["message"] and err["type"]
    assert gw.chat_requests() == []  # nothing reached the upstream


def test_body_limit_without_content_length(proxy: Proxy) -> None:
    def gen():
        yield b'{"messages":[{"role":"user","content":"'
        for _ in range(11):
            yield b"y" * (1024 * 1024)
        yield b'"}]}'

    r = httpx.post(proxy.url + "/v1/chat/completions", content=gen(), timeout=30,  # chunked
                   headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_unknown_model_through_the_sdk(proxy: Proxy) -> None:
    import openai

    with pytest.raises(openai.BadRequestError) as ei:
        proxy.openai().chat.completions.create(model="gpt-99-ultra", messages=[{"role": "user", "content": "hi"}])
    assert "gpt-99-ultra" in str(ei.value)


def test_token_required_when_set(make_proxy) -> None:
    p = make_proxy(token="s3cret")
    url = p.url + "/v1/chat/completions"
    for headers in ({}, {"authorization": "Bearer wrong"}, {"authorization": "Basic s3cret"}):
        r = httpx.post(url, json=chat(), headers=headers, timeout=5)
        assert r.status_code == 401 and r.json()["error"]["type"] == "authentication_error"
    assert httpx.get(p.url + "/health", timeout=5).status_code == 401
    ok = p.openai(api_key="s3cret").chat.completions.create(model="free", messages=[{"role": "user", "content": "hi"}])
    assert ok.choices[0].message.content


# ------------------------------------------------------------------------------------ endpoints
def test_models_health_stats(proxy: Proxy) -> None:
    ids = [m.id for m in proxy.openai().models.list().data]
    assert len(ids) == len(set(ids))
    for want in ("auto", "eco", "premium", "free", "agentic", "clawcli/auto", PAID, FREE):
        assert want in ids
    assert any(a in ids for a in default_catalog().aliases)
    h = httpx.get(proxy.url + "/health", timeout=5).json()
    assert h["status"] == "ok" and h["wallet"].startswith("0x") and h["chain"] == "base" and h["version"]
    full = httpx.get(proxy.url + "/health?full=true", timeout=10).json()
    assert "balances" in full
    httpx.post(proxy.url + "/v1/chat/completions", json=chat(model="free"), timeout=10)
    st = httpx.get(proxy.url + "/stats?since=1d", timeout=10).json()
    assert st["requests"] >= 1
    assert httpx.get(proxy.url + "/nope", timeout=5).json()["error"]["code"] == "not_found"


# ------------------------------------------------------------------------------------ chat commands
def test_stats_and_wallet_chat_commands_answered_locally(proxy: Proxy, gw) -> None:
    client = proxy.openai()
    client.chat.completions.create(model="free", messages=[{"role": "user", "content": "hello"}])
    gw.clear_requests()
    stats = client.chat.completions.create(model="auto", messages=[{"role": "user", "content": "/stats 7d"}])
    text = stats.choices[0].message.content
    assert "Requests: 1" in text and "|" in text  # Markdown with a table of models
    wallet = client.chat.completions.create(model="auto", messages=[{"role": "user", "content": "/wallet"}])
    wtext = wallet.choices[0].message.content
    assert "**Wallet**" in wtext and "0x" in wtext and "USDC" in wtext
    streamed = "".join(c.choices[0].delta.content or "" for c in client.chat.completions.create(
        model="auto", stream=True, messages=[{"role": "user", "content": "/stats"}]) if c.choices)
    assert "clawcli usage" in streamed
    assert gw.chat_requests() == [] and gw.paid_total() == 0  # no upstream call, no payment


# ------------------------------------------------------------------------------------ fallback
def test_fallback_visible_in_header_and_usage_log(proxy: Proxy, gw) -> None:
    first = httpx.post(proxy.url + "/v1/chat/completions", json=chat("Hi"), timeout=10)
    primary = first.headers["x-clawrouter-model"]
    gw.inject(primary, "500", times=None)
    r = httpx.post(proxy.url + "/v1/chat/completions", json=chat("Hello again"), timeout=20)
    assert r.status_code == 200
    answered = r.headers["x-clawrouter-model"]
    assert answered != primary and r.json()["model"] == answered
    rec = proxy.log_records()[-1]
    assert rec["source"] == "serve" and rec["model"] == answered
    assert [a["model"] for a in rec["attempts"]][:1] == [primary]
    assert rec["attempts"][0]["errorClass"] == "server_error"


def test_everything_failing_is_a_502_listing_attempts(proxy: Proxy, gw) -> None:
    gw.inject("*", "500", times=None)
    r = httpx.post(proxy.url + "/v1/chat/completions", json=chat(model=PAID), timeout=20)
    assert r.status_code == 502
    err = r.json()["error"]
    assert err["code"] == "all_attempts_failed" and {a["model"] for a in err["attempts"]} == {PAID, FREE}
    with httpx.stream("POST", proxy.url + "/v1/chat/completions", json=chat("x", model=PAID, stream=True),
                      timeout=20) as s:
        assert s.status_code == 200
        lines = [ln for ln in s.iter_lines() if ln.startswith("data: ")]
    assert json.loads(lines[-2][6:])["error"]["code"] == "all_attempts_failed" and lines[-1] == "data: [DONE]"
    assert proxy.log_records()[-1]["status"] == "error"


# ------------------------------------------------------------------------------------ sessions
def test_session_pins_model_and_never_lowers_tier(proxy: Proxy, gw) -> None:
    url = proxy.url + "/v1/chat/completions"
    sid = {"x-session-id": "sess-1"}
    hard = ("Prove rigorously that there are infinitely many primes, then derive the asymptotic density "
            "of primes step by step, and analyse the complexity of the sieve of Eratosthenes.")
    r1 = httpx.post(url, json=chat(hard), headers=sid, timeout=10)
    tier1, model1 = r1.headers["x-clawrouter-tier"], r1.headers["x-clawrouter-model"]
    r2 = httpx.post(url, json=chat("thanks!"), headers=sid, timeout=10)
    assert r2.headers["x-clawrouter-tier"] == tier1
    assert r2.headers["x-clawrouter-model"] == model1
    # without the session the same easy turn routes lower
    r3 = httpx.post(url, json=chat("thanks!"), headers={"x-session-id": "other"}, timeout=10)
    from clawcli.core.router.types import TIER_RANK
    assert TIER_RANK[r3.headers["x-clawrouter-tier"]] <= TIER_RANK[tier1]
    if TIER_RANK[r3.headers["x-clawrouter-tier"]] < TIER_RANK[tier1]:
        assert r3.headers["x-clawrouter-model"] != model1


def test_session_repins_after_failure(proxy: Proxy, gw) -> None:
    url = proxy.url + "/v1/chat/completions"
    sid = {"x-session-id": "sess-2"}
    m1 = httpx.post(url, json=chat("Hi"), headers=sid, timeout=10).headers["x-clawrouter-model"]
    gw.inject(m1, "503", times=1)
    m2 = httpx.post(url, json=chat("Hi again"), headers=sid, timeout=10).headers["x-clawrouter-model"]
    assert m2 != m1
    m3 = httpx.post(url, json=chat("And again"), headers=sid, timeout=10).headers["x-clawrouter-model"]
    assert m3 == m2  # the model that answered is the new pin


def test_session_derived_from_first_user_message(proxy: Proxy) -> None:
    url = proxy.url + "/v1/chat/completions"
    hard = "Design a distributed, fault-tolerant payment ledger with exactly-once semantics and prove its safety."
    r1 = httpx.post(url, json=chat(hard), timeout=10)
    conv = {"model": "auto", "messages": [{"role": "user", "content": hard},
                                          {"role": "assistant", "content": "..."},
                                          {"role": "user", "content": "ok"}]}
    r2 = httpx.post(url, json=conv, timeout=10)
    assert r2.headers["x-clawrouter-tier"] == r1.headers["x-clawrouter-tier"]
    assert r2.headers["x-clawrouter-model"] == r1.headers["x-clawrouter-model"]


# ------------------------------------------------------------------------------------ dedup
async def test_concurrent_identical_requests_are_joined(proxy: Proxy, gw) -> None:
    gw.inject(FREE, "slow", times=None, delay=0.6)
    body = chat("Tell me a joke about deduplication", model=FREE)
    async with httpx.AsyncClient(timeout=10) as c:
        rs = await asyncio.gather(*(c.post(proxy.url + "/v1/chat/completions", json=body) for _ in range(3)))
        assert [r.status_code for r in rs] == [200, 200, 200]
        assert len({r.json()["choices"][0]["message"]["content"] for r in rs}) == 1
        assert len(gw.chat_requests()) == 1  # the gateway saw one
        # `stream` is part of the key: a streaming twin is a different request
        gw.clear_requests()
        a, b = await asyncio.gather(c.post(proxy.url + "/v1/chat/completions", json=body),
                                    c.post(proxy.url + "/v1/chat/completions", json={**body, "stream": True}))
        assert a.headers["content-type"].startswith("application/json")
        assert b.headers["content-type"].startswith("text/event-stream")
        assert len(gw.chat_requests()) == 2


async def test_the_first_client_hanging_up_does_not_cancel_a_joined_twin(proxy: Proxy, gw) -> None:
    """The first request produces the answer in its own task: when its client goes away, a twin
    still waiting gets the answer, from one upstream call that was not cancelled."""
    gw.inject(FREE, "slow", times=None, delay=0.8)
    body = chat("Tell me a joke about leaders leaving early", model=FREE)
    url = proxy.url + "/v1/chat/completions"
    async with httpx.AsyncClient(timeout=10) as c:
        async def first() -> None:
            with pytest.raises(httpx.ReadTimeout):
                await c.post(url, json=body, timeout=0.3)

        async def twin() -> httpx.Response:
            await asyncio.sleep(0.1)  # joins the running flight
            return await c.post(url, json=body)

        _, r = await asyncio.gather(first(), twin())
    assert r.status_code == 200 and r.json()["choices"][0]["message"]["content"]
    assert len(gw.chat_requests()) == 1 and gw.chat_requests()[-1].completed
    recs = proxy.log_records()
    assert [x["status"] for x in recs] == ["ok"]  # one record: the answered flight, not a cancellation
    assert proxy.state.requests_active == 0 and len(proxy.state.inflight) == 0


async def test_streaming_requests_joined_each_get_the_whole_stream(proxy: Proxy, gw) -> None:
    gw.inject(FREE, "slow_stream", times=None, chunk_delay=0.1)
    body = chat("Stream this to two clients", model=FREE, stream=True)

    async def one(c: httpx.AsyncClient) -> str:
        async with c.stream("POST", proxy.url + "/v1/chat/completions", json=body) as r:
            return (await r.aread()).decode()

    async with httpx.AsyncClient(timeout=10) as c:
        a, b = await asyncio.gather(one(c), one(c))
    data_a = [ln for ln in a.splitlines() if ln.startswith("data: ")]
    assert data_a == [ln for ln in b.splitlines() if ln.startswith("data: ")]
    assert data_a[-1] == "data: [DONE]" and len(data_a) >= 3
    assert len(gw.chat_requests()) == 1


# ------------------------------------------------------------------------------------ heartbeats
def test_heartbeats_while_waiting_for_upstream(proxy: Proxy, gw) -> None:
    gw.inject("*", "slow", times=1, delay=0.8)
    with httpx.stream("POST", proxy.url + "/v1/chat/completions", json=chat("slow one", model=FREE, stream=True),
                      timeout=10) as r:
        upstream_done_at_first_line = None
        lines = []
        for ln in r.iter_lines():
            if upstream_done_at_first_line is None:
                upstream = gw.chat_requests()
                upstream_done_at_first_line = bool(upstream) and upstream[-1].completed
            if ln:
                lines.append(ln)
    # headers + a comment reach the client before the upstream has answered
    assert upstream_done_at_first_line is False
    before_data = lines[: next(i for i, ln in enumerate(lines) if ln.startswith("data: "))]
    assert sum(1 for ln in before_data if ln == ": heartbeat") >= 2  # every 0.2 s in this test
    assert lines[-1] == "data: [DONE]"


# ------------------------------------------------------------------------------------ cost cap
def test_cost_cap_strict_answers_429(make_proxy, gw) -> None:
    body = chat("How are you today?", model=PAID, max_tokens=2000)
    quote = gw.quote_usd(body)
    p = make_proxy(max_cost_per_run=quote * 1.5, cap_mode="strict")
    sid = {"x-session-id": "capped"}
    url = p.url + "/v1/chat/completions"
    assert httpx.post(url, json=body, headers=sid, timeout=10).status_code == 200
    paid_before = gw.paid_total()
    r = httpx.post(url, json=chat("And now?", model=PAID, max_tokens=2000), headers=sid, timeout=10)
    assert r.status_code == 429
    assert r.json()["error"]["type"] == "cost_cap_exceeded" and r.json()["error"]["code"] == "cost_cap_exceeded"
    s = httpx.post(url, json=chat("Stream?", model=PAID, max_tokens=2000, stream=True), headers=sid, timeout=10)
    assert s.status_code == 429  # refused before the stream starts: a real status, not an SSE error
    assert gw.paid_total() == paid_before
    assert p.log_records()[-1]["status"] == "blocked"
    # another session is not affected
    assert httpx.post(url, json=chat("fresh", model=PAID, max_tokens=2000), headers={"x-session-id": "b"},
                      timeout=10).status_code == 200


def test_cost_cap_graceful_downgrades_with_notice(make_proxy, gw) -> None:
    body = chat("How are you today?", model=PAID, max_tokens=2000)
    p = make_proxy(max_cost_per_run=gw.quote_usd(body) * 1.5, cap_mode="graceful")
    sid = {"x-session-id": "graceful"}
    url = p.url + "/v1/chat/completions"
    assert httpx.post(url, json=body, headers=sid, timeout=10).status_code == 200
    r = httpx.post(url, json=chat("And now?", model=PAID, max_tokens=2000), headers=sid, timeout=10)
    assert r.status_code == 200
    assert r.headers["x-clawrouter-model"] != PAID
    assert "cost cap" in r.json()["choices"][0]["message"]["content"]
    assert "cost%20cap" in r.headers["x-clawrouter-notice"] or "cost cap" in r.headers["x-clawrouter-notice"]


# ------------------------------------------------------------------------------------ disconnect
def _wait_for_cancelled_record(proxy: Proxy, timeout: float = 10.0) -> list[dict[str, Any]]:
    """The usage records once the last one says cancelled (or whatever there is after ``timeout``)."""
    deadline = time.monotonic() + timeout
    recs: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        recs = proxy.log_records()
        if recs and recs[-1]["errorClass"] == "cancelled":
            break
        time.sleep(0.05)
    return recs


def test_client_disconnect_cancels_the_upstream_call(proxy: Proxy, gw) -> None:
    gw.inject(FREE, "slow", times=1, delay=3.0)
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(proxy.url + "/v1/chat/completions", json=chat("cancel me", model=FREE), timeout=0.4)
    recs = _wait_for_cancelled_record(proxy)
    # logged as cancelled while the upstream was still working on it: cancelled at once, not when
    # the upstream finally answered
    assert not gw.chat_requests()[-1].completed
    assert recs and recs[-1]["status"] == "error" and recs[-1]["errorClass"] == "cancelled"
    assert proxy.state.requests_active == 0 and len(proxy.state.inflight) == 0
    deadline = time.time() + 3.0
    while time.time() < deadline and not gw.chat_requests()[-1].client_disconnected:
        time.sleep(0.05)
    assert gw.chat_requests()[-1].client_disconnected


def test_stream_chunks_are_flushed_as_they_arrive(proxy: Proxy, gw) -> None:
    gw.inject(FREE, "slow_stream", times=1, chunk_delay=0.25)
    reply = "A reasonably long answer so that the engine starts relaying before the end. " * 2
    gw.reply = reply
    try:
        seen: list[float] = []
        t0 = time.monotonic()
        with httpx.stream("POST", proxy.url + "/v1/chat/completions",
                          json=chat("stream slowly", model=FREE, stream=True), timeout=10) as r:
            for ln in r.iter_lines():
                if ln.startswith("data: {") and json.loads(ln[6:])["choices"][0]["delta"].get("content"):
                    seen.append(time.monotonic() - t0)
    finally:
        gw.reply = None
    assert len(seen) >= 2
    assert seen[-1] - seen[0] >= 0.4  # pieces arrived over time, not in one buffered burst


def test_stream_client_disconnect_cancels_the_upstream_call(proxy: Proxy, gw) -> None:
    gw.inject(FREE, "slow", times=1, delay=3.0)
    with httpx.stream("POST", proxy.url + "/v1/chat/completions",
                      json=chat("cancel my stream", model=FREE, stream=True), timeout=5) as r:
        for ln in r.iter_lines():
            if ln:
                break  # the debug comment arrived: hang up
    recs = _wait_for_cancelled_record(proxy)
    assert not gw.chat_requests()[-1].completed  # cancelled before the upstream answered
    assert recs and recs[-1]["errorClass"] == "cancelled"
    assert len(proxy.state.inflight) == 0


def test_compression_before_routing_and_the_off_switch(proxy: Proxy, gw) -> None:
    listing = "\n".join(f"-rw-r--r--  1 user  staff  {i:6d} Jan  1 12:00 file_{i}.py      " for i in range(300))
    messages = [
        {"role": "user", "content": "List the files"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_ls", "type": "function", "function": {"name": "bash", "arguments": "{\"command\": \"ls -la\"}"}}]},
        {"role": "tool", "tool_call_id": "call_ls", "content": listing + "\n\n\n\n\n"},
        {"role": "user", "content": "Which file is the largest?"},
    ]
    body = {"model": FREE, "messages": messages}
    r = httpx.post(proxy.url + "/v1/chat/completions", json=body, timeout=10)
    assert r.status_code == 200 and r.headers["x-clawcli-compress"] == "safe"
    sent = gw.chat_requests()[-1].body
    assert len(json.dumps(sent["messages"])) < len(json.dumps(messages))
    assert sent["messages"][-1] == messages[-1] and sent["messages"][1]["tool_calls"] == messages[1]["tool_calls"]
    off = httpx.post(proxy.url + "/v1/chat/completions", json=body, headers={"x-clawcli-compress": "off"}, timeout=10)
    assert off.status_code == 200 and "x-clawcli-compress" not in off.headers
    assert gw.chat_requests()[-1].body["messages"] == messages
    bad = httpx.post(proxy.url + "/v1/chat/completions", json=body, headers={"x-clawcli-compress": "max"}, timeout=10)
    assert bad.status_code == 400


def test_session_journal_recalls_earlier_actions(proxy: Proxy, gw) -> None:
    sid = {"x-session-id": "journal-1"}
    history = [
        {"role": "user", "content": "Create the config file"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function",
             "function": {"name": "write_file", "arguments": "{\"path\": \"config/settings.toml\", \"content\": \"x=1\"}"}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "ok"},
        {"role": "user", "content": "Thanks. Now recap what we did earlier in this session."},
    ]
    r = httpx.post(proxy.url + "/v1/chat/completions", json={"model": FREE, "messages": history}, headers=sid,
                   timeout=10)
    assert r.status_code == 200 and r.headers.get("x-clawcli-journal") == "injected"
    sent = gw.chat_requests()[-1].body["messages"]
    assert any("[Session memory]" in (m.get("content") or "") and "settings.toml" in m["content"]
               for m in sent if isinstance(m.get("content"), str))
    # without a session header nothing is injected
    httpx.post(proxy.url + "/v1/chat/completions", json={"model": FREE, "messages": history}, timeout=10)
    assert not any("[Session memory]" in (m.get("content") or "") for m in gw.chat_requests()[-1].body["messages"]
                   if isinstance(m.get("content"), str))
