"""Fault injection in the gateway emulator: each fault's wire shape, counts, stages and settlement."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from clawcli.testing import FAULT_KINDS, GatewayEmulator, unb64json
from test_gateway import FREE, PAID, chat_body, sign_payment


@pytest.fixture
def gw():
    with GatewayEmulator() as g:
        yield g


@pytest.fixture
def client():
    with httpx.Client(timeout=10) as c:
        yield c


def pay(client: httpx.Client, gw: GatewayEmulator, body: dict) -> tuple[httpx.Response, dict]:
    challenge = client.post(gw.chat_url, json=body)
    assert challenge.status_code == 402
    headers = sign_payment(challenge)
    return client.post(gw.chat_url, json=body, headers=headers), headers


# (kind, params, status, a fragment of the body that a classifier would key on)
ERRORS = [
    ("429", {}, 429, '"rate_limit_exceeded"'),
    ("529", {}, 529, '"overloaded_error"'),
    ("500", {}, 500, '"server_error"'),
    ("502", {}, 502, "Bad gateway"),
    ("503", {}, 503, "Service unavailable"),
    ("503_overloaded", {}, 503, "overloaded"),
    ("401", {}, 401, '"authentication_error"'),
    ("403", {}, 403, '"permission_error"'),
    ("402_billing", {}, 402, "credit balance is too low"),
    ("minimax_520", {}, 520, '{"type": "api_error", "message": "unknown error, 520 (1000)"}'),
    ("zai_1311", {}, 429, '"code": "1311"'),
    ("zai_1113", {}, 429, '"code": "1113"'),
    ("400_context", {}, 400, '"context_length_exceeded"'),
    ("413", {}, 413, "Request too large"),
    ("400", {}, 400, '"invalid_request_error"'),
    ("status", {"status": 504, "body": "upstream timed out", "headers": {"X-Why": "test"}}, 504,
     "upstream timed out"),
]


@pytest.mark.parametrize("kind,params,status,fragment", ERRORS, ids=[e[0] for e in ERRORS])
def test_error_fault_shape_and_no_settlement(gw, client, kind, params, status, fragment):
    gw.inject(PAID, kind, times=1, **params)
    body = chat_body()
    r, headers = pay(client, gw, body)
    assert r.status_code == status
    assert fragment in r.text
    assert "payment-response" not in r.headers and "payment-required" not in r.headers
    rec = gw.requests[-1]
    assert rec.fault == kind and rec.payment_attached and not rec.paid
    # not settled: the same authorization is still good, and the fault is used up
    again = client.post(gw.chat_url, json=body, headers=headers)
    assert again.status_code == 200 and gw.paid_total() == 0.001
    if kind == "status":
        assert r.headers["x-why"] == "test"


def test_fault_bodies_match_provider_formats(gw, client):
    gw.inject(FREE, "zai_1311")
    gw.inject(FREE, "zai_1113")
    gw.inject(FREE, "minimax_520")
    gw.inject(FREE, "429", retry_after=7)
    r1311 = client.post(gw.chat_url, json=chat_body(FREE)).json()
    assert r1311["error"]["code"] == "1311" and "subscription plan" in r1311["error"]["message"]
    r1113 = client.post(gw.chat_url, json=chat_body(FREE)).json()
    assert r1113 == {"error": {"code": "1113", "message": "Insufficient balance or no resource package. "
                                                          "Please recharge."}}
    assert client.post(gw.chat_url, json=chat_body(FREE)).json() == {
        "type": "api_error", "message": "unknown error, 520 (1000)"}
    r429 = client.post(gw.chat_url, json=chat_body(FREE))
    assert r429.status_code == 429 and r429.headers["retry-after"] == "7"
    gw.inject(FREE, "400_context")
    err = client.post(gw.chat_url, json=chat_body(FREE)).json()["error"]
    window = gw.catalog.get(FREE).context_window
    assert err["code"] == "context_length_exceeded" and f"maximum context length is {window} tokens" in err["message"]


def test_times_then_back_to_normal_and_order(gw, client):
    gw.inject(FREE, "429", times=2)
    gw.inject(FREE, "500", times=1)
    statuses = [client.post(gw.chat_url, json=chat_body(FREE)).status_code for _ in range(5)]
    assert statuses == [429, 429, 500, 200, 200]


def test_permanent_fault_until_cleared(gw, client):
    gw.inject(FREE, "529", times=None)
    assert [client.post(gw.chat_url, json=chat_body(FREE)).status_code for _ in range(3)] == [529] * 3
    gw.clear_faults()
    assert client.post(gw.chat_url, json=chat_body(FREE)).status_code == 200


def test_wildcard_and_per_model(gw, client):
    gw.inject("*", "503_overloaded", times=None)
    gw.clear_faults("*")
    gw.inject("openai/gpt-4o", "500", times=None)
    assert client.post(gw.chat_url, json=chat_body(FREE)).status_code == 200
    gw.inject("*", "503", times=1)
    assert client.post(gw.chat_url, json=chat_body(FREE)).status_code == 503


def test_before_payment_fault_answers_the_unpaid_request(gw, client):
    gw.inject(PAID, "429", times=1, before_payment=True)
    assert client.post(gw.chat_url, json=chat_body()).status_code == 429
    assert client.post(gw.chat_url, json=chat_body()).status_code == 402
    gw.inject(PAID, "slow", delay=0.05, before_payment=True)  # a slow 402, not a free answer
    assert client.post(gw.chat_url, json=chat_body()).status_code == 402
    with pytest.raises(ValueError, match="before_payment"):
        gw.inject(PAID, "empty", before_payment=True)


def test_unknown_kind_is_refused(gw):
    with pytest.raises(ValueError, match="unknown fault kind"):
        gw.inject(FREE, "teapot")
    with pytest.raises(ValueError):
        gw.inject(FREE, "429", times=0)
    assert "zai_1311" in FAULT_KINDS and "disconnect" in FAULT_KINDS


# --- degraded 200s --------------------------------------------------------------------------------
DEGRADED = [
    ("empty", {}, lambda c: c == ""),
    ("whitespace", {}, lambda c: c != "" and c.strip() == ""),
    ("single_char", {"char": "?"}, lambda c: c == "?"),
    ("token_loop", {"token": "yes", "repeat": 50}, lambda c: c.split() == ["yes"] * 50),
    ("line_loop", {}, lambda c: len(c.splitlines()) >= 8 and len(set(c.splitlines())) == 1),
    ("content", {"text": "custom answer"}, lambda c: c == "custom answer"),
]


@pytest.mark.parametrize("kind,params,check", DEGRADED, ids=[d[0] for d in DEGRADED])
def test_degraded_200_is_settled(gw, client, kind, params, check):
    gw.inject(PAID, kind, **params)
    r, _ = pay(client, gw, chat_body())
    assert r.status_code == 200
    assert check(r.json()["choices"][0]["message"]["content"])
    assert unb64json(r.headers["payment-response"])["success"] and gw.requests[-1].paid
    # streamed the same way
    gw.inject(FREE, kind, **params)
    with client.stream("POST", gw.chat_url, json=chat_body(FREE, stream=True)) as s:
        lines = [ln[6:] for ln in s.iter_lines() if ln.startswith("data: ")]
    assert lines[-1] == "[DONE]"
    content = "".join(json.loads(x)["choices"][0]["delta"].get("content") or "" for x in lines[:-1])
    assert check(content)


def test_error_object_inside_200(gw, client):
    gw.inject(FREE, "error_200", times=2)
    r = client.post(gw.chat_url, json=chat_body(FREE))
    assert r.status_code == 200 and "choices" not in r.json()
    assert "temporarily overloaded" in r.json()["error"]["message"]
    with client.stream("POST", gw.chat_url, json=chat_body(FREE, stream=True)) as s:
        lines = [ln for ln in s.iter_lines() if ln.startswith("data: ")]
    assert json.loads(lines[0][6:])["error"]["code"] == "overloaded" and lines[-1] == "data: [DONE]"


def test_tool_call_fault(gw, client):
    tools = [{"type": "function", "function": {"name": "lookup", "parameters": {
        "type": "object", "properties": {"q": {"type": "string"}}}}}]
    gw.inject(FREE, "tool_call")
    msg = client.post(gw.chat_url, json=chat_body(FREE, tools=tools)).json()["choices"][0]["message"]
    assert msg["tool_calls"][0]["function"]["name"] == "lookup" and msg["content"] is None
    gw.inject(FREE, "tool_call", arguments={"q": "x"})
    msg = client.post(gw.chat_url, json=chat_body(FREE, tools=tools)).json()["choices"][0]["message"]
    assert json.loads(msg["tool_calls"][0]["function"]["arguments"]) == {"q": "x"}


# --- timing and transport -------------------------------------------------------------------------
def test_slow_delays_the_headers(gw, client):
    gw.inject(FREE, "slow", delay=0.4)
    t = time.monotonic()
    r = client.post(gw.chat_url, json=chat_body(FREE))
    assert r.status_code == 200 and time.monotonic() - t >= 0.4


def test_slow_past_the_client_timeout_is_not_charged(gw):
    gw.inject(PAID, "slow", delay=0.6)
    challenge = httpx.post(gw.chat_url, json=chat_body())
    with httpx.Client(timeout=0.2) as c:
        with pytest.raises(httpx.ReadTimeout):
            c.post(gw.chat_url, json=chat_body(), headers=sign_payment(challenge))
    rec = gw.requests[-1]
    deadline = time.monotonic() + 5
    while rec.status == 0 and time.monotonic() < deadline:  # the server finishes its sleep on its own
        time.sleep(0.05)
    assert rec.client_disconnected and not rec.paid and gw.paid_total() == 0


def test_slow_stream_spaces_the_chunks(gw, client):
    gw.inject(FREE, "slow_stream", chunk_delay=0.1)
    stamps = []
    with client.stream("POST", gw.chat_url, json=chat_body(FREE, stream=True)) as s:
        for ln in s.iter_lines():
            if ln.startswith("data: "):
                stamps.append(time.monotonic())
    assert len(stamps) >= 5 and stamps[-1] - stamps[0] >= 0.4


def test_disconnect_mid_stream(gw, client):
    gw.inject(PAID, "disconnect", after_chunks=2)
    body = chat_body(stream=True)
    challenge = client.post(gw.chat_url, json=body)
    got = []
    with pytest.raises(httpx.RemoteProtocolError):
        with client.stream("POST", gw.chat_url, json=body, headers=sign_payment(challenge)) as s:
            assert unb64json(s.headers["payment-response"])["success"]  # headers (and money) went out
            for ln in s.iter_lines():
                if ln.startswith("data: "):
                    got.append(ln[6:])
    assert 1 <= len(got) <= 3 and "[DONE]" not in got
    rec = gw.requests[-1]
    assert rec.paid and rec.client_disconnected and not rec.completed and rec.fault == "disconnect"


def test_disconnect_mid_json_body(gw, client):
    gw.inject(FREE, "disconnect")
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(gw.chat_url, json=chat_body(FREE))
    assert client.post(gw.chat_url, json=chat_body(FREE)).status_code == 200


def test_drop_closes_without_an_answer(gw, client):
    gw.inject(PAID, "drop")
    challenge = client.post(gw.chat_url, json=chat_body())
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(gw.chat_url, json=chat_body(), headers=sign_payment(challenge))
    assert not gw.requests[-1].paid and gw.paid_total() == 0


# --- payment faults -------------------------------------------------------------------------------
def test_payment_rejected_fault(gw, client):
    gw.inject(PAID, "payment_rejected", reason="invalid_payload")
    r, headers = pay(client, gw, chat_body())
    assert r.status_code == 402
    assert r.json()["error"] == "Payment verification failed" and r.json()["reason"] == "invalid_payload"
    assert unb64json(r.headers["payment-required"])["accepts"]  # a fresh quote to re-sign against
    assert not gw.requests[-1].paid
    # rejected before settlement: nothing moved, the authorization is still unused
    assert client.post(gw.chat_url, json=chat_body(), headers=headers).status_code == 200


def test_settlement_failed_fault(gw, client):
    gw.inject(PAID, "settlement_failed")
    r, headers = pay(client, gw, chat_body())
    assert r.status_code == 402
    assert r.json()["error"] == "Payment settlement failed" and "unable to estimate gas" in r.text
    settlement = unb64json(r.headers["payment-response"])
    assert settlement["success"] is False and settlement["transaction"] == ""
    assert gw.requests[-1].payment_error == "unexpected_settle_error" and gw.paid_total() == 0
    # the transfer may have happened, so the nonce is spent
    assert client.post(gw.chat_url, json=chat_body(), headers=headers).json()["code"] == "PAYMENT_REPLAY"


def test_insufficient_funds_fault(gw, client):
    gw.inject(PAID, "insufficient_funds")
    r, _ = pay(client, gw, chat_body())
    assert r.status_code == 402 and "insufficient balance: 0 < 1000" in r.text
    assert r.json()["reason"] == "insufficient_funds"


def test_payment_fault_waits_for_a_payment(gw, client):
    gw.inject(PAID, "payment_rejected")
    assert client.post(gw.chat_url, json=chat_body()).status_code == 402  # the plain challenge
    assert gw.faults.list()[0].times == 1  # not consumed by the unpaid request
    gw.inject(FREE, "payment_rejected")
    assert client.post(gw.chat_url, json=chat_body(FREE)).status_code == 200  # free: nothing to reject


def test_stream_error_after_content(gw, client):
    gw.inject(FREE, "stream_error", after_chunks=2)
    with client.stream("POST", gw.chat_url, json=chat_body(FREE, stream=True)) as s:
        lines = [ln[6:] for ln in s.iter_lines() if ln.startswith("data: ")]
    assert lines[-1] == "[DONE]"
    events = [json.loads(x) for x in lines[:-1]]
    assert [bool(e.get("choices", [{}])[0].get("delta", {}).get("content")) for e in events] == [False, True, True,
                                                                                                False]
    assert events[-1]["error"]["type"] == "server_error"


def test_sse_comments_are_interleaved(gw, client):
    gw.inject(FREE, "sse_comments", times=2)
    with client.stream("POST", gw.chat_url, json=chat_body(FREE, stream=True)) as s:
        lines = [ln for ln in s.iter_lines() if ln]
    assert lines.count(": keep-alive") == sum(1 for ln in lines if ln.startswith("data: ")) >= 3
    r = client.post(gw.chat_url, json=chat_body(FREE))
    assert r.content.startswith(b"\n\n") and r.json()["choices"][0]["message"]["content"].startswith("Hello from")


def test_v1_rejection_repeats_the_requirement(client):
    from test_gateway import paid_call

    with GatewayEmulator(x402_version=1) as gw1:
        r = paid_call(client, gw1, chat_body(), version=1, value=10)
    body = r.json()
    assert r.status_code == 402 and body["x402Version"] == 1 and body["accepts"][0]["maxAmountRequired"] == "1000"
    assert body["code"] == "PAYMENT_UNDERPAID" and body["error"] == "Payment verification failed"
