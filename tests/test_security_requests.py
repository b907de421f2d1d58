"""Issue 13, request side: invalid bodies are refused before any payment, slow or oversized
request heads cannot exhaust the proxy, tokens are handled safely, files are private whatever
the umask. Everything over real loopback sockets against the gateway emulator."""

from __future__ import annotations

import copy
import json
import os
import shutil
import socket
import stat
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

TEST_KEY = "0x" + "4c" * 32
PAID = "openai/gpt-4o-mini"
CLAW = shutil.which("claw")
FIXTURES = Path(__file__).parent / "fixtures" / "agent_requests"


def _base() -> dict:
    return {"model": PAID, "messages": [{"role": "system", "content": "be brief"},
                                        {"role": "user", "content": "hello"}]}


def _with(**kw) -> dict:
    b = _base()
    b.update(kw)
    return b


def _msg(m: dict, extra: list | None = None) -> dict:
    return _with(messages=[*(extra or []), m])


USER = {"role": "user", "content": "hi"}
CALL = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
TOOL = {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}

#: (what the issue or a client got wrong, body, the `param` the 400 must name)
INVALID = [
    ("content: 12345", _msg({"role": "user", "content": 12345}), "messages[0].content"),
    ("missing role", _msg({"content": "hi"}), "messages[0].role"),
    ("unknown role", _msg({"role": "wizard", "content": "hi"}), "messages[0].role"),
    ("no user message", _with(messages=[{"role": "system", "content": "s"}]), "messages"),
    ("messages is a string", _with(messages="hi"), "messages"),
    ("a message is a number", _with(messages=[USER, 7]), "messages[1]"),
    ("user content missing", _msg({"role": "user"}), "messages[0].content"),
    ("content is an empty array", _msg({"role": "user", "content": []}), "messages[0].content"),
    ("text part without text", _msg({"role": "user", "content": [{"type": "text"}]}), "messages[0].content[0].text"),
    ("image_url is a number", _msg({"role": "user", "content": [{"type": "image_url", "image_url": 5}]}),
     "messages[0].content[0].image_url"),
    ("unknown part type", _msg({"role": "user", "content": [{"type": "video", "video": "x"}]}),
     "messages[0].content[0].type"),
    ("part is a number", _msg({"role": "user", "content": [5]}), "messages[0].content[0]"),
    ("tool message without tool_call_id", _msg({"role": "tool", "content": "42"}, [USER]), "messages[1].tool_call_id"),
    ("tool_calls is a string", _msg({"role": "assistant", "content": None, "tool_calls": "x"}, [USER]),
     "messages[1].tool_calls"),
    ("tool call arguments as an object",
     _msg({"role": "assistant", "tool_calls": [{**CALL, "function": {"name": "f", "arguments": {}}}]}, [USER]),
     "messages[1].tool_calls[0].function.arguments"),
    ("name is a number", _msg({"role": "user", "content": "hi", "name": 5}), "messages[0].name"),
    ("tools: 'bash'", _with(tools="bash"), "tools"),
    ("tool without function", _with(tools=[{"type": "function"}]), "tools[0].function"),
    ("tool with an empty name", _with(tools=[{"type": "function", "function": {"name": ""}}]),
     "tools[0].function.name"),
    ("tool of an unknown type", _with(tools=[{"type": "web_browser"}]), "tools[0].type"),
    ("tool parameters a string", _with(tools=[{"type": "function", "function": {"name": "f", "parameters": "x"}}]),
     "tools[0].function.parameters"),
    ("tool_choice: 12", _with(tools=[TOOL], tool_choice=12), "tool_choice"),
    ("tool_choice: 'always'", _with(tools=[TOOL], tool_choice="always"), "tool_choice"),
    ("tool_choice function without a name", _with(tools=[TOOL], tool_choice={"type": "function"}),
     "tool_choice.function"),
    ("tool_choice 'required' without tools", _with(tool_choice="required"), "tool_choice"),
    ("tool_choice naming a function, tools empty", _with(tools=[], tool_choice={"type": "function",
                                                                                "function": {"name": "f"}}),
     "tool_choice"),
    ("max_tokens: '100'", _with(max_tokens="100"), "max_tokens"),
    ("max_tokens: 1e12", _with(max_tokens=1e12), "max_tokens"),
    ("max_tokens: 0", _with(max_tokens=0), "max_tokens"),
    ("max_completion_tokens: 10**12", _with(max_completion_tokens=10**12), "max_completion_tokens"),
    ("n: 5", _with(n=5), "n"),
    ("temperature: 'hot'", _with(temperature="hot"), "temperature"),
    ("temperature: 3", _with(temperature=3), "temperature"),
    ("top_p: [1]", _with(top_p=[1]), "top_p"),
    ("stop: 5", _with(stop=5), "stop"),
    ("stop: five strings", _with(stop=["a", "b", "c", "d", "e"]), "stop"),
    ("response_format: 'json'", _with(response_format="json"), "response_format"),
    ("response_format of an unknown type", _with(response_format={"type": "xml"}), "response_format.type"),
    ("json_schema without a name", _with(response_format={"type": "json_schema", "json_schema": {}}),
     "response_format.json_schema"),
    ("model: 5", _with(model=5), "model"),
    ("seed: 'x'", _with(seed="x"), "seed"),
    ("stream_options: 'yes'", _with(stream_options="yes"), "stream_options"),
    ("frequency_penalty: true", _with(frequency_penalty=True), "frequency_penalty"),
]


@pytest.fixture(scope="module")
def proxy(gw, tmp_path_factory):
    from _proxy import start_proxy

    p = start_proxy(gw, tmp_path_factory.mktemp("proxy-validate"))
    yield p
    p.stop()


@pytest.mark.parametrize("case", INVALID, ids=[c[0] for c in INVALID])
def test_invalid_body_is_a_400_with_param_before_any_payment(proxy, gw, case) -> None:
    _, body, param = case
    gw.clear_requests()
    r = httpx.post(proxy.url + "/v1/chat/completions", json=body, timeout=15)
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert err["param"] == param and err["type"] == "invalid_request_error" and err["message"]
    assert gw.chat_requests() == [] and gw.paid_total() == 0


def test_the_valid_twin_of_each_case_is_paid(proxy, gw) -> None:
    """The same base body, fixed, goes through and is paid: the 400s above are the validation."""
    gw.clear_requests()
    r = httpx.post(proxy.url + "/v1/chat/completions", json=_with(max_tokens=100, temperature=0.2, top_p=1,
                                                                 stop=["x"], n=1, tools=[TOOL], tool_choice="auto"),
                   timeout=15)
    assert r.status_code == 200, r.text
    assert len(gw.paid_requests()) == 1


def test_validation_accepts_every_recorded_agent_body() -> None:
    from clawcli.proxy.validate import validate_chat

    bodies = [json.loads(f.read_text())["body"] for f in sorted(FIXTURES.glob("*.json"))]
    corpus = Path(__file__).parent.parent / "benchmarks" / "data" / "compress-corpus.jsonl"
    bodies += [json.loads(line) for line in corpus.read_text().splitlines() if line.strip()]
    assert len(bodies) > 50
    for b in bodies:
        validate_chat(copy.deepcopy(b))  # raises on a refusal


# ------------------------------------------------------------------------------- slow request heads
def _bounded_server(state, head_timeout: float, max_connections: int, body_timeout: float = 60.0):
    from _proxy import Proxy

    from clawcli.proxy import server as srv

    class Bounded(Proxy):
        def __init__(self) -> None:
            from clawcli.proxy.app import create_app

            self.state = state
            sock = srv.bind_socket("127.0.0.1", 0)
            self.port = sock.getsockname()[1]
            self.url = f"http://127.0.0.1:{self.port}"
            cfg = srv.uvicorn_config(create_app(state), head_timeout=head_timeout, max_connections=max_connections,
                                     body_timeout=body_timeout)
            self.server = srv._server_class()(cfg)
            self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]}, daemon=True)
            self.thread.start()
            deadline = time.time() + 15
            while not self.server.started:
                assert time.time() < deadline and self.thread.is_alive(), "proxy did not start"
                time.sleep(0.01)

    return Bounded()


def _closed_by_peer(s: socket.socket, wait: float) -> bool:
    s.settimeout(wait)
    try:
        return s.recv(1) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True
    except TimeoutError:
        return False


def test_slow_headers_are_cut_off_and_health_keeps_answering(gw, tmp_path) -> None:
    """Slowloris on loopback: 60 connections that never finish their request head. Beyond the
    connection bound they are closed at once; the rest are closed after the head timeout; then
    /health answers again (before the fix every slow connection stayed open forever)."""
    from _proxy import start_proxy

    state = start_proxy(gw, tmp_path)  # a normal proxy only to build the state; replaced below
    state.stop()
    p = _bounded_server(state.state, head_timeout=1.0, max_connections=20)
    socks = []
    try:
        for _ in range(60):
            s = socket.create_connection(("127.0.0.1", p.port), timeout=5)
            s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nx-slow: ")
            socks.append(s)
        time.sleep(0.3)
        over = sum(_closed_by_peer(s, 0.05) for s in socks[30:])
        assert over == 30  # beyond the bound: closed without waiting for anything
        assert all(_closed_by_peer(s, 10) for s in socks[:30])  # the others: cut off by the head timeout
        r = httpx.get(p.url + "/health", timeout=10)
        assert r.status_code == 200
        assert gw.chat_requests() == []
    finally:
        for s in socks:
            s.close()
        p.stop()


def test_a_body_that_stops_half_way_is_cut_off_and_nothing_is_paid(gw, tmp_path) -> None:
    """Connections that send a complete head, then only part of the body they announced: cut off
    after the body timeout (before the fix they stayed open for good and, at the connection bound,
    /health stopped answering), nothing reaches the gateway, a whole request still works."""
    from _proxy import start_proxy

    state = start_proxy(gw, tmp_path)
    state.stop()
    p = _bounded_server(state.state, head_timeout=1.0, max_connections=20, body_timeout=1.0)
    socks = []
    try:
        for _ in range(20):
            s = socket.create_connection(("127.0.0.1", p.port), timeout=5)
            s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 100000\r\n\r\n{\"messages\": [")
            socks.append(s)
        assert all(_closed_by_peer(s, 10) for s in socks)
        assert httpx.get(p.url + "/health", timeout=10).status_code == 200
        assert gw.chat_requests() == []
        r = httpx.post(p.url + "/v1/chat/completions", json=_base(), timeout=30)
        assert r.status_code == 200, r.text
    finally:
        for s in socks:
            s.close()
        p.stop()


# --------------------------------------------------------------------------------------- tokens
def _serve_env(gw, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(CLAWCLI_GATEWAY_URL=gw.url, CLAWCLI_BASE_RPC_URL=gw.rpc_url, CLAWCLI_WALLET_KEY=TEST_KEY, **extra)
    return env


def test_short_token_refused_for_a_network_bind(gw, tmp_path) -> None:
    r = subprocess.run([CLAW, "serve", "--host", "0.0.0.0", "--port", "0"], check=False, capture_output=True,
                       text=True, timeout=30, env=_serve_env(gw, tmp_path, CLAWCLI_TOKEN="x"))
    assert r.returncode == 2, r.stderr
    assert "at least 16" in r.stderr and "Traceback" not in r.stderr


def test_token_file_is_used_and_the_argv_token_warns(gw, tmp_path) -> None:
    tok = tmp_path / "token"
    tok.write_text("a-long-enough-secret-token\n")
    tok.chmod(0o600)
    p = subprocess.Popen([CLAW, "serve", "--port", "0", "--json", "--log-level", "error", "--token-file", str(tok)],
                         env=_serve_env(gw, tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        info = json.loads(p.stdout.readline())
        assert info["auth"] is True
        url = f"http://127.0.0.1:{info['port']}/health"
        assert httpx.get(url, timeout=10).status_code == 401
        ok = httpx.get(url, headers={"authorization": "Bearer a-long-enough-secret-token"}, timeout=10)
        assert ok.status_code == 200
    finally:
        p.terminate()
        p.wait(15)
    assert "visible" not in p.stderr.read()
    r = subprocess.run([CLAW, "serve", "--host", "0.0.0.0", "--port", "0", "--token", "short"], check=False,
                       capture_output=True, text=True, timeout=30, env=_serve_env(gw, tmp_path))
    assert "--token is visible" in r.stderr and r.returncode == 2
    empty = tmp_path / "empty"
    empty.write_text("\n")
    r = subprocess.run([CLAW, "serve", "--port", "0", "--token-file", str(empty)], check=False, capture_output=True,
                       text=True, timeout=30, env=_serve_env(gw, tmp_path))
    assert r.returncode == 2 and "is empty" in r.stderr


# ----------------------------------------------------------------------------------------- files
def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_files_are_private_under_umask_000(gw, tmp_path) -> None:
    """With umask 000 CLAWCLI_HOME used to become 0777 and config.toml 0666 (anyone could raise the
    limits or change the payees). Fresh homes, nested so the parents are created too."""
    home = tmp_path / "fresh" / "claw"
    oc = tmp_path / "fresh-oc" / "openclaw"
    env = _serve_env(gw, tmp_path, CLAWCLI_HOME=str(home), CLAWCLI_OPENCLAW_HOME=str(oc))

    def claw(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([CLAW, *args], check=False, capture_output=True, text=True, timeout=60, env=env,
                              preexec_fn=lambda: os.umask(0))

    r = claw("ask", "--model", PAID, "say hi")  # first: the ledger's write creates the home
    assert r.returncode == 0, r.stderr
    assert gw.paid_requests()
    ledger = home / "spend-ledger.json"
    assert ledger.exists() and _mode(ledger) == 0o600
    for d in (home, home.parent, oc.parent):
        assert _mode(d) == 0o700, d
    r = claw("wallet", "limits", "--daily", "5", "--hourly", "1")
    assert r.returncode == 0, r.stderr
    assert _mode(home / "config.toml") == 0o600
    logs = oc / "blockrun" / "logs"
    assert _mode(logs) == 0o700
    assert all(_mode(f) == 0o600 for f in logs.iterdir() if f.is_file())


# ----------------------------------------------------------------------------------- the guard alone
@pytest.mark.parametrize("host, ok", [
    ("127.0.0.1:8402", True), ("localhost:8402", True), ("LOCALHOST:8402", True), ("[::1]:8402", True),
    ("127.0.0.2", True), ("localhost.:8402", True), ("app.localhost:8402", True), ("claw.internal:9000", True),
    ("192.168.1.5:8402", True),  # the address this request arrived on (a LAN bind with a token)
    ("192.168.1.6:8402", False), ("attacker.com:8402", False), ("localhost.attacker.com", False),
    ("127.0.0.1.nip.io:8402", False), ("[::ffff:10.0.0.1]:8402", False), ("", False),
])
def test_host_names(host: str, ok: bool) -> None:
    from clawcli.proxy.guard import Guard

    g = Guard(allow_hosts=["claw.internal"])
    assert g.host_allowed(host.encode(), ("192.168.1.5", 8402)) is ok
    assert Guard(allow_hosts=["*"]).host_allowed(host.encode(), ("127.0.0.1", 8402))


def test_connection_bound_follows_a_low_descriptor_limit(monkeypatch) -> None:
    import resource

    from clawcli.proxy.server import MAX_CONNECTIONS, connection_bound

    monkeypatch.setattr(resource, "getrlimit", lambda _: (1024, 4096))
    assert connection_bound() == 512
    monkeypatch.setattr(resource, "getrlimit", lambda _: (1 << 20, 1 << 20))
    assert connection_bound() == MAX_CONNECTIONS
