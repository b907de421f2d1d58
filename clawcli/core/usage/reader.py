"""Streaming reader of the JSONL usage logs (ours and ClawRouter's).

One pass, one line at a time: memory does not grow with the size of the logs. Lines that do
not parse (corrupt bytes, a line cut mid-write, a non-object) are skipped and counted, never
fatal. Two fast paths keep 100 MB of logs well under the 5 s budget:

- a file named ``usage-YYYY-MM-DD.jsonl`` whose day lies outside the period is not opened;
- timestamps are compared as fixed-width ``YYYY-MM-DDTHH:MM:SS`` strings (UTC), not parsed,
  unless a line carries a non-UTC offset.

    counts = ReadCounts()
    for day, rec in iter_records(log_files(paths.logs_dir, since, until), since, until, counts):
        ...
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clawcli.core.errors import UsageError

try:  # orjson is a dependency, but the reader must still work without it
    from orjson import JSONDecodeError as _DecodeError
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - exercised only without orjson
    import json as _json

    _loads = _json.loads
    _DecodeError = ValueError  # type: ignore[assignment,misc]

UTC = _dt.timezone.utc
LOG_GLOB = "usage-*.jsonl"
_NAME_RE = re.compile(r"^usage-(\d{4}-\d{2}-\d{2})\.jsonl$")
_REL_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|min|h|d|w)\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
# a writer that crashed mid-line leaves a fragment; the next append then starts on the same
# line. Records start with the timestamp (ours and ClawRouter's), so the tail can be recovered.
_RECORD_START = b'{"timestamp"'


@dataclass
class ReadCounts:
    """What one pass saw: files opened, non-blank lines read, lines skipped as unreadable."""

    files: int = 0
    lines: int = 0
    skipped: int = 0
    records: int = 0


# ---------------------------------------------------------------------------- periods
def parse_when(value: str | _dt.datetime | _dt.date | None, *, now: _dt.datetime | None = None,
               end: bool = False, option: str = "--since") -> _dt.datetime | None:
    """A point in time from ``7d``/``24h``/``30m``/``2w`` (before ``now``), a date or an ISO datetime.

    A bare date means the start of that UTC day, or with ``end=True`` (for ``--until``) the
    end of it, so ``--until 2026-11-03`` includes the 3rd. Naive datetimes are UTC.
    """
    if value is None or value == "" or (isinstance(value, str) and value.strip().lower() in ("all", "ever")):
        return None  # no bound (`/stats all` in a chat and `GET /stats?since=all` say the same)
    now = (now or _dt.datetime.now(UTC)).astimezone(UTC)
    if isinstance(value, _dt.datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, _dt.date):
        start = _dt.datetime(value.year, value.month, value.day, tzinfo=UTC)
        return start + _dt.timedelta(days=1) if end else start
    text = str(value).strip()
    m = _REL_RE.match(text)
    if m:
        return now - _dt.timedelta(seconds=float(m.group(1)) * _UNIT_SECONDS[m.group(2).lower()])
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return parse_when(_dt.date.fromisoformat(text), now=now, end=end, option=option)
        except ValueError:
            pass
    else:
        try:
            return parse_when(_dt.datetime.fromisoformat(text.replace("Z", "+00:00")), now=now)
        except ValueError:
            pass
    raise UsageError(
        f"cannot read {option} {value!r}",
        "use a duration (30m, 24h, 7d, 2w), a date (2026-11-01) or an ISO time (2026-11-01T12:00:00Z)",
    )


def _key(when: _dt.datetime | None) -> str | None:
    return None if when is None else when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


# ---------------------------------------------------------------------------- files
def log_files(logs_dir: Path, since: _dt.datetime | None = None,
              until: _dt.datetime | None = None) -> list[Path]:
    """The ``usage-*.jsonl`` files of ``logs_dir`` that can hold records of [since, until), oldest first."""
    logs_dir = Path(logs_dir)
    try:
        candidates = sorted(p for p in logs_dir.glob(LOG_GLOB) if p.is_file())
    except OSError:
        return []
    lo = since.astimezone(UTC).date() if since else None
    # `until` is exclusive. One day of slack: the writer picks the file after stamping the
    # record, so a record of 23:59:59.999 can sit at the top of the next day's file.
    hi = (until.astimezone(UTC) - _dt.timedelta(microseconds=1)).date() + _dt.timedelta(days=1) if until else None
    out = []
    for p in candidates:
        day = _file_day(p)
        if day is not None and ((lo and day < lo) or (hi and day > hi)):
            continue
        out.append(p)
    return out


def _file_day(path: Path) -> _dt.date | None:
    m = _NAME_RE.match(path.name)
    if not m:
        return None
    try:
        return _dt.date.fromisoformat(m.group(1))
    except ValueError:
        return None


# ---------------------------------------------------------------------------- records
def _ts_key(ts: Any) -> str | None:
    """``YYYY-MM-DDTHH:MM:SS`` in UTC for an ISO timestamp, or None if it is not one."""
    if not isinstance(ts, str) or len(ts) < 19:
        return None
    if ts[4] == "-" and ts[7] == "-" and ts[13] == ":" and ts[16] == ":":
        tail = ts[19:]
        if not tail or tail == "Z" or tail == "+00:00" or (
                tail[0] == "." and (tail.endswith("Z") or tail.endswith("+00:00") or tail[1:].isdigit())):
            return ts[:10] + "T" + ts[11:19]  # already UTC (or naive, which we read as UTC)
    try:  # a non-UTC offset or an odd format: parse properly
        when = _dt.datetime.fromisoformat(ts.replace("Z", "+00:00"))
    except ValueError:
        return None
    return _key(when.replace(tzinfo=UTC) if when.tzinfo is None else when)


def _parse_line(line: bytes, counts: ReadCounts) -> dict[str, Any] | None:
    try:
        obj = _loads(line)
    except (_DecodeError, ValueError, UnicodeDecodeError):
        if line.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte-order mark left by an editor
            return _parse_line(line[3:], counts)
        obj = None
        cut = line.rfind(_RECORD_START)
        if cut > 0:  # a fragment followed by a whole record: keep the record
            counts.skipped += 1
            try:
                obj = _loads(line[cut:])
            except (_DecodeError, ValueError, UnicodeDecodeError):
                return None
            return obj if isinstance(obj, dict) else None
    if not isinstance(obj, dict):
        counts.skipped += 1
        return None
    return obj


def iter_records(files: Iterable[Path], since: _dt.datetime | None = None,
                 until: _dt.datetime | None = None,
                 counts: ReadCounts | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``(day, record)`` for every readable record in [since, until); ``day`` is the UTC date.

    Unreadable lines, and records whose time cannot be told, are counted in ``counts.skipped``.
    """
    counts = counts if counts is not None else ReadCounts()
    lo, hi = _key(since), _key(until)
    for path in files:
        fday = _file_day(path)
        fday_s = fday.isoformat() if fday else None
        try:
            fh = open(path, "rb")  # noqa: SIM115 - closed below; a vanished file is skipped
        except OSError:
            continue
        counts.files += 1
        with fh:
            for line in fh:
                if not line.strip():
                    continue
                counts.lines += 1
                rec = _parse_line(line, counts)
                if rec is None:
                    continue
                key = _ts_key(rec.get("timestamp"))
                if key is None:
                    if fday_s is None:  # no time at all: cannot be placed in any period
                        counts.skipped += 1
                        continue
                    key = fday_s + "T00:00:00"
                # checked per line even inside a day's file: a record stamped 23:59:59.999 can land
                # in the next day's file (the file is chosen at write time)
                if (lo is not None and key < lo) or (hi is not None and key >= hi):
                    continue
                counts.records += 1
                yield key[:10], rec
