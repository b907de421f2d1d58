"""Caps that hold against a dishonest gateway (issue 13), on real sockets: `claw serve` (uvicorn on
loopback) and `claw ask` (the console script) against ``GatewayEmulator(dishonest=...)``.

The yardstick is ``gw.could_collect_usd()``: the sum of every authorisation the gateway verified
and holds, whatever it answered — it could execute each one before it expires. Each test asserts
that sum stays at or below the cap that was set.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from _proxy import TEST_KEY, start_proxy

from clawcli.core.paths import Paths
from clawcli.core.x402 import SpendLedger
from clawcli.testing import GatewayEmulator

CAP = 0.05  # USD, hourly and daily
EPS = 1e-9
TEST_ADDR = "0x1563915e194D8CfBA1943570603F7606A3115508"  # address of TEST_KEY


def ask(text: str) -> dict:
    return {"model": "auto", "messages": [{"role": "user", "content": text}], "max_tokens": 256}


def proxy_paths(home: Path) -> Paths:  # where start_proxy puts its state
    return Paths(config_dir=home / "home", cache_dir=home / "home" / "cache", openclaw_home=home / "openclaw")


def test_collect_then_500_cannot_take_more_than_the_daily_cap(tmp_path: Path) -> None:
    """Issue 13 #3: a gateway answering 500 to every paid request collected 240 authorisations
    worth $0.36 against a $0.05 daily cap. Now every authorisation handed over counts."""
    with GatewayEmulator(dishonest="collect_500") as gw:
        proxy = start_proxy(gw, tmp_path, daily_limit=CAP, hourly_limit=CAP)
        try:
            codes = [proxy.post(ask(f"question number {i}: explain {i}")).status_code for i in range(40)]
            refused = proxy.post(ask("one more"))
        finally:
            proxy.stop()
        held = gw.held_authorisations()
        assert held and all(not h.settled for h in held)  # it never admitted settling anything
        assert gw.could_collect_usd() <= CAP + EPS, gw.could_collect_usd()
        # the free model (never paid) answers while the paid ones "fail"; then the cap refuses
        assert codes[0] == 200 and set(codes) <= {200, 402, 403}, codes
        body = refused.json()["error"]
        assert refused.status_code in (402, 403, 429) and "limit" in body["message"], body
        totals = SpendLedger(proxy_paths(tmp_path).ledger_file).totals()
        # what the ledger counts is exactly what the gateway holds (nothing settled, all pending)
        assert totals.spent_day == 0 and totals.pending_day == round(gw.could_collect_usd() * 1e6)


@pytest.mark.parametrize("tolerance", ["on", "off"])
def test_100x_requote_on_underpaid_is_never_re_signed(tmp_path: Path, tolerance: str) -> None:
    """Issue 13 #4: a 402 'underpaid' with a 100x re-quote was re-signed (10 requests paid $1.50
    instead of $0.015). With the quote tolerance off, the re-sign rule alone must hold."""
    over = {} if tolerance == "on" else {"quote_tolerance": None}
    with GatewayEmulator(dishonest="requote", price_usd=0.0015) as gw:
        proxy = start_proxy(gw, tmp_path, daily_limit=CAP, hourly_limit=CAP)
        if over:
            proxy.state.engine.payments.settings.quote_tolerance = None  # type: ignore[union-attr]
        try:
            responses = [proxy.post(ask(f"task {i}")) for i in range(10)]
        finally:
            proxy.stop()
        assert all(r.status_code in (402, 403) for r in responses), [r.status_code for r in responses]
        msg = responses[0].json()["error"]["message"]
        assert "never re-signed for a higher amount" in msg and "$0.15" in msg, msg
        held = gw.held_authorisations()
        assert max(h.value_micros for h in held) == 1500  # nothing above the first quote was ever signed
        assert gw.could_collect_usd() == pytest.approx(10 * 0.0015)  # $0.015, not $1.50
        assert gw.could_collect_usd() <= CAP + EPS


def test_a_quote_far_above_the_estimate_is_refused(tmp_path: Path) -> None:
    """Issue 13 #4: estimate $0.002, quote $0.49: paid. Now refused with the reason, nothing signed."""
    with GatewayEmulator(price_usd=0.49) as gw:
        proxy = start_proxy(gw, tmp_path)
        try:
            r = proxy.post(ask("hi there"))
        finally:
            proxy.stop()
        err = r.json()["error"]
        assert r.status_code in (402, 403), r.text
        assert "$0.49" in err["message"] and "estimate" in err["message"], err
        assert gw.held_authorisations() == [] and gw.could_collect_usd() == 0


def test_switched_payee_on_rejection_is_not_re_signed(tmp_path: Path) -> None:
    with GatewayEmulator(dishonest="switch_payee") as gw:
        proxy = start_proxy(gw, tmp_path, daily_limit=CAP, hourly_limit=CAP)
        try:
            responses = [proxy.post(ask(f"job {i}")) for i in range(5)]
        finally:
            proxy.stop()
        assert all(r.status_code in (402, 403) for r in responses)
        assert "switched the payee" in responses[0].json()["error"]["message"]
        held = gw.held_authorisations()
        assert len(held) == 5 and {h.pay_to for h in held} == {gw.payee}  # nothing to the attacker
        assert gw.could_collect_usd() <= CAP + EPS


def test_switched_payee_in_the_quote_is_refused_with_an_allowlist(tmp_path: Path) -> None:
    from clawcli.testing._dishonest import ATTACKER_PAYEE

    with GatewayEmulator(payee=ATTACKER_PAYEE) as gw:  # the gateway now quotes someone else
        proxy = start_proxy(gw, tmp_path, allowed_payees=["0x209693Bc6afc0C5328bA36FaF03C514EF312287C"])
        try:
            r = proxy.post(ask("hello"))
        finally:
            proxy.stop()
        assert r.status_code in (402, 403) and "allowed_payees" in r.json()["error"]["message"]
        assert gw.could_collect_usd() == 0


def test_degraded_answers_are_paid_at_most_twice_per_request(tmp_path: Path) -> None:
    """Issue 13 #9: with every model answering empty, each request paid 6 times. (With the free
    model allowed it answers after the second paid one, with a notice: test_ask_e2e.)"""
    with GatewayEmulator() as gw:
        proxy = start_proxy(gw, tmp_path, exclude=["nvidia/gpt-oss-120b"])  # (resets the emulator)
        gw.inject("*", "empty", times=None)
        try:
            r = proxy.post(ask("say something"))
        finally:
            proxy.stop()
        assert r.status_code >= 400
        assert "stopped after 2 paid answers that were empty, looping or cut short" in r.json()["error"]["message"]
        assert len(gw.paid_requests()) == 2 and len(gw.held_authorisations()) == 2


def test_streams_cut_short_are_paid_at_most_twice_per_request(tmp_path: Path) -> None:
    """Q2: a streamed request whose every upstream stream ends early (before anything reached the
    client) paid each of the 5 paid models; non-streamed degraded answers stop after 2."""
    with GatewayEmulator() as gw:
        proxy = start_proxy(gw, tmp_path, exclude=["nvidia/gpt-oss-120b"])
        gw.inject("*", "truncate", times=None, after_chunks=1)
        try:
            _, text = proxy.stream(ask("say something"))
        finally:
            proxy.stop()
        assert "stopped after 2 paid answers that were empty, looping or cut short" in text
        assert len(gw.paid_requests()) == 2


def test_session_cap_survives_a_serve_restart(tmp_path: Path) -> None:
    """Issue 13 #5: `--max-cost-per-run` reset when `claw serve` restarted (80% over the cap)."""
    with GatewayEmulator(price_usd=0.004) as gw:
        settings = {"max_cost_per_run": 0.01, "cap_mode": "strict"}
        first = start_proxy(gw, tmp_path, **settings)
        try:
            assert [first.post(ask(f"step {i}"), x_session_id="run-9").status_code for i in range(2)] == [200, 200]
        finally:
            first.stop()
        second = start_proxy(gw, tmp_path, **settings)  # same home: the usage log survives
        try:
            again = second.post(ask("step 3"), x_session_id="run-9")
            other = second.post(ask("step 1"), x_session_id="run-10")
        finally:
            second.stop()
        assert again.status_code == 429 and again.json()["error"]["type"] == "cost_cap_exceeded", again.text
        assert other.status_code == 200  # another session has its own budget
        spent = sum(r.amount_usd for r in gw.paid_requests())
        assert spent == pytest.approx(0.004)  # only run-10's call was paid after the restart


# --- `claw ask`, the real console script ---------------------------------------------------------
CLAW = shutil.which("claw") or ""


def run_ask(gw: GatewayEmulator, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()}
    env.update({"CLAWCLI_GATEWAY_URL": gw.url, "CLAWCLI_BASE_RPC_URL": gw.rpc_url, "CLAWCLI_WALLET_KEY": TEST_KEY})
    cmd = [CLAW] if CLAW else [sys.executable, "-m", "clawcli"]
    return subprocess.run([*cmd, "ask", *args], env=env, capture_output=True, text=True, timeout=120)


def test_overclaiming_gateway_shows_what_was_signed_in_stats(tmp_path: Path) -> None:
    """Issue 18: a gateway claiming 100x the signed amount showed $1.50 in `claw stats` while the
    ledger held $0.015. The usage log's cost is what settled (never above the signature); the
    claim is kept aside as gatewayClaimedCost."""
    with GatewayEmulator(dishonest="overclaim", price_usd=0.0015) as gw:
        for i in range(3):
            p = run_ask(gw, "--json", f"what is {i} plus {i}?")
            assert p.returncode == 0, p.stderr
            assert "claims $0.150000" in p.stderr  # the user is told
        assert gw.could_collect_usd() == pytest.approx(3 * 0.0015)
    paths = Paths.from_env()
    recs = [json.loads(line) for f in sorted(paths.logs_dir.glob("usage-*.jsonl")) for line in f.read_text().splitlines()]
    paid = [r for r in recs if r["cost"]]
    assert len(paid) == 3 and all(r["cost"] == pytest.approx(0.0015) for r in paid)
    assert all(r["gatewayClaimedCost"] == pytest.approx(0.15) for r in paid)
    stats = subprocess.run([CLAW or sys.executable, *([] if CLAW else ["-m", "clawcli"]), "stats", "--json"],
                           capture_output=True, text=True, timeout=60)
    got = json.loads(stats.stdout)
    assert got["cost"] == pytest.approx(0.0045)
    assert got["gatewayClaims"] == {"requests": 3, "claimedCost": pytest.approx(0.45), "recordedCost": pytest.approx(0.0045)}
    text = subprocess.run([CLAW or sys.executable, *([] if CLAW else ["-m", "clawcli"]), "stats"],
                          capture_output=True, text=True, timeout=60).stdout
    flat = " ".join(text.split())  # rich wraps at the terminal width
    assert "the gateway claimed $0.4500 where $0.0045 was signed and settled" in flat, text
    assert SpendLedger(paths.ledger_file).totals().spent_day == 4500


def test_claw_ask_against_collect_500_stays_under_the_cap(tmp_path: Path) -> None:
    from clawcli.core.config import save_config_values

    save_config_values(Paths.from_env(), {"daily_limit": 0.01, "hourly_limit": 0.01})
    with GatewayEmulator(dishonest="collect_500", price_usd=0.004) as gw:
        outs = [run_ask(gw, f"question {i}") for i in range(3)]
        assert gw.could_collect_usd() <= 0.01 + EPS, gw.could_collect_usd()
    assert all(p.returncode != 0 for p in outs)
    assert "daily limit of $0.01 would be exceeded" in outs[-1].stderr or "hourly limit" in outs[-1].stderr
    assert "Traceback" not in "".join(p.stderr for p in outs)


def test_solana_collect_then_500_stays_under_the_cap() -> None:
    """Same rule on Solana: a partially signed transaction the facilitator holds can land until its
    blockhash expires (~60-90 s), so it counts like an EVM authorisation."""
    pytest.importorskip("solders")
    from typer.testing import CliRunner

    from _proxy import Proxy
    from clawcli.cli.main import app
    from clawcli.core.catalog import default_catalog
    from clawcli.core.config import load_settings, save_config_values
    from clawcli.proxy.state import ProxyState

    runner = CliRunner()
    mnemonic = " ".join(["abandon"] * 23 + ["art"])
    assert runner.invoke(app, ["wallet", "import", "--mnemonic", "-"], input=mnemonic + "\n").exit_code == 0
    assert runner.invoke(app, ["wallet", "chain", "solana"]).exit_code == 0
    paths = Paths.from_env()
    save_config_values(paths, {"daily_limit": 0.02, "hourly_limit": 0.02})
    with GatewayEmulator(network="solana", dishonest="collect_500", price_usd=0.003) as gw:
        env = {"CLAWCLI_GATEWAY_URL": gw.url, "CLAWCLI_SOLANA_RPC_URL": gw.solana_rpc_url}
        state = ProxyState(settings=load_settings(paths, env=env), paths=paths, catalog=default_catalog(), env=env)
        proxy = Proxy(state)
        try:
            codes = [proxy.post(ask(f"solana question {i}")).status_code for i in range(6)]
        finally:
            proxy.stop()
        held = gw.held_authorisations()
        assert len(held) >= 6 and all(not h.settled for h in held)
        assert gw.could_collect_usd() <= 0.02 + EPS, gw.could_collect_usd()
        assert codes[-1] in (402, 403), codes


def test_unknown_dishonest_mode_is_refused(capsys) -> None:
    from clawcli.testing.__main__ import main

    with pytest.raises(ValueError, match="unknown dishonest mode"):
        GatewayEmulator(dishonest="honest-ish")
    with pytest.raises(SystemExit) as e:
        main(["--port", "0", "--dishonest", "honest-ish"])
    assert e.value.code == 2 and "collect_500" in capsys.readouterr().err
