"""End to end: the real `claw` console script in a subprocess against the clawcli.testing gateway
over loopback. Each run costs a process start (~0.5 s), so each run checks several things."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from clawcli.testing import GatewayEmulator

pytestmark = pytest.mark.e2e

KEY = "0x" + "4c" * 32
CLAW = shutil.which("claw")
FREE = "nvidia/gpt-oss-120b"
QUESTION = "What is the capital of France?"


def chain_for(prompt: str) -> list[str]:
    """The fallback chain `claw ask` will walk for ``prompt`` (the router decides; tests follow it)."""
    from clawcli.core.router import route

    return route({"messages": [{"role": "user", "content": prompt}]}, profile="auto").chain


# the paid models of a short question's chain, in order (the free model comes last)
SIMPLE = [m for m in chain_for(QUESTION) if m != FREE]
LONG = ("Paris is the capital of France. It lies on the Seine, has about two million inhabitants, "
        "and has been the seat of French government for most of the last thousand years. "
        "Its museums, cafes and boulevards draw tens of millions of visitors every year.")


@pytest.fixture(scope="module")
def address() -> str:
    from eth_account import Account

    return Account.from_key(KEY).address


@pytest.fixture
def gw(address: str):
    with GatewayEmulator(enforce_balance=True) as g:
        g.set_balance(address, 5)
        yield g


def env_for(gw: GatewayEmulator | None, key: str | None = KEY, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAWCLI_", "BLOCKRUN_"))}
    env.update(CLAWCLI_HOME=os.environ["CLAWCLI_HOME"], CLAWCLI_OPENCLAW_HOME=os.environ["CLAWCLI_OPENCLAW_HOME"],
               NO_COLOR="1")
    if gw is not None:
        env.update(CLAWCLI_GATEWAY_URL=gw.url, CLAWCLI_BASE_RPC_URL=gw.rpc_url)
    if key:
        env["CLAWCLI_WALLET_KEY"] = key
    env.update(extra)
    return env


def claw(*args: str, env: dict[str, str], stdin: str | None = None, timeout: float = 30) -> subprocess.CompletedProcess:
    assert CLAW, "the claw console script is not installed (pip install -e .)"
    return subprocess.run([CLAW, *args], env=env, input=stdin, check=False, capture_output=True, text=True, timeout=timeout,
                          stdin=None if stdin is not None else subprocess.DEVNULL)


def log_records() -> list[dict[str, Any]]:
    logs = Path(os.environ["CLAWCLI_OPENCLAW_HOME"]) / "blockrun" / "logs"
    return [json.loads(line) for f in sorted(logs.glob("usage-*.jsonl")) for line in f.read_text().splitlines()]


def test_paid_answer_streams_in_pieces_with_settlement_in_the_log(address):
    with GatewayEmulator(enforce_balance=True, reply=LONG, stream_chunks=6, chunk_delay=0.15) as gw:
        gw.set_balance(address, 5)
        proc = subprocess.Popen([CLAW, "ask", "Tell me about Paris"], env=env_for(gw), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        reads: list[tuple[float, bytes]] = []
        while True:
            data = os.read(proc.stdout.fileno(), 65536)
            if not data:
                break
            reads.append((time.monotonic(), data))
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=30) == 0, err
        [paid] = gw.paid_requests()
    out = b"".join(d for _, d in reads).decode()
    assert out == LONG + "\n"  # stdout carries the answer only
    assert len(reads) >= 3 and reads[-1][0] - reads[0][0] >= 0.3  # arrived piece by piece
    footer = err.strip().splitlines()[-1]
    first = chain_for("Tell me about Paris")[0]
    assert footer.startswith(f"— {first}") and "tier " in footer and "saved" in footer
    assert f"${paid.amount_usd:.6f}".rstrip("0") in footer
    [rec] = log_records()
    assert rec["status"] == "ok" and rec["source"] == "ask" and rec["model"] == first
    assert rec["settlement"] == paid.transaction and rec["network"] == "eip155:8453"
    assert rec["cost"] == pytest.approx(paid.amount_usd) and rec["attempts"][0]["paid"] is True
    assert gw.balance(address) == pytest.approx(5 - paid.amount_usd)


def test_json_shape_and_429_retried_on_the_same_model_after_200ms(gw):
    gw.inject(SIMPLE[0], "429", times=1)
    p = claw("ask", "--json", QUESTION, env=env_for(gw))
    assert p.returncode == 0, p.stderr
    obj = json.loads(p.stdout)
    assert {"content", "model", "tier", "profile", "cost", "estimatedCost", "savings", "latencyMs", "attempts",
            "usage"} <= set(obj)
    assert obj["model"] == SIMPLE[0] and obj["tier"] in ("SIMPLE", "MEDIUM") and obj["profile"] == "auto"
    assert obj["content"].startswith(f"Hello from {SIMPLE[0]}")
    assert [(a["model"], a["status"], a["errorClass"], a["paid"]) for a in obj["attempts"]] == [
        (SIMPLE[0], 429, "rate_limited", False), (SIMPLE[0], 200, None, True)]
    assert obj["usage"]["completion_tokens"] > 0 and obj["cost"] > 0
    chats = [r for r in gw.chat_requests() if r.status in (429, 200)]
    assert chats[1].time - chats[0].time >= 0.19  # the retry waited 200 ms
    assert gw.paid_total() == pytest.approx(obj["cost"])  # the 429 was never charged


def test_failure_classes_walk_the_chain_to_an_answer(gw):
    """429 twice -> next model; MiniMax 520; Z.ai 1113; empty 200; token loop -> the free model."""
    assert len(SIMPLE) >= 5
    gw.inject(SIMPLE[0], "429", times=2)
    gw.inject(SIMPLE[1], "minimax_520")
    gw.inject(SIMPLE[2], "zai_1113")
    gw.inject(SIMPLE[3], "empty")
    gw.inject(SIMPLE[4], "token_loop")
    p = claw("ask", "--json", QUESTION, env=env_for(gw))
    assert p.returncode == 0, p.stderr
    obj = json.loads(p.stdout)
    got = [(a["model"], a["status"], a["errorClass"], a["paid"]) for a in obj["attempts"]]
    assert got == [
        (SIMPLE[0], 429, "rate_limited", False), (SIMPLE[0], 429, "rate_limited", False),
        (SIMPLE[1], 520, "server_error", False),
        (SIMPLE[2], 429, "auth", False),
        (SIMPLE[3], 200, "degraded", True),  # the gateway charges for a degraded 200
        (SIMPLE[4], 200, "degraded", True),
        (FREE, 200, None, False),
    ]
    assert obj["model"] == FREE and obj["content"].startswith(f"Hello from {FREE}")
    assert obj["cost"] == pytest.approx(gw.paid_total())  # what was settled, nothing invented
    [rec] = log_records()
    assert rec["model"] == FREE and len(rec["attempts"]) == 7 and rec["cost"] == pytest.approx(obj["cost"])


def test_zai_1311_is_billing_and_goes_to_the_free_model_with_a_notice(gw):
    gw.inject(SIMPLE[0], "zai_1311")
    p = claw("ask", QUESTION, env=env_for(gw))
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith(f"Hello from {FREE}")
    assert f"notice: billing error from {SIMPLE[0]}" in p.stderr
    assert [r.model for r in gw.chat_requests() if r.status != 402] == [SIMPLE[0], FREE]


def test_everything_failing_exits_1_with_the_attempt_list(gw):
    gw.inject("*", "500", times=None)
    p = claw("ask", QUESTION, env=env_for(gw))
    assert p.returncode == 1
    assert p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert lines[0].startswith(f"error: no model could answer: {len(SIMPLE) + 1} attempts failed")
    for m in SIMPLE + [FREE]:
        assert any(ln.strip().startswith(m) and "500" in ln and "server_error" in ln for ln in lines), m
    [rec] = log_records()
    assert rec["status"] == "error" and rec["errorClass"] == "server_error" and rec["cost"] == 0


def test_policy_refusal_is_reported_not_downgraded(gw):
    p = claw("ask", "-m", "sonnet", "Design a rate limiter", env=env_for(gw, CLAWCLI_MAX_PER_REQUEST="0.001"))
    assert p.returncode == 1
    assert "refusing to sign" in p.stderr and "per-request cap" in p.stderr
    assert p.stdout == ""
    assert gw.paid_requests() == [] and not any(r.model == FREE for r in gw.chat_requests())
    [rec] = log_records()
    assert rec["status"] == "blocked" and rec["errorClass"] == "policy" and rec["cost"] == 0


def test_new_empty_wallet_banner_then_free_model_with_notice_from_stdin(gw):
    # no key anywhere: `claw ask` creates the wallet (banner on stderr); it holds no USDC
    p = claw("ask", "-", env=env_for(gw, key=None), stdin="What is the capital of Peru?\n")
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith(f"Hello from {FREE}. You said: What is the capital of Peru?")
    assert "Created a new clawcli wallet" in p.stderr and "Base (EVM) address: 0x" in p.stderr
    assert "Solana address:" in p.stderr and "BACK IT UP" in p.stderr
    assert "wallet balance too low" in p.stderr and FREE in p.stderr
    key_file = Path(os.environ["CLAWCLI_OPENCLAW_HOME"]) / "blockrun" / "wallet.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert gw.paid_requests() == []
    [rec] = log_records()
    assert rec["status"] == "ok" and rec["model"] == FREE and rec["cost"] == 0
    assert rec["attempts"][0]["errorClass"] == "billing"


def test_offline_gateway_is_one_clear_line():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: nothing listens there
    p = claw("ask", "hello there", env=env_for(None, CLAWCLI_GATEWAY_URL=f"http://127.0.0.1:{port}"))
    assert p.returncode == 1
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert lines[0].startswith(f"error: cannot reach the gateway at http://127.0.0.1:{port}")
    assert "Traceback" not in p.stderr


def test_ctrl_c_cancels_cleanly_and_logs_cancelled(address):
    with GatewayEmulator(enforce_balance=True, reply=LONG, stream_chunks=20, chunk_delay=0.4) as gw:
        gw.set_balance(address, 5)
        proc = subprocess.Popen([CLAW, "ask", "Tell me about Paris"], env=env_for(gw), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        first = os.read(proc.stdout.fileno(), 65536)  # the answer has started
        assert first
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert "cancelled" in err.decode() and "Traceback" not in err.decode()
    [rec] = log_records()
    assert rec["status"] == "error" and rec["errorClass"] == "cancelled"
