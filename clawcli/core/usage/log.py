"""Append-only JSONL usage log, shared with ClawRouter.

One file per UTC day, ``<logs_dir>/usage-YYYY-MM-DD.jsonl``; one JSON object per line,
written with a single ``os.write`` on an ``O_APPEND`` descriptor so concurrent writers
(``claw ask`` and ``claw serve`` at once) never interleave. Logging is best effort: a
failure never breaks a request, it warns once on stderr.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import functools
import json
import math
import os
import sys
import threading
import time
from collections import deque
from pathlib import Path
from random import getrandbits
from typing import Any

from clawcli.core.paths import private_dir

SCHEMA = 1

#: Field names of a record (DESIGN.md §3), in the order they are written.
FIELDS = (
    "timestamp", "requestId", "source", "sessionId", "profile", "tier", "confidence",
    "requestedModel", "model", "status", "errorClass", "cost", "estimatedCost", "baselineCost",
    "savings", "latencyMs", "ttftMs", "inputTokens", "outputTokens", "attempts", "network",
    "settlement", "schema",
)


def new_request_id() -> str:
    # 64 random bits as 16 hex digits, the format of os.urandom(8).hex() at a quarter of its cost
    # (no syscall per request; uuid4() costs ~3x more). `random` reseeds in a forked child, so
    # ids stay unique across processes; they are correlation ids, never secrets.
    return getrandbits(64).to_bytes(8, "big").hex()


@functools.lru_cache(maxsize=4)
def _second_prefix(second: int) -> str:
    # a pure function of the whole second: `claw serve` stamps many records a second, and
    # strftime(gmtime()) was most of a timestamp's cost
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))


_MILLIS = tuple(f".{ms:03d}Z" for ms in range(1000))  # the tail of a timestamp, by millisecond


def utc_timestamp(t: float | None = None) -> str:
    """ISO-8601 UTC with milliseconds and a Z (``2026-11-26T01:02:03.456Z``), cheaply."""
    t = time.time() if t is None else t
    # gmtime() floors; int() truncates, the same for every t >= 0 (before 1970: floor it)
    return _second_prefix(int(t) if t >= 0 else math.floor(t)) + _MILLIS[int(t * 1000) % 1000]


def utc_now() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)


_EMPTY_RECORD = dict.fromkeys(FIELDS)
_FIELD_SET = frozenset(FIELDS)


def make_record(**fields: Any) -> dict[str, Any]:
    """A record with every schema field present (missing ones None, cost 0)."""
    rec: dict[str, Any] = dict(_EMPTY_RECORD)  # every field, in schema order
    rec["timestamp"] = utc_timestamp()
    rec["cost"] = 0.0
    rec["attempts"] = []
    rec["schema"] = SCHEMA
    if "requestId" not in fields:  # (the engine always passes one: no random bytes wasted)
        rec["requestId"] = new_request_id()
    rec.update(fields)
    if not fields.keys() <= _FIELD_SET:  # extra fields are allowed (a superset is fine for readers), kept last
        for k in sorted(fields.keys() - _FIELD_SET):
            rec[k] = rec.pop(k)
    return rec


def _dumps_lines(records: list[dict[str, Any]]) -> bytes:
    """The records as JSONL (one line each, in order)."""
    try:
        import orjson  # ~5x faster than json on this hot path; same output for these records
    except ImportError:  # pragma: no cover - orjson is a dependency
        orjson = None
    out = []
    for record in records:
        if orjson is not None:
            try:
                out.append(orjson.dumps(record, default=str, option=orjson.OPT_APPEND_NEWLINE))
                continue
            except TypeError:  # e.g. an int beyond 64 bits, or a non-str key: the stdlib copes
                pass
        out.append((json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str) + "\n").encode("utf-8"))
    return b"".join(out)


class UsageLog:
    """Writes usage records. One instance per process; pass it explicitly.

    ``buffered=True`` (``claw serve``) takes the write off the request path: inside a running
    event loop ``append`` only queues the record (at most ``max_pending``; beyond that it writes
    at once, so nothing is dropped) and one writer callback, scheduled once per loop iteration,
    writes everything queued with a single ``os.write``. ``flush()`` writes what is queued now;
    ``aclose()`` (the engine's shutdown) and interpreter exit call it, so a clean or signalled
    shutdown loses nothing. Without a running loop (``claw ask``, tests) every append is written
    before it returns, as unbuffered.
    """

    def __init__(self, logs_dir: Path, *, buffered: bool = False, max_pending: int = 4096) -> None:
        self.logs_dir = Path(logs_dir)
        self._warned = False
        # hot path (`claw serve` logs every request): the directory is created once and the
        # day's file name computed once per UTC day, not per record
        self._day = -1
        self._day_path = ""
        self._buffered = buffered
        self._max_pending = max_pending
        self._pending: deque[dict[str, Any]] = deque()  # appended without a lock; flush() pops under _lock
        self._flush_loop: Any = None  # the loop a flush is scheduled on (a loop that died with it: again)
        self._lock = threading.Lock()  # flush() may also come from another thread (exit, tests)
        if buffered:
            import atexit

            atexit.register(self.flush)

    def path_for(self, when: _dt.datetime | None = None) -> Path:
        when = when or utc_now()
        return self.logs_dir / f"usage-{when.astimezone(_dt.timezone.utc):%Y-%m-%d}.jsonl"

    def append(self, record: dict[str, Any]) -> bool:
        """Append one record; returns False (after warning once) if it could not be written.
        Buffered and inside a loop: queued, True (a later write failure warns once)."""
        if self._buffered and len(self._pending) < self._max_pending:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                loop = None
            if loop is not None:
                self._pending.append(record)
                if self._flush_loop is not loop:
                    self._flush_loop = loop
                    loop.call_soon(self.flush)
                return True
        if self._pending:  # keep the order: what is queued goes first
            self.flush()
        return self._write([record])

    def flush(self) -> bool:
        """Write every queued record now (one write); True when there was nothing to lose."""
        self._flush_loop = None
        with self._lock:  # held through the write: a flush from another thread returns after it
            pop = self._pending.popleft  # (what is appended meanwhile waits for the next flush)
            pending = [pop() for _ in range(len(self._pending))]
            return self._write(pending) if pending else True

    async def aclose(self) -> None:
        self.flush()

    def _write(self, records: list[dict[str, Any]]) -> bool:
        try:
            data = _dumps_lines(records)
            day = int(time.time() // 86400)
            if day != self._day:
                private_dir(self.logs_dir)
                self._day_path, self._day = str(self.path_for()), day
            try:
                fd = os.open(self._day_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            except FileNotFoundError:  # the directory was removed meanwhile: recreate it once
                private_dir(self.logs_dir)
                fd = os.open(self._day_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                written = os.write(fd, data)
            finally:
                os.close(fd)
            if written != len(data):  # pragma: no cover - only on a full disk
                raise OSError("short write")
            return True
        except Exception as exc:  # best effort: not even a value whose str() raises may break a request
            if not self._warned:
                self._warned = True
                print(f"warning: could not write the usage log in {self.logs_dir}: {exc}", file=sys.stderr)
            return False
