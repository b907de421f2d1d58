"""The spend ledger: one JSON file under ``CLAWCLI_HOME`` shared by every claw process.

Reserve-then-settle, all under one file lock: signing a payment first *reserves* its amount,
which counts against the hourly and daily caps at once, so two processes racing for the
last dollar of a daily budget cannot both pass. The reservation then becomes ``settled``
(real spend), ``rejected`` (the gateway refused the signed payment before settling it),
``released`` (never sent) or ``uncertain`` (settlement failed part-way: the transfer may have
happened). Only ``settled`` is spend; rejected/released amounts stop counting against the
caps, uncertain ones keep counting.

A reservation left ``reserved`` by a process that died keeps counting until it falls out
of the window: the gateway may have settled it, and over-counting is the safe side.
Windows are rolling (the last 3,600 s and the last 86,400 s).

File layout (bounded, so a busy proxy does not rewrite an ever-growing file per request)::

    {"version": 2,
     "open":     [reservation, ...],            # reserved / uncertain: counted as pending
     "settled":  {"<unix minute>": [atomic, n]}, # final amounts folded per minute
     "rejected": {"<unix minute>": atomic},
     "recent":   [last 100 final reservations]}  # for inspection (state, tx, reason)

A minute bucket counts while any part of its minute is inside the window: never less than
the exact rolling sum, at most one minute's worth more.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clawcli.core._atomic import atomic_write_bytes
from clawcli.core.errors import PaymentError
from clawcli.core.paths import private_dir
from clawcli.core.x402.policy import format_usd, refusal

HOUR_S = 3600
DAY_S = 86400
#: anything older than this is dropped on the next write
KEEP_S = DAY_S + HOUR_S
RECENT_MAX = 100


@dataclass(frozen=True)
class Totals:
    """Atomic USDC units in the rolling windows."""

    spent_hour: int = 0
    spent_day: int = 0
    pending_hour: int = 0
    pending_day: int = 0
    rejected_day: int = 0
    count_day: int = 0

    def to_dict(self) -> dict[str, float | int]:
        return {
            "spentHour": self.spent_hour / 1e6,
            "spentDay": self.spent_day / 1e6,
            "pendingHour": self.pending_hour / 1e6,
            "pendingDay": self.pending_day / 1e6,
            "rejectedDay": self.rejected_day / 1e6,
            "paymentsDay": self.count_day,
        }


def _empty() -> dict[str, Any]:
    return {"version": 2, "open": [], "settled": {}, "rejected": {}, "recent": []}


class SpendLedger:
    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time, lock_timeout: float = 15.0):
        self.path = Path(path)
        self.clock = clock
        self.lock_timeout = lock_timeout

    # -- file plumbing ----------------------------------------------------------------------
    def _locked(self):
        from filelock import FileLock, Timeout

        private_dir(self.path.parent)
        lock = FileLock(str(self.path) + ".lock", timeout=self.lock_timeout)
        try:
            lock.acquire(poll_interval=0.005)  # short polls: fair turns between processes
        except Timeout:
            raise PaymentError(
                f"the spend ledger {self.path} stayed locked for {self.lock_timeout:g} s",
                "another claw process holds it; retry, or remove the .lock file if none is running",
            ) from None
        return lock

    def _load(self) -> dict[str, Any]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return _empty()
        except OSError as exc:
            raise PaymentError(f"cannot read the spend ledger {self.path}: {exc.strerror}") from None
        try:
            data = json.loads(raw)
            if not isinstance(data, dict) or data.get("version") != 2:
                raise TypeError
            for key, kind in (("open", list), ("settled", dict), ("rejected", dict), ("recent", list)):
                if not isinstance(data.get(key), kind):
                    raise TypeError
            return data
        except (ValueError, TypeError):
            # without the ledger we cannot know what was spent: refuse rather than reset it
            raise PaymentError(
                f"the spend ledger {self.path} is corrupt; refusing to sign",
                f"move it away (mv {self.path} {self.path}.bad) to start a fresh budget",
            ) from None

    def _save(self, data: dict[str, Any]) -> None:
        now = self.clock()
        oldest = int((now - KEEP_S) // 60)
        data["open"] = [e for e in data["open"] if now - float(e.get("ts", 0)) < KEEP_S]
        data["settled"] = {k: v for k, v in data["settled"].items() if int(k) >= oldest}
        data["rejected"] = {k: v for k, v in data["rejected"].items() if int(k) >= oldest}
        data["recent"] = data["recent"][-RECENT_MAX:]
        atomic_write_bytes(self.path, json.dumps(data, separators=(",", ":")).encode())

    @staticmethod
    def _totals(data: dict[str, Any], now: float) -> Totals:
        t = dict(spent_hour=0, spent_day=0, pending_hour=0, pending_day=0, rejected_day=0, count_day=0)
        for minute, (amount, count) in data["settled"].items():
            end_age = now - (int(minute) * 60 + 60)  # age of the bucket's last second
            if end_age < DAY_S:
                t["spent_day"] += int(amount)
                t["count_day"] += int(count)
                if end_age < HOUR_S:
                    t["spent_hour"] += int(amount)
        for minute, amount in data["rejected"].items():
            if now - (int(minute) * 60 + 60) < DAY_S:
                t["rejected_day"] += int(amount)
        for e in data["open"]:
            age = now - float(e.get("ts", 0))
            if age < DAY_S:
                t["pending_day"] += int(e.get("amount", 0))
                if age < HOUR_S:
                    t["pending_hour"] += int(e.get("amount", 0))
        return Totals(**t)

    # -- public API ---------------------------------------------------------------------------
    def totals(self) -> Totals:
        if not self.path.exists():  # nothing spent yet; a read-only look creates no files
            return Totals()
        with self._locked():
            return self._totals(self._load(), self.clock())

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
        """Count ``amount`` against the caps and return a reservation id, or raise PolicyRefusal."""
        with self._locked():
            data = self._load()
            now = self.clock()
            self.check_caps(self._totals(data, now), amount, hourly_limit=hourly_limit,
                            daily_limit=daily_limit, model=model)
            rid = secrets.token_hex(8)
            data["open"].append({
                "id": rid, "ts": now, "amount": int(amount), "state": "reserved",
                "network": network, "payee": payee, "model": model, "validBefore": valid_before,
            })
            self._save(data)
            return rid

    @staticmethod
    def check_caps(t: Totals, amount: int, *, hourly_limit: int | None, daily_limit: int | None,
                   model: str | None = None) -> None:
        """Raise the PolicyRefusal when ``amount`` on top of ``t`` crosses a cap (shared by every
        ledger backend, so a refusal reads the same whatever stores the ledger)."""
        for cap, limit, used, window, flag in (
            ("hourly", hourly_limit, t.spent_hour + t.pending_hour, "last hour", "--hourly"),
            ("daily", daily_limit, t.spent_day + t.pending_day, "last 24 h", "--daily"),
        ):
            if limit is not None and used + amount > limit:
                what = f" for {model}" if model else ""
                raise refusal(
                    f"refusing to sign {format_usd(amount)}{what}: the {cap} limit of "
                    f"{format_usd(limit)} would be exceeded ({format_usd(used)} spent or pending "
                    f"in the {window})",
                    f"raise it with `claw wallet limits {flag} <USD>` (or `{flag} off`), "
                    "or wait for the window to roll",
                    cap=cap, amount=amount, limit=limit, used=used,
                )

    def _finish(self, rid: str, state: str, **fields: Any) -> bool:
        with self._locked():
            data = self._load()
            for i, e in enumerate(data["open"]):
                if e.get("id") == rid:
                    break
            else:
                return False  # unknown, or already final (a settlement is never undone)
            e["state"] = state
            e["updated"] = self.clock()
            e.update({k: v for k, v in fields.items() if v is not None})
            if state != "uncertain":
                del data["open"][i]
                minute = str(int(float(e["ts"]) // 60))
                if state == "settled":
                    amount, count = data["settled"].get(minute, [0, 0])
                    data["settled"][minute] = [amount + int(e["amount"]), count + 1]
                elif state == "rejected":
                    data["rejected"][minute] = data["rejected"].get(minute, 0) + int(e["amount"])
                data["recent"].append(e)
            self._save(data)
            return True

    def settle(self, rid: str, *, amount: int | None = None, tx: str | None = None) -> bool:
        return self._finish(rid, "settled", amount=amount, tx=tx or None)

    def reject(self, rid: str, reason: str) -> bool:
        return self._finish(rid, "rejected", reason=reason[:300])

    def uncertain(self, rid: str, reason: str) -> bool:
        """Settlement failed after it started: the transfer may have happened, so the amount
        keeps counting against the caps (not as spent) until it leaves the window."""
        return self._finish(rid, "uncertain", reason=reason[:300])

    def release(self, rid: str, reason: str) -> bool:
        return self._finish(rid, "released", reason=reason[:300])

    def entries(self) -> list[dict[str, Any]]:
        """Open reservations and the most recent final ones (oldest first)."""
        with self._locked():
            data = self._load()
            return sorted(data["open"] + data["recent"], key=lambda e: float(e.get("ts", 0)))
