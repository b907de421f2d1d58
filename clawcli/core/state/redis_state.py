"""The Redis backend: one connection pool per process, the ledger per wallet address and chain.

redis-py is an optional extra (``clawcli[redis]``); without it, choosing this backend is one
clear error with the install hint. Connections are made on first use and re-made by redis-py
after a failure, so a Redis that restarts is picked up without restarting claw.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from clawcli.core.errors import ConfigError
from clawcli.core.state import INSTALL_HINT, safe_url

log = logging.getLogger("clawcli.state")

#: a paid request waits at most about this long for Redis before failing closed (503). Ledger
#: calls run on the signing path and, for settlements, inside the serving loop: short timeouts and
#: one reconnect attempt (a pooled connection dropped by a Redis restart), never a long retry.
CONNECT_TIMEOUT_S = 1.0
SOCKET_TIMEOUT_S = 2.0


def require_redis() -> Any:
    try:
        import redis
    except ImportError:
        raise ConfigError("--state redis://... needs the redis client library, which is not installed",
                          INSTALL_HINT) from None
    return redis


class RedisState:
    kind = "redis"

    def __init__(self, url: str, *, clock: Any = time.time, usage_logs_dir: Any = None) -> None:
        redis = require_redis()
        self.url = url
        self.usage_logs_dir = usage_logs_dir  # this machine's usage log (see RedisSpendLedger._seed)
        self.display_url = safe_url(url)
        self.clock = clock
        try:
            from redis.backoff import NoBackoff
            from redis.retry import Retry

            self.client = redis.Redis.from_url(
                url, socket_connect_timeout=CONNECT_TIMEOUT_S, socket_timeout=SOCKET_TIMEOUT_S,
                health_check_interval=30, decode_responses=False, retry=Retry(NoBackoff(), 1))
        except ValueError as exc:
            raise ConfigError(f"invalid state URL {self.display_url!r}: {exc}",
                              "use redis://HOST:PORT/DB") from None

    def ledger(self, *, address: str, chain: str) -> Any:
        from clawcli.core.state.redis_ledger import RedisSpendLedger

        return RedisSpendLedger(self.client, address=address, chain=chain, url=self.display_url, clock=self.clock,
                                usage_logs_dir=self.usage_logs_dir)

    def ping(self) -> str | None:
        """None when Redis answers, else the reason (for /health and `claw wallet limits`)."""
        try:
            self.client.ping()
            return None
        except Exception as exc:  # noqa: BLE001 - any failure is "unreachable", shown as one line
            return str(exc).strip() or type(exc).__name__

    def describe(self) -> dict[str, Any]:
        err = self.ping()
        out: dict[str, Any] = {"backend": "redis", "url": self.display_url, "reachable": err is None}
        if err is not None:
            out["error"] = err
        return out

    def close(self) -> None:
        try:
            self.client.close()
        except Exception as exc:  # noqa: BLE001 - closing a dead connection is not an error
            log.debug("closing the Redis client: %s", exc)
