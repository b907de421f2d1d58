"""`claw ask` in-process (CliRunner) against the loopback gateway: flags, refusals, caps, output split."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from _cli_gateway import cli_gateway
from typer.testing import CliRunner

from clawcli.cli.main import app
from clawcli.testing import GatewayEmulator

KEY = "0x" + "7a" * 32
runner = CliRunner()


@pytest.fixture
def gw(monkeypatch):
    from eth_account import Account

    with cli_gateway(monkeypatch, KEY, enforce_balance=True) as g:
        g.set_balance(Account.from_key(KEY).address, 5)
        yield g


def records() -> list[dict]:
    logs = Path(os.environ["CLAWCLI_OPENCLAW_HOME"]) / "blockrun" / "logs"
    return [json.loads(x) for f in sorted(logs.glob("usage-*.jsonl")) for x in f.read_text().splitlines()]


@pytest.mark.parametrize("args,needle", [
    (["ask", "--profile", "bogus", "hi"], "unknown profile"),
    (["ask", "   "], "empty"),
    (["ask", "-m", "sonnet", "--profile", "eco", "hi"], "not both"),
    (["ask", "--temperature", "7", "hi"], "temperature"),
])
def test_usage_errors_exit_2(args, needle):
    res = runner.invoke(app, args)
    assert res.exit_code == 2 and needle in res.stderr


def test_explain_goes_to_stderr_and_the_answer_alone_to_stdout(gw):
    res = runner.invoke(app, ["ask", "--explain", "--no-stream", "What is the capital of Peru?"])
    assert res.exit_code == 0, res.stderr
    from clawcli.core.router import route

    first = route({"messages": [{"role": "user", "content": "What is the capital of Peru?"}]}, profile="auto").model
    assert res.stdout == f"Hello from {first}. You said: What is the capital of Peru?\n"
    assert "tier" in res.stderr and "chain" in res.stderr and "dimension" in res.stderr
    assert res.stderr.strip().splitlines()[-1].startswith(f"— {first}")


def test_max_cost_skips_models_above_it_when_a_cheaper_one_in_the_chain_fits(gw):
    res = runner.invoke(app, ["ask", "--json", "-m", "opus", "--max-cost", "0.001", "Design a database"])
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["model"] == "nvidia/gpt-oss-120b"  # the free model ends the chain
    assert "skipped anthropic/claude-opus-4.6" in res.stderr
    assert [r.model for r in gw.chat_requests()] == ["nvidia/gpt-oss-120b"]  # opus was never asked
    routed = runner.invoke(app, ["ask", "--json", "--max-cost", "0", "hello"])
    assert routed.exit_code == 0 and json.loads(routed.stdout)["cost"] == 0


def test_max_cost_refuses_before_sending_anything_when_nothing_fits(gw, monkeypatch):
    monkeypatch.setenv("CLAWCLI_EXCLUDE", "nvidia/gpt-oss-120b")
    res = runner.invoke(app, ["ask", "-m", "opus", "--max-cost", "0.001", "Design a database"])
    assert res.exit_code == 1
    assert "above --max-cost $0.0010" in res.stderr
    assert gw.chat_requests() == []
    [rec] = records()
    assert rec["status"] == "blocked" and rec["errorClass"] == "cost_cap"
    again = runner.invoke(app, ["ask", "--json", "-m", "opus", "--max-cost", "0.001", "Design a database"])
    assert again.exit_code == 1 and json.loads(again.stdout)["code"] == "cost_cap_exceeded"


def test_session_cap_is_shared_by_a_loop_of_asks(gw, monkeypatch):
    monkeypatch.setenv("CLAWCLI_SESSION_ID", "loop-1")
    monkeypatch.setenv("CLAWCLI_MAX_COST_PER_RUN", "0.004")
    monkeypatch.setenv("CLAWCLI_CAP_MODE", "strict")
    first = runner.invoke(app, ["ask", "--json", "What is 2+2?"])
    assert first.exit_code == 0, first.stderr
    spent = json.loads(first.stdout)["cost"]
    assert 0 < spent < 0.004
    second = runner.invoke(app, ["ask", "What is 3+3?"])  # a new process would read the same log
    assert second.exit_code == 1 and "session cost cap $0.0040 reached" in second.stderr
    assert len(gw.paid_requests()) == 1
    monkeypatch.setenv("CLAWCLI_CAP_MODE", "graceful")
    third = runner.invoke(app, ["ask", "--json", "What is 4+4?"])
    assert third.exit_code == 0 and "downgraded" in third.stderr
    obj = json.loads(third.stdout)
    assert obj["model"] != json.loads(first.stdout)["model"]  # a cheaper model that fits what is left
    assert spent + obj["cost"] <= 0.004 and obj["estimatedCost"] <= 0.004 - spent
    assert [r["sessionId"] for r in records()] == ["loop-1"] * 3


def test_free_route_needs_no_wallet(monkeypatch):
    with GatewayEmulator() as g:
        monkeypatch.setenv("CLAWCLI_GATEWAY_URL", g.url)
        res = runner.invoke(app, ["ask", "--profile", "free", "hello"])
    assert res.exit_code == 0, res.stderr
    assert res.stdout.startswith("Hello from nvidia/gpt-oss-120b")
    assert not (Path(os.environ["CLAWCLI_OPENCLAW_HOME"]) / "blockrun" / "wallet.key").exists()
    assert "cost $0 (free)" in res.stderr


def test_json_failure_prints_the_error_object(gw):
    gw.inject("*", "502", times=None)
    res = runner.invoke(app, ["ask", "--json", "hello"])
    assert res.exit_code == 1
    obj = json.loads(res.stdout)
    assert obj["code"] == "all_attempts_failed" and len(obj["attempts"]) == 6
    assert {a["errorClass"] for a in obj["attempts"]} == {"server_error"}
