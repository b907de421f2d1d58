"""The spend ledger: one JSON file under ``CLAWCLI_HOME`` shared by every claw process.

Reserve-then-settle, all under one file lock: signing a payment first *reserves* its amount,
which counts against the hourly and daily caps at once, so two processes racing for the
last dollar of a daily budget cannot both pass.

**Signed means spent until proven otherwise.** Once an authorisation has been handed to a
gateway, only a proven settlement changes how it counts: the gateway's word that it failed
(a 5xx, a 402 rejection, a failed settlement, a degraded answer) does not, because the gateway
still holds a valid authorisation it can execute until ``validBefore``, and may have executed it
already. States of a reservation (see /work/coord/ledger.md for the full rule set):

- ``reserved``: counted; signing or in flight.
- ``rejected`` / ``uncertain``: handed over, the gateway said it failed (refused the payment /
  settlement failed part-way). Still counted, exactly like ``reserved``.
- ``settled``: proven spend; counted as spent at the signed amount (never more).
- ``released``: never sent. The only state that stops counting at once.

An open (``reserved``/``rejected``/``uncertain``) reservation counts against a window while its
timestamp is inside the window *or* its ``validBefore`` has not passed. An unproven authorisation
therefore counts for the whole rolling window even after it expired: the gateway may have executed
it before expiry, and counting it only until ``validBefore`` would let a gateway that settles and
answers 500 collect the cap again every validity window. Windows are rolling (the last 3,600 s and
the last 86,400 s).

File layout (bounded, so a busy proxy does not rewrite an ever-growing file per request)::

    {"version": 2,
     "open":     [reservation, ...],            # reserved / rejected / uncertain: counted as pending
     "settled":  {"<unix minute>": [atomic, n]}, # settled amounts folded per minute
     "rejected": {"<unix minute>": atomic},      # rejected/uncertain past validBefore: still counted
     "recent":   [last 100 final reservations]}  # for inspection (state, tx, reason)

A minute bucket counts while any part of its minute is inside the window: never less than
the exact rolling sum, at most one minute's worth more.

The ledger is never silently lost: an unreadable file, a dangling symlink, or a negative or
non-integer amount is a corrupt ledger (refuse to sign, keep the file); a missing ledger is rebuilt
from the usage log's settled records (with a warning) when ``usage_logs_dir`` is given; a symlinked
ledger is written through (the link stays a link).
"""

from __future__ import annotations

import json
import math
import os
import secrets
import sys
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
#: anything older than this (and past its validBefore) is dropped on the next write
KEEP_S = DAY_S + HOUR_S
RECENT_MAX = 100
#: open states: handed over (or about to be) and not proven settled; all of them count
OPEN_STATES = ("reserved", "rejected", "uncertain")


@dataclass(frozen=True)
class Totals:
    """Atomic USDC units in the rolling windows.

    ``pending_*``: open reservations (signed, not proven settled), counted against the caps.
    ``rejected_day``: the part of ``pending_day`` the gateway said failed (still counted).
    """

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


def _is_amount(v: Any) -> bool:
    return type(v) is int and v >= 0  # bool is not an amount; neither is 1.5 or "100"


def _is_time(v: Any) -> bool:
    return type(v) in (int, float) and math.isfinite(v)


def _is_minute(k: Any) -> bool:
    try:
        int(k)
        return True
    except (TypeError, ValueError):
        return False


def _problem(data: Any) -> str | None:
    """Why ``data`` is not a valid ledger, or None. Every amount must be a non-negative integer."""
    if not isinstance(data, dict) or data.get("version") != 2:
        return "not a version-2 ledger"
    for key, kind in (("open", list), ("settled", dict), ("rejected", dict), ("recent", list)):
        if not isinstance(data.get(key), kind):
            return f"'{key}' is missing or not a {kind.__name__}"
    for e in data["open"]:
        if not isinstance(e, dict) or not _is_amount(e.get("amount")) or not _is_time(e.get("ts")):
            return f"an open reservation has an invalid amount or time: {str(e)[:120]}"
        vb = e.get("validBefore")
        if vb is not None and not _is_time(vb):
            return f"an open reservation has an invalid validBefore: {vb!r}"
        if e.get("state") not in OPEN_STATES:
            return f"an open reservation has state {e.get('state')!r}"
    for minute, v in data["settled"].items():
        if not _is_minute(minute) or not (isinstance(v, list) and len(v) == 2 and all(map(_is_amount, v))):
            return f"settled bucket {minute!r} is invalid: {str(v)[:60]}"
    for minute, v in data["rejected"].items():
        if not _is_minute(minute) or not _is_amount(v):
            return f"rejected bucket {minute!r} is invalid: {str(v)[:60]}"
    for e in data["recent"]:
        if not isinstance(e, dict) or not _is_time(e.get("ts")):
            return "a recent entry is invalid"
    return None


def _corrupt(path: Path, why: str) -> PaymentError:
    return PaymentError(
        f"the spend ledger {path} is corrupt ({why}); refusing to sign",
        f"inspect it; to start a fresh budget move it away (mv {path} {path}.bad)",
    )


class SpendLedger:
    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time, lock_timeout: float = 15.0,
                 usage_logs_dir: Path | None = None):
        self.path = Path(path)
        self.clock = clock
        self.lock_timeout = lock_timeout
        #: where to rebuild a missing ledger from (the usage log's settled records); None = start empty
        self.usage_logs_dir = Path(usage_logs_dir) if usage_logs_dir is not None else None

    # -- file plumbing ----------------------------------------------------------------------
    def _locked(self):
        from filelock import FileLock, Timeout

        private_dir(self.path.parent)  # 0700 whatever the umask: the ledger is the budget
        lock = FileLock(str(self.path) + ".lock", timeout=self.lock_timeout)
        try:
            lock.acquire(poll_interval=0.005)  # short polls: fair turns between processes
        except Timeout:
            raise PaymentError(
                f"the spend ledger {self.path} stayed locked for {self.lock_timeout:g} s",
                "another claw process holds it; retry, or remove the .lock file if none is running",
            ) from None
        return lock

    def _missing(self) -> bool:
        """True when there is no ledger at all; a symlink whose target is gone is corrupt, not missing."""
        if self.path.is_symlink():
            if not self.path.exists():
                raise _corrupt(self.path, f"it is a symlink to {os.readlink(self.path)}, which does not exist")
            return False
        return not self.path.exists()

    def _load(self) -> dict[str, Any]:
        """The ledger (caller holds the lock). A missing one is rebuilt and saved at once, so the
        warning is given once and a refusal right after still leaves the rebuilt file behind."""
        if self._missing():
            return self._rebuilt(save=True)
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:  # removed between the check and the read
            return self._rebuilt(save=True)
        except OSError as exc:
            raise PaymentError(f"cannot read the spend ledger {self.path}: {exc.strerror}") from None
        try:
            data = json.loads(raw)
        except ValueError:
            # without the ledger we cannot know what was spent: refuse rather than reset it
            raise _corrupt(self.path, "not JSON") from None
        why = _problem(data)
        if why is not None:
            raise _corrupt(self.path, why)
        return data

    def _rebuilt(self, *, save: bool = False) -> dict[str, Any]:
        """A fresh ledger holding the usage log's settled records of the last 24 h (one warning
        when there were any: the ledger was deleted, or a new CLAWCLI_HOME shares the logs).
        The warning goes with ``save``: a read-only look (``totals()``, every `claw wallet limits`)
        counts the same payments but writes nothing, so warning there would repeat on every run."""
        data = _empty()
        if self.usage_logs_dir is None:
            return data
        now = self.clock()
        total, count = _settled_from_usage_log(self.usage_logs_dir, now, data["settled"])
        if count and save:
            self._save(data)
            print(f"warning: the spend ledger {self.path} was missing; rebuilt from the usage log "
                  f"({format_usd(total)} settled in {count} payments in the last 24 h; "
                  "signed but unsettled authorisations are not in the log)", file=sys.stderr)
        return data

    def _save(self, data: dict[str, Any]) -> None:
        now = self.clock()
        oldest = int((now - KEEP_S) // 60)
        keep = []
        for e in data["open"]:
            if e["state"] != "reserved" and now >= float(e.get("validBefore") or 0):
                # expired and never proven settled: it may have been executed, so it keeps counting,
                # folded into its minute (bounded file size however many payments a gateway fails)
                minute = str(int(float(e["ts"]) // 60))
                data["rejected"][minute] = data["rejected"].get(minute, 0) + e["amount"]
                data["recent"].append(e)
            elif now - float(e["ts"]) < KEEP_S or now < float(e.get("validBefore") or 0):
                keep.append(e)
        data["open"] = keep
        data["settled"] = {k: v for k, v in data["settled"].items() if int(k) >= oldest}
        data["rejected"] = {k: v for k, v in data["rejected"].items() if int(k) >= oldest}
        data["recent"] = data["recent"][-RECENT_MAX:]
        # a symlinked ledger is written through: the link stays, its target gets the new content
        target = Path(os.path.realpath(self.path)) if self.path.is_symlink() else self.path
        atomic_write_bytes(target, json.dumps(data, separators=(",", ":")).encode())

    @staticmethod
    def _totals(data: dict[str, Any], now: float) -> Totals:
        t = dict(spent_hour=0, spent_day=0, pending_hour=0, pending_day=0, rejected_day=0, count_day=0)
        for minute, (amount, count) in data["settled"].items():
            end_age = now - (int(minute) * 60 + 60)  # age of the bucket's last second
            if end_age < DAY_S:
                t["spent_day"] += amount
                t["count_day"] += count
                if end_age < HOUR_S:
                    t["spent_hour"] += amount
        for minute, amount in data["rejected"].items():  # expired, unproven: counted as pending
            end_age = now - (int(minute) * 60 + 60)
            if end_age < DAY_S:
                t["pending_day"] += amount
                t["rejected_day"] += amount
                if end_age < HOUR_S:
                    t["pending_hour"] += amount
        for e in data["open"]:
            age = now - float(e["ts"])
            # the gateway can still execute it: counts whatever the window says
            live = now < float(e.get("validBefore") or 0)
            amount = e["amount"]
            if age < DAY_S or live:
                t["pending_day"] += amount
                if e["state"] != "reserved":
                    t["rejected_day"] += amount
                if age < HOUR_S or live:
                    t["pending_hour"] += amount
        return Totals(**t)

    # -- public API ---------------------------------------------------------------------------
    def totals(self) -> Totals:
        if self._missing():  # a read-only look creates no files (but shows what the log says)
            return self._totals(self._rebuilt(), self.clock())
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
        if not _is_amount(amount):
            raise PaymentError(f"refusing to reserve an invalid amount {amount!r}")
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
                    f"{format_usd(limit)} would be exceeded ({format_usd(used)} signed in the {window}, "
                    "settled or not yet proven unspent)",
                    f"raise it with `claw wallet limits {flag} <USD>` (or `{flag} off`), "
                    "or wait for the window to roll",
                    cap=cap, amount=amount, limit=limit, used=used,
                )

    def _finish(self, rid: str, state: str, *, claimed: int | None = None, **fields: Any) -> bool:
        with self._locked():
            data = self._load()
            for i, e in enumerate(data["open"]):
                if e.get("id") == rid:
                    break
            else:
                return False  # unknown, or already final (a settlement is never undone)
            if state == "released" and e["state"] != "reserved":
                return False  # the gateway holds it: only a settlement or the window ends it
            e["state"] = state
            e["updated"] = self.clock()
            e.update({k: v for k, v in fields.items() if v is not None})
            if claimed is not None and claimed != e["amount"]:
                e["claimedAmount"] = claimed  # what the gateway said moved; the signature bounds it
                e["amount"] = min(e["amount"], claimed)
            if state in ("settled", "released"):
                del data["open"][i]
                data["recent"].append(e)
            if state == "settled":
                minute = str(int(float(e["ts"]) // 60))
                amount, count = data["settled"].get(minute, [0, 0])
                data["settled"][minute] = [amount + e["amount"], count + 1]
            self._save(data)
            return True

    def settle(self, rid: str, *, amount: int | None = None, tx: str | None = None) -> bool:
        """Proven spend, recorded at the signed (reserved) amount: an authorisation moves at most
        what was signed, so a larger claimed ``amount`` is kept as ``claimedAmount``, never counted."""
        claimed = amount if amount is not None and _is_amount(amount) else None
        return self._finish(rid, "settled", claimed=claimed, tx=tx or None)

    def reject(self, rid: str, reason: str) -> bool:
        """The gateway says it refused the payment. Its word proves nothing: still counted."""
        return self._finish(rid, "rejected", reason=reason[:300])

    def uncertain(self, rid: str, reason: str) -> bool:
        """Settlement failed after it started (or the answer failed after the payment went out):
        the transfer may have happened, so the amount keeps counting against the caps."""
        return self._finish(rid, "uncertain", reason=reason[:300])

    def release(self, rid: str, reason: str) -> bool:
        """Never sent: stops counting at once. Refused (False) once the payment was reported
        sent (``rejected``/``uncertain``)."""
        return self._finish(rid, "released", reason=reason[:300])

    def entries(self) -> list[dict[str, Any]]:
        """Open reservations and the most recent final ones (oldest first)."""
        with self._locked():
            data = self._load()
            return sorted(data["open"] + data["recent"], key=lambda e: float(e.get("ts", 0)))


def _settled_from_usage_log(logs_dir: Path, now: float, buckets: dict[str, list[int]]) -> tuple[int, int]:
    """Fold the usage log's paid records of the last 24 h into per-minute ``buckets``;
    returns (total atomic units, number of records)."""
    import datetime as dt

    from clawcli.core.usage.reader import iter_records, log_files

    since = dt.datetime.fromtimestamp(now - DAY_S, dt.timezone.utc)
    total = count = 0
    for _day, rec in iter_records(log_files(logs_dir, since), since):
        cost = rec.get("cost")
        if type(cost) not in (int, float) or not (0 < cost * 1_000_000 < math.inf):  # 1e308 USD: a damaged line
            continue
        try:
            when = dt.datetime.fromisoformat(str(rec.get("timestamp")).replace("Z", "+00:00"))
        except ValueError:
            continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)
        atomic = int(round(cost * 1_000_000))
        minute = str(int(when.timestamp() // 60))
        amount, n = buckets.get(minute, [0, 0])
        buckets[minute] = [amount + atomic, n + 1]
        total += atomic
        count += 1
    return total, count
