"""`claw stats` and the usage-log reader/aggregator, against fixture logs in tests/data/usage/.

The fixtures hold three days of clawcli records and ClawRouter lines (no status, camelCase),
a corrupt line, a JSON array, a fragment left by a writer that died mid-line (followed by a
whole record on the same line), a last line cut mid-write, a fallback, a blocked request, a
failed request that did settle a payment and one whose cost field was never settled.
Hand-computed totals are in the asserts below.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clawcli.cli.main import app
from clawcli.core.errors import UsageError
from clawcli.core.usage import UsageLog, aggregate_stats, make_record, parse_when, render_markdown
from clawcli.core.usage.reader import ReadCounts, iter_records, log_files

DATA = Path(__file__).parent / "data" / "usage"
runner = CliRunner()


@pytest.fixture
def logs(openclaw_home: Path) -> Path:
    d = openclaw_home / "blockrun" / "logs"
    shutil.copytree(DATA, d)
    return d


def _cli(*args: str):
    return runner.invoke(app, ["stats", *args])


# ------------------------------------------------------------------------- totals
def test_totals_savings_and_skipped_lines():
    s = aggregate_stats(DATA)
    assert s["requests"] == 11
    assert (s["answered"], s["failed"]) == (7, 4)
    # settled only: r03 (nothing paid) and r11 (cost field, but no settlement) count 0,
    # r08 failed after a settled payment (counts), ClawRouter's free-model 0.001 floor counts 0
    assert s["cost"] == pytest.approx(0.0242)
    assert s["failedCost"] == pytest.approx(0.003)
    assert s["answeredCost"] == pytest.approx(0.0212)
    # baseline over answered requests only (r03's 0.05 baseline is not a saving)
    assert s["baselineCost"] == pytest.approx(0.084)
    assert s["savingsUsd"] == pytest.approx(0.0628)
    assert s["savings"] == pytest.approx(1 - 0.0212 / 0.084, abs=1e-6)
    assert 0 <= s["savings"] <= 1
    # corrupt line, JSON array, the fragment before a recovered record, the cut last line
    assert s["skippedLines"] == 4
    assert s["files"] == 3
    assert s["inputTokens"] == 1000 and s["outputTokens"] == 500


def test_latency_percentiles_over_answered_requests():
    lat = aggregate_stats(DATA)["latency"]
    # answered latencies: 800 900 1000 1200 1500 2000 3000 (failed requests' 500/4000 excluded)
    assert lat["samples"] == 7
    assert lat["p50Ms"] == pytest.approx(1200, rel=0.01)
    assert lat["p95Ms"] == pytest.approx(3000, rel=0.01)
    assert lat["avgMs"] == pytest.approx(10400 / 7, abs=0.1)
    assert lat["maxMs"] == 3000


def test_by_model_and_tier_sums():
    s = aggregate_stats(DATA)
    bm, bt = s["byModel"], s["byTier"]
    assert sum(r["requests"] for r in bm.values()) == s["requests"]
    assert sum(r["cost"] for r in bm.values()) == pytest.approx(s["cost"])
    assert sum(r["requests"] for r in bt.values()) == s["requests"]
    assert sum(r["cost"] for r in bt.values()) == pytest.approx(s["cost"])
    assert sum(r["share"] for r in bm.values()) == pytest.approx(1.0, abs=1e-5)
    flash = bm["google/gemini-2.5-flash"]  # one clawcli record + the recovered ClawRouter line
    assert (flash["requests"], flash["cost"], flash["baselineCost"]) == (2, pytest.approx(0.003), pytest.approx(0.02))
    assert bm["nvidia/gpt-oss-120b"]["cost"] == 0.0
    assert bm["deepseek/deepseek-chat"]["cost"] == pytest.approx(0.0005)
    # a failed request belongs to the last model tried; errors to every model that failed
    pro = bm["google/gemini-3.1-pro"]
    assert (pro["requests"], pro["failed"], pro["errors"], pro["cost"]) == (2, 2, 2, pytest.approx(0.003))
    assert bm["openai/gpt-5.2"]["requests"] == 0 and bm["openai/gpt-5.2"]["errors"] == 1
    assert bm["anthropic/claude-opus-4.6"]["failed"] == 1  # blocked before any attempt
    # ordered by cost
    costs = [r["cost"] for r in bm.values()]
    assert costs == sorted(costs, reverse=True)
    assert list(bm)[0] == "anthropic/claude-sonnet-4.6"
    assert bt["SIMPLE"]["requests"] == 3 and bt["SIMPLE"]["cost"] == pytest.approx(0.003)
    assert bt["SIMPLE"]["baselineCost"] == pytest.approx(0.024)
    assert bt["MEDIUM"]["requests"] == 3 and bt["MEDIUM"]["cost"] == pytest.approx(0.0032)
    assert bt["COMPLEX"]["failed"] == 2 and bt["COMPLEX"]["baselineCost"] == 0.0
    assert bt["EXPLICIT"]["cost"] == pytest.approx(0.015)
    bp = s["byProvider"]
    assert sum(r["requests"] for r in bp.values()) == 11 and sum(r["cost"] for r in bp.values()) == pytest.approx(0.0242)
    assert bp["google"]["requests"] == 4 and bp["google"]["cost"] == pytest.approx(0.006)
    assert bp["openai"]["errors"] == 1 and bp["openai"]["requests"] == 1  # the 429 on gpt-5.2, gpt-5-mini's record


def test_by_day_uses_the_record_timestamp():
    days = aggregate_stats(DATA)["byDay"]
    assert list(days) == ["2026-10-31", "2026-11-01", "2026-11-02", "2026-11-03"]
    assert [d["requests"] for d in days.values()] == [1, 3, 4, 3]
    assert [d["cost"] for d in days.values()] == pytest.approx([0.0007, 0.003, 0.0035, 0.017])


def test_errors_and_fallbacks():
    s = aggregate_stats(DATA)
    e = s["errors"]
    assert (e["failedRequests"], e["blocked"], e["events"]) == (4, 1, 6)
    assert e["byClass"] == {"server_error": 2, "rate_limited": 1, "network": 1, "policy_refused": 1, "degraded": 1}
    # the spend-policy refusal (r07) is clawcli's own decision, not an error of anthropic's
    assert {p: v["total"] for p, v in e["byProvider"].items()} == {"anthropic": 1, "google": 2, "openai": 1, "xai": 1,
                                                                  "(clawcli)": 1}
    assert e["byProvider"]["google"]["byClass"] == {"network": 1, "degraded": 1}
    fb = s["fallbacks"]
    # r02 (rate limit, then kimi) and r03 (two failed attempts); the alias "sonnet" is no fallback
    assert fb["requests"] == 2
    assert {"from": "openai/gpt-5.2", "to": "moonshot/kimi-k2.5", "count": 1} in fb["routes"]


def test_explicit_model_answered_by_another_is_a_fallback(tmp_path: Path):
    log = tmp_path / "usage-2026-11-05.jsonl"
    rec = make_record(timestamp="2026-11-05T10:00:00.000Z", requestedModel="openai/gpt-5.2",
                      model="nvidia/gpt-oss-120b", status="ok", tier="EXPLICIT", latencyMs=100)
    log.write_text(json.dumps(rec) + "\n")
    fb = aggregate_stats(tmp_path)["fallbacks"]
    assert fb["requests"] == 1 and fb["routes"][0]["to"] == "nvidia/gpt-oss-120b"


# ------------------------------------------------------------------------- periods
NOW = dt.datetime(2026, 11, 3, 23, 0, tzinfo=dt.timezone.utc)


def test_period_single_day():
    s = aggregate_stats(DATA, since="2026-11-02", until="2026-11-02")
    assert s["requests"] == 4 and s["cost"] == pytest.approx(0.0035)
    assert list(s["byDay"]) == ["2026-11-02"]
    assert s["files"] == 2  # the 11-03 file may hold 11-02's last record; 11-01 is never opened


def test_period_times_and_relative():
    s = aggregate_stats(DATA, since="2026-11-01T09:00:00Z", until="2026-11-01T21:00:00Z")
    assert s["requests"] == 2
    s = aggregate_stats(DATA, since="24h", now=NOW)  # from 11-02 23:00
    assert s["requests"] == 4
    assert s["files"] == 2 and s["period"]["since"] == "2026-11-02T23:00:00Z"
    assert aggregate_stats(DATA, since="2d", until="1d", now=NOW)["requests"] == 3  # 11-01 23:00 .. 11-02 23:00


def test_until_a_date_includes_a_late_record_in_the_next_days_file():
    s = aggregate_stats(DATA, until="2026-10-31")
    assert s["requests"] == 1 and s["byModel"]["openai/gpt-5-mini"]["cost"] == pytest.approx(0.0007)


@pytest.mark.parametrize("bad", ["yesterday", "7x", "2026-13-01", "12:00"])
def test_bad_period_is_a_usage_error(bad: str):
    with pytest.raises(UsageError):
        parse_when(bad)


def test_aggregate_rejects_unknown_breakdowns():
    with pytest.raises(UsageError):
        aggregate_stats(DATA, by="color")


def test_parse_when_forms():
    assert parse_when("90m", now=NOW) == NOW - dt.timedelta(minutes=90)
    assert parse_when("2w", now=NOW) == NOW - dt.timedelta(days=14)
    assert parse_when("2026-11-01") == dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
    assert parse_when("2026-11-01", end=True) == dt.datetime(2026, 11, 2, tzinfo=dt.timezone.utc)
    assert parse_when("2026-11-01T12:00:00+02:00") == dt.datetime(2026, 11, 1, 10, tzinfo=dt.timezone.utc)


def test_non_utc_offsets_and_file_skipping(tmp_path: Path):
    (tmp_path / "usage-2026-11-01.jsonl").write_text(
        '{"timestamp":"2026-11-02T01:30:00+02:00","model":"a/b","cost":0.5}\n'  # = 11-01 23:30 UTC
        '{"model":"a/b","cost":0.25}\n'  # no timestamp: placed on the file's day
    )
    (tmp_path / "usage-2026-10-01.jsonl").write_text('{"timestamp":"2026-10-01T00:00:00Z","model":"a/b","cost":1}\n')
    (tmp_path / "notes.txt").write_text("not a log\n")
    s = aggregate_stats(tmp_path, since="2026-11-01")
    assert s["requests"] == 2 and s["cost"] == pytest.approx(0.75)
    assert list(s["byDay"]) == ["2026-11-01"] and s["files"] == 1
    assert [p.name for p in log_files(tmp_path, since=parse_when("2026-11-01"))] == ["usage-2026-11-01.jsonl"]


def test_reader_streams_pairs_and_counts():
    counts = ReadCounts()
    pairs = list(iter_records(log_files(DATA), counts=counts))
    assert len(pairs) == 11 == counts.records
    assert counts.skipped == 4 and counts.lines == 14
    assert all(len(day) == 10 and isinstance(rec, dict) for day, rec in pairs)


def test_writer_records_round_trip(openclaw_home: Path):
    """Records written by the lead's UsageLog are read back exactly."""
    log = UsageLog(openclaw_home / "blockrun" / "logs")
    log.append(make_record(source="ask", model="google/gemini-2.5-flash", status="ok", tier="SIMPLE",
                           cost=0.0012, baselineCost=0.012, latencyMs=640, settlement="0xab"))
    log.append(make_record(source="serve", status="error", errorClass="network", tier="MEDIUM", cost=0.0,
                           attempts=[{"model": "moonshot/kimi-k2.5", "status": "error", "errorClass": "network",
                                      "ms": 10, "paid": False}]))
    s = aggregate_stats(log.logs_dir)
    assert (s["requests"], s["answered"], s["failed"]) == (2, 1, 1)
    assert s["cost"] == pytest.approx(0.0012) and s["savings"] == pytest.approx(0.9)
    assert set(s["bySource"]) == {"ask", "serve"}


# ------------------------------------------------------------------------- CLI
def test_cli_json_shape(logs: Path):
    r = _cli("--json")
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    for key in ("requests", "cost", "baselineCost", "savings", "byModel", "byTier", "byDay", "errors",
                "latency", "skippedLines"):
        assert key in s
    assert s["requests"] == 11 and s["cost"] == pytest.approx(0.0242) and s["skippedLines"] == 4
    assert set(s["latency"]) >= {"p50Ms", "p95Ms"}
    assert s["logsDir"] == str(logs)


def test_cli_json_by_session_and_period(logs: Path):
    r = _cli("--json", "--by", "session", "--since", "2026-11-01", "--until", "2026-11-01")
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    assert s["requests"] == 3 and s["by"] == "session"
    assert s["bySession"]["s1"]["requests"] == 2 and s["bySession"]["(none)"]["requests"] == 1


def test_cli_csv_by_model_and_day(logs: Path):
    r = _cli("--csv")
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert rows[0].keys() >= {"model", "requests", "cost", "share", "p95LatencyMs", "errors"}
    assert sum(int(x["requests"]) for x in rows) == 11
    assert sum(float(x["cost"]) for x in rows) == pytest.approx(0.0242)
    r = _cli("--csv", "--by", "day")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [x["day"] for x in rows] == ["2026-10-31", "2026-11-01", "2026-11-02", "2026-11-03"]


def test_cli_rich_view(logs: Path):
    r = _cli("--until", "2026-11-03")
    assert r.exit_code == 0, r.output
    out = r.stdout
    for text in ("Requests", "Paid", "$0.0242", "$0.0030 of it on failed requests", "Baseline", "$0.0840",
                 "74.8%", "By model", "By tier",
                 "google/gemini-2.5-flash", "Errors by provider", "rate_limited", "Fallbacks taken",
                 "Cost per day", "2026-11-03", "Skipped 4 unreadable"):
        assert text in out, text
    r = _cli("--by", "provider")
    assert "By provider" in r.stdout and "By model" not in r.stdout


def test_cli_days(openclaw_home: Path):
    log = UsageLog(openclaw_home / "blockrun" / "logs")
    now = dt.datetime.now(dt.timezone.utc)
    log.append(make_record(model="a/b", status="ok", cost=0.5, baselineCost=1.0, latencyMs=5))
    old = now - dt.timedelta(days=5)
    (log.logs_dir / f"usage-{old:%Y-%m-%d}.jsonl").write_text(json.dumps(
        make_record(timestamp=old.isoformat().replace("+00:00", "Z"), model="a/b", status="ok", cost=2.0)) + "\n")
    assert json.loads(_cli("--json").stdout)["cost"] == pytest.approx(2.5)
    assert json.loads(_cli("--json", "--days", "2").stdout)["cost"] == pytest.approx(0.5)
    assert json.loads(_cli("--json", "--days", "6").stdout)["cost"] == pytest.approx(2.5)


def test_cli_no_logs_is_friendly(openclaw_home: Path):
    r = _cli()
    assert r.exit_code == 0
    assert "No usage logs yet" in r.stdout and str(openclaw_home / "blockrun" / "logs") in r.stdout
    r = _cli("--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["requests"] == 0


def test_cli_empty_period(logs: Path):
    r = _cli("--since", "2030-01-01")
    assert r.exit_code == 0 and "No requests in this period" in r.stdout


@pytest.mark.parametrize("args", [["--by", "color"], ["--json", "--csv"], ["--since", "soon"],
                                  ["--days", "3", "--since", "7d"], ["--since", "2026-11-03", "--until", "2026-11-01"]])
def test_cli_usage_errors(logs: Path, args: list[str]):
    r = _cli(*args)
    assert r.exit_code == 2
    assert "error:" in r.stderr and "Traceback" not in r.output


def test_markdown_summary():
    md = render_markdown(aggregate_stats(DATA))
    assert "Requests: 11 (4 failed)" in md and "$0.0242" in md and "74.8%" in md
    assert "| anthropic/claude-sonnet-4.6 | 1 |" in md
    assert "No requests" in render_markdown(aggregate_stats(DATA, since="2030-01-01"))


def test_a_retry_of_the_same_model_is_not_a_fallback(tmp_path: Path):
    rec = make_record(timestamp="2026-11-05T10:00:00.000Z", requestedModel="moonshot/kimi-k2.5",
                      model="moonshot/kimi-k2.5", status="ok", cost=0.001, baselineCost=0.01, latencyMs=400,
                      attempts=[{"model": "moonshot/kimi-k2.5", "status": 429, "errorClass": "rate_limited", "ms": 5,
                                 "paid": False},
                                {"model": "moonshot/kimi-k2.5", "status": 200, "errorClass": None, "ms": 390,
                                 "paid": True}])
    (tmp_path / "usage-2026-11-05.jsonl").write_text(json.dumps(rec) + "\n")
    s = aggregate_stats(tmp_path)
    assert s["fallbacks"]["requests"] == 0
    assert s["errors"]["events"] == 1 and s["errors"]["byClass"] == {"rate_limited": 1}
    assert s["byModel"]["moonshot/kimi-k2.5"]["errors"] == 1 and s["failed"] == 0


def test_bom_and_crlf_lines_are_read(tmp_path: Path):
    (tmp_path / "usage-2026-11-01.jsonl").write_bytes(
        b'\xef\xbb\xbf{"timestamp":"2026-11-01T00:00:01Z","model":"a/b","cost":1}\r\n'
        b'{"timestamp":"2026-11-01T00:00:02Z","model":"a/b","cost":2}\r\n')
    s = aggregate_stats(tmp_path)
    assert (s["requests"], s["cost"], s["skippedLines"]) == (2, 3.0, 0)


def test_since_all_means_no_lower_bound():
    assert aggregate_stats(DATA, since="all")["requests"] == aggregate_stats(DATA)["requests"]
