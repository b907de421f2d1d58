"""Exit codes across commands (DESIGN.md §1): a mistake on the command line exits 2 everywhere,
with one error line and no traceback; with --json the failure is also one JSON object on stdout.
A broken config file is not a usage error (exit 1)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clawcli.cli.main import app

runner = CliRunner()

USAGE_ERRORS = [
    (["route", "-p", "bogus", "hi"], "unknown profile"),
    (["route", "-m", "gpt-9", "hi"], "unknown model 'gpt-9'"),
    (["serve", "--profile", "bogus"], "unknown profile"),
    (["serve", "--cap-mode", "soft"], "unknown cap mode 'soft'"),
    (["serve", "--compress", "max"], "unknown compress mode 'max'"),
    (["ask", "--compress", "max", "hi"], "unknown compress mode 'max'"),
    (["ask", "-m", "gpt-9", "hi"], "unknown model 'gpt-9'"),
    (["ask", "-p", "bogus", "hi"], "unknown profile"),
    (["ask", "--temperature", "7", "hi"], "temperature"),
    (["ask", "--max-tokens", "99999999999", "hi"], "1<=x<=1000000"),  # was sent and paid; providers refuse it
    (["stats", "--by", "colour"], "colour"),
    (["stats", "--since", "yesterday-ish"], "yesterday-ish"),
    (["logs", "-n", "-1"], "-n"),
    (["models", "--no-such-flag"], "no-such-flag"),
    (["wallet", "chain", "dogecoin"], "dogecoin"),
]


@pytest.mark.parametrize("args,needle", USAGE_ERRORS, ids=[" ".join(a) for a, _ in USAGE_ERRORS])
def test_usage_errors_exit_2(args, needle):
    res = runner.invoke(app, args)
    assert res.exit_code == 2, (res.exit_code, res.output)
    assert needle in res.stderr
    assert "Traceback" not in res.output


JSON_CASES = [
    ["route", "--json", "-p", "bogus", "hi"],
    ["route", "--json", "-m", "gpt-9", "hi"],
    ["serve", "--json", "--cap-mode", "soft"],
    ["ask", "--json", "-m", "gpt-9", "hi"],
    ["ask", "--json", "--temperature", "7", "hi"],
    ["stats", "--json", "--by", "colour"],
    ["logs", "--json", "--cid", "nope"],
    ["models", "--json", "--no-such-flag"],
    ["route", "-j", "-m", "gpt-9", "hi"],
    ["logs", "-j", "-n", "-1"],
]


@pytest.mark.parametrize("args", JSON_CASES, ids=[" ".join(a) for a in JSON_CASES])
def test_with_json_every_failure_is_one_json_object_on_stdout(args):
    res = runner.invoke(app, args)
    assert res.exit_code == 2, res.output
    lines = res.stdout.strip().splitlines()
    assert len(lines) == 1, res.stdout
    obj = json.loads(lines[0])
    assert obj["error"] and obj["code"] in ("usage_error", "unknown_model", "config_error")


def test_a_bad_config_file_is_not_a_usage_error():
    cfg = Path(os.environ["CLAWCLI_HOME"]) / "config.toml"
    cfg.write_text('cap_mode = "soft"\n')
    for args in (["serve", "--profile", "eco"], ["ask", "hi"]):
        res = runner.invoke(app, args)
        assert res.exit_code == 1 and "unknown cap mode 'soft'" in res.stderr, (args, res.output)
    res = runner.invoke(app, ["ask", "--json", "hi"])
    assert res.exit_code == 1 and json.loads(res.stdout)["code"] == "config_error"


def test_the_help_example_of_ask_works_as_written(monkeypatch):
    """`claw ask --help` shows `claw ask -m sonnet --max-cost 0.1 --json ... | jq .cost`."""
    from clawcli.cli.ask import EPILOG
    from clawcli.testing import GatewayEmulator

    line = next(x for x in EPILOG.splitlines() if "--max-cost" in x)
    import shlex

    argv = shlex.split(line.split("|")[0].strip())[1:]  # drop "claw"
    with GatewayEmulator() as gw:
        monkeypatch.setenv("CLAWCLI_GATEWAY_URL", gw.url)
        monkeypatch.setenv("CLAWCLI_WALLET_KEY", "0x" + "3b" * 32)
        res = runner.invoke(app, argv)
    assert res.exit_code == 0, res.output
    obj = json.loads(res.stdout)
    assert obj["cost"] > 0 and "sonnet" in obj["model"]  # jq .cost has a number to print
