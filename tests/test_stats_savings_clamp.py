"""`claw stats`: a request that paid more than the baseline saved nothing (never a negative dollar
amount next to a 0 % figure): the dollars, the baseline and the percentage agree in the human
summary, --json and --csv."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clawcli.cli.main import app

runner = CliRunner()
CHEAP, DEAR = "deepseek/deepseek-chat", "openai/gpt-5.4"


def _write_log(lines: list[dict]) -> None:
    logs = Path(os.environ["CLAWCLI_OPENCLAW_HOME"]) / "blockrun" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    base = {"timestamp": "2026-12-01T10:00:00.000Z", "schema": 1, "source": "ask", "status": "ok", "attempts": []}
    (logs / "usage-2026-12-01.jsonl").write_text("".join(json.dumps({**base, **x}) + "\n" for x in lines))


def _stats(*args: str):
    res = runner.invoke(app, ["stats", "--days", "30", *args], env={"COLUMNS": "160"})
    assert res.exit_code == 0, res.output
    return res.stdout


def test_an_overpaid_request_saves_zero_dollars_not_a_negative_amount():
    # the QA case: one answer that cost more than the baseline's list price for its tokens
    _write_log([{"model": DEAR, "cost": 0.36, "baselineCost": 0.10}])
    st = json.loads(_stats("--json"))
    assert st["savingsUsd"] == 0 and st["savings"] == 0
    assert st["baselineCost"] == pytest.approx(0.36)  # it saved nothing: its baseline is what it paid
    human = _stats()
    assert "-0." not in human and "$-" not in human
    assert re.search(r"Saved\W+\$0\.0000\W+0\.0%", human), human


def test_overpaid_requests_do_not_eat_the_savings_of_cheap_ones_in_json_and_csv():
    _write_log([
        {"model": CHEAP, "cost": 0.01, "baselineCost": 0.05},   # saved $0.04
        {"model": DEAR, "cost": 0.50, "baselineCost": 0.20},    # saved $0, not -$0.30
    ])
    st = json.loads(_stats("--json"))
    assert st["savingsUsd"] == pytest.approx(0.04)
    assert st["baselineCost"] == pytest.approx(0.55)
    assert st["savings"] == pytest.approx(0.04 / 0.55, abs=1e-5)  # the dollars and the % agree
    assert st["byModel"][DEAR]["savings"] == 0 and st["byModel"][DEAR]["baselineCost"] == pytest.approx(0.50)
    rows = {r["model"]: r for r in csv.DictReader(io.StringIO(_stats("--csv")))}
    assert float(rows[DEAR]["baselineCost"]) == pytest.approx(0.50) and float(rows[DEAR]["savings"]) == 0
    assert float(rows[CHEAP]["savings"]) == pytest.approx(0.8)
    assert re.search(r"Saved\W+\$0\.0400\W+7\.3%", _stats())
