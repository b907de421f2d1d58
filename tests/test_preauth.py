"""Pre-authorisation (clawcli/core/upstream/preauth.py): after one paid request, the next one of the
same model and size carries its payment from the start — one round trip, no 402 — and every such
payment is a normal signature: policy, ledger, caps."""

from __future__ import annotations

import dataclasses

import pytest

from clawcli.core.config import Settings
from clawcli.core.errors import PolicyRefusal
from clawcli.core.paths import Paths
from clawcli.core.upstream import Engine
from clawcli.core.upstream.preauth import QuoteCache, quote_ceiling, size_bucket
from clawcli.testing import GatewayEmulator

KEY = "0x" + "5d" * 32
MODEL = "openai/gpt-4o-mini"


def req(text: str = "What is the capital of France?", max_tokens: int = 200) -> dict:
    return {"model": MODEL, "max_tokens": max_tokens, "messages": [{"role": "user", "content": text}]}


@pytest.fixture
def gw():
    from eth_account import Account

    with GatewayEmulator(enforce_balance=True) as g:
        g.set_balance(Account.from_key(KEY).address, 5)
        yield g


def engine_for(gw: GatewayEmulator, *, preauth: bool = True, **settings) -> Engine:
    from clawcli.core.x402.ledger import SpendLedger
    from clawcli.core.x402.payer import Payer
    from clawcli.core.x402.policy import SpendPolicy

    paths = Paths.from_env()
    s = Settings(gateway_url=gw.url, **settings)
    payer = Payer(KEY, policy=SpendPolicy.from_settings(s), ledger=SpendLedger(paths.ledger_file))
    return Engine(s, paths, payer=payer, preauth=preauth)


def trips(gw: GatewayEmulator, since: int) -> list[tuple[int, bool]]:
    """(status, payment attached) of each chat request after the first ``since``."""
    return [(r.status, r.payment_attached) for r in gw.chat_requests()[since:]]


async def test_second_paid_request_takes_one_round_trip(gw):
    async with engine_for(gw) as eng:
        first = await eng.complete(req("first question, please"), source="ask")
        n = len(gw.chat_requests())
        second = await eng.complete(req("second question, please"), source="ask")
    assert trips(gw, 0)[:2] == [(402, False), (200, True)]  # the first learns the quote
    assert trips(gw, n) == [(200, True)]  # the second: no 402 at all
    assert first.cost > 0 and second.cost == pytest.approx(gw.paid_requests()[-1].amount_usd)
    assert second.settlement.tx == gw.paid_requests()[-1].transaction


async def test_no_preauth_keeps_two_round_trips(gw):
    async with engine_for(gw, preauth=False) as eng:
        await eng.complete(req("first question, please"), source="ask")
        n = len(gw.chat_requests())
        await eng.complete(req("second question, please"), source="ask")
    assert trips(gw, n) == [(402, False), (200, True)]


async def test_a_quote_change_falls_back_to_the_normal_path_and_is_learned(gw):
    async with engine_for(gw) as eng:
        first = await eng.complete(req("first question, please"), source="ask")
        new_price = round(first.cost * 1.5, 6)
        gw.set_price(MODEL, new_price)  # the gateway now wants more than the remembered quote
        n = len(gw.chat_requests())
        res = await eng.complete(req("second question, please"), source="ask")
        m = len(gw.chat_requests())
        await eng.complete(req("third question, please"), source="ask")
    # pre-signed (underpaid: 402 with the new quote), then the new quote paid as usual
    assert trips(gw, n)[: m - n] == [(402, True), (200, True)]
    assert res.cost == pytest.approx(new_price) and res.model == MODEL
    assert trips(gw, m) == [(200, True)]  # and the new quote is the one remembered


async def test_a_larger_request_does_not_reuse_a_small_requests_quote(gw):
    async with engine_for(gw) as eng:
        await eng.complete(req("a short question", max_tokens=50), source="ask")
        n = len(gw.chat_requests())
        big = req(" ".join(f"detail{i}" for i in range(1500)), max_tokens=4000)
        res = await eng.complete(big, source="ask")
    assert trips(gw, n) == [(402, False), (200, True)]  # asked for its own quote, paid it
    assert res.cost == pytest.approx(gw.quote_usd({**big, "stream": False}), rel=0.01)


async def test_a_pre_signed_payment_passes_the_spend_policy(gw):
    """The remembered quote is small enough to reuse, but the policy's per-request limit now says
    no: nothing is signed, nothing is sent, the refusal reaches the caller."""
    async with engine_for(gw) as eng:
        first = await eng.complete(req("first question, please"), source="ask")
        n = len(gw.chat_requests())
        limit = int(first.cost * 1_000_000) // 2  # atomic USDC units
        eng.payer.policy = dataclasses.replace(eng.payer.policy, max_per_request=limit)
        with pytest.raises(PolicyRefusal):
            await eng.complete(req("second question, please"), source="ask")
    assert trips(gw, n) == []
    assert len(gw.paid_requests()) == 1


async def test_pre_signed_payments_are_in_the_ledger(gw):
    async with engine_for(gw) as eng:
        for i in range(3):
            await eng.complete(req(f"question number {i}"), source="ask")
        entries = eng.payer.ledger.entries()
    paid = gw.paid_requests()
    assert len(paid) == 3
    settled = [e for e in entries if e["state"] == "settled"]
    assert sorted(e["amount"] for e in settled) == sorted(round(p.amount_usd * 1_000_000) for p in paid)


def test_size_buckets_and_the_ceiling():
    assert size_bucket(0.0) == 0 and size_bucket(0.001) == 10  # 1000 µUSD -> 2^10
    assert size_bucket(0.0009) == size_bucket(0.001) and size_bucket(0.0021) > size_bucket(0.001)
    s = Settings(quote_tolerance=3.0, quote_tolerance_usd=0.01)
    assert quote_ceiling(s, 0.01) == pytest.approx(0.04)
    cache = QuoteCache(ttl=10, clock=lambda: now[0])
    now = [0.0]

    class Signed:
        network, payee, amount_usd = "eip155:8453", "0xpayee", 0.001

    cache.put("m", 10, "quote", Signed())
    assert cache.get("m", 10).required == "quote" and cache.get("m", 11) is None
    now[0] = 11.0
    assert cache.get("m", 10) is None  # expired


@pytest.mark.parametrize("preauth", [True, False])
def test_serve_pays_the_second_request_in_one_round_trip_unless_no_preauth(make_proxy, gw, preauth):
    """Through `claw serve` (the same app, in-process): `preauth = false` (`--no-preauth`) keeps the 402."""
    from eth_account import Account

    from _proxy import TEST_KEY

    proxy = make_proxy(preauth=preauth)  # (resets the emulator)
    gw.set_balance(Account.from_key(TEST_KEY).address, 5)
    assert proxy.post(req("first question, please")).status_code == 200
    n = len(gw.chat_requests())
    r = proxy.post(req("second question, please"))
    assert r.status_code == 200
    assert trips(gw, n) == ([(200, True)] if preauth else [(402, False), (200, True)])
    assert proxy.log_records()[-1]["cost"] == pytest.approx(gw.paid_requests()[-1].amount_usd)
