"""USDC balances over JSON-RPC: request shapes, parsing, the positive-only cache, failures."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from clawcli.core.errors import NetworkError
from clawcli.core.wallet import BASE, SOLANA_MAINNET, BalanceCache, fetch_balances
from clawcli.core.wallet.balance import fetch_base_usdc, fetch_solana_usdc

EVM_ADDR = "0xF278cF59F82eDcf871d630F28EcC8056f25C1cdb"
SOL_ADDR = "3Cy3YNTFywCmxoxt8n7UH6hg6dLo5uACowX3CFceaSnx"


class FakeRpc:
    def __init__(self, evm: int = 0, sol: list[int] | None = None, fail: bool = False):
        self.evm, self.sol, self.fail = evm, sol or [], fail
        self.calls: list[dict] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.calls.append(body)
        if self.fail:
            raise httpx.ConnectError("Name or service not known", request=request)
        if body["method"] == "eth_call":
            result = "0x" + format(self.evm, "064x")
            return httpx.Response(200, json={"jsonrpc": "2.0", "id": body["id"], "result": result})
        accounts = [
            {"account": {"data": {"parsed": {"info": {"tokenAmount": {"amount": str(a), "decimals": 6}}}}}}
            for a in self.sol
        ]
        return httpx.Response(200, json={"jsonrpc": "2.0", "id": body["id"], "result": {"value": accounts}})


def test_base_balance_of_request_shape_and_value() -> None:
    rpc = FakeRpc(evm=2_500_000)
    assert fetch_base_usdc(EVM_ADDR, "http://rpc.test", transport=httpx.MockTransport(rpc)) == 2_500_000
    call = rpc.calls[0]
    assert call["method"] == "eth_call" and call["params"][1] == "latest"
    assert call["params"][0]["to"] == BASE.usdc
    data = call["params"][0]["data"]
    assert data.startswith("0x70a08231") and data.endswith(EVM_ADDR[2:].lower()) and len(data) == 74


def test_solana_sums_every_usdc_account() -> None:
    rpc = FakeRpc(sol=[1_000_000, 250_000])
    got = fetch_solana_usdc(SOL_ADDR, "http://rpc.test", transport=httpx.MockTransport(rpc))
    assert got == 1_250_000
    params = rpc.calls[0]["params"]
    assert rpc.calls[0]["method"] == "getTokenAccountsByOwner"
    assert params == [SOL_ADDR, {"mint": SOLANA_MAINNET.usdc_mint}, {"encoding": "jsonParsed"}]


def test_solana_empty_answer_is_asked_again() -> None:
    answers = [[], [700_000]]
    rpc = FakeRpc()

    def flaky(request: httpx.Request) -> httpx.Response:
        rpc.sol = answers.pop(0)
        return rpc(request)

    got = fetch_solana_usdc(SOL_ADDR, "http://rpc.test", transport=httpx.MockTransport(flaky), empty_retry_delay=0)
    assert got == 700_000 and len(rpc.calls) == 2


def test_rpc_error_is_a_network_error_not_zero() -> None:
    def err(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"jsonrpc": "2.0", "id": 1, "error": {"code": -32000, "message": "boom"}})

    with pytest.raises(NetworkError, match="boom"):
        fetch_base_usdc(EVM_ADDR, "http://rpc.test", transport=httpx.MockTransport(err))
    with pytest.raises(NetworkError, match="HTTP 503"):
        fetch_base_usdc(EVM_ADDR, "http://rpc.test",
                        transport=httpx.MockTransport(lambda r: httpx.Response(503, text="down")))


def test_fetch_balances_reports_offline_per_chain(tmp_path: Path) -> None:
    rpc = FakeRpc(fail=True)
    b = fetch_balances(EVM_ADDR, SOL_ADDR, base_rpc_url="http://base.test", solana_rpc_url="http://sol.test",
                       transport=httpx.MockTransport(rpc))
    assert b.evm is None and b.solana is None
    assert "could not reach http://base.test" in b.errors["evm"]
    assert "could not reach http://sol.test" in b.errors["solana"]


def test_only_positive_balances_are_cached_for_30s(tmp_path: Path) -> None:
    now = [1000.0]
    cache = BalanceCache(tmp_path / "balances.json", clock=lambda: now[0])
    rpc = FakeRpc(evm=0, sol=[])
    kw = dict(base_rpc_url="http://base.test", solana_rpc_url="http://sol.test", cache=cache,
              transport=httpx.MockTransport(rpc), solana_empty_retry_delay=0.0)
    b = fetch_balances(EVM_ADDR, SOL_ADDR, **kw)
    assert b.evm == Decimal(0) and b.solana == Decimal(0)
    rpc.evm, rpc.sol = 3_000_000, [500_000]
    b = fetch_balances(EVM_ADDR, SOL_ADDR, **kw)  # zero was not cached: funded wallet shows at once
    assert b.evm == Decimal("3") and b.solana == Decimal("0.5")
    n = len(rpc.calls)
    rpc.evm = 1
    b = fetch_balances(EVM_ADDR, SOL_ADDR, **kw)
    assert len(rpc.calls) == n and b.evm == Decimal("3")  # served from the cache
    now[0] += 31
    b = fetch_balances(EVM_ADDR, SOL_ADDR, **kw)
    assert b.evm == Decimal("0.000001")  # expired: fetched again


def test_balances_against_the_emulator_rpc() -> None:
    from clawcli.testing import GatewayEmulator

    with GatewayEmulator() as gw:
        gw.set_balance(EVM_ADDR, 2.5)
        gw.set_balance(SOL_ADDR, "1.25")
        b = fetch_balances(EVM_ADDR, SOL_ADDR, base_rpc_url=gw.rpc_url, solana_rpc_url=gw.solana_rpc_url)
        assert b.errors == {}
        assert b.evm == Decimal("2.5") and b.solana == Decimal("1.25")
        gw.inject_rpc("error", times=None)
        b = fetch_balances(EVM_ADDR, None, base_rpc_url=gw.rpc_url, solana_rpc_url=gw.solana_rpc_url)
        assert b.evm is None and "evm" in b.errors
