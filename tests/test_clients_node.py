"""The OpenAI Node SDK (npm `openai`) against `claw serve` in front of the gateway emulator
(issue 14 §9): create, the `.stream()` helper, raw streamed tool-call accumulation, `runTools`,
and the error classes and retries the SDK derives from our status codes and headers — with the
shapes real upstreams produce (chunks without a role, a stream cut short).

Needs Node >= 24.16 and the SDK from ``scripts/node_env.sh`` (.ci/run installs them)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from _node import node_env

pytestmark = pytest.mark.e2e
SCRIPT = Path(__file__).resolve().parent / "clients" / "openai_node.cjs"


@pytest.fixture(scope="module")
def env() -> dict[str, str]:
    return node_env("openai")


def run(env: dict[str, str], proxy, scenario: str) -> dict:
    p = subprocess.run(["node", str(SCRIPT), proxy.url + "/v1", scenario], env=env, capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout.strip().splitlines()[-1])


@pytest.fixture
def proxy(make_proxy, gw):
    gw.tool_calls = False
    yield make_proxy()
    gw.tool_calls = False
    gw.clear_faults()


def test_plain_create(env, proxy, gw):
    r = run(env, proxy, "plain")
    assert r["ok"], r
    assert r["content"].startswith("Hello from ") and "Say hello to Node" in r["content"]
    assert r["role"] == "assistant" and r["finish"] == "stop"
    assert r["requestId"] == proxy.log_records()[-1]["requestId"]


@pytest.mark.parametrize("shape", ["normal", "no_role"])
def test_stream_helper(env, proxy, gw, shape):
    if shape == "no_role":  # the upstream's chunks carry no delta.role: claw adds it
        gw.inject("*", "no_role", times=None)
    r = run(env, proxy, "stream")
    assert r["ok"], r  # not "missing role for choice 0"
    assert r["role"] == "assistant" and r["finish"] == "stop"
    assert r["content"] == r["deltas"] and "Stream a hello to Node" in r["content"]


@pytest.mark.parametrize("shape", ["normal", "no_role"])
def test_streamed_tool_call_accumulates(env, proxy, gw, shape):
    gw.tool_calls = True
    if shape == "no_role":
        gw.inject("*", "no_role", times=None)
    r = run(env, proxy, "stream_tools")
    assert r["ok"], r
    assert r["firstRole"] == "assistant"
    assert r["finish"] == "tool_calls"
    assert [(c["name"], c["args"]) for c in r["calls"]] == [("get_weather", {"city": "Paris"})]
    assert r["calls"][0]["id"]


def test_run_tools(env, proxy, gw):
    gw.tool_calls = True  # the emulator calls the tool, then answers the tool result in words
    r = run(env, proxy, "run_tools")
    assert r["ok"], r
    assert r["toolArgs"] == [{"city": "Paris"}]
    assert r["roles"] == ["user", "assistant", "tool", "assistant"]
    assert r["content"].startswith("Hello from ")


def test_all_attempts_failed_is_not_retried_by_the_sdk(env, proxy, gw):
    gw.inject("*", "500", times=None)
    r = run(env, proxy, "error")
    assert not r.get("unexpected"), r
    assert r["errorClass"] == "InternalServerError" and r["status"] == 502 and r["shouldRetry"] == "false"
    # one walk of the fallback chain, not three (the SDK's two default retries obeyed x-should-retry)
    walks = [rec for rec in proxy.log_records() if rec["status"] == "error"]
    assert len(walks) == 1, walks


def test_billing_is_a_402_insufficient_quota(env, proxy, gw):
    gw.inject("*", "402_billing", times=None)
    gw.inject("nvidia/gpt-oss-120b", "402_billing", times=None)
    r = run(env, proxy, "error")
    assert not r.get("unexpected"), r
    assert r["isAPIError"] and r["status"] == 402
    assert r["type"] == "insufficient_quota" and r["code"] == "insufficient_quota"
    assert "insufficient balance (payment required)" in r["message"] and "claw wallet fund" in r["message"]
    assert r["shouldRetry"] == "false"
    assert len([rec for rec in proxy.log_records() if rec["status"] != "ok"]) == 1


def test_stream_cut_short_after_the_answer_started_is_an_error(env, proxy, gw):
    # enough content to be relayed (past the 48-char hold), then the upstream ends without [DONE]
    gw.inject("*", "truncate", times=None, after_chunks=3)
    gw.reply = "Once upon a time there was a proxy that had to tell its clients the truth about every stream."
    try:
        r = run(env, proxy, "stream_error")
    finally:
        gw.reply = None
    assert not r.get("unexpected"), r
    assert r["isAPIError"] and r["code"] == "upstream_stream_truncated"
    assert r["content"]  # the part that did arrive
    rec = proxy.log_records()[-1]
    assert rec["status"] == "error" and rec["errorClass"] == "upstream_stream_truncated"
    assert rec["attempts"][-1]["errorClass"] == "upstream_stream_truncated"


def test_stream_cut_short_before_anything_was_sent_falls_back(env, proxy, gw):
    gw.inject("*", "truncate", times=1, after_chunks=1)  # only the role chunk, then the end
    r = run(env, proxy, "stream")
    assert r["ok"], r
    rec = proxy.log_records()[-1]
    assert rec["status"] == "ok" and len(rec["attempts"]) == 2
    assert rec["attempts"][0]["errorClass"] == "upstream_stream_truncated"
