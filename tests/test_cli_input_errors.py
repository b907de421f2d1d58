"""Bad input at the command line gets one clear line, a hint and the right exit code (2 for usage
errors), never a traceback: limits, amounts, keys, model names, confirmations."""

from __future__ import annotations

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


def test_fund_amount_infinite_or_too_small_is_a_usage_error():
    assert run("wallet", "create").exit_code == 0
    for bad in ("inf", "1e-9"):
        r = run("wallet", "fund", "--no-qr", "--amount", bad)
        assert r.exit_code == 2, (bad, r.output)
        assert "invalid amount" in r.output and "internal error" not in r.output
    r = run("wallet", "fund", "--no-qr", "--json", "--amount", "0.25")
    assert r.exit_code == 0 and "uint256=250000" in r.output


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
    assert r.exit_code == 2 and "did you mean" in r.output  # a usage error (issue 15)


def test_env_key_without_0x_prefix_gets_a_hint_that_says_so():
    key = "ab" * 32
    r = run("wallet", "--no-balance", env={"BLOCKRUN_WALLET_KEY": key})
    assert r.exit_code == 1
    assert "without its lowercase `0x` prefix" in r.output
    assert key not in r.output  # still never echoed


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
