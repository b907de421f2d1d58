"""The usage log writer under concurrency: many processes and threads appending at once, every
line intact; and the best-effort contract (a logging failure warns once, never raises)."""

from __future__ import annotations

import json
import multiprocessing as mp
import threading
from collections import Counter
from pathlib import Path

from clawcli.core.usage import FIELDS, UsageLog, make_record

PROCS, THREADS, PER_THREAD = 6, 4, 60


def _writer(logs_dir: str, proc: int, barrier=None) -> None:
    log = UsageLog(Path(logs_dir))
    if barrier is not None:
        barrier.wait()

    def run(thread: int) -> None:
        for i in range(PER_THREAD):
            # lines of very different sizes, some well above PIPE_BUF (4 KiB), with non-ASCII text
            pad = ("é漢" * (37 * ((proc + thread + i) % 5))) + "x" * (1500 * (i % 4))
            attempts = [{"model": f"m{j}", "status": 500, "errorClass": "server_error", "ms": j, "paid": False}
                        for j in range(i % 6)]
            assert log.append(make_record(source="bench", sessionId=f"p{proc}t{thread}i{i}", model=pad,
                                          status="ok", attempts=attempts, cost=0.000123))

    threads = [threading.Thread(target=run, args=(t,)) for t in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_concurrent_processes_and_threads_never_interleave(tmp_path: Path):
    logs = tmp_path / "logs"
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(PROCS)
    procs = [ctx.Process(target=_writer, args=(str(logs), p, barrier)) for p in range(PROCS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    [f] = list(logs.glob("usage-*.jsonl"))  # one file per UTC day
    raw = f.read_bytes()
    assert raw.endswith(b"\n")
    lines = raw.split(b"\n")[:-1]
    assert len(lines) == PROCS * THREADS * PER_THREAD
    seen = Counter()
    for line in lines:
        rec = json.loads(line)  # every line is one whole JSON object
        assert list(rec)[: len(FIELDS)] == list(FIELDS)
        seen[rec["sessionId"]] += 1
        assert rec["schema"] == 1 and rec["cost"] == 0.000123
    assert len(seen) == PROCS * THREADS * PER_THREAD and set(seen.values()) == {1}
    assert f.stat().st_mode & 0o777 == 0o600


def test_logging_failure_warns_once_and_never_raises(tmp_path: Path, capsys):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the logs directory should be")
    log = UsageLog(blocker / "logs")
    assert log.append(make_record(status="ok")) is False
    assert log.append(make_record(status="ok")) is False
    err = capsys.readouterr().err
    assert err.count("warning: could not write the usage log") == 1


def test_unusual_values_are_written_as_text(tmp_path: Path):
    from decimal import Decimal

    log = UsageLog(tmp_path)
    assert log.append(make_record(status="ok", cost=Decimal("0.012293"), settlement=tmp_path))
    [f] = list(tmp_path.glob("usage-*.jsonl"))
    rec = json.loads(f.read_text())
    assert rec["cost"] == "0.012293" and rec["settlement"] == str(tmp_path)


def test_a_value_that_cannot_be_rendered_does_not_raise(tmp_path: Path, capsys):
    class Broken:
        def __str__(self) -> str:
            raise AttributeError("half-built object")

    log = UsageLog(tmp_path)
    assert log.append(make_record(status="ok", settlement=Broken())) is False  # warned, not raised
    assert log.append(make_record(status="ok")) is True  # the next record is fine
    assert "could not write the usage log" in capsys.readouterr().err
    [f] = list(tmp_path.glob("usage-*.jsonl"))
    assert len(f.read_text().splitlines()) == 1


def _lines(logs_dir: Path) -> list[dict]:
    return [json.loads(line) for f in sorted(logs_dir.glob("usage-*.jsonl")) for line in f.read_text().splitlines()]


async def test_buffered_log_writes_after_the_request_in_order_and_loses_nothing_on_close(tmp_path):
    """`claw serve`: the record is queued (the answer goes out first), written on the next loop turn
    in append order; records still queued at shutdown are written by aclose()."""
    import asyncio

    log = UsageLog(tmp_path, buffered=True)
    for i in range(5):
        assert log.append(make_record(source="serve", sessionId=f"s{i}"))
    assert _lines(tmp_path) == []  # nothing written on the request path
    await asyncio.sleep(0)
    assert [r["sessionId"] for r in _lines(tmp_path)] == [f"s{i}" for i in range(5)]
    log.append(make_record(source="serve", sessionId="last"))
    await log.aclose()  # shutdown before the writer ran: still written
    assert [r["sessionId"] for r in _lines(tmp_path)][-1] == "last"


async def test_a_full_buffer_writes_at_once_instead_of_dropping(tmp_path):
    log = UsageLog(tmp_path, buffered=True, max_pending=2)
    for i in range(3):
        log.append(make_record(source="serve", sessionId=f"s{i}"))
    assert [r["sessionId"] for r in _lines(tmp_path)] == ["s0", "s1", "s2"]  # queued ones first


def test_buffered_log_outside_a_loop_writes_at_once(tmp_path):
    log = UsageLog(tmp_path, buffered=True)
    log.append(make_record(source="ask", sessionId="x"))
    assert [r["sessionId"] for r in _lines(tmp_path)] == ["x"]


def test_make_record_has_every_field_in_order_and_its_own_request_id_unless_given():
    from clawcli.core.usage.log import FIELDS, make_record

    fresh = make_record(model="m")
    assert len(fresh["requestId"]) == 16 and int(fresh["requestId"], 16) >= 0
    assert make_record(model="m")["requestId"] != fresh["requestId"]
    kept = make_record(requestId="abc", zExtra=1, aExtra=2, tier="SIMPLE")
    assert kept["requestId"] == "abc" and kept["tier"] == "SIMPLE" and kept["cost"] == 0.0
    keys = list(kept)
    assert keys[: len(FIELDS)] == list(FIELDS)
    assert keys[-2:] == ["aExtra", "zExtra"]  # extras last, sorted
