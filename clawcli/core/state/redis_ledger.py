"""The spend ledger on Redis: the same public API and rules as the file ledger, shared by every
`claw serve` (on any machine) that pays with the same wallet on the same chain.

Each operation is one Lua script (``_lua.py``), so two proxies racing for the last cent of a
daily cap cannot both pass: the window sums, the cap check and the new reservation happen in
one atomic step inside Redis. The refusal itself is built by ``SpendLedger.check_caps`` so it
reads the same whatever backend stores the ledger.

Fail closed: when Redis cannot be reached, ``reserve`` raises :class:`StateUnavailable` and
nothing is signed; there is no local fallback. A settle/reject/release that cannot reach Redis
leaves the reservation counted (the safe side) and logs one warning line.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from clawcli.core.errors import PaymentError
from clawcli.core.state import _lua
from clawcli.core.x402.ledger import SpendLedger, Totals, _is_amount

log = logging.getLogger("clawcli.state")

#: after a connection failure, calls within this many seconds fail at once instead of waiting for
#: another timeout (settlements are recorded inside the serving loop: it must not stall per request)
RETRY_AFTER_FAILURE_S = 1.0


class StateUnavailable(PaymentError):
    """The shared state (Redis) cannot be reached: refuse to sign rather than guess the spend."""

    code = "state_unavailable"


def unavailable(url: str, exc: BaseException, *, signing: bool = True) -> StateUnavailable:
    detail = str(exc).strip().rstrip(".") or type(exc).__name__
    if not signing:  # a read (wallet limits, /health): say what is unknown, not what was refused
        return StateUnavailable(f"the shared state at {url} is unreachable ({detail}); the shared spend is unknown",
                                "start Redis or fix --state / CLAWCLI_STATE_URL")
    return StateUnavailable(
        f"the shared state at {url} is unreachable ({detail}); refusing to sign",
        "start Redis or fix --state / CLAWCLI_STATE_URL; nothing was signed, claw reconnects on its own",
    )


def ledger_prefix(address: str, chain: str) -> str:
    """Redis key prefix of one ledger: per wallet address and chain (hash-tagged, one slot)."""
    return f"clawcli:{{ledger:{chain}:{address.lower() if address.startswith('0x') else address}}}:"


def machine_id(logs_dir: Path) -> str:
    """One id per usage log (host + directory): instances sharing a log fold it in once."""
    where = f"{socket.gethostname()}:{Path(logs_dir).expanduser().resolve()}"
    return hashlib.sha256(where.encode()).hexdigest()[:16]


class RedisSpendLedger(SpendLedger):
    """``SpendLedger`` whose records live in Redis; ``client`` is a sync ``redis.Redis``."""

    def __init__(self, client: Any, *, address: str, chain: str, url: str = "redis",
                 clock: Callable[[], float] = time.time, usage_logs_dir: Path | None = None) -> None:
        self.client = client
        #: this machine's usage log, folded into a shared ledger that has never seen it (None = never)
        self.usage_logs_dir = Path(usage_logs_dir) if usage_logs_dir is not None else None
        self.url = url
        self.clock = clock
        self.address = address
        self.chain = chain
        self.prefix = ledger_prefix(address, chain)
        self._down_until = 0.0  # monotonic time before which Redis is not tried again (see _call)
        self._down_reason = ""
        self.path = None  # no file: wallet limits shows the backend instead
        p = self.prefix
        self._keys = [p + "open", p + "settled", p + "settled_n", p + "rejected", p + "recent", p + "meta"]
        self._marker = p + "seeded:" + machine_id(self.usage_logs_dir) if self.usage_logs_dir else ""
        self._reserve = client.register_script(_lua.RESERVE)
        self._finish_script = client.register_script(_lua.FINISH)
        self._totals_script = client.register_script(_lua.TOTALS)
        self._seed_script = client.register_script(_lua.SEED)

    def _call(self, script: Any, keys: list[str], args: list[Any], *, signing: bool = True) -> Any:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import RedisError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        if time.monotonic() < self._down_until:  # failed a moment ago: answer at once, do not stall again
            raise unavailable(self.url, ConnectionError(self._down_reason), signing=signing)
        try:
            return script(keys=keys, args=args)
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            self._down_until = time.monotonic() + RETRY_AFTER_FAILURE_S
            self._down_reason = str(exc).strip().rstrip(".") or type(exc).__name__
            raise unavailable(self.url, exc, signing=signing) from None
        except RedisError as exc:  # e.g. a read-only replica, OOM, auth: nothing signed either
            detail = str(exc).strip().rstrip(".") or type(exc).__name__
            raise StateUnavailable(f"the shared state at {self.url} refused the ledger update ({detail}); "
                                   "refusing to sign",
                                   "check the Redis server (writable primary, memory, password); nothing was signed") from None

    # -- public API (SpendLedger's) -----------------------------------------------------------
    def totals(self) -> Totals:
        raw = self._call(self._totals_script, self._keys, [repr(float(self.clock()))], signing=False)
        return _totals_of(raw)

    def reserve(
        self,
        amount: int,
        *,
        hourly_limit: int | None = None,
        daily_limit: int | None = None,
        network: str = "",
        payee: str = "",
        model: str | None = None,
        valid_before: int | None = None,
    ) -> str:
        if not _is_amount(amount):  # the local ledger's rule: bool, 1.5, "100", negative are never reserved
            raise PaymentError(f"refusing to reserve an invalid amount {amount!r}")
        now = self.clock()
        rid = secrets.token_hex(8)
        record = {"id": rid, "ts": now, "amount": int(amount), "state": "reserved", "network": network,
                  "payee": payee, "model": model, "validBefore": valid_before}
        args = [repr(float(now)), int(amount), -1 if hourly_limit is None else int(hourly_limit),
                -1 if daily_limit is None else int(daily_limit), rid, json.dumps(record, separators=(",", ":")),
                "1" if self._marker else "0"]
        res = self._call(self._reserve, self._keys + [self._marker or self._keys[0]], args)
        if int(res[0]) == 2:  # this machine's payments are not in the shared ledger yet
            self._seed(now)
            res = self._call(self._reserve, self._keys + [self._marker], args)
        if int(res[0]) == 1:
            return rid
        t = _totals_of(res[1:])
        self.check_caps(t, amount, hourly_limit=hourly_limit, daily_limit=daily_limit, model=model)
        raise PaymentError("the shared spend ledger refused the reservation")  # pragma: no cover

    def _finish(self, rid: str, state: str, *, claimed: int | None = None, **fields: Any) -> bool:
        extra = {k: v for k, v in fields.items() if v is not None}
        args = [rid, state, repr(float(self.clock())), json.dumps(extra, separators=(",", ":")),
                -1 if claimed is None else int(claimed)]
        try:
            return bool(self._call(self._finish_script, self._keys, args))
        except StateUnavailable as exc:
            # the reservation keeps counting against the caps until it leaves the window:
            # over-counting is the safe side; never raise after the gateway answered
            log.warning("claw: could not record %s for reservation %s: %s", state, rid, exc.message)
            return False

    def _seed(self, now: float) -> None:
        from clawcli.core.x402.ledger import _settled_from_usage_log
        from clawcli.core.x402.policy import format_usd

        assert self.usage_logs_dir is not None
        buckets: dict[str, list[int]] = {}
        total, count = _settled_from_usage_log(self.usage_logs_dir, now, buckets)
        args: list[Any] = [repr(float(now))]
        for minute, (amount, n) in buckets.items():
            args += [minute, int(amount), int(n)]
        added = self._call(self._seed_script, self._keys + [self._marker], args)
        if added and count:
            print(f"warning: the shared spend ledger at {self.url} had no record of this machine's payments; "
                  f"added {format_usd(total)} settled in {count} payments in the last 24 h from its usage log",
                  file=sys.stderr)

    def entries(self) -> list[dict[str, Any]]:
        from redis.exceptions import RedisError

        try:
            pipe = self.client.pipeline(transaction=True)
            pipe.hvals(self._keys[0])
            pipe.lrange(self._keys[4], 0, -1)
            open_, recent = pipe.execute()
        except (RedisError, OSError) as exc:
            raise unavailable(self.url, exc, signing=False) from None
        out = [json.loads(x) for x in list(open_) + list(recent)]
        return sorted(out, key=lambda e: float(e.get("ts", 0)))


def _totals_of(raw: Any) -> Totals:
    sh, sd, ph, pd, rd, cd = (int(x) for x in raw)
    return Totals(spent_hour=sh, spent_day=sd, pending_hour=ph, pending_day=pd, rejected_day=rd, count_day=cd)
