"""QA regressions at the command line: bad input gets one clear line and the right exit code,
never a traceback, and nothing half-written."""

from __future__ import annotations

import os
from pathlib import Path

from typer.testing import CliRunner

from clawcli.cli.main import app

runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None, input: str | None = None):
    return runner.invoke(app, list(args), env=env, input=input)


def test_unknown_exclude_entry_names_the_exclude_list():
    r = run("route", "hi", env={"CLAWCLI_EXCLUDE": "gemini-2.5-flsh"})
    assert r.exit_code == 1
    assert "in the exclude list" in r.output and "CLAWCLI_EXCLUDE" in r.output
    assert "google/gemini-2.5-flash" in r.output  # the suggestion survives
    assert "Traceback" not in r.output


def test_nan_limit_in_the_environment_is_a_config_error_not_a_crash():
    for var in ("CLAWCLI_MAX_PER_REQUEST", "CLAWCLI_DAILY_LIMIT"):
        for bad in ("nan", "inf", "-inf"):
            r = run("wallet", "limits", env={var: bad})
            assert r.exit_code == 1, (var, bad, r.output)
            assert f"invalid value '{bad}'" in r.output and "internal error" not in r.output


def test_nan_limit_in_config_toml_is_rejected():
    from clawcli.core.config import load_settings
    from clawcli.core.errors import ConfigError
    from clawcli.core.paths import Paths

    paths = Paths.from_env()
    paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text("max_per_request = nan\n")
    try:
        load_settings(paths)
    except ConfigError as exc:
        assert "max_per_request" in exc.message
    else:  # pragma: no cover - the regression
        raise AssertionError("a NaN spend limit was accepted")


def test_infinite_limit_is_refused_and_nothing_is_written():
    from clawcli.core.paths import Paths

    r = run("wallet", "limits", "--per-request", "inf")
    assert r.exit_code == 2 and "invalid amount 'inf'" in r.output
    assert not Paths.from_env().config_file.exists()  # used to be saved, then crash every command


def test_config_backups_within_one_second_never_clobber_each_other():
    from clawcli.core.config import save_config_values
    from clawcli.core.paths import Paths

    paths = Paths.from_env()
    save_config_values(paths, {"daily_limit": 1.0})
    b1 = save_config_values(paths, {"daily_limit": 2.0})
    b2 = save_config_values(paths, {"daily_limit": 3.0})
    b3 = save_config_values(paths, {"daily_limit": 4.0})
    assert len({b1, b2, b3}) == 3
    assert [Path(b).read_text().strip() for b in (b1, b2, b3)] == [
        "daily_limit = 1.0", "daily_limit = 2.0", "daily_limit = 3.0"]


def test_fund_amount_infinite_or_too_small_is_a_usage_error():
    assert run("wallet", "create").exit_code == 0
    for bad in ("inf", "1e-9"):
        r = run("wallet", "fund", "--no-qr", "--amount", bad)
        assert r.exit_code == 2, (bad, r.output)
        assert "invalid amount" in r.output and "internal error" not in r.output
    r = run("wallet", "fund", "--no-qr", "--json", "--amount", "0.25")
    assert r.exit_code == 0 and "uint256=250000" in r.output


def test_wallet_create_in_an_unusable_home_is_one_line(tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    r = run("wallet", "create", env={"CLAWCLI_OPENCLAW_HOME": str(blocker)})
    assert r.exit_code == 1
    assert "cannot use" in r.output and "internal error" not in r.output
    assert blocker.read_text() == "x"


def test_piped_tables_and_lines_are_not_cut_to_80_columns():
    r = run("models", env={"COLUMNS": ""})
    assert r.exit_code == 0
    assert "haiku, anthropic/haiku" in r.output  # used to be "hai…" once piped
    assert "…" not in r.output
    r = run("route", "hi", env={"COLUMNS": ""})
    chain = [line for line in r.output.splitlines() if line.startswith("chain")]
    assert len(chain) == 1 and chain[0].rstrip().endswith("nvidia/gpt-oss-120b")  # one line, not wrapped


def _closed_port() -> int:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_bench_models_exits_1_when_nothing_could_be_measured():
    assert run("wallet", "create").exit_code == 0
    env = {"CLAWCLI_GATEWAY_URL": f"http://127.0.0.1:{_closed_port()}"}
    r = run("bench", "models", "--models", "flash", "--prompts", "1", "--repeat", "1", "--yes", env=env)
    assert r.exit_code == 1, r.output
    assert "every benchmark request failed" in r.output


def test_bench_models_empty_model_list_is_a_usage_error_not_the_default_set():
    r = run("bench", "models", "--models", "", "--yes")
    assert r.exit_code == 2 and "--models is empty" in r.output
    assert "paid requests" not in r.output  # refused before planning anything


def test_answering_no_to_the_export_confirmation_is_not_an_internal_error(monkeypatch):
    import clawcli.cli.wallet as wallet_cli

    assert run("wallet", "create").exit_code == 0
    monkeypatch.setattr(wallet_cli, "_is_tty", lambda: True)
    r = run("wallet", "export", "--show-secret", input="n\n")
    assert r.exit_code == 1, r.output
    assert "Aborted" in r.output and "internal error" not in r.output
    assert "private key  0x" not in r.output  # nothing secret printed after a "no"


def test_plain_click_exceptions_map_to_exit_codes_not_internal_errors():
    import click
    import pytest
    import typer

    from clawcli.cli._app import _reraise_plain_click

    with pytest.raises(typer.Exit) as e:
        _reraise_plain_click(click.exceptions.Abort())
    assert e.value.exit_code == 1
    with pytest.raises(typer.Exit) as e:
        _reraise_plain_click(click.exceptions.Exit(3))
    assert e.value.exit_code == 3
    _reraise_plain_click(ValueError("a real bug"))  # anything else is left to the bug path


def test_help_prose_is_reflowed_but_examples_keep_their_lines():
    from clawcli.cli.main import _reflow

    doc = "Summary.\n\n    Prose wrapped\n    at 100 columns.\n\n    Examples:\n\n      claw a\n      claw b\n    "
    assert _reflow(doc) == "Summary.\n\nProse wrapped at 100 columns.\n\nExamples:\n\n  claw a\n  claw b"
    r = run("wallet", "import", "--help", env={"COLUMNS": "200"})
    assert "backs the old files up first; with --key, a mnemonic" in r.output  # was cut mid-sentence
    r = run("route", "--help", env={"COLUMNS": "200"})
    assert '  claw route --explain "Prove that sqrt(2) is irrational"' in r.output
