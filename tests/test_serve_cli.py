"""The real `claw serve` console script in a subprocess: startup line, SDK round trip,
graceful SIGTERM with a request in flight, port in use, non-loopback binds and tokens."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from typing import Any

import httpx
import pytest

from clawcli.testing import GatewayEmulator

TEST_KEY = "0x" + "4c" * 32
FREE = "nvidia/gpt-oss-120b"
CLAW = shutil.which("claw")

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def gw():
    with GatewayEmulator() as g:
        yield g


def _env(gw) -> dict[str, str]:
    env = dict(os.environ)  # the temp homes of conftest are inherited
    env.update(CLAWCLI_GATEWAY_URL=gw.url, CLAWCLI_BASE_RPC_URL=gw.rpc_url, CLAWCLI_WALLET_KEY=TEST_KEY)
    return env


def _start(gw, *args: str) -> tuple[subprocess.Popen, dict]:
    assert CLAW, "the claw console script is not installed"
    p = subprocess.Popen([CLAW, "serve", "--port", "0", "--json", *args], env=_env(gw),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    if not line:
        p.kill()
        raise AssertionError("claw serve did not start: " + p.stderr.read())
    return p, json.loads(line)


def _stop(p: subprocess.Popen) -> None:
    if p.poll() is None:
        p.kill()
        p.wait()


def test_console_script_serves_sdk_and_shuts_down_gracefully(gw) -> None:
    from openai import OpenAI

    gw.reset()
    p, info = _start(gw)
    try:
        assert info["url"] == f"http://127.0.0.1:{info['port']}/v1" and info["auth"] is False
        client = OpenAI(base_url=info["url"], api_key="unused", max_retries=0)
        r = client.chat.completions.create(model="free", messages=[{"role": "user", "content": "ping"}])
        assert "ping" in r.choices[0].message.content

        # a request in flight when SIGTERM arrives still gets its answer
        gw.inject(FREE, "slow", times=1, delay=1.0)
        result: dict = {}

        def slow() -> None:
            try:
                result["r"] = httpx.post(info["url"] + "/chat/completions", timeout=15,
                                         json={"model": FREE, "messages": [{"role": "user", "content": "slow"}]})
            except Exception as exc:  # noqa: BLE001 - reported below
                result["e"] = exc

        t = threading.Thread(target=slow)
        t.start()
        gw.wait_for_requests(1, timeout=5)
        time.sleep(0.2)
        p.send_signal(signal.SIGTERM)
        t.join(15)
        assert "e" not in result, result.get("e")
        # the request in flight at SIGTERM is answered in full, then the server exits cleanly
        assert result["r"].status_code == 200 and "slow" in result["r"].json()["choices"][0]["message"]["content"]
        assert p.wait(12) == 0
        with pytest.raises(httpx.ConnectError):  # no longer accepting
            httpx.get(f"http://127.0.0.1:{info['port']}/health", timeout=2)
        assert "Traceback" not in p.stderr.read()
    finally:
        _stop(p)


@pytest.mark.parametrize("how", ["flag", "env"])
def test_port_in_use_is_one_clear_line(gw, how: str) -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    port = s.getsockname()[1]
    env = _env(gw)
    args = [CLAW, "serve"]
    if how == "flag":
        args += ["--port", str(port)]
    else:
        env["CLAWCLI_PORT"] = str(port)
    try:
        r = subprocess.run(args, env=env, capture_output=True, text=True, timeout=30)
    finally:
        s.close()
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert lines[0] == f"error: port {port} on 127.0.0.1 is already in use"
    assert len(lines) <= 2 and "Traceback" not in r.stderr


def test_non_loopback_bind_requires_a_token(gw) -> None:
    r = subprocess.run([CLAW, "serve", "--host", "0.0.0.0", "--port", "0"], env=_env(gw), capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 2
    assert "requires a token" in r.stderr and "Traceback" not in r.stderr


def test_non_loopback_with_token_requires_bearer(gw) -> None:
    gw.reset()
    p, info = _start(gw, "--host", "0.0.0.0", "--token", "tok-123-0123456789ab")
    try:
        url = f"http://127.0.0.1:{info['port']}/v1/chat/completions"
        body = {"model": "free", "messages": [{"role": "user", "content": "hi"}]}
        r = httpx.post(url, json=body, timeout=10)
        assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_api_key"
        ok = httpx.post(url, json=body, headers={"authorization": "Bearer tok-123-0123456789ab"}, timeout=10)
        assert ok.status_code == 200
        assert gw.chat_requests() and len(gw.chat_requests()) == 1
    finally:
        p.send_signal(signal.SIGINT)
        assert p.wait(12) == 0


@pytest.mark.skipif(not socket.has_ipv6, reason="no IPv6 on this machine")
def test_bracketed_ipv6_host_prints_a_url_that_works(gw) -> None:
    """`--host [::1]` (the form a URL uses) printed http://[[::1]]:PORT/v1, a URL no client can open."""
    try:
        p, info = _start(gw, "--host", "[::1]")
    except AssertionError as exc:
        if "cannot bind" in str(exc):
            pytest.skip("IPv6 loopback not available")
        raise
    try:
        assert info["url"] == f"http://[::1]:{info['port']}/v1", info
        r = httpx.get(info["url"].removesuffix("/v1") + "/health", timeout=10)
        assert r.status_code == 200
    finally:
        _stop(p)


def test_help_has_a_worked_example() -> None:
    from typer.testing import CliRunner

    from clawcli.cli.main import app

    r = CliRunner().invoke(app, ["serve", "--help"])
    assert r.exit_code == 0
    assert "claw serve --port 8402" in r.output and "--max-cost-per-run" in r.output


def test_malformed_wallet_key_is_one_line_not_a_new_wallet(gw, openclaw_home) -> None:
    env = _env(gw)
    env["CLAWCLI_WALLET_KEY"] = "0xnot-a-key"
    r = subprocess.run([CLAW, "serve", "--port", "0"], env=env, capture_output=True, text=True, timeout=30)
    assert r.returncode == 1
    assert r.stderr.startswith("error: ") and "Traceback" not in r.stderr
    assert "0xnot-a-key" not in r.stderr  # never echo key material
    assert not (openclaw_home / "blockrun" / "wallet.key").exists()


def test_sigterm_lets_a_stream_in_flight_finish(gw) -> None:
    gw.reset()
    p, info = _start(gw)
    try:
        gw.inject(FREE, "slow_stream", times=1, chunk_delay=0.3)
        body = {"model": FREE, "stream": True, "messages": [{"role": "user", "content": "stream through shutdown"}]}
        lines: list[str] = []
        signalled = False
        with httpx.stream("POST", info["url"] + "/chat/completions", json=body, timeout=15) as r:
            for ln in r.iter_lines():
                if ln.startswith("data: {") and not signalled:
                    p.send_signal(signal.SIGTERM)  # mid-answer
                    signalled = True
                if ln:
                    lines.append(ln)
        assert lines[-1] == "data: [DONE]"
        text = "".join(json.loads(ln[6:])["choices"][0]["delta"].get("content") or ""
                       for ln in lines if ln.startswith("data: {"))
        assert signalled and "stream through shutdown" in text
        assert p.wait(12) == 0
    finally:
        _stop(p)


def _serve_answer_and_stop(gw, prompt: str, **popen: Any) -> str:
    """Start `claw serve --json` with ``popen``'s stderr, ask one question, SIGTERM it; returns
    what it wrote to stdout after its JSON line, once it exited 0."""
    gw.reset()
    p = subprocess.Popen([CLAW, "serve", "--port", "0", "--json"], env=_env(gw), stdout=subprocess.PIPE,
                         text=True, **popen)
    try:
        info = json.loads(p.stdout.readline())
        r = httpx.post(info["url"] + "/chat/completions", timeout=15,
                       json={"model": FREE, "messages": [{"role": "user", "content": prompt}]})
        assert r.status_code == 200 and prompt in r.json()["choices"][0]["message"]["content"]
        p.send_signal(signal.SIGTERM)
        out = p.stdout.read()
        assert p.wait(12) == 0, out
        return out
    finally:
        _stop(p)


def test_sigterm_with_stderr_closed_still_exits_0(gw) -> None:
    """`claw serve 2>&-` (started without a stderr, as some supervisors do): Python then has no
    sys.stderr, and a clean SIGTERM shutdown must still exit 0 (it ended in an AttributeError on
    ``sys.stderr.flush()``, reported as an internal error: exit 1)."""
    out = _serve_answer_and_stop(gw, "no stderr", stderr=subprocess.DEVNULL, preexec_fn=lambda: os.close(2))
    assert "internal error" not in out
    # the banner belongs on stderr; without one it is dropped, never mixed into --json's stdout
    assert "wallet" not in out and "claw serve 0.1.0" not in out, out


def test_a_full_stderr_does_not_stop_the_proxy(gw) -> None:
    """`claw serve 2>/dev/full`: the start-up banner cannot be written. That is no reason not to
    serve: it starts, answers and exits 0 on SIGTERM (the failed banner write ended start-up)."""
    with open("/dev/full", "w") as full:
        _serve_answer_and_stop(gw, "full stderr", stderr=full)


@pytest.mark.parametrize("origin, example", [
    ("evil.com", "e.g. https://evil.com"),               # no scheme: a browser never sends that
    ("https://app.example/page", "e.g. https://app.example"),  # a path is never part of an Origin
    ("*", "e.g. https://app.example"),                   # every page could spend from the wallet
    ("ftp://files.example", "e.g. https://files.example"),
])
def test_allow_origin_that_no_browser_sends_is_a_usage_error(gw, origin: str, example: str) -> None:
    """--allow-origin takes the exact scheme://host[:port] a browser sends; anything else would be
    accepted and silently never match, so it is refused before the server starts."""
    r = subprocess.run([CLAW, "serve", "--port", "0", "--allow-origin", origin], env=_env(gw),
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "listening" not in r.stdout
    assert f"--allow-origin '{origin}'" in r.stderr and example in r.stderr
    assert "Traceback" not in r.stderr


def test_allowed_origin_check_accepts_what_browsers_send() -> None:
    from clawcli.proxy.guard import check_allowed_origin

    for ok in ("https://app.example", "HTTPS://App.Example/", "http://[::1]:3000", "https://app.example:8443"):
        assert check_allowed_origin(ok) is None, ok
    for bad in ("app.example", "https://", "https://app example", "https://app.example:0", "https://u@app.example",
                "https://app.example/x", "https://app.example?q=1", "https://app.example:99999", "*"):
        assert check_allowed_origin(bad), bad


def test_ctrl_c_twice_closes_the_app_without_a_traceback(gw) -> None:
    """A second Ctrl-C (force exit) made uvicorn skip the app's lifespan shutdown: the app was
    never closed and its cancelled lifespan task printed a CancelledError traceback. The second
    Ctrl-C only cuts the waits; the app is closed and the exit is clean."""
    gw.reset()
    p, info = _start(gw)
    try:
        r = httpx.post(info["url"] + "/chat/completions", timeout=15,
                       json={"model": FREE, "messages": [{"role": "user", "content": "before ctrl-c"}]})
        assert r.status_code == 200
        p.send_signal(signal.SIGINT)
        time.sleep(0.05)
        p.send_signal(signal.SIGINT)
        assert p.wait(12) == 0
        err = p.stderr.read()
        assert "Traceback" not in err and "CancelledError" not in err, err[-2000:]
    finally:
        _stop(p)


def test_ctrl_c_twice_with_a_request_in_flight_records_it_cancelled(gw) -> None:
    """Force exit cancels the requests still running before it closes the app: the client gets
    the 503 `shutting_down`, and the usage record says cancelled. Closing the app (its gateway
    client) under a running request turned it into a `network` failure with no model."""
    import glob

    gw.reset()
    paid = "openai/gpt-4o-mini"  # a signed payment in flight: what the record must not lose
    gw.inject(paid, "slow", times=1, delay=15)
    p, info = _start(gw)
    answer: dict[str, Any] = {}

    def ask() -> None:
        r = httpx.post(info["url"] + "/chat/completions", timeout=30,
                       json={"model": paid, "messages": [{"role": "user", "content": "in flight at ctrl-c"}]})
        answer.update(status=r.status_code, body=r.json())

    t = threading.Thread(target=ask)
    t.start()
    try:
        deadline = time.monotonic() + 10
        while not gw.chat_requests() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert gw.chat_requests(), "the request never reached the gateway"
        p.send_signal(signal.SIGINT)
        time.sleep(0.3)
        p.send_signal(signal.SIGINT)
        assert p.wait(12) == 0
        t.join(10)
        assert answer["status"] == 503 and answer["body"]["error"]["code"] == "shutting_down"
        err = p.stderr.read()
        assert "Unclosed client session" not in err and "Traceback" not in err, err[-2000:]
        logs = glob.glob(os.path.join(os.environ["CLAWCLI_OPENCLAW_HOME"], "blockrun", "logs", "usage-*.jsonl"))
        records = [json.loads(line) for f in logs for line in open(f) if line.strip()]
        assert [(r["status"], r["errorClass"], r["model"]) for r in records] == [("error", "cancelled", paid)]
        assert [a["errorClass"] for a in records[0]["attempts"]] == ["cancelled"]
    finally:
        _stop(p)
        t.join(10)
