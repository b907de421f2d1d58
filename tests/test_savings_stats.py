"""One savings figure everywhere (the `claw ask` footer, --json, the usage log, `claw stats`), and
stats that name models, not aliases or profiles, with gateway outages in their own bucket."""

from __future__ import annotations

import asyncio
import json
import os
import re
from pathlib import Path

import pytest
from _cli_gateway import cli_gateway
from typer.testing import CliRunner

from clawcli.cli.main import app
from clawcli.core.catalog import default_catalog
from clawcli.testing import GatewayEmulator

KEY = "0x" + "1c" * 32
OPUS = "anthropic/claude-opus-4.6"
runner = CliRunner()


@pytest.fixture
def gw(monkeypatch):
    with cli_gateway(monkeypatch, KEY) as g:
        yield g


def records() -> list[dict]:
    logs = Path(os.environ["CLAWCLI_OPENCLAW_HOME"]) / "blockrun" / "logs"
    return [json.loads(x) for f in sorted(logs.glob("usage-*.jsonl")) for x in f.read_text().splitlines()]


def footer_saved(stderr: str) -> int:
    return int(re.search(r"saved (\d+)%", stderr).group(1))


def stats() -> dict:
    res = runner.invoke(app, ["stats", "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_the_baseline_model_saves_nothing_in_footer_json_and_stats(gw):
    shown = runner.invoke(app, ["ask", "-m", "opus", "hello there"])
    assert shown.exit_code == 0, shown.stderr
    assert footer_saved(shown.stderr) == 0
    as_json = json.loads(runner.invoke(app, ["ask", "--json", "-m", "opus", "hello there"]).stdout)
    assert as_json["savings"] == 0 and as_json["cost"] > 0
    assert [r["savings"] for r in records()] == [0, 0]
    by_model = stats()["byModel"]
    assert list(by_model) == [OPUS] and by_model[OPUS]["savings"] == 0


def test_a_cheap_model_shows_the_same_savings_everywhere(gw):
    # the reply is long enough that the baseline's price for the actual tokens exceeds what was paid
    gw_reply = " ".join(f"word{i}" for i in range(3000))  # varied: a repeated token would be "degraded"
    with GatewayEmulator(reply=gw_reply) as big:
        os.environ["CLAWCLI_GATEWAY_URL"] = big.url
        shown = runner.invoke(app, ["ask", "-m", "flash", "--max-tokens", "4000", "Write a long text"])
        as_json = json.loads(runner.invoke(app, ["ask", "--json", "-m", "flash", "--max-tokens", "4000",
                                                 "Write a long text"]).stdout)
    assert shown.exit_code == 0, shown.stderr
    first, second = records()
    # the definition: the baseline model's price for the tokens actually used vs what was paid
    opus = default_catalog().get(OPUS)
    for rec in (first, second):
        assert rec["baselineCost"] == pytest.approx(opus.cost(rec["inputTokens"], rec["outputTokens"]), rel=1e-6)
        assert rec["savings"] == pytest.approx(1 - rec["cost"] / rec["baselineCost"], abs=1e-6)
    assert 0 < first["savings"] < 1
    assert footer_saved(shown.stderr) == round(first["savings"] * 100)
    assert as_json["savings"] == pytest.approx(second["savings"], abs=1e-6)
    assert as_json["baselineCost"] == pytest.approx(second["baselineCost"], abs=1e-8)
    model = default_catalog().resolve("flash")
    st = stats()["byModel"][model]
    paid = first["cost"] + second["cost"]
    assert st["savings"] == pytest.approx(1 - paid / (first["baselineCost"] + second["baselineCost"]), abs=1e-5)


def _write_log(lines: list[dict]) -> None:
    logs = Path(os.environ["CLAWCLI_OPENCLAW_HOME"]) / "blockrun" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    base = {"timestamp": "2026-12-01T10:00:00.000Z", "schema": 1, "source": "ask"}
    (logs / "usage-2026-12-01.jsonl").write_text("".join(json.dumps({**base, **x}) + "\n" for x in lines))


def test_stats_name_catalog_models_not_aliases_or_profiles():
    _write_log([
        # an older line: alias as the model, the router's estimate as the baseline (it claimed 98 %)
        {"model": "opus", "status": "ok", "cost": 0.01, "baselineCost": 0.6, "attempts": []},
        {"model": "claude-opus-4.6", "status": "ok", "cost": 0.02, "baselineCost": 0.5, "attempts": []},
        # refused before any model was tried: requestedModel is a profile
        {"model": None, "requestedModel": "auto", "status": "blocked", "errorClass": "cost_cap", "cost": 0,
         "attempts": []},
        {"model": None, "status": "error", "errorClass": "cancelled", "cost": 0, "attempts": []},
    ])
    st = stats()
    assert set(st["byModel"]) == {OPUS, "(not sent)"}
    assert st["byModel"][OPUS]["requests"] == 2 and st["byModel"][OPUS]["savings"] == 0
    assert st["savings"] == 0
    assert not {"opus", "auto", "unknown", "claude-opus-4.6"} & (set(st["byModel"]) | set(st["byProvider"]))


def test_a_gateway_outage_is_counted_in_the_gateway_bucket():
    down = "cannot connect to the gateway: [Errno 111] Connection refused"
    _write_log([
        {"model": None, "status": "error", "errorClass": "network", "cost": 0,
         "attempts": [{"model": "moonshot/kimi-k2.5", "status": None, "errorClass": "network", "ms": 3,
                       "paid": False, "reason": down}]},
        {"model": None, "status": "error", "errorClass": "server_error", "cost": 0,
         "attempts": [{"model": "moonshot/kimi-k2.5", "status": 502, "errorClass": "server_error", "ms": 3,
                       "paid": False}]},
    ])
    st = stats()
    by_provider = st["errors"]["byProvider"]
    assert by_provider["gateway"] == {"total": 1, "byClass": {"network": 1}}
    assert by_provider["moonshot"] == {"total": 1, "byClass": {"server_error": 1}}
    assert st["byModel"]["gateway"]["failed"] == 1 and st["byModel"]["moonshot/kimi-k2.5"]["failed"] == 1


def test_a_real_gateway_outage_through_claw_ask_lands_in_the_gateway_bucket(monkeypatch):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("CLAWCLI_GATEWAY_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("CLAWCLI_WALLET_KEY", KEY)
    res = runner.invoke(app, ["ask", "hello"])
    assert res.exit_code == 1 and "cannot reach the gateway" in res.stderr
    st = stats()
    assert list(st["errors"]["byProvider"]) == ["gateway"]


async def test_a_request_cancelled_after_the_gateway_settled_is_logged_with_what_was_paid():
    from clawcli.core.config import Settings
    from clawcli.core.paths import Paths
    from clawcli.core.upstream import Engine
    from clawcli.core.x402.ledger import SpendLedger
    from clawcli.core.x402.payer import Payer
    from clawcli.core.x402.policy import SpendPolicy

    async with GatewayEmulator(chunk_delay=1.0, stream_chunks=5) as gw:
        paths = Paths.from_env()
        settings = Settings(gateway_url=gw.url)
        payer = Payer(KEY, policy=SpendPolicy.from_settings(settings), ledger=SpendLedger(paths.ledger_file))
        async with Engine(settings, paths, payer=payer) as eng:
            async def ask() -> None:
                async for _ in eng.stream({"model": "flash", "messages": [{"role": "user", "content": "hi"}]},
                                          source="ask"):
                    pass

            task = asyncio.create_task(ask())
            while not gw.paid_requests():
                await asyncio.sleep(0.02)
            await asyncio.sleep(0.2)  # settled, the answer not yet read
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        paid = gw.paid_requests()
    [rec] = records()
    assert rec["status"] == "error" and rec["errorClass"] == "cancelled"
    assert rec["cost"] == pytest.approx(paid[0].amount_usd) and rec["cost"] > 0
    assert rec["model"] == paid[0].model
    assert rec["attempts"] == [{"model": paid[0].model, "status": 200, "errorClass": "cancelled",
                                "ms": rec["attempts"][0]["ms"], "paid": True}]
    # and stats charge it to that model, not to "unknown"
    assert stats()["byModel"][paid[0].model]["cost"] == pytest.approx(paid[0].amount_usd)


def test_realized_savings_is_the_one_definition():
    from clawcli.core.router.select import realized_savings

    cat = default_catalog()
    opus = cat.get(OPUS)
    # the baseline model saves nothing even when it was paid less than its list price
    assert realized_savings(cat, OPUS, OPUS, 0.0001, 1000, 1000) == (0.0001, 0.0)
    assert realized_savings(cat, "opus", OPUS, 0.0001, 1000, 1000) == (0.0001, 0.0)  # an alias as baseline
    base, saved = realized_savings(cat, OPUS, "google/gemini-2.5-flash", 0.01, 1000, 2000)
    assert base == pytest.approx(opus.cost(1000, 2000)) and saved == pytest.approx(1 - 0.01 / base)
    assert realized_savings(cat, OPUS, "nvidia/gpt-oss-120b", 0.0, 10, 10)[1] == 1.0  # free: all saved
    assert realized_savings(cat, OPUS, "google/gemini-2.5-flash", 5.0, 10, 10)[1] == 0.0  # never negative
    assert realized_savings(cat, OPUS, None, 0.0, 10, 10) == (0.0, 0.0)  # nothing answered


async def test_a_request_cancelled_while_its_signed_payment_is_in_flight_names_the_model():
    """The payment went out, the gateway has not answered: the record still names the model and
    the attempt (cancelled, not paid, settlement unknown), so `claw stats` does not file it as a
    request that was never sent."""
    from clawcli.core.config import Settings
    from clawcli.core.paths import Paths
    from clawcli.core.upstream import Engine
    from clawcli.core.x402.ledger import SpendLedger
    from clawcli.core.x402.payer import Payer
    from clawcli.core.x402.policy import SpendPolicy

    async with GatewayEmulator() as gw:
        gw.inject("*", "slow", times=None, delay=5.0)  # after the payment is verified, before settling
        paths = Paths.from_env()
        settings = Settings(gateway_url=gw.url)
        payer = Payer(KEY, policy=SpendPolicy.from_settings(settings), ledger=SpendLedger(paths.ledger_file))
        async with Engine(settings, paths, payer=payer, preauth=False) as eng:
            task = asyncio.create_task(eng.complete(
                {"model": "flash", "messages": [{"role": "user", "content": "hi"}]}, source="ask"))
            while not any(r.payment_attached for r in gw.chat_requests()):
                await asyncio.sleep(0.02)
            await asyncio.sleep(0.1)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        model = [r for r in gw.chat_requests() if r.payment_attached][0].model
        assert gw.paid_requests() == []  # nothing settled
    [rec] = records()
    assert rec["status"] == "error" and rec["errorClass"] == "cancelled" and rec["cost"] == 0
    assert rec["model"] == model
    [attempt] = rec["attempts"]
    assert attempt["model"] == model and attempt["errorClass"] == "cancelled" and attempt["paid"] is False
    assert "settlement unknown" in attempt["reason"]
    assert model in stats()["byModel"]
