"""Compression and the session journal through the real proxy (uvicorn thread, loopback sockets)
in front of the x402 gateway emulator: the gateway receives the compressed body, the answer is
unchanged, response headers and the usage log report the savings, and the `[Session memory]` note
reaches the model only for a session that asks for it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from _proxy import TEST_KEY

from clawcli.core.journal import NOTE_HEADER

PAID = "openai/gpt-4o-mini"

pytestmark = pytest.mark.e2e


def _call(cid: str, name: str, args: dict) -> dict:
    return {"role": "assistant", "content": None,
            "tool_calls": [{"id": cid, "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}]}


META = json.dumps({"name": "httpx", "version": "0.28.1", "requires": [f"dep-{n}>=1.{n}" for n in range(120)],
                   "files": [f"httpx/_mod_{n}.py" for n in range(150)]}, indent=2)
HISTORY = [
    {"role": "system", "content": "You are a coding agent. Use the tools."},
    {"role": "user", "content": "Check the httpx metadata and fix calc.py."},
    _call("call_1", "fetch_json", {"url": "https://pypi.invalid/httpx/json"}),
    {"role": "tool", "tool_call_id": "call_1", "content": META},
    _call("call_2", "edit_file", {"path": "calc.py", "old": "len(v) - 1", "new": "len(v)"}),
    {"role": "tool", "tool_call_id": "call_2", "content": "ok: 1 replacement"},
    _call("call_3", "fetch_json", {"url": "https://pypi.invalid/httpx/json"}),
    {"role": "tool", "tool_call_id": "call_3", "content": META},
]


def agent_request(last: str = "Summarise the package metadata, please.", **kw: Any) -> dict:
    return {"model": kw.pop("model", PAID), "messages": HISTORY + [{"role": "user", "content": last}], **kw}


def test_gateway_receives_the_compressed_body_and_the_answer_is_unchanged(make_proxy, gw):
    p = make_proxy()
    req = agent_request()
    off = p.post(req, x_clawcli_compress="off")
    assert off.status_code == 200, off.text
    sent_off = gw.chat_requests()[-1]
    safe = p.post(req)  # safe is the default (Settings.compress) and the request is > 8 KB
    assert safe.status_code == 200, safe.text
    sent_safe = gw.chat_requests()[-1]

    assert sent_off.body["messages"] == req["messages"]  # off: forwarded as the client sent it
    msgs = sent_safe.body["messages"]
    assert json.loads(msgs[3]["content"]) == json.loads(META) and "\n" not in msgs[3]["content"]
    assert msgs[7]["content"].startswith("[clawcli: identical to the earlier fetch_json result (call_1)")
    assert [m.get("tool_calls") for m in msgs] == [m.get("tool_calls") for m in req["messages"]]
    assert msgs[-1] == req["messages"][-1] and msgs[0] == req["messages"][0]
    assert len(json.dumps(msgs)) < 0.5 * len(json.dumps(req["messages"]))

    answer_off = off.json()["choices"][0]["message"]["content"]
    assert safe.json()["choices"][0]["message"]["content"] == answer_off
    assert safe.json()["model"] == off.json()["model"] == PAID
    assert safe.headers["x-clawcli-compress"] == "safe"
    assert int(safe.headers["x-clawcli-compressed-chars"]) > 5000
    assert int(safe.headers["x-clawcli-compressed-tokens"]) > 1000
    assert sent_safe.quoted_usd < sent_off.quoted_usd  # a smaller body is a cheaper call

    off_rec, safe_rec = p.log_records()[-2:]
    assert off_rec["compressMode"] == "off" and off_rec["compressedChars"] == 0
    assert safe_rec["compressMode"] == "safe"
    assert safe_rec["compressedChars"] == int(safe.headers["x-clawcli-compressed-chars"])
    assert safe_rec["compressedTokensSaved"] == int(safe.headers["x-clawcli-compressed-tokens"])
    assert safe_rec["estimatedCost"] < off_rec["estimatedCost"]  # the estimate saw the compressed request


def test_aggressive_header_streams_with_legend_and_routing_on_compressed_request(make_proxy, gw):
    p = make_proxy()
    req = agent_request(model="auto", stream=True)
    with httpx.stream("POST", p.url + "/v1/chat/completions", json=req, timeout=30,
                      headers={"x-clawcli-compress": "aggressive"}) as r:
        assert r.status_code == 200
        assert r.headers["x-clawcli-compress"] == "aggressive"
        assert int(r.headers["x-clawcli-compressed-tokens"]) > 0
        text = "".join(r.iter_text())
    assert "data: [DONE]" in text
    msgs = gw.chat_requests()[-1].body["messages"]
    assert msgs[-1] == req["messages"][-1]
    assert msgs[0] == req["messages"][0]


def test_a_bad_compress_header_is_a_400_in_openai_shape(make_proxy, gw):
    p = make_proxy()
    r = p.post(agent_request(), x_clawcli_compress="max")
    assert r.status_code == 400
    assert "unknown compress mode" in r.json()["error"]["message"]
    assert gw.chat_requests() == []


def test_session_journal_injects_memory_only_for_the_asking_session(make_proxy, gw):
    p = make_proxy()
    first = p.post(agent_request("Continue."), x_session_id="sess-1")
    assert first.status_code == 200
    assert not any(NOTE_HEADER in str(m.get("content")) for m in gw.chat_requests()[-1].body["messages"])
    ask = agent_request("What did we change earlier?")
    assert p.post(ask, x_session_id="sess-1").status_code == 200
    msgs = gw.chat_requests()[-1].body["messages"]
    note = msgs[-2]
    assert note["role"] == "system" and note["content"].startswith(NOTE_HEADER)
    assert "changed calc.py" in note["content"]
    assert msgs[-1] == ask["messages"][-1] and msgs[0] == ask["messages"][0]
    # without a session id nothing is recorded or injected
    assert p.post(ask).status_code == 200
    assert not any(NOTE_HEADER in str(m.get("content")) for m in gw.chat_requests()[-1].body["messages"])


def test_journal_off(make_proxy, gw):
    p = make_proxy(journal=False)
    p.post(agent_request("Continue."), x_session_id="sess-1")
    p.post(agent_request("Give me a recap"), x_session_id="sess-1")
    assert not any(NOTE_HEADER in str(m.get("content")) for m in gw.chat_requests()[-1].body["messages"])


def test_claw_serve_compress_and_journal_flags(gw):
    assert shutil.which("claw"), "the claw console script is not installed (pip install -e .)"
    gw.reset()
    env = dict(os.environ, CLAWCLI_GATEWAY_URL=gw.url, CLAWCLI_BASE_RPC_URL=gw.rpc_url, CLAWCLI_WALLET_KEY=TEST_KEY)
    proc = subprocess.Popen([shutil.which("claw"), "serve", "--port", "0", "--json", "--compress", "aggressive",
                             "--no-journal"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line, proc.stderr.read()
        url = json.loads(line)["url"]
        ok = httpx.post(url + "/chat/completions", json=agent_request("Continue."), timeout=30,
                        headers={"x-session-id": "s"})
        assert ok.status_code == 200 and ok.headers["x-clawcli-compress"] == "aggressive"
        assert gw.chat_requests()[-1].body["messages"][1]["content"].startswith("[clawcli codebook]") or \
            "[clawcli:" in json.dumps(gw.chat_requests()[-1].body["messages"])
        httpx.post(url + "/chat/completions", json=agent_request("recap please"), timeout=30,
                   headers={"x-session-id": "s"})
        assert not any(NOTE_HEADER in str(m.get("content")) for m in gw.chat_requests()[-1].body["messages"])
    finally:
        proc.kill()
        proc.wait()


def test_claw_ask_compress_flag(gw, tmp_path):
    from typer.testing import CliRunner

    from clawcli.cli.main import app

    bad = CliRunner().invoke(app, ["ask", "--compress", "turbo", "hi"])
    assert bad.exit_code == 2 and "unknown compress mode" in bad.output
    claw = shutil.which("claw")
    assert claw, "the claw console script is not installed (pip install -e .)"
    gw.reset()
    env = dict(os.environ, CLAWCLI_GATEWAY_URL=gw.url, CLAWCLI_BASE_RPC_URL=gw.rpc_url)
    question = "Why   is the sky blue?\n\n\n\n\nExplain briefly.   "
    p = subprocess.run([claw, "ask", "--compress", "aggressive", "-m", "nvidia/gpt-oss-120b", "--json", question],
                       env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "You said: Why is the sky blue? Explain briefly." in json.loads(p.stdout)["content"]
    assert gw.chat_requests()[-1].body["messages"][-1]["content"] == question  # the question is never touched
    logs = Path(os.environ["CLAWCLI_OPENCLAW_HOME"]) / "blockrun" / "logs"
    rec = json.loads(sorted(logs.glob("usage-*.jsonl"))[-1].read_text().splitlines()[-1])
    assert rec["source"] == "ask" and rec["compressMode"] == "aggressive" and rec["compressedChars"] == 0
