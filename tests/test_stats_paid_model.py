"""`claw stats`: where the money went must name the model that was paid."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from clawcli.cli.main import app
from clawcli.core.paths import Paths


def _write(records: list[dict]) -> None:
    logs = Paths.from_env().logs_dir
    logs.mkdir(parents=True, exist_ok=True)
    with open(logs / "usage-2026-11-26.jsonl", "a") as fh:
        for r in records:
            fh.write(json.dumps(r) + "\n")


def _failed_after_paid_attempts() -> dict:
    # what the engine logs when two paid answers broke off and the free model failed last
    return {
        "timestamp": "2026-11-26T01:00:00Z", "requestId": "r1", "source": "ask", "status": "error",
        "errorClass": "network", "model": None, "cost": 0.03, "schema": 1,
        "attempts": [
            {"model": "google/gemini-2.5-flash", "status": 200, "errorClass": "network", "ms": 5, "paid": True},
            {"model": "moonshot/kimi-k2.5", "status": 200, "errorClass": "network", "ms": 5, "paid": True},
            {"model": "nvidia/gpt-oss-120b", "status": 200, "errorClass": "network", "ms": 1, "paid": False},
        ],
        "settlement": "0xabc",
    }


def test_a_paid_failure_is_not_charged_to_the_free_model():
    _write([_failed_after_paid_attempts()])
    r = CliRunner().invoke(app, ["stats", "--json", "--by", "model"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["cost"] == 0.03
    free = d["byModel"].get("nvidia/gpt-oss-120b", {"cost": 0.0})
    assert free["cost"] == 0.0  # was $0.03: the free model looked like the expensive one
    assert d["byModel"]["moonshot/kimi-k2.5"]["cost"] == 0.03
    assert sum(g["cost"] for g in d["byModel"].values()) == d["cost"]  # the totals still add up


def test_markup_like_names_in_the_logs_do_not_crash_the_report():
    # the logs are shared (ClawRouter, the proxy, client-chosen model names): "[/]" used to raise
    # rich's MarkupError and turn `claw stats` into an internal error
    _write([
        {"timestamp": "2026-11-26T01:00:00Z", "model": "[/]", "tier": "[bold]X", "cost": 0.1, "status": "ok",
         "schema": 1},
        {"timestamp": "2026-11-26T01:00:01Z", "model": None, "cost": 0.0, "status": "error", "schema": 1,
         "errorClass": "[/x]", "attempts": [{"model": "a/[b]", "errorClass": "[red]x", "paid": False}]},
    ])
    r = CliRunner().invoke(app, ["stats"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "[/]" in r.output and "a/[b]" in r.output and "[red]x" in r.output
