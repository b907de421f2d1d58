"""Solana through `claw serve`: /health names the Solana payer (ClawRouter's
`solana` field), and what `claw stats` reports equals what the emulator settled."""

from __future__ import annotations

import json

import httpx
import pytest
from typer.testing import CliRunner

pytest.importorskip("solders")

from _proxy import Proxy

from clawcli.cli.main import app
from clawcli.core.catalog import default_catalog
from clawcli.core.config import load_settings
from clawcli.core.paths import Paths
from clawcli.proxy.state import ProxyState
from clawcli.testing import GatewayEmulator

MNEMONIC = " ".join(["abandon"] * 23 + ["art"])
SOL_ADDR = "3Cy3YNTFywCmxoxt8n7UH6hg6dLo5uACowX3CFceaSnx"


def test_serve_on_solana_health_names_the_payer_and_stats_match_settlements() -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["wallet", "import", "--mnemonic", "-"], input=MNEMONIC + "\n").exit_code == 0
    assert runner.invoke(app, ["wallet", "chain", "solana"]).exit_code == 0
    with GatewayEmulator(network="solana", enforce_balance=True) as gw:
        gw.set_balance(SOL_ADDR, 2)
        paths = Paths.from_env()
        env = {"CLAWCLI_GATEWAY_URL": gw.url, "CLAWCLI_SOLANA_RPC_URL": gw.solana_rpc_url}
        state = ProxyState(settings=load_settings(paths, env=env), paths=paths, catalog=default_catalog(), env=env)
        proxy = Proxy(state)
        try:
            health = httpx.get(proxy.url + "/health", timeout=10).json()
            assert health["paymentChain"] == "solana" and health["solana"] == SOL_ADDR
            assert health["wallet"].startswith("0x")  # ClawRouter's field: the EVM address
            from openai import OpenAI

            client = OpenAI(base_url=proxy.url + "/v1", api_key="unused", max_retries=0)
            msg = [{"role": "user", "content": "Explain Rust lifetimes in detail"}]
            assert client.chat.completions.create(model="auto", messages=msg).choices[0].message.content
            text = "".join(c.choices[0].delta.content or "" for c in client.chat.completions.create(
                model="premium", messages=msg, stream=True) if c.choices)
            assert "Rust lifetimes" in text
            gw.svm.expire_blockhashes()  # a fresh blockhash is fetched: nothing signed is reused
            assert client.chat.completions.create(model="eco", messages=msg).choices
        finally:
            proxy.stop()
        paid = [p for p in gw.paid_requests() if p.amount_usd]
        assert paid and {p.payer for p in paid} == {SOL_ADDR}
        nonces = [r.nonce for r in gw.requests if r.nonce]
        assert len(nonces) == len(set(nonces))  # never one signature twice
        res = runner.invoke(app, ["stats", "--json"])
        assert res.exit_code == 0, res.output
        assert json.loads(res.stdout)["cost"] == pytest.approx(gw.paid_total(), abs=1e-6)
        assert gw.balance(SOL_ADDR) == pytest.approx(2 - gw.paid_total())
