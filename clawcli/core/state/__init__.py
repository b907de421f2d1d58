"""Where the state shared by claw processes lives: one interface, two backends.

- **local** (default): the spend ledger is a file under a file lock (``SpendLedger``), shared by
  the claw processes of one machine; cooldowns, session budgets and pins live in each process.
- **redis** (``--state redis://HOST:PORT/DB``, config ``state_url``, env ``CLAWCLI_STATE_URL``):
  several `claw serve` on any number of machines share one wallet's spend ledger (atomic Lua
  scripts, ``redis_ledger.py``) and mirror cooldowns, session budgets and session pins
  (``shared.py``: write-through + pub/sub, so the hot path stays an in-process dict lookup).

Fail closed: an unreachable Redis means no signature (``StateUnavailable``, a 503 from serve),
never a silent fallback to the local ledger.

    state = open_state(settings, paths)          # LocalState or RedisState
    ledger = state.ledger(address=..., chain="base")
"""

from __future__ import annotations

import re
from typing import Any, Protocol
from urllib.parse import urlsplit

from clawcli.core.errors import ConfigError

SCHEMES = ("redis", "rediss", "unix")
INSTALL_HINT = "pip install 'clawcli[redis]'  (redis-py with hiredis)"


class StateBackend(Protocol):
    kind: str

    def ledger(self, *, address: str, chain: str) -> Any:
        """The spend ledger of ``address`` on ``chain`` (SpendLedger's API)."""

    def describe(self) -> dict[str, Any]:
        """{"backend": ..., ...} for `claw wallet limits` and /health (no secrets)."""


def check_state_url(url: str) -> str:
    """``url`` if it names a Redis we can use, else one ConfigError line with the hint."""
    try:  # urlsplit and .port raise ValueError on "redis://[::1/0" or port 99999
        parts = urlsplit(url.strip())
        ok = parts.scheme in SCHEMES and (parts.scheme == "unix" or (bool(parts.hostname) and parts.port != 0))
    except ValueError as exc:
        raise ConfigError(f"invalid state URL {safe_url(url)!r}: {exc}", "use redis://HOST:PORT/DB") from None
    if not ok:
        raise ConfigError(f"invalid state URL {safe_url(url)!r}",
                          "use redis://HOST:PORT/DB (or leave --state / state_url unset for the local ledger)")
    db = parts.path.strip("/")
    if parts.scheme != "unix" and db and not db.isdigit():
        raise ConfigError(f"invalid Redis database {db!r} in the state URL", "the DB is a number: redis://HOST:PORT/DB, e.g. redis://127.0.0.1:6379/0")
    return url.strip()


def safe_url(url: str) -> str:
    """The URL with any password replaced by ``***`` (it goes into messages and /health)."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for an out-of-range port, like urlsplit for "[::1"
    except ValueError:  # not a URL urllib can take apart: hide everything between "//" and "@"
        return re.sub(r"//[^/@]*@", "//***@", url.strip())
    if parts.password is None:
        return url.strip()
    user = parts.username or ""
    netloc = f"{user}:***@{parts.hostname or ''}" + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=netloc).geturl()


class LocalState:
    """The embedded default: the ledger file of this machine; the rest stays in the process."""

    kind = "local"

    def __init__(self, paths: Any) -> None:
        self.paths = paths

    def ledger(self, *, address: str = "", chain: str = "base") -> Any:
        from clawcli.core.x402.ledger import SpendLedger

        return SpendLedger(self.paths.ledger_file, usage_logs_dir=self.paths.logs_dir)

    def describe(self) -> dict[str, Any]:
        return {"backend": "local", "ledgerFile": str(self.paths.ledger_file)}


def open_state(settings: Any, paths: Any) -> StateBackend:
    """The backend ``settings.state_url`` names (local when unset). Connects lazily: a Redis
    that is down now is reported per request (fail closed) and picked up when it comes back."""
    url = (getattr(settings, "state_url", None) or "").strip()
    if not url:
        return LocalState(paths)
    check_state_url(url)
    from clawcli.core.state.redis_state import RedisState

    return RedisState(url, usage_logs_dir=getattr(paths, "logs_dir", None))


def ledger_for(settings: Any, paths: Any, *, address: str, chain: str) -> Any:
    """The spend ledger a payer of ``address`` on ``chain`` must use under ``settings``."""
    return open_state(settings, paths).ledger(address=address, chain=chain)


__all__ = ["INSTALL_HINT", "LocalState", "StateBackend", "check_state_url", "ledger_for", "open_state", "safe_url",
           "wallet_ledger"]


def wallet_ledger(settings: Any, paths: Any, env: Any = None) -> tuple[Any, dict[str, Any]]:
    """(the spend ledger of the wallet's active chain, the backend's description) for
    `claw wallet limits`: with Redis, the spend every `claw serve` sharing it has signed."""
    state = open_state(settings, paths)
    if state.kind == "local":
        return state.ledger(), state.describe()
    from clawcli.core.wallet import resolve_wallet

    wallet = resolve_wallet(paths, env)
    chain = (getattr(wallet, "chain", None) or "base") if wallet is not None else "base"
    address = ""
    if wallet is not None:
        address = (wallet.solana_address or "") if chain == "solana" else wallet.evm_address
    return state.ledger(address=address, chain=chain), state.describe()
