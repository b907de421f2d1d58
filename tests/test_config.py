import os
import stat

import pytest

from clawcli.core.config import load_settings, read_config_file, save_config_values
from clawcli.core.errors import ConfigError
from clawcli.core.paths import Paths


def test_homes_come_from_the_environment(claw_home, openclaw_home):
    p = Paths.from_env()
    assert p.config_file == claw_home / "config.toml"
    assert p.wallet_key_file == openclaw_home / "blockrun" / "wallet.key"
    assert p.logs_dir == openclaw_home / "blockrun" / "logs"


def test_precedence_flag_over_env_over_file_over_default(claw_home, monkeypatch):
    paths = Paths.from_env()
    assert load_settings(paths).profile == "auto"
    (claw_home / "config.toml").write_text('profile = "eco"\nport = 9000\nexclude = ["claude"]\n')
    s = load_settings(paths)
    assert (s.profile, s.port, s.exclude) == ("eco", 9000, ["claude"])
    monkeypatch.setenv("CLAWCLI_PROFILE", "premium")
    monkeypatch.setenv("CLAWCLI_EXCLUDE", "kimi, flash")
    s = load_settings(paths)
    assert (s.profile, s.exclude) == ("premium", ["kimi", "flash"])
    assert load_settings(paths, overrides={"profile": "free", "port": None}).profile == "free"
    assert load_settings(paths, overrides={"port": None}).port == 9000


def test_gateway_per_chain_and_override(monkeypatch):
    s = load_settings()
    assert s.gateway_for("base") == "https://blockrun.ai/api"
    assert s.gateway_for("solana") == "https://sol.blockrun.ai/api"
    monkeypatch.setenv("CLAWCLI_GATEWAY_URL", "http://127.0.0.1:9/api/")
    assert load_settings().gateway_for("solana") == "http://127.0.0.1:9/api"


@pytest.mark.parametrize("var, value", [("CLAWCLI_PORT", "eighty"), ("CLAWCLI_PROFILE", "cheap"),
                                        ("CLAWCLI_MAX_PER_REQUEST", "-1"), ("CLAWCLI_DEBUG", "maybe")])
def test_bad_values_are_one_clear_error(monkeypatch, var, value):
    monkeypatch.setenv(var, value)
    with pytest.raises(ConfigError) as ei:
        load_settings()
    assert value in ei.value.message or "profile" in ei.value.message


def test_broken_config_file_names_the_file(claw_home):
    (claw_home / "config.toml").write_text("profile = \n")
    with pytest.raises(ConfigError) as ei:
        load_settings()
    assert "config.toml" in ei.value.message


def test_save_config_backs_up_and_replaces_atomically(claw_home):
    paths = Paths.from_env()
    assert save_config_values(paths, {"daily_limit": 5.0}) == paths.config_file
    backup = save_config_values(paths, {"daily_limit": 2.5, "profile": "eco"})
    assert backup != paths.config_file and backup.read_text() == "daily_limit = 5.0\n"
    assert read_config_file(paths.config_file) == {"daily_limit": 2.5, "profile": "eco"}
    save_config_values(paths, {"daily_limit": None})  # key removed: the default cap applies again
    assert load_settings(paths).daily_limit == 50.0
    save_config_values(paths, {"daily_limit": "off"})  # an explicit "off" is the only way to no cap
    assert load_settings(paths).daily_limit is None
    assert not [f for f in os.listdir(claw_home) if f.endswith(".tmp")]
    with pytest.raises(ConfigError):
        save_config_values(paths, {"no_such_key": 1})
