"""Settings: one dataclass, filled with precedence flag > env (``CLAWCLI_*``) > config.toml > default.

Every field of :class:`Settings` is a config-file key of the same name, and an environment
variable ``CLAWCLI_<NAME upper-cased>`` (plus the few aliases in ``_ENV_ALIASES``). Command
modules pass their flags as ``overrides``; ``None`` means "flag not given".

    settings = load_settings(Paths.from_env(), overrides={"profile": "eco"})
"""

from __future__ import annotations

import dataclasses
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from clawcli.core.errors import ConfigError
from clawcli.core.paths import Paths, private_dir

DEFAULT_GATEWAYS = {
    "base": "https://blockrun.ai/api",
    "solana": "https://sol.blockrun.ai/api",
}

#: default caps of a config without them (README "Spend limits"; the first-run message says them)
DEFAULT_HOURLY_LIMIT = 10.0
DEFAULT_DAILY_LIMIT = 50.0

PROFILES = ("auto", "eco", "premium", "free", "agentic")
CAP_MODES = ("graceful", "strict")
COMPRESS_MODES = ("off", "safe", "aggressive")


@dataclass
class Settings:
    gateway_url: str | None = None  # None: the default gateway of the active chain
    base_rpc_url: str = "https://mainnet.base.org"
    solana_rpc_url: str = "https://api.mainnet-beta.solana.com"
    host: str = "127.0.0.1"
    port: int = 8402
    profile: str = "auto"
    debug: bool = False
    baseline_model: str = "anthropic/claude-opus-4.6"
    exclude: list[str] = field(default_factory=list)
    # per-session cost cap (USD); None = no cap
    max_cost_per_run: float | None = None
    cap_mode: str = "graceful"
    compress: str = "safe"
    # pre-sign spend policy (USD); None = off ("off" in config.toml). The hourly and daily caps
    # default on so the worst case (a runaway agent, a dishonest gateway) is bounded out of the box;
    # an empty or partial config.toml gets these defaults, never "no limit".
    max_per_request: float = 0.50
    hourly_limit: float | None = DEFAULT_HOURLY_LIMIT
    daily_limit: float | None = DEFAULT_DAILY_LIMIT
    # quote sanity: a 402 quote above estimate x quote_tolerance + quote_tolerance_usd is refused
    quote_tolerance: float | None = 3.0
    quote_tolerance_usd: float = 0.01
    allowed_payees: list[str] = field(default_factory=list)
    testnet: bool = False
    # store prompts and answers in CLAWCLI_HOME/logs.db (`claw logs`, `claw ask -c`); `--no-log` per call
    log_prompts: bool = True
    # shared state of several `claw serve` on one wallet (redis://HOST:PORT/DB); None = local
    state_url: str | None = None
    # pre-authorisation: send the payment with the first request when the last quote for the same
    # model and request size covers it (one round trip instead of two); `--no-preauth` turns it off
    preauth: bool = True

    def gateway_for(self, chain: str) -> str:
        """The gateway base URL for ``chain`` (an explicit ``gateway_url`` wins)."""
        url = self.gateway_url or DEFAULT_GATEWAYS.get(chain, DEFAULT_GATEWAYS["base"])
        return url.rstrip("/")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


_ENV_ALIASES = {"BLOCKRUN_GATEWAY_URL": "gateway_url"}
_FIELDS = {f.name: f for f in fields(Settings)}


def _coerce(name: str, value: Any, source: str) -> Any:
    """Turn a raw env/file value into the field's type, or raise one clear ConfigError."""
    f = _FIELDS[name]
    t = str(f.type)
    try:
        if value is None:
            return None
        if "list" in t:
            if isinstance(value, str):
                return [v.strip() for v in value.split(",") if v.strip()]
            if isinstance(value, list):
                return [str(v) for v in value]
            raise ValueError
        if t.startswith("bool"):
            if isinstance(value, bool):
                return value
            s = str(value).strip().lower()
            if s in ("1", "true", "yes", "on"):
                return True
            if s in ("0", "false", "no", "off", ""):
                return False
            raise ValueError
        if t.startswith("int"):
            if isinstance(value, bool):
                raise ValueError
            return int(value)
        if "float" in t:
            if isinstance(value, str) and value.strip().lower() in ("", "none", "off"):
                return None
            if isinstance(value, bool):
                raise ValueError
            v = float(value)
            if not 0 <= v < math.inf:  # NaN passes `v < 0` and would disable every limit check
                raise ValueError
            return v
        return str(value)
    except (TypeError, ValueError):
        raise ConfigError(
            f"invalid value {value!r} for {name} in {source}",
            f"expected {t.replace(' | None', '')}",
        ) from None


def _validate(s: Settings) -> Settings:
    if s.profile not in PROFILES:
        raise ConfigError(f"unknown profile {s.profile!r}", "use one of: " + ", ".join(PROFILES))
    if s.cap_mode not in CAP_MODES:
        raise ConfigError(f"unknown cap mode {s.cap_mode!r}", "use graceful or strict")
    if s.compress not in COMPRESS_MODES:
        raise ConfigError(f"unknown compress mode {s.compress!r}", "use off, safe or aggressive")
    if not (0 < s.port < 65536):
        raise ConfigError(f"invalid port {s.port}", "use a port between 1 and 65535")
    if s.state_url is not None and s.state_url.strip():
        from clawcli.core.state import check_state_url

        check_state_url(s.state_url)
    if s.quote_tolerance is not None and not s.quote_tolerance >= 1:
        raise ConfigError(f"invalid quote_tolerance {s.quote_tolerance!r}",
                          "a multiple of the estimate of 1 or more (3 = refuse quotes above 3x the estimate), or off")
    for name in ("max_cost_per_run", "max_per_request", "hourly_limit", "daily_limit", "quote_tolerance_usd"):
        # flags arrive here unchecked (`claw serve --max-cost-per-run -1` started a proxy)
        v = getattr(s, name)
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v < math.inf):
            raise ConfigError(f"invalid {name} {v!r}", "use a USD amount of 0 or more (or leave it unset)")
    return s


def unknown_key_error(key: str, path: Path | str) -> ConfigError:
    """``unknown setting 'daily_limt' in config.toml`` with a did-you-mean."""
    import difflib

    close = difflib.get_close_matches(str(key), list(_FIELDS), n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}?" if close else "known settings: " + ", ".join(_FIELDS)
    return ConfigError(f"unknown setting {key!r} in {path}", hint + " (fix or remove the line)")


def read_config_file(path: Path) -> dict[str, Any]:
    """The config.toml as a dict ({} when absent). A broken file is a ConfigError naming it."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}", "fix or remove the file") from None


def load_settings(
    paths: Paths | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    paths = paths or Paths.from_env(env)
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    file_values = read_config_file(paths.config_file)
    for key, raw in file_values.items():
        if key not in _FIELDS:
            # a misspelt limit (`daily_limt`) silently ignored would be a budget silently lost
            raise unknown_key_error(key, paths.config_file)
        values[key] = _coerce(key, raw, str(paths.config_file))
    for alias, name in _ENV_ALIASES.items():
        if env.get(alias):
            values[name] = _coerce(name, env[alias], alias)
    for name in _FIELDS:
        var = "CLAWCLI_" + name.upper()
        if var in env and env[var] != "":
            values[name] = _coerce(name, env[var], var)
    for name, raw in (overrides or {}).items():
        if raw is not None:
            if name not in _FIELDS:
                raise KeyError(name)
            values[name] = raw
    return _validate(Settings(**values))


def save_config_values(paths: Paths, updates: Mapping[str, Any]) -> Path:
    """Set keys in config.toml: backup of the old file, atomic replace, under a file lock.

    A value of ``None`` removes the key. Returns the backup path (or the file path when
    there was nothing to back up).
    """
    import time

    import tomli_w
    from filelock import FileLock

    from clawcli.core._atomic import atomic_write_bytes

    for name in updates:
        if name not in _FIELDS:
            raise unknown_key_error(name, paths.config_file)
    path = paths.config_file
    private_dir(path.parent)  # 0700 whatever the umask: config.toml sets the gateway, limits, payees
    with FileLock(str(path) + ".lock", timeout=10):
        current = read_config_file(path)
        new = dict(current)
        for k, v in updates.items():
            if v is None:
                new.pop(k, None)
            else:
                new[k] = v
        backup = path
        if path.exists():
            stamp = time.strftime("%Y%m%d-%H%M%S")
            backup = path.with_name(f"config.toml.bak.{stamp}")
            n = 1
            while backup.exists():  # two saves in one second: never clobber the older backup
                backup = path.with_name(f"config.toml.bak.{stamp}-{n}")
                n += 1
            backup.write_bytes(path.read_bytes())
        atomic_write_bytes(path, tomli_w.dumps(new).encode("utf-8"))  # 0600: only its owner may change the limits
        if read_config_file(path) != new:  # read back and verify
            raise ConfigError(f"{path} did not read back as written")
    return backup
