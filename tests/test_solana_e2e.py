"""End to end on Solana: `claw wallet chain solana`, then the real `claw ask` (a subprocess) and
`claw serve` (the proxy in a thread) pay the gateway emulator with partially signed SVM transactions
over loopback; `claw wallet chain base` switches back to EIP-3009 on Base."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("solders")

from clawcli.core.x402 import svm
from clawcli.testing import GatewayEmulator

pytestmark = pytest.mark.e2e

CLAW = shutil.which("claw")
MNEMONIC = " ".join(["abandon"] * 23 + ["art"])
SOL_ADDR = "3Cy3YNTFywCmxoxt8n7UH6hg6dLo5uACowX3CFceaSnx"
EVM_ADDR = "0xF278cF59F82eDcf871d630F28EcC8056f25C1cdb"
SOLANA = "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp"


def env_for(gw: GatewayEmulator, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAWCLI_", "BLOCKRUN_"))}
    env.update(CLAWCLI_HOME=os.environ["CLAWCLI_HOME"], CLAWCLI_OPENCLAW_HOME=os.environ["CLAWCLI_OPENCLAW_HOME"],
               NO_COLOR="1", CLAWCLI_GATEWAY_URL=gw.url, CLAWCLI_BASE_RPC_URL=gw.rpc_url,
               CLAWCLI_SOLANA_RPC_URL=gw.solana_rpc_url)
    env.update(extra)
    return env


def claw(*args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess:
    assert CLAW, "the claw console script is not installed (pip install -e .)"
    return subprocess.run([CLAW, *args], env=env, input=stdin, capture_output=True, text=True, timeout=60,
                          stdin=None if stdin is not None else subprocess.DEVNULL)


def log_records() -> list[dict[str, Any]]:
    logs = Path(os.environ["CLAWCLI_OPENCLAW_HOME"]) / "blockrun" / "logs"
    return [json.loads(line) for f in sorted(logs.glob("usage-*.jsonl")) for line in f.read_text().splitlines()]


def ledger() -> list[dict[str, Any]]:
    from clawcli.core.paths import Paths
    from clawcli.core.x402 import SpendLedger

    return SpendLedger(Paths.from_env().ledger_file).entries()


@pytest.fixture
def solana_wallet() -> None:
    from typer.testing import CliRunner

    from clawcli.cli.main import app

    runner = CliRunner()
    r = runner.invoke(app, ["wallet", "import", "--mnemonic", "-"], input=MNEMONIC + "\n")
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["wallet", "chain", "solana", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["chain"] == "solana"


def test_claw_ask_pays_on_solana_then_base_after_switching_back(solana_wallet) -> None:
    with GatewayEmulator(network="solana", enforce_balance=True) as gw:
        gw.set_balance(SOL_ADDR, 3)
        p = claw("ask", "--json", "-m", "openai/gpt-5.4", "What is the capital of France?", env=env_for(gw))
        assert p.returncode == 0, p.stderr
        obj = json.loads(p.stdout)
        [paid] = gw.paid_requests()
        assert paid.payer == SOL_ADDR and obj["model"] == "openai/gpt-5.4"
        assert obj["cost"] == pytest.approx(paid.amount_usd) and paid.amount_usd == pytest.approx(paid.quoted_usd)
        assert gw.balance(SOL_ADDR) == pytest.approx(3 - paid.amount_usd)
        # the settlement is the fee payer's signature over exactly the transaction we partially signed
        sent = json.loads(__import__("base64").b64decode(paid.headers["payment-signature"]))
        assert svm.settlement_signed_by_fee_payer(sent["payload"]["transaction"], paid.transaction, gw.svm.fee_payer)
        [rec] = log_records()
        assert rec["network"] == SOLANA and rec["settlement"] == paid.transaction and rec["status"] == "ok"
        [entry] = ledger()
        assert entry["state"] == "settled" and entry["network"] == SOLANA and entry["tx"] == paid.transaction
        # a second ask signs a new transaction (fresh blockhash; nothing cached)
        gw.svm.expire_blockhashes()
        p = claw("ask", "-m", "openai/gpt-5.4", "And of Spain?", env=env_for(gw))
        assert p.returncode == 0, p.stderr
        first, second = gw.paid_requests()
        assert first.nonce != second.nonce and second.payer == SOL_ADDR
        assert "cost $" in p.stderr.splitlines()[-1]

    r = claw("wallet", "chain", "base", env=env_for(gw))
    assert r.returncode == 0 and "base" in r.stdout
    with GatewayEmulator(enforce_balance=True) as base_gw:
        base_gw.set_balance(EVM_ADDR, 2)
        p = claw("ask", "-m", "openai/gpt-5.4", "What is the capital of Peru?", env=env_for(base_gw))
        assert p.returncode == 0, p.stderr
        [paid] = base_gw.paid_requests()
        assert paid.payer == EVM_ADDR and paid.transaction.startswith("0x")
    assert [r["network"] for r in log_records()] == [SOLANA, SOLANA, "eip155:8453"]


def test_claw_ask_policy_refusal_on_solana_sends_nothing(solana_wallet) -> None:
    with GatewayEmulator(network="solana", price_usd=0.02) as gw:
        gw.set_balance(SOL_ADDR, 3)
        p = claw("ask", "-m", "openai/gpt-5.4", "Design a rate limiter", env=env_for(gw, CLAWCLI_DAILY_LIMIT="0.03"))
        assert p.returncode == 0, p.stderr  # $0.02 fits the $0.03 daily limit
        p = claw("ask", "-m", "openai/gpt-5.4", "Design a cache", env=env_for(gw, CLAWCLI_DAILY_LIMIT="0.03"))
        assert p.returncode == 1 and p.stdout == ""
        assert "refusing to sign $0.02" in p.stderr and "daily limit of $0.03" in p.stderr
        assert len(gw.paid_requests()) == 1 and gw.paid_total() == pytest.approx(0.02)
        # the refusal happened before any blockhash was fetched for it
        blockhash_calls = [c for c in gw.rpc_calls if "getLatestBlockhash" in json.dumps(c["payload"])]
        assert len(blockhash_calls) == 1
    assert [r["status"] for r in log_records()] == ["ok", "blocked"]


def test_claw_ask_without_the_solana_extra_is_one_line(solana_wallet, tmp_path) -> None:
    # a sitecustomize that hides solders, as in an install without the [solana] extra
    (tmp_path / "sitecustomize.py").write_text("import sys\nsys.modules['solders'] = None\n")
    with GatewayEmulator(network="solana") as gw:
        env = env_for(gw, PYTHONPATH=str(tmp_path) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        p = claw("ask", "-m", "openai/gpt-5.4", "hello", env=env)
        assert p.returncode == 1 and p.stdout == ""
        lines = p.stderr.strip().splitlines()
        assert lines[0] == "error: paying on Solana needs the optional solders package: pip install 'clawcli[solana]'"
        assert len(lines) <= 2 and "Traceback" not in p.stderr  # the message, then at most a hint
        assert gw.chat_requests() == []  # failed before anything was sent
        r = claw("wallet", "chain", "solana", env=env)
        assert r.returncode == 0 and r.stderr.strip().count("\n") == 0
        assert "pip install 'clawcli[solana]'" in r.stderr


def test_claw_serve_pays_on_solana(solana_wallet) -> None:
    from _proxy import Proxy

    from clawcli.core.catalog import default_catalog
    from clawcli.core.config import load_settings
    from clawcli.core.paths import Paths
    from clawcli.proxy.state import ProxyState

    with GatewayEmulator(network="solana", enforce_balance=True) as gw:
        gw.set_balance(SOL_ADDR, 1)
        paths = Paths.from_env()
        env = {"CLAWCLI_GATEWAY_URL": gw.url, "CLAWCLI_SOLANA_RPC_URL": gw.solana_rpc_url}
        state = ProxyState(settings=load_settings(paths, env=env), paths=paths, catalog=default_catalog(), env=env)
        proxy = Proxy(state)
        try:
            with httpx.Client(timeout=30) as c:
                body = {"model": "openai/gpt-5.4", "messages": [{"role": "user", "content": "hi"}]}
                r = c.post(proxy.url + "/v1/chat/completions", json=body)
                assert r.status_code == 200, r.text
                assert r.json()["choices"][0]["message"]["content"].startswith("Hello from openai/gpt-5.4")
                with c.stream("POST", proxy.url + "/v1/chat/completions", json={**body, "stream": True}) as s:
                    text = "".join(s.iter_text())
                assert "data: [DONE]" in text
        finally:
            proxy.stop()
        assert state.chain == "solana"
        paid = gw.paid_requests()
        assert len(paid) == 2 and {p.payer for p in paid} == {SOL_ADDR} and paid[0].nonce != paid[1].nonce
        assert gw.balance(SOL_ADDR) == pytest.approx(1 - gw.paid_total())


def test_empty_solana_wallet_falls_back_to_the_free_model_with_a_notice(solana_wallet) -> None:
    with GatewayEmulator(network="solana", enforce_balance=True) as gw:  # no USDC token account at all
        p = claw("ask", "What is the capital of Peru?", env=env_for(gw))
        assert p.returncode == 0, p.stderr
        assert p.stdout.startswith("Hello from nvidia/gpt-oss-120b")
        assert "wallet balance too low" in p.stderr
        assert gw.paid_requests() == []
        rejected = [r for r in gw.chat_requests() if r.payment_attached]
        assert rejected and all(r.payment_error == "insufficient_funds" for r in rejected)
    [rec] = log_records()
    assert rec["cost"] == 0 and rec["model"] == "nvidia/gpt-oss-120b"
    assert all(e["state"] == "rejected" for e in ledger())  # refused before settlement: not spend
