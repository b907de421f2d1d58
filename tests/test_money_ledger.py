"""Budgets are never silently lost, and a signed authorisation counts until proven otherwise (issue 13)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from clawcli.core.config import load_settings, save_config_values
from clawcli.core.errors import ConfigError, PaymentError, PolicyRefusal
from clawcli.core.paths import Paths
from clawcli.core.usage import UsageLog, make_record
from clawcli.core.usage.log import utc_timestamp
from clawcli.core.x402 import SpendLedger

NOW = 1_900_000_000.0


def ledger(path: Path, now: list[float] | None = None, **kw) -> SpendLedger:
    clock = (lambda: now[0]) if now is not None else (lambda: NOW)
    return SpendLedger(path, clock=clock, **kw)


# --- signed means spent until proven otherwise ------------------------------------------------------
def test_unproven_authorisation_counts_for_the_window_even_after_it_expires(tmp_path: Path) -> None:
    now = [NOW]
    led = ledger(tmp_path / "l.json", now)
    rid = led.reserve(40_000, daily_limit=50_000, valid_before=int(NOW) + 300)
    led.uncertain(rid, "HTTP 500")  # the gateway's word: it may still execute (or have executed) it
    now[0] += 301  # past validBefore: it cannot be executed any more, but it may have been already
    with pytest.raises(PolicyRefusal) as info:
        led.reserve(20_000, daily_limit=50_000)
    assert info.value.cap == "daily" and info.value.used == 40_000
    assert led.totals().rejected_day == 40_000
    now[0] += 86_400  # the window rolled past it
    assert led.totals().pending_day == 0
    led.reserve(20_000, daily_limit=50_000)


def test_a_live_authorisation_counts_even_outside_the_window(tmp_path: Path) -> None:
    now = [NOW]
    led = ledger(tmp_path / "l.json", now)
    led.reserve(10, valid_before=int(NOW) + 7200)  # a (hypothetical) 2 h validity
    now[0] += 3700  # out of the hourly window by time, but the gateway can still execute it
    assert led.totals().pending_hour == 10


def test_release_only_frees_what_was_never_sent(tmp_path: Path) -> None:
    led = ledger(tmp_path / "l.json")
    sent = led.reserve(100, daily_limit=200, valid_before=int(NOW) + 300)
    led.reject(sent, "PAYMENT_UNDERPAID")
    assert led.release(sent, "not sent") is False  # handed over: release is refused
    unsent = led.reserve(100, daily_limit=200)
    assert led.release(unsent, "not sent") is True
    assert led.totals().pending_day == 100


def test_settle_never_records_more_than_signed(tmp_path: Path) -> None:
    led = ledger(tmp_path / "l.json")
    rid = led.reserve(15_000)
    assert led.settle(rid, amount=1_500_000, tx="0xabc")
    assert led.totals().spent_day == 15_000
    (e,) = led.entries()
    assert e["claimedAmount"] == 1_500_000 and e["amount"] == 15_000


def test_many_failed_payments_keep_the_file_bounded(tmp_path: Path) -> None:
    now = [NOW]
    led = ledger(tmp_path / "l.json", now)
    for _ in range(500):
        rid = led.reserve(1000, valid_before=int(now[0]) + 60)
        led.reject(rid, "HTTP 500")
        now[0] += 61  # each one expires before the next: folded into its minute
    assert led.totals().pending_day == 500_000  # all still counted
    assert len(json.loads((tmp_path / "l.json").read_text())["open"]) <= 1
    assert (tmp_path / "l.json").stat().st_size < 60_000


# --- corrupt ledgers: refuse to sign, keep the file -------------------------------------------------
@pytest.mark.parametrize("amount, why", [(-5000, "amount"), ("5000", "amount"), (True, "amount"), (1.5, "amount")])
def test_invalid_amounts_are_a_corrupt_ledger(tmp_path: Path, amount, why: str) -> None:
    path = tmp_path / "l.json"
    text = json.dumps({"version": 2, "open": [{"id": "a", "ts": NOW, "amount": amount, "state": "reserved"}],
                       "settled": {}, "rejected": {}, "recent": []})
    path.write_text(text)
    with pytest.raises(PaymentError) as info:
        ledger(path).reserve(1, daily_limit=10)
    assert "corrupt" in info.value.message and "refusing to sign" in info.value.message and why in info.value.message
    assert path.read_text() == text  # kept as it was


@pytest.mark.parametrize("bucket", [[-1, 1], ["100", 1], [100]])
def test_invalid_settled_bucket_is_a_corrupt_ledger(tmp_path: Path, bucket) -> None:
    path = tmp_path / "l.json"
    path.write_text(json.dumps({"version": 2, "open": [], "settled": {str(int(NOW // 60)): bucket},
                                "rejected": {}, "recent": []}))
    with pytest.raises(PaymentError, match="corrupt"):
        ledger(path).totals()


def test_dangling_symlink_is_corrupt_not_empty(tmp_path: Path) -> None:
    path = tmp_path / "l.json"
    path.symlink_to(tmp_path / "elsewhere" / "ledger.json")
    for call in (lambda: ledger(path).reserve(1, daily_limit=10), lambda: ledger(path).totals()):
        with pytest.raises(PaymentError) as info:
            call()
        assert "symlink" in info.value.message and "corrupt" in info.value.message
    assert path.is_symlink() and not (tmp_path / "elsewhere").exists()  # nothing replaced or created


def test_symlinked_ledger_is_written_through(tmp_path: Path) -> None:
    target = tmp_path / "shared" / "ledger.json"
    target.parent.mkdir()
    path = tmp_path / "l.json"
    led = ledger(target)
    led.settle(led.reserve(700), tx="0x1")
    path.symlink_to(target)
    led = ledger(path)
    led.settle(led.reserve(300), tx="0x2")
    assert path.is_symlink() and os.readlink(path) == str(target)
    assert ledger(target).totals().spent_day == 1000


# --- a missing ledger is rebuilt from the usage log -------------------------------------------------
def test_missing_ledger_is_rebuilt_from_the_usage_log(tmp_path: Path, capsys) -> None:
    import time

    logs = tmp_path / "logs"
    log = UsageLog(logs)
    now = time.time()
    log.append(make_record(timestamp=utc_timestamp(now - 600), cost=0.03, status="ok"))
    log.append(make_record(timestamp=utc_timestamp(now - 300), cost=0.015, status="error"))
    log.append(make_record(timestamp=utc_timestamp(now - 200), cost=0.0, status="ok"))  # free: not spend
    led = SpendLedger(tmp_path / "l.json", usage_logs_dir=logs)
    with pytest.raises(PolicyRefusal) as info:
        led.reserve(10_000, daily_limit=50_000)  # $0.045 already settled today + $0.01 > $0.05
    assert info.value.used == 45_000
    err = capsys.readouterr().err
    assert "was missing; rebuilt from the usage log" in err and "$0.045" in err and "2 payments" in err
    led.reserve(5_000, daily_limit=50_000)  # exactly up to the cap
    assert (tmp_path / "l.json").exists()  # the rebuilt ledger was saved: no second warning
    led.totals()
    assert "rebuilt" not in capsys.readouterr().err


def test_read_only_views_of_a_missing_ledger_count_the_log_but_warn_only_when_it_is_rebuilt(
        tmp_path: Path, capsys) -> None:
    """Q1: every `claw wallet limits` on a home without a ledger said "was missing; rebuilt from the
    usage log", though a read-only view writes nothing. The totals count the log; the warning comes
    once, when the first signature writes the rebuilt ledger."""
    import time

    logs = tmp_path / "logs"
    UsageLog(logs).append(make_record(timestamp=utc_timestamp(time.time() - 600), cost=0.03, status="ok"))
    led = SpendLedger(tmp_path / "l.json", usage_logs_dir=logs)
    for _ in range(3):
        assert led.totals().spent_day == 30_000
    assert capsys.readouterr().err == "" and not (tmp_path / "l.json").exists()
    led.reserve(1)
    assert capsys.readouterr().err.count("was missing; rebuilt from the usage log") == 1
    led.reserve(1)
    assert led.totals().spent_day == 30_000 and capsys.readouterr().err == ""


def test_absurd_costs_in_a_damaged_usage_log_are_skipped_not_an_internal_error(tmp_path: Path, capsys) -> None:
    """A usage log line with cost 1e308 made the rebuild crash (OverflowError: `claw wallet limits`,
    `claw ask` and every signature said "internal error"); negative and string costs never count."""
    import time

    logs = tmp_path / "logs"
    now = time.time()
    UsageLog(logs).append(make_record(timestamp=utc_timestamp(now - 600), cost=0.03, status="ok"))
    (log_file,) = logs.glob("usage-*.jsonl")
    with log_file.open("a") as f:
        for cost in ("1e308", "-1000.0", '"5"', "1e400"):
            f.write(f'{{"timestamp": "{utc_timestamp(now - 300)}", "cost": {cost}, "status": "ok"}}\n')
    led = SpendLedger(tmp_path / "l.json", usage_logs_dir=logs)
    assert led.totals().spent_day == 30_000
    led.reserve(1)  # the rebuild is written (and reported) by the first signature
    assert "1 payments" in capsys.readouterr().err


def test_first_run_without_logs_is_silent(tmp_path: Path, capsys) -> None:
    led = SpendLedger(tmp_path / "l.json", usage_logs_dir=tmp_path / "no-logs")
    led.reserve(1, daily_limit=10)
    assert capsys.readouterr().err == ""


# --- config: budgets never silently lost ------------------------------------------------------------
def test_misspelt_config_key_is_an_error_with_did_you_mean() -> None:
    paths = Paths.from_env()
    paths.config_file.write_text("daily_limt = 0.05\n")
    with pytest.raises(ConfigError) as info:
        load_settings(paths, env={})
    assert "daily_limt" in info.value.message and "'daily_limit'" in info.value.hint


def test_empty_or_partial_config_keeps_the_default_caps() -> None:
    paths = Paths.from_env()
    paths.config_file.write_text("")
    s = load_settings(paths, env={})
    assert (s.hourly_limit, s.daily_limit, s.max_per_request) == (10.0, 50.0, 0.5)
    paths.config_file.write_text('profile = "eco"\n')
    assert load_settings(paths, env={}).daily_limit == 50.0


def test_existing_config_keeps_its_values_and_off_is_explicit() -> None:
    paths = Paths.from_env()
    save_config_values(paths, {"daily_limit": 7.5, "hourly_limit": "off"})
    s = load_settings(paths, env={})
    assert s.daily_limit == 7.5 and s.hourly_limit is None


def test_wallet_limits_shows_and_changes_the_caps_in_one_command() -> None:
    from typer.testing import CliRunner

    from clawcli.cli.main import app

    runner = CliRunner()
    out = runner.invoke(app, ["wallet", "limits"])
    assert out.exit_code == 0, out.output
    assert "hourly       $10.00" in out.output and "daily        $50.00" in out.output
    out = runner.invoke(app, ["wallet", "limits", "--hourly", "2", "--daily", "off", "--quote-tolerance", "4"])
    assert out.exit_code == 0, out.output
    assert "hourly       $2.00" in out.output and "daily        off" in out.output and "4x the estimate" in out.output
    s = load_settings(Paths.from_env(), env={})
    assert (s.hourly_limit, s.daily_limit, s.quote_tolerance) == (2.0, None, 4.0)
    bad = runner.invoke(app, ["wallet", "limits", "--quote-tolerance", "0.5"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output
