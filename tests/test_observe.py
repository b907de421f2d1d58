"""A proxy you can watch (issue 14 §5, §7): x-request-id everywhere, one line per request,
the start-up banner, a validated --log-level, Prometheus /metrics behind the token."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import threading
import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from _proxy import TEST_KEY

CLAW = shutil.which("claw")
HELLO = {"model": "auto", "messages": [{"role": "user", "content": "Say hello to the team"}]}


def watched(make_proxy, **kw):
    proxy = make_proxy(**kw)
    out = io.StringIO()
    proxy.state.observer.stream = out
    return proxy, out


def printed(proxy, out: io.StringIO) -> str:
    """What the proxy printed so far. Its lines are written once per event-loop turn, and the
    request that just returned may have finished in the current turn: write them now."""
    proxy.state.observer.flush()
    return out.getvalue()


def samples(text: str, name: str) -> list:
    return [s for fam in text_string_to_metric_families(text) for s in fam.samples if s.name == name]


def test_every_response_has_a_request_id_and_the_usage_record_has_the_same(make_proxy):
    proxy, out = watched(make_proxy)
    r = proxy.post(HELLO)
    assert r.status_code == 200
    rid = r.headers["x-request-id"]
    rec = proxy.log_records()[-1]
    assert rec["requestId"] == rid  # the user can grep the usage log for the id they got
    assert f"id {rid}" in printed(proxy, out)
    resp, _ = proxy.stream(HELLO | {"messages": [{"role": "user", "content": "Stream hello"}]})
    assert resp.headers["x-request-id"] == proxy.log_records()[-1]["requestId"]
    # errors, other endpoints and refusals carry one too, all different
    ids = {rid, resp.headers["x-request-id"]}
    for res in (httpx.get(proxy.url + "/health"), httpx.get(proxy.url + "/v1/models"),
                httpx.get(proxy.url + "/nope"), proxy.post({"model": "auto"}),
                httpx.post(proxy.url + "/v1/chat/completions", content=b"{", headers={"content-type": "application/json"})):
        assert len(res.headers["x-request-id"]) >= 16
        ids.add(res.headers["x-request-id"])
    assert len(ids) == 7


def test_one_line_per_request_at_the_default_level(make_proxy, gw):
    proxy, out = watched(make_proxy)
    assert proxy.state.observer.level == "info"
    r = proxy.post(HELLO, x_session_id="sess-42")
    assert r.status_code == 200
    lines = printed(proxy, out).splitlines()
    assert len(lines) == 1, lines
    rec = proxy.log_records()[-1]
    line = lines[0]
    for part in (f"{rec['profile']} → {rec['tier']} → {rec['model']}", "1 attempt", f"${rec['cost']:.6f}",
                 f"{rec['latencyMs']} ms", "ok", "session sess-42", f"id {rec['requestId']}"):
        assert part in line, (part, line)
    # a fallback shows the failed attempt; a refusal before routing is a line too
    gw.inject("*", "500", times=1)
    assert proxy.post(HELLO | {"messages": [{"role": "user", "content": "again please"}]}).status_code == 200
    assert proxy.post({"model": "auto"}).status_code == 400
    lines = printed(proxy, out).splitlines()
    assert len(lines) == 3, lines
    assert "2 attempts (" in lines[1] and "server_error" in lines[1]
    assert "rejected 400" in lines[2]


def test_warning_level_prints_only_failures(make_proxy, gw):
    proxy = make_proxy()
    out = io.StringIO()
    from clawcli.proxy.observe import Observer

    proxy.state.observer.level = "warning"
    proxy.state.observer.stream = out
    assert isinstance(proxy.state.observer, Observer)
    assert proxy.post(HELLO).status_code == 200
    assert printed(proxy, out) == ""
    gw.inject("*", "400", times=1)
    proxy.post(HELLO | {"messages": [{"role": "user", "content": "bad one"}]})
    assert "error" in printed(proxy, out)


def test_metrics_in_prometheus_format_by_model_tier_and_status(make_proxy, gw):
    proxy, _ = watched(make_proxy)
    gw.inject("*", "500", times=1)
    assert proxy.post(HELLO).status_code == 200
    rec = proxy.log_records()[-1]
    m = httpx.get(proxy.url + "/metrics")
    assert m.status_code == 200 and m.headers["content-type"].startswith("text/plain; version=")
    text = m.text
    req = samples(text, "clawcli_requests_total")
    assert any(s.labels == {"profile": rec["profile"], "tier": rec["tier"], "model": rec["model"], "status": "ok"}
               and s.value == 1 for s in req), req
    hist = samples(text, "clawcli_request_duration_seconds_count")
    assert any(s.labels["model"] == rec["model"] and s.value == 1 for s in hist)
    failed = rec["attempts"][0]["model"]
    fb = samples(text, "clawcli_fallbacks_total")
    assert any(s.labels == {"model": failed, "error_class": "server_error"} and s.value == 1 for s in fb), fb
    cost = samples(text, "clawcli_cost_usd_total")
    assert any(s.labels["model"] == rec["model"] and abs(s.value - rec["cost"]) < 1e-9 for s in cost)
    pay = samples(text, "clawcli_payments_total")
    assert any(s.labels["model"] == rec["model"] and s.value == 1 for s in pay), pay


def test_metrics_are_behind_the_token(make_proxy):
    proxy = make_proxy(token="s3cret")
    assert httpx.get(proxy.url + "/metrics").status_code == 401
    ok = httpx.get(proxy.url + "/metrics", headers={"authorization": "Bearer s3cret"})
    assert ok.status_code == 200 and "clawcli_requests_total" in ok.text


def test_unknown_log_level_is_a_usage_error():
    r = subprocess.run([CLAW, "serve", "--port", "0", "--log-level", "chatty"], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 2
    assert "unknown log level 'chatty'" in r.stderr and "debug, info, warning, error" in r.stderr
    assert "Traceback" not in r.stderr and "KeyError" not in r.stderr


def test_start_up_banner(gw, tmp_path):
    gw.reset()
    from eth_account import Account

    addr = Account.from_key(TEST_KEY).address
    gw.set_balance(addr, 12.5)
    env = dict(os.environ, CLAWCLI_GATEWAY_URL=gw.url, CLAWCLI_BASE_RPC_URL=gw.rpc_url, CLAWCLI_WALLET_KEY=TEST_KEY)
    proc = subprocess.Popen([CLAW, "serve", "--port", "0", "--json", "--max-cost-per-run", "0.5"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    err: list[str] = []
    reader = threading.Thread(target=lambda: err.extend(iter(proc.stderr.readline, "")), daemon=True)
    reader.start()
    try:
        info = json.loads(proc.stdout.readline())
        deadline = time.time() + 20
        while time.time() < deadline and not any("token" in ln for ln in err):
            time.sleep(0.05)
        banner = "".join(err)
        assert addr in banner and "(base)" in banner
        assert "$12.50 USDC" in banner
        assert gw.url in banner
        assert "profile  auto" in banner
        assert "per request $0.5" in banner and "per session $0.5 (graceful)" in banner
        assert "token    not required" in banner
        assert f"127.0.0.1:{info['port']}/metrics" in banner
        r = httpx.post(info["url"] + "/chat/completions", json=HELLO, timeout=30)
        assert r.status_code == 200, r.text
        deadline = time.time() + 10
        while time.time() < deadline and not any(r.headers["x-request-id"] in ln for ln in err):
            time.sleep(0.05)
        assert any(r.headers["x-request-id"] in ln and " ok " in ln for ln in err), err
    finally:
        proc.terminate()
        proc.wait(15)


@pytest.mark.parametrize("level", ["debug", "INFO", "warn", "error"])
def test_known_levels_are_accepted(level):
    from clawcli.proxy.observe import check_log_level

    assert check_log_level(level) in ("debug", "info", "warning", "error")


def test_banner_with_the_per_request_cap_turned_off():
    # `claw wallet limits --per-request off` stores no cap (None): `claw serve` crashed formatting it
    from types import SimpleNamespace

    from clawcli.core.config import Settings
    from clawcli.proxy.observe import banner_lines

    s = Settings(max_per_request=None, hourly_limit=None, daily_limit=None)
    state = SimpleNamespace(settings=s, chain="base", wallet_address="0xabc", solana_address=None,
                            version="0", token=None)
    lines = banner_lines(state, "http://127.0.0.1:8402/v1", None)
    assert "  limits   per request off" in lines
    s = Settings(max_per_request=0.25, hourly_limit=None, daily_limit=2.0)
    assert "  limits   per request $0.25, daily $2" in banner_lines(SimpleNamespace(**{**vars(state), "settings": s}), "u/v1", None)
