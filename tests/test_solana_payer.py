"""Paying on Solana through the payer API: chain selection, the pre-sign policy and the shared spend
ledger, the missing-extra message, and the x402 round trip over loopback against the emulator."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import httpx
import pytest

pytest.importorskip("solders")

from clawcli.core.config import load_settings
from clawcli.core.errors import PaymentError, PolicyRefusal
from clawcli.core.paths import Paths
from clawcli.core.wallet import import_mnemonic, resolve_wallet, set_chain
from clawcli.core.x402 import (
    Payer,
    SpendLedger,
    SpendPolicy,
    parse_payment_required,
    svm,
)
from clawcli.core.x402._svm_payer import SolanaPayer
from clawcli.core.x402.wallet_payer import payer_from_settings
from clawcli.testing import GatewayEmulator

MNEMONIC = " ".join(["abandon"] * 23 + ["art"])
SEED = bytes.fromhex("7c139e1a603ca04f5f7cff194e1bb6f6d1b9098470ea90695ab628488a9f921b")
SOL_ADDR = "3Cy3YNTFywCmxoxt8n7UH6hg6dLo5uACowX3CFceaSnx"
EVM_ADDR = "0xF278cF59F82eDcf871d630F28EcC8056f25C1cdb"
BODY = {"model": "openai/gpt-5.4", "messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture
def gw():
    with GatewayEmulator(network="solana", price_usd=0.01, enforce_balance=True) as g:
        g.set_balance(SOL_ADDR, 1)
        yield g


def challenge(gw):
    with httpx.Client() as c:
        return parse_payment_required(c.post(gw.chat_url, json=BODY))


def make_payer(tmp_path: Path, gw, ledger: Path | None = None, **policy) -> SolanaPayer:
    from clawcli.core.wallet.constants import SOLANA_MAINNET

    policy.setdefault("networks", ())
    policy.setdefault("solana_networks", (SOLANA_MAINNET,))
    return SolanaPayer(SEED, policy=SpendPolicy(**policy), ledger=SpendLedger(ledger or tmp_path / "ledger.json"),
                       rpc_url=gw.solana_rpc_url)


def wallet_paths(chain: str) -> Paths:
    paths = Paths.from_env()
    import_mnemonic(paths, MNEMONIC, env={})
    set_chain(paths, chain, env={})
    return paths


def test_chain_decides_which_payer_and_gateway(gw) -> None:
    paths = wallet_paths("solana")
    settings = load_settings(paths, env={})
    payer = payer_from_settings(resolve_wallet(paths, env={}), settings, paths)
    assert isinstance(payer, SolanaPayer) and payer.address == SOL_ADDR and "seed" not in repr(payer)
    assert [n.caip2 for n in payer.policy.solana_networks] == ["solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp"]
    assert payer.policy.networks == () and payer.rpc_url == settings.solana_rpc_url
    assert settings.gateway_for("solana") == "https://sol.blockrun.ai/api"
    assert load_settings(paths, env={"CLAWCLI_GATEWAY_URL": gw.url}).gateway_for("solana") == gw.url
    from clawcli.core.upstream import Engine

    engine = Engine(settings, paths, payer=payer, chain=resolve_wallet(paths, env={}).chain)
    assert engine.url == "https://sol.blockrun.ai/api/v1/chat/completions"  # built, never contacted
    set_chain(paths, "base", env={})
    back = payer_from_settings(resolve_wallet(paths, env={}), settings, paths)
    assert type(back) is Payer and back.address == EVM_ADDR
    assert back.policy.solana_networks == () and settings.gateway_for("base") == "https://blockrun.ai/api"


def test_sign_builds_a_payment_the_gateway_accepts(tmp_path, gw) -> None:
    payer = make_payer(tmp_path, gw)
    pr = challenge(gw)
    signed = payer.sign(pr, model="openai/gpt-5.4")
    assert (signed.amount, signed.network, signed.payer, signed.payee) == (
        10_000, "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp", SOL_ADDR, gw.payee)
    payload = json.loads(base64.b64decode(signed.headers["PAYMENT-SIGNATURE"]))
    assert payload["x402Version"] == 2 and payload["accepted"] == pr.accepts[0].raw
    assert set(payload["payload"]) == {"transaction"} and payload["resource"] == pr.resource
    with httpx.Client() as c:
        r = c.post(gw.chat_url, json=BODY, headers=signed.headers)
    assert r.status_code == 200, r.text
    s = payer.settled(signed, r.headers)
    assert s.success and s.payer == SOL_ADDR and s.amount == 10_000
    assert svm.settlement_signed_by_fee_payer(payload["payload"]["transaction"], s.transaction, gw.svm.fee_payer)
    (entry,) = payer.ledger.entries()
    assert entry["state"] == "settled" and entry["tx"] == s.transaction and entry["amount"] == 10_000
    # never cached: the next payment has a fresh blockhash and a fresh transaction
    again = payer.sign(challenge(gw), model="openai/gpt-5.4")
    assert again.nonce != signed.nonce and again.headers != signed.headers
    calls = [c["payload"] for c in gw.rpc_calls]
    assert sum(isinstance(p, list) for p in calls) == 1  # the mint is looked up once per process
    assert sum(1 for p in calls for x in (p if isinstance(p, list) else [p])
               if x["method"] == "getLatestBlockhash") == 2


@pytest.mark.parametrize(("policy", "cap"), [
    ({"max_per_request": 9_999}, "per_request"),
    ({"hourly_limit": 15_000}, "hourly"),
    ({"daily_limit": 19_999}, "daily"),
    ({"solana_networks": ()}, "network"),
    ({"allowed_payees": frozenset({"somebodyelse"})}, "payee"),
])
def test_policy_refusals_sign_nothing_and_touch_no_rpc(tmp_path, gw, policy, cap) -> None:
    ledger = tmp_path / "ledger.json"
    if cap in ("hourly", "daily"):  # an earlier payment of another claw process already counts
        other = make_payer(tmp_path, gw, ledger)
        other.settled(other.sign(challenge(gw)), {})
    gw.clear_requests()
    payer = make_payer(tmp_path, gw, ledger, **policy)
    before = payer.ledger.entries()
    with pytest.raises(PolicyRefusal) as info:
        payer.sign(challenge(gw), model="openai/gpt-5.4")
    assert info.value.cap == cap and info.value.hint
    assert payer.ledger.entries() == before  # nothing reserved
    assert gw.rpc_calls == []  # refused before any network I/O


def test_refuses_other_assets_networks_and_base_on_solana_chain(tmp_path, gw) -> None:
    from clawcli.core.x402.protocol import parse_payment_required_parts

    def req(**over):
        a = {"scheme": "exact", "network": "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp", "amount": "1000",
             "asset": "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", "payTo": gw.payee,
             "extra": {"feePayer": gw.svm.fee_payer}}
        a.update(over)
        data = {"x402Version": 2, "accepts": [a]}
        return parse_payment_required_parts({"PAYMENT-REQUIRED": base64.b64encode(json.dumps(data).encode()).decode()},
                                            None)

    payer = make_payer(tmp_path, gw)
    for over, cap, fragment in [
        ({"asset": "epjfwdd5aufqssqem2qn1xzybapc8g4wewgkzwytdt1v"}, "asset", "only USDC"),
        ({"network": "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1",
          "asset": "4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU"}, "network", "allowed are"),
        ({"network": "eip155:8453", "asset": "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"}, "network",
         "payment chain is solana"),
    ]:
        with pytest.raises(PolicyRefusal) as info:
            payer.sign(req(**over))
        assert info.value.cap == cap and fragment in info.value.message
    with pytest.raises(PaymentError, match="feePayer"):
        payer.sign(req(extra={}))
    assert payer.ledger.entries() == [] and gw.rpc_calls == []
    # and a Base-chain policy refuses Solana requirements, pointing at the switch
    base = SpendPolicy()
    with pytest.raises(PolicyRefusal) as info:
        base.select(req())
    assert "claw wallet chain solana" in info.value.hint


def test_rpc_failure_releases_the_reservation(tmp_path, gw) -> None:
    payer = make_payer(tmp_path, gw)
    gw.inject_rpc("http_500")
    with pytest.raises(PaymentError, match="HTTP 500") as info:
        payer.sign(challenge(gw))
    assert "nothing was signed" in info.value.hint
    (entry,) = payer.ledger.entries()
    assert entry["state"] == "released"
    assert payer.ledger.totals().pending_day == 0


def test_missing_solders_explains_the_extra(tmp_path, gw, monkeypatch) -> None:
    paths = wallet_paths("solana")
    wallet = resolve_wallet(paths, env={})
    payer = make_payer(tmp_path, gw)
    monkeypatch.setitem(sys.modules, "solders", None)  # as if `pip install 'clawcli[solana]'` never ran
    with pytest.raises(PaymentError) as info:
        payer_from_settings(wallet, load_settings(paths, env={}), paths)
    assert "pip install 'clawcli[solana]'" in info.value.message and "\n" not in info.value.message
    with pytest.raises(PaymentError, match=r"pip install 'clawcli\[solana\]'"):
        payer.sign(challenge(gw))
    assert payer.ledger.entries() == []  # refused before reserving anything


async def test_the_engine_pays_on_solana_once_per_answer(tmp_path, gw) -> None:
    from clawcli.core.config import Settings
    from clawcli.core.upstream import Engine

    payer = make_payer(tmp_path, gw)
    async with Engine(Settings(gateway_url=gw.url), Paths.from_env(), payer=payer, chain="solana") as eng:
        first = await eng.complete(BODY, source="ask")
        assert first.model == "openai/gpt-5.4" and "Hello from openai/gpt-5.4" in first.content
        assert first.settlement.payer == SOL_ADDR and first.cost == pytest.approx(0.01)
        gw.svm.expire_blockhashes()  # the next payment is fresh regardless
        second = await eng.complete(BODY, source="ask")
        assert second.cost == pytest.approx(0.01)
    # the second request is pre-authorised with the first one's quote: paid in one round trip
    assert [r.paid for r in gw.chat_requests()] == [False, True, True]
    assert gw.paid_total() == pytest.approx(0.02) and gw.balance(SOL_ADDR) == pytest.approx(0.98)
    assert payer.ledger.totals().spent_day == 20_000


def test_wallet_limits_follow_the_chain_and_take_solana_payees(tmp_path, gw) -> None:
    from typer.testing import CliRunner

    from clawcli.cli.main import app

    runner = CliRunner()
    wallet_paths("solana")
    d = json.loads(runner.invoke(app, ["wallet", "limits", "--json"]).stdout)
    assert d["networks"] == ["solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp"]
    r = runner.invoke(app, ["wallet", "limits", "--payee", gw.payee, "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["allowedPayees"] == [gw.payee]
    assert runner.invoke(app, ["wallet", "limits", "--payee", "not-an-address!"]).exit_code == 2
    # the allowlisted Solana payee is payable; the gateway's answer settles
    paths = Paths.from_env()
    settings = load_settings(paths, env={"CLAWCLI_SOLANA_RPC_URL": gw.solana_rpc_url})
    payer = payer_from_settings(resolve_wallet(paths, env={}), settings, paths)
    assert payer.policy.allowed_payees == {gw.payee.lower()}
    with httpx.Client() as c:
        signed = payer.sign(challenge(gw))
        assert c.post(gw.chat_url, json=BODY, headers=signed.headers).status_code == 200
    assert runner.invoke(app, ["wallet", "chain", "base"]).exit_code == 0
    assert json.loads(runner.invoke(app, ["wallet", "limits", "--json"]).stdout)["networks"] == ["eip155:8453"]


def test_v1_gateway_gets_an_x_payment_header(tmp_path) -> None:
    with GatewayEmulator(network="solana", x402_version=1, price_usd=0.003) as g1:
        payer = make_payer(tmp_path, g1)
        pr = challenge(g1)
        assert pr.version == 1 and pr.accepts[0].network == "solana"
        signed = payer.sign(pr)
        payload = json.loads(base64.b64decode(signed.headers["X-PAYMENT"]))
        assert set(payload) == {"x402Version", "scheme", "network", "payload"} and payload["network"] == "solana"
        with httpx.Client() as c:
            r = c.post(g1.chat_url, json=BODY, headers=signed.headers)
        assert r.status_code == 200
        s = payer.settled(signed, r.headers)
        assert s.success and s.network == "solana" and s.amount == 3000


async def test_engine_stale_blockhash_rejection_is_not_counted_and_never_resent(tmp_path) -> None:
    """A Solana payment refused before settlement (stale blockhash) stops counting; whatever the engine
    does next (re-sign, next model, free model) never resends that transaction nor pays twice."""
    from clawcli.core.config import Settings
    from clawcli.core.router import route
    from clawcli.core.upstream import Engine

    req = {"messages": [{"role": "user", "content": "What is the capital of France?"}]}
    first = route(req, profile="auto").chain[0]
    with GatewayEmulator(network="solana", enforce_balance=True) as g:
        g.set_balance(SOL_ADDR, 2)
        g.inject(first, "payment_rejected", reason="transaction_simulation_failed", message="Blockhash not found")
        payer = make_payer(tmp_path, g)
        engine = Engine(Settings(gateway_url=g.url, solana_rpc_url=g.solana_rpc_url), Paths.from_env(),
                        payer=payer, chain="solana")
        try:
            result = await engine.complete(req, source="ask")
        finally:
            await engine.aclose()
        attempted = [r for r in g.chat_requests() if r.payment_attached]
        assert attempted[0].model == first and not attempted[0].paid
        assert len({r.nonce for r in attempted}) == len(attempted)  # every payment a new transaction
        assert result.cost == pytest.approx(g.paid_total())
        assert g.balance(SOL_ADDR) == pytest.approx(2 - g.paid_total())
    states = [e["state"] for e in payer.ledger.entries()]
    assert states[0] == "rejected" and states.count("settled") == len(g.paid_requests())
    assert payer.ledger.totals().spent_day == round(result.cost * 1e6)
