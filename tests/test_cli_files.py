"""What the commands write (and do not write) on disk: no files from read-only commands, config backups
that never clobber each other, key-file permission warnings, no secrets in an inject diff."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from clawcli.cli.main import app

runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None, input: str | None = None):
    return runner.invoke(app, list(args), env=env, input=input)


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


def test_wallet_create_in_an_unusable_home_is_one_line(tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    r = run("wallet", "create", env={"CLAWCLI_OPENCLAW_HOME": str(blocker)})
    assert r.exit_code == 1
    assert "cannot use" in r.output and "internal error" not in r.output
    assert blocker.read_text() == "x"


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
        assert "x402-paid-by-claw-serve" not in r.output  # no placeholder key without --token (issue 14 §6)
    assert _json.loads(cfg.read_text())["models"]["providers"]["openai"]["apiKey"] == "sk-real-secret"


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
