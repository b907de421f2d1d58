"""Issue 13, request side: what a web page (CSRF, DNS rebinding) or a hostile client can make a
running `claw serve` do. Each attack goes over a real loopback socket to the `claw serve` console
script in front of the x402 gateway emulator and must get a clear 4xx in OpenAI's error shape
while the gateway receives nothing at all (so nothing can be paid or collected). Control requests
(the OpenAI SDK, curl-shaped JSON, a page the user allowed with --allow-origin) must still work."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from pathlib import Path

import httpx
import pytest

TEST_KEY = "0x" + "4c" * 32
PAID = "openai/gpt-4o-mini"
TRUSTED = "https://trusted.example"
BODY = {"model": PAID, "messages": [{"role": "user", "content": "spend the user's money"}]}
RAW = json.dumps(BODY).encode()
CHAT = "/v1/chat/completions"
FIXTURES = Path(__file__).parent / "fixtures" / "agent_requests"

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def serve(gw, tmp_path_factory):
    """`claw serve` (the console script) with --allow-origin TRUSTED and --allow-host claw.internal."""
    home = tmp_path_factory.mktemp("serve-security")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAWCLI_", "BLOCKRUN_", "OPENCLAW_"))}
    env.update(CLAWCLI_HOME=str(home / "claw"), CLAWCLI_OPENCLAW_HOME=str(home / "openclaw"), HOME=str(home),
               CLAWCLI_GATEWAY_URL=gw.url, CLAWCLI_BASE_RPC_URL=gw.rpc_url, CLAWCLI_WALLET_KEY=TEST_KEY)
    claw = shutil.which("claw")
    assert claw, "the claw console script is not installed"
    p = subprocess.Popen([claw, "serve", "--port", "0", "--json", "--log-level", "warning",
                          "--allow-origin", TRUSTED, "--allow-host", "claw.internal"],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    if not line:
        p.kill()
        raise AssertionError("claw serve did not start: " + p.stderr.read())
    info = json.loads(line)
    yield f"http://127.0.0.1:{info['port']}", info["port"]
    p.terminate()
    p.wait(15)


def _send(base: str, method: str, path: str, headers: dict[str, str], content: bytes | None = None) -> httpx.Response:
    return httpx.request(method, base + path, headers=headers, content=content, timeout=15)


def _attacks(port: int) -> list[tuple[str, str, str, dict[str, str], bytes | None, int, str]]:
    """(name, method, path, headers, body, expected status, expected error code)."""
    evil = {"origin": "https://evil.example"}
    js = {"content-type": "application/json"}
    rebind = {"host": f"attacker.com:{port}"}
    boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
    multipart = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n".encode() + RAW
                 + f"\r\n--{boundary}--\r\n".encode())
    pre = {"origin": "https://evil.example", "access-control-request-method": "POST",
           "access-control-request-headers": "content-type"}
    return [
        # CSRF: requests a browser sends without a preflight
        ("fetch no-cors text/plain", "POST", CHAT, {"content-type": "text/plain;charset=UTF-8"}, RAW, 415,
         "unsupported_media_type"),
        ("form enctype=text/plain", "POST", CHAT, {"content-type": "text/plain"},
         RAW[:-1] + b', "pad": "=x"}', 415, "unsupported_media_type"),
        ("form urlencoded", "POST", CHAT, {"content-type": "application/x-www-form-urlencoded"},
         b"payload=" + RAW, 415, "unsupported_media_type"),
        ("form multipart", "POST", CHAT, {"content-type": f"multipart/form-data; boundary={boundary}"},
         multipart, 415, "unsupported_media_type"),
        ("no content type", "POST", CHAT, {}, RAW, 415, "unsupported_media_type"),
        ("json named in a parameter only", "POST", CHAT, {"content-type": "text/plain; x=application/json"}, RAW,
         415, "unsupported_media_type"),
        ("text/plain on the alias path", "POST", "/chat/completions", {"content-type": "text/plain"}, RAW, 415,
         "unsupported_media_type"),
        ("no-cors text/plain with the page's Origin", "POST", CHAT, {**evil, "content-type": "text/plain"}, RAW,
         403, "origin_not_allowed"),
        # a page's Origin or fetch metadata on an otherwise well-formed request
        ("Origin evil", "POST", CHAT, {**evil, **js}, RAW, 403, "origin_not_allowed"),
        ("Origin null (sandboxed iframe, file://)", "POST", CHAT, {"origin": "null", **js}, RAW, 403,
         "origin_not_allowed"),
        ("Origin lookalike localhost.evil", "POST", CHAT, {"origin": "http://localhost.evil.example", **js}, RAW,
         403, "origin_not_allowed"),
        ("Origin 127.0.0.1.nip.io", "POST", CHAT, {"origin": f"http://127.0.0.1.nip.io:{port}", **js}, RAW, 403,
         "origin_not_allowed"),
        ("Sec-Fetch-Site cross-site", "POST", CHAT, {"sec-fetch-site": "cross-site", **js}, RAW, 403,
         "cross_site_request"),
        ("Origin evil reads /health", "GET", "/health?full=true", evil, None, 403, "origin_not_allowed"),
        # DNS rebinding: the page's own name in Host
        ("rebinding chat", "POST", CHAT, {**rebind, **js}, RAW, 421, "host_not_allowed"),
        ("rebinding /health?full=true", "GET", "/health?full=true", rebind, None, 421, "host_not_allowed"),
        ("rebinding /stats", "GET", "/stats", rebind, None, 421, "host_not_allowed"),
        ("rebinding /wallet", "GET", "/wallet", rebind, None, 421, "host_not_allowed"),
        ("rebinding /metrics", "GET", "/metrics", rebind, None, 421, "host_not_allowed"),
        ("rebinding /v1/models", "GET", "/v1/models", rebind, None, 421, "host_not_allowed"),
        ("rebinding localhost.attacker.com", "POST", CHAT, {"host": f"localhost.attacker.com:{port}", **js}, RAW,
         421, "host_not_allowed"),
        ("rebinding 127.0.0.1.nip.io", "POST", CHAT, {"host": f"127.0.0.1.nip.io:{port}", **js}, RAW, 421,
         "host_not_allowed"),
        # preflights (CORS, Private Network Access)
        ("CORS preflight", "OPTIONS", CHAT, pre, None, 403, "preflight_refused"),
        ("PNA preflight", "OPTIONS", CHAT, {**pre, "access-control-request-private-network": "true"}, None, 403,
         "preflight_refused"),
        ("preflight from a loopback page not allowed", "OPTIONS", CHAT,
         {**pre, "origin": "http://localhost:3000"}, None, 403, "preflight_refused"),
        # resource bounds
        ("x-session-id of 300 bytes", "POST", CHAT, {**js, "x-session-id": "s" * 300}, RAW, 431,
         "session_id_too_long"),
        ("headers of 40 KB", "POST", CHAT, {**js, **{f"x-pad-{i}": "p" * 1000 for i in range(40)}}, RAW, 431,
         "headers_too_large"),
        ("JSON nested 300 levels", "POST", CHAT, js,
         RAW[:-1] + b', "metadata": ' + b"[" * 300 + b"]" * 300 + b"}", 400, "nesting_too_deep"),
        ("JSON nested 1000 levels", "POST", CHAT, js,
         RAW[:-1] + b', "metadata": ' + b"{\"a\":" * 1000 + b"1" + b"}" * 1000 + b"}", 400, "nesting_too_deep"),
    ]


ATTACK_NAMES = [a[0] for a in _attacks(8402)]


@pytest.mark.parametrize("name", ATTACK_NAMES)
def test_browser_shaped_attack_is_refused_and_moves_no_money(serve, gw, name: str) -> None:
    base, port = serve
    _, method, path, headers, body, status, code = next(a for a in _attacks(port) if a[0] == name)
    gw.clear_requests()
    r = _send(base, method, path, headers, body)
    assert r.status_code == status, (name, r.status_code, r.text)
    err = r.json()["error"]
    assert err["code"] == code and err["message"] and err["type"] == "invalid_request_error"
    assert "access-control-allow-origin" not in r.headers
    assert gw.chat_requests() == [] and gw.paid_total() == 0  # nothing reached the gateway


@pytest.mark.parametrize("twice", [
    [("content-type", "text/plain"), ("content-type", "application/json")],
    [("host", "attacker.com:{port}"), ("host", "127.0.0.1:{port}")],
    [("origin", "https://evil.example"), ("origin", "http://localhost"), ("content-type", "application/json")],
])
def test_a_guarded_header_sent_twice_is_refused(serve, gw, twice) -> None:
    """Which of two Host / Origin / Content-Type values counts is ambiguous (the guard used to keep
    the last one, so `text/plain` then `application/json` was served and paid): refuse it."""
    base, port = serve
    gw.clear_requests()
    host = [] if any(k == "host" for k, _ in twice) else [("host", f"127.0.0.1:{port}")]
    head = "".join(f"{k}: {v.format(port=port)}\r\n" for k, v in host + twice)
    with socket.create_connection(("127.0.0.1", port), timeout=15) as s:  # httpx refuses to send two Hosts
        s.sendall(f"POST {CHAT} HTTP/1.1\r\n{head}content-length: {len(RAW)}\r\nconnection: close\r\n\r\n".encode()
                  + RAW)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    status, _, body = answer.partition(b"\r\n\r\n")
    assert status.split()[1] == b"400", answer
    assert json.loads(body)["error"]["code"] == "duplicate_header"
    assert gw.chat_requests() == [] and gw.paid_total() == 0


def test_a_megabyte_session_id_is_refused_and_the_proxy_stays_up(serve, gw) -> None:
    base, port = serve
    gw.clear_requests()
    head = (f"POST {CHAT} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(RAW)}\r\nx-session-id: ").encode() + b"s" * (1024 * 1024) + b"\r\n\r\n" + RAW
    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        try:
            s.sendall(head)
            while chunk := s.recv(65536):
                answer += chunk
        except (ConnectionResetError, BrokenPipeError):
            pass  # the proxy closed the connection mid-upload: refused either way
    assert answer == b"" or answer.startswith(b"HTTP/1.1 431 ")
    assert httpx.get(base + "/health", timeout=10).status_code == 200
    assert gw.chat_requests() == []


# ---------------------------------------------------------------------------------- what must work
def test_openai_sdk_and_curl_shaped_json_still_work(serve, gw) -> None:
    from openai import OpenAI

    base, port = serve
    gw.clear_requests()
    client = OpenAI(base_url=base + "/v1", api_key="unused", max_retries=0)
    r = client.chat.completions.create(model=PAID, messages=[{"role": "user", "content": "ping from the SDK"}])
    assert "ping from the SDK" in r.choices[0].message.content
    # curl -H 'Content-Type: application/json; charset=utf-8' -d @body.json http://localhost:PORT/...
    curl = _send(base, "POST", CHAT, {"content-type": "application/json; charset=utf-8", "host": f"localhost:{port}",
                                     "user-agent": "curl/8.5.0", "accept": "*/*"}, RAW)
    assert curl.status_code == 200, curl.text
    ipv6_host = _send(base, "GET", "/health", {"host": f"[::1]:{port}"})
    assert ipv6_host.status_code == 200
    assert len(gw.paid_requests()) == 2  # the controls did pay: the refusals above are not a broken gateway


def test_allowed_host_and_loopback_origin_are_served(serve, gw) -> None:
    base, port = serve
    assert _send(base, "GET", "/health", {"host": f"claw.internal:{port}"}).status_code == 200
    assert _send(base, "GET", "/health", {"host": "claw.internal"}).status_code == 200
    local_page = _send(base, "GET", "/v1/models", {"origin": "http://localhost:5173", "sec-fetch-site": "same-site"})
    assert local_page.status_code == 200 and "access-control-allow-origin" not in local_page.headers


def test_allow_origin_answers_the_preflight_and_adds_cors(serve, gw) -> None:
    base, _ = serve
    pre = _send(base, "OPTIONS", CHAT, {"origin": TRUSTED, "access-control-request-method": "POST",
                                        "access-control-request-headers": "content-type, authorization",
                                        "access-control-request-private-network": "true"})
    assert pre.status_code == 204
    assert pre.headers["access-control-allow-origin"] == TRUSTED
    assert pre.headers["access-control-allow-private-network"] == "true"
    assert "content-type" in pre.headers["access-control-allow-headers"]
    gw.clear_requests()
    r = _send(base, "POST", CHAT, {"origin": TRUSTED, "content-type": "application/json",
                                   "sec-fetch-site": "cross-site"}, RAW)
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == TRUSTED
    assert len(gw.paid_requests()) == 1
    # the allowed page still cannot use a simple (preflight-free) request
    assert _send(base, "POST", CHAT, {"origin": TRUSTED, "content-type": "text/plain"}, RAW).status_code == 415


def test_real_agent_bodies_pass_validation(serve, gw) -> None:
    """OpenClaw's own requests (14 tools, stream_options, max_completion_tokens, tool_choice auto) and a
    LangChain/LiteLLM-style body with extra keys are forwarded, not refused."""
    base, _ = serve
    for f in sorted(FIXTURES.glob("openclaw_*.json")):
        body = json.loads(f.read_text())["body"]
        r = _send(base, "POST", CHAT, {"content-type": "application/json"}, json.dumps(body).encode())
        assert r.status_code == 200, (f.name, r.text[:300])
    # an explicit model that can read the image part (an image for a text-only model is a 400 of its own)
    extras = {**BODY, "model": "openai/gpt-4o", "n": 1, "stream": False, "temperature": 0.7, "top_p": 1, "logit_bias": {}, "user": "u-1",
              "metadata": {"run": "x"}, "store": False, "parallel_tool_calls": True, "seed": 7, "stop": ["\n\n"],
              "presence_penalty": 0, "frequency_penalty": 0, "max_tokens": 256, "litellm_trace_id": "abc",
              "response_format": {"type": "json_object"}, "reasoning_effort": "low", "max_completion_tokens": None,
              "messages": [{"role": "system", "content": "be brief"},
                           {"role": "user", "content": [{"type": "text", "text": "hi"},
                                                        {"type": "image_url",
                                                         "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}]},
                           {"role": "assistant", "content": None,
                            "tool_calls": [{"id": "c1", "type": "function",
                                            "function": {"name": "f", "arguments": "{}"}}]},
                           {"role": "tool", "tool_call_id": "c1", "content": "42"},
                           {"role": "user", "content": [{"type": "input_text", "text": "and?"}]}],
              "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
              "tool_choice": {"type": "function", "function": {"name": "f"}}}
    r = _send(base, "POST", CHAT, {"content-type": "application/json"}, json.dumps(extras).encode())
    assert r.status_code == 200, r.text[:300]
