"""`claw ask` output: the footer's numbers agree with what was settled (and with stats)."""

from __future__ import annotations

from types import SimpleNamespace

from clawcli.cli.ask import footer as _footer


def _result(**kw):
    base = dict(model="google/gemini-3-flash-preview", tier="SIMPLE", cost=0.027045, estimated_cost=0.0123,
                baseline_cost=0.1024, savings=0.88, latency_ms=760, attempts=[1, 2])
    base.update(kw)
    return SimpleNamespace(**base)


def test_footer_shows_the_engines_one_savings_figure():
    # the engine computes savings once (baseline price of the actual tokens vs what was paid, every
    # paid attempt included); the footer prints that figure, the same one --json and stats show
    f = _footer(_result(savings=0.74))
    assert "cost $0.027045" in f and "saved 74%" in f and "2 attempts" in f


def test_footer_free_answer_saves_everything():
    f = _footer(_result(model="nvidia/gpt-oss-120b", cost=0.0, estimated_cost=0.0, savings=1.0, attempts=[1]))
    assert "cost $0 (free)" in f and "saved 100%" in f and "attempts" not in f


def test_ask_accepts_the_profile_spellings_route_accepts(monkeypatch):
    # `claw route -p ECO` worked while `claw ask -p ECO` was a usage error; check the profile
    # reaches the router normalised (the request itself is stopped before any network)
    from typer.testing import CliRunner

    import clawcli.core.router as router
    from clawcli.cli.main import app

    seen = []

    def fake_route(request, *, profile=None, **kw):
        seen.append(profile)
        raise router.RouterError("stop here")

    monkeypatch.setattr(router, "route", fake_route)
    for spelling in ("ECO", "blockrun/eco", " eco "):
        r = CliRunner().invoke(app, ["ask", "-p", spelling, "hi"])
        assert r.exit_code == 1 and "stop here" in r.output, r.output
    assert seen == ["eco", "eco", "eco"]
    r = CliRunner().invoke(app, ["ask", "-p", "cheapest", "hi"])
    assert r.exit_code == 2 and "unknown profile" in r.output


def test_all_billing_failures_say_fund_the_wallet_with_correct_grammar():
    from typer.testing import CliRunner

    from clawcli.cli.main import app
    from clawcli.testing import GatewayEmulator

    with GatewayEmulator() as gw:
        gw.inject("*", "insufficient_funds", times=None)
        env = {"CLAWCLI_GATEWAY_URL": gw.url, "CLAWCLI_EXCLUDE": "gpt-120b", "COLUMNS": "200"}
        assert CliRunner().invoke(app, ["wallet", "create"], env=env).exit_code == 0
        r = CliRunner().invoke(app, ["ask", "What is the capital of Peru?"], env=env)
    assert r.exit_code == 1, r.output
    assert "1 attempt failed" in r.output  # not "1 attempts"
    assert "claw wallet fund" in r.output
    assert gw.paid_total() == 0


def test_json_billing_failure_carries_the_same_fund_the_wallet_hint():
    """Q2: with --json the error object's hint was the generic "see the attempt list" while
    stderr said to fund the wallet."""
    import json

    from typer.testing import CliRunner

    from clawcli.cli.main import app
    from clawcli.testing import GatewayEmulator

    with GatewayEmulator() as gw:
        gw.inject("*", "insufficient_funds", times=None)
        env = {"CLAWCLI_GATEWAY_URL": gw.url, "CLAWCLI_EXCLUDE": "gpt-120b", "COLUMNS": "200"}
        assert CliRunner().invoke(app, ["wallet", "create"], env=env).exit_code == 0
        r = CliRunner().invoke(app, ["ask", "--json", "What is the capital of Peru?"], env=env)
    assert r.exit_code == 1
    err = json.loads(r.stdout)
    assert "claw wallet fund" in err["hint"] and err["code"] == "all_attempts_failed"
