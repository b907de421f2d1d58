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
    r = run("wallet", "limits", "--daily", "0.0000001")  # would round to $0 and refuse everything
    assert r.exit_code == 2 and not Paths.from_env().config_file.exists()


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


def test_bare_model_names_resolve_everywhere_like_in_bench_models():
    from clawcli.core.catalog import default_catalog

    cat = default_catalog()
    for mid in cat.models:  # every catalog id is reachable by its name without the vendor...
        bare = mid.split("/", 1)[-1]
        if bare not in cat.aliases:  # ...unless that name is already another model's alias (kimi-k2.5)
            assert cat.resolve(bare) == mid
    assert cat.resolve("openrouter/GPT-4o") == "openai/gpt-4o"
    r = run("route", "-m", "gemini-2.5-flash", "hi")
    assert r.exit_code == 0 and "google/gemini-2.5-flash" in r.output
    r = run("route", "-m", "gemini-2.5-flsh", "hi")  # a typo is still an error with suggestions
    assert r.exit_code == 1 and "did you mean" in r.output


def test_refresh_ignores_non_finite_prices_from_the_gateway():
    import json as _json
    from importlib import resources

    from clawcli.core.catalog_refresh import merge_listing

    base = _json.loads(resources.files("clawcli.data").joinpath("catalog.json").read_text("utf-8"))
    listing = {"data": [{"id": "openai/gpt-4o", "inputPrice": "inf", "outputPrice": 1e400},
                        {"id": "new/model-x", "inputPrice": "Infinity", "outputPrice": 1}]}
    data, changes = merge_listing(base, listing)
    assert changes == {"added": [], "updated": []}
    gpt4o = next(m for m in data["models"] if m["id"] == "openai/gpt-4o")
    assert gpt4o["inputPrice"] < 1e6 and gpt4o["outputPrice"] < 1e6


def test_read_only_commands_create_no_files(tmp_path):
    from clawcli.core.paths import Paths

    paths = Paths.from_env()
    before = sorted(p for p in tmp_path.rglob("*"))
    for args in (("wallet", "limits"), ("wallet", "limits", "--json"), ("stats",), ("models",), ("route", "hi")):
        assert run(*args).exit_code == 0, args
    assert sorted(p for p in tmp_path.rglob("*")) == before  # `wallet limits` left a ledger .lock behind
    assert not paths.ledger_file.exists()


def test_env_key_without_0x_prefix_gets_a_hint_that_says_so():
    key = "ab" * 32
    r = run("wallet", "--no-balance", env={"BLOCKRUN_WALLET_KEY": key})
    assert r.exit_code == 1
    assert "without its lowercase `0x` prefix" in r.output
    assert key not in r.output  # still never echoed


def test_closing_the_pipe_early_is_not_a_failure():
    # `claw models | head -1` under `set -o pipefail`: rich used to exit 1 on the broken pipe
    import shutil
    import subprocess
    import sys

    claw = shutil.which("claw")
    cmd = [claw, "models"] if claw else [sys.executable, "-m", "clawcli", "models"]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ))
    p.stdout.close()  # the reader is gone before claw (still importing) writes a byte: EPIPE for sure
    err = p.stderr.read().decode()
    assert p.wait(timeout=30) == 0, err
    assert "Traceback" not in err and "error" not in err


def test_gateway_model_ids_with_markup_do_not_crash_claw_models():
    import json as _json
    from importlib import resources

    from clawcli.core.catalog_refresh import merge_listing
    from clawcli.core.paths import Paths

    base = _json.loads(resources.files("clawcli.data").joinpath("catalog.json").read_text("utf-8"))
    data, _ = merge_listing(base, {"data": [{"id": "evil/[/]", "inputPrice": 1, "outputPrice": 2}]})
    cache = Paths.from_env().catalog_cache
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(_json.dumps(data))
    r = run("models", env={"COLUMNS": ""})
    assert r.exit_code == 0, r.output
    assert "evil/[/]" in r.output


def test_inject_dry_run_diff_masks_other_providers_secrets(openclaw_home):
    import json as _json

    cfg = openclaw_home / "openclaw.json"
    cfg.write_text('{"models":{"providers":{"openai":{"apiKey":"sk-real-secret"}}},'
                   '"gateway":{"auth":{"token":"gw-tok-123"}}}')
    for args in (("inject-openclaw", "--dry-run"), ("inject-openclaw", "--dry-run", "--json")):
        r = run(*args)
        assert r.exit_code == 0, r.output
        assert "sk-real-secret" not in r.output and "gw-tok-123" not in r.output
        assert "<redacted>" in r.output
        assert "x402-paid-by-claw-serve" in r.output  # our placeholder is not a secret: still shown
    assert _json.loads(cfg.read_text())["models"]["providers"]["openai"]["apiKey"] == "sk-real-secret"


def test_money_settings_from_flags_are_validated_like_env_and_file():
    import pytest as _pytest

    from clawcli.core.config import load_settings
    from clawcli.core.errors import ConfigError
    from clawcli.core.paths import Paths

    for name in ("max_cost_per_run", "max_per_request", "hourly_limit", "daily_limit"):
        for bad in (-1.0, float("nan"), float("inf")):
            with _pytest.raises(ConfigError):
                load_settings(Paths.from_env(), env={}, overrides={name: bad})
    assert load_settings(Paths.from_env(), env={}, overrides={"max_cost_per_run": 0.0}).max_cost_per_run == 0.0


def test_every_help_example_fits_an_80_column_terminal():
    import typer

    cmd = typer.main.get_command(app)

    def walk(c, path):
        yield path, c
        for name, sub in getattr(c, "commands", {}).items():
            yield from walk(sub, [*path, name])

    seen = 0
    for path, c in walk(cmd, ["claw"]):
        for line in (c.help or "").splitlines() + (c.epilog or "").splitlines():
            if line.strip().startswith("claw "):
                seen += 1
                assert len(line.strip()) <= 78, (" ".join(path), line.strip())  # 1 col indent + 78 + edge
    assert seen >= 20  # the examples are there at all


def test_world_readable_key_file_is_warned_about_but_not_rewritten():
    from clawcli.core.paths import Paths

    assert run("wallet", "create").exit_code == 0
    key_file = Paths.from_env().wallet_key_file
    before = key_file.read_bytes()
    key_file.chmod(0o644)  # what ClawRouter's umask left behind
    r = run("wallet", "--no-balance")
    assert r.exit_code == 0 and "readable by other users (mode 644)" in r.output and "chmod 600" in r.output
    assert key_file.read_bytes() == before and (key_file.stat().st_mode & 0o777) == 0o644
    key_file.chmod(0o600)
    assert "readable by other users" not in run("wallet", "--no-balance").output


def test_a_delisted_model_says_it_was_redirected():
    from clawcli.core.catalog import default_catalog

    old, new = next(iter(default_catalog().redirects.items()))
    r = run("route", "--json", "-m", old, "hi")
    assert r.exit_code == 0
    import json as _json

    d = _json.loads(r.output)
    assert d["model"] == new and any("delisted" in x and new in x for x in d["reasons"])
    d = _json.loads(run("route", "--json", "-m", "sonnet", "hi").output)
    assert not any("delisted" in x for x in d["reasons"])
