"""`claw serve`'s bookkeeping made cheap (issue 16) shows the same things: /metrics reads the
same as if every request had updated the Prometheus collectors, the request line is the same
line, and the lines written once per loop turn are all written, in order, shutdown included."""

from __future__ import annotations

import asyncio
import io
import math
import random
import time
from typing import Any

import pytest
from prometheus_client import generate_latest

from clawcli.core.usage.log import UsageLog, make_record
from clawcli.proxy.observe import Metrics, Observer, request_line


def eager_observe(m: Metrics, rec: dict[str, Any]) -> None:
    """Every request updating the collectors at once, as before issue 16: the specification."""
    tier = str(rec.get("tier") or "none")
    model = str(rec.get("model") or "none")
    status = str(rec.get("status") or "unknown")
    m.requests.labels(str(rec.get("profile") or "none"), tier, model, status).inc()
    ms = rec.get("latencyMs")
    if isinstance(ms, (int, float)):
        m.latency.labels(tier, model, status).observe(ms / 1000)
    ttft = rec.get("ttftMs")
    if isinstance(ttft, (int, float)):
        m.ttft.labels(tier, model).observe(ttft / 1000)
    cost = rec.get("cost")
    if isinstance(cost, (int, float)) and cost > 0:
        m.cost.labels(model, tier).inc(cost)
    base = rec.get("baselineCost")
    if status == "ok" and isinstance(base, (int, float)) and base > 0:
        m.baseline.labels(tier).inc(base)
    for a in rec.get("attempts") or ():
        if not isinstance(a, dict):
            continue
        am = str(a.get("model") or "none")
        err = a.get("errorClass")
        m.attempts.labels(am, str(err or "ok")).inc()
        if err:
            m.fallbacks.labels(am, str(err)).inc()
        if a.get("paid"):
            m.payments.labels(am, str(rec.get("network") or "unknown")).inc()


def reference_line(rec: dict[str, Any]) -> str:
    """The request line as it was built before issue 16: the specification."""
    ts = str(rec.get("timestamp") or "")
    clock = ts[11:19] if len(ts) >= 19 else time.strftime("%H:%M:%S", time.gmtime())
    status = str(rec.get("status") or "?")
    if rec.get("errorClass") and status != "ok":
        status = f"{status}:{rec['errorClass']}"
    route = " → ".join(str(x) for x in (rec.get("profile"), rec.get("tier"), rec.get("model") or "-") if x)
    attempts = [a for a in rec.get("attempts") or () if isinstance(a, dict)]
    parts = [clock, f"{status:<7}", route or "-"]
    failed = [f"{a.get('model')} {a.get('errorClass')}" for a in attempts if a.get("errorClass")]
    n = len(attempts)
    parts.append(f"{n} attempt{'s' if n != 1 else ''}" + (f" ({', '.join(failed)})" if failed else ""))
    parts.append(f"${float(rec.get('cost') or 0):.6f}")
    if isinstance(rec.get("latencyMs"), (int, float)):
        parts.append(f"{int(rec['latencyMs'])} ms")
    sid = rec.get("sessionId")
    parts.append(f"session {sid}" if sid else f"source {rec.get('source') or '-'}")
    parts.append(f"id {rec.get('requestId')}")
    return "  ".join(parts)


def records(n: int, seed: int = 16) -> list[dict[str, Any]]:
    """Usage records of every shape: answered, failed, paid, fallbacks, odd values, partial dicts."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        attempts = []
        for _ in range(rng.choice((1, 1, 1, 2, 3, 0))):
            attempts.append({"model": rng.choice(("a/x", "b/y", None)), "status": 200,
                             "errorClass": rng.choice((None, None, "rate_limited", "server_error")),
                             "ms": rng.randrange(900), "paid": rng.random() < 0.3})
        if rng.random() < 0.05:
            attempts.append("not an attempt")
        rec = make_record(
            profile=rng.choice(("auto", "eco", None)), tier=rng.choice(("SIMPLE", "COMPLEX", "REASONING", None)),
            model=rng.choice(("a/x", "b/y", "c/z", None)), status=rng.choice(("ok", "ok", "error", "blocked", None)),
            errorClass=rng.choice((None, None, "timeout", "cost_cap")), sessionId=rng.choice((None, "s1", "s2")),
            source=rng.choice(("serve", None)),
            cost=rng.choice((0.0, 0.0, round(rng.random() / 1000, 8), None, "0.25", -1.0)),
            baselineCost=rng.choice((0.0, round(rng.random() / 100, 8), None)),
            latencyMs=rng.choice((rng.randrange(400_000), 17.5, None, True, math.nan, math.inf)),
            ttftMs=rng.choice((rng.randrange(5000), None)), attempts=attempts,
            network=rng.choice(("eip155:8453", None)))
        if rng.random() < 0.05:  # not an engine record: fields missing
            rec = {k: v for k, v in rec.items() if k not in ("ttftMs", "sessionId", "timestamp")}
        if rng.random() < 0.03:
            rec["tier"] = ["unhashable"]
        if rng.random() < 0.03:
            rec["timestamp"] = 12345
        out.append(rec)
    return out


def test_metrics_read_the_same_as_collectors_updated_per_request(monkeypatch):
    """Same series, values, order and `_created` times, scraped at several points in between."""
    recs = records(600)
    now = [0.0]
    monkeypatch.setattr(time, "time", lambda: now[0])  # a series' _created: the request that made it
    eager, lazy = Metrics(), Metrics()
    eager_texts, lazy_texts = [], []
    for m, texts, observe in ((eager, eager_texts, eager_observe), (lazy, lazy_texts, Metrics.observe)):
        for i, rec in enumerate(recs):
            now[0] = 1_765_000_000.0 + i
            observe(m, rec)
            if i in (0, 99, 350, 599):
                texts.append(generate_latest(m.registry) if m is eager else m.render()[0])
    assert lazy_texts == eager_texts
    assert b'clawcli_fallbacks_total{error_class="rate_limited"' in lazy_texts[-1]
    assert b"clawcli_payments_total" in lazy_texts[-1] and b"_created" in lazy_texts[-1]


def _outcome(fn, *args) -> tuple[str, Any]:
    try:
        return "line", fn(*args)
    except Exception as exc:  # (a NaN latency cannot be printed, then or now)
        return "raised", type(exc)


def test_the_request_line_is_the_same_line():
    heads: dict = {}
    for rec in records(600, seed=7):
        want = _outcome(reference_line, rec)
        assert _outcome(request_line, rec) == want
        assert _outcome(request_line, rec, heads) == want  # cached head: first and later times alike
        assert _outcome(request_line, rec, heads) == want
    assert 0 < len(heads) < 600


class CountingStream(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, s: str) -> int:
        self.writes += 1
        return super().write(s)


def _rec(i: int) -> dict[str, Any]:
    return make_record(requestId=f"{i:016x}", profile="auto", tier="SIMPLE", model="a/x", status="ok",
                       latencyMs=5, attempts=[{"model": "a/x", "status": 200, "errorClass": None, "ms": 5,
                                               "paid": False}])


def test_lines_are_written_together_once_per_loop_turn_in_order():
    out = CountingStream()
    obs = Observer("info", stream=out)

    async def serve() -> None:
        obs.record(_rec(1))
        obs.rejected(400, "r" * 16)
        obs.record(_rec(2))
        assert out.getvalue() == ""  # not on the request path
        await asyncio.sleep(0)  # the loop turns: every line of the turn, one write
        lines = out.getvalue().splitlines()
        assert [ln.rsplit("id ", 1)[1] for ln in lines] == [f"{1:016x}", "r" * 16, f"{2:016x}"]
        assert "rejected 400" in lines[1] and out.writes == 1
        assert lines[0] == request_line(_rec(1))
        obs.record(_rec(3))  # finishing as the server stops: written by the loop's last turns

    asyncio.run(serve())
    assert out.getvalue().splitlines()[-1].endswith(f"id {3:016x}")
    obs.record(_rec(4))  # no loop (a thread, a script): at once
    assert out.getvalue().splitlines()[-1].endswith(f"id {4:016x}")


def test_a_flush_scheduled_on_a_loop_that_died_does_not_stop_later_writes(tmp_path):
    out = io.StringIO()
    obs = Observer("info", stream=out)
    log = UsageLog(tmp_path, buffered=True)
    dead = asyncio.new_event_loop()

    def finish() -> None:
        log.append(_rec(1))  # schedules the writers on this loop, which stops before running them
        obs.record(_rec(1))

    dead.call_soon(finish)
    dead.call_soon(dead.stop)
    dead.run_forever()
    dead.close()

    async def next_server() -> None:
        log.append(_rec(2))
        obs.record(_rec(2))
        await asyncio.sleep(0)

    asyncio.run(next_server())
    assert len(out.getvalue().splitlines()) == 2
    [f] = tmp_path.glob("usage-*.jsonl")
    assert len(f.read_text().splitlines()) == 2


@pytest.mark.parametrize("level,printed", [("info", 2), ("warning", 1), ("error", 0)])
def test_levels_still_choose_the_lines(level, printed):
    out = io.StringIO()
    obs = Observer(level, stream=out)
    obs.record(_rec(1))
    obs.record(dict(_rec(2), status="error", errorClass="timeout"))
    assert len(out.getvalue().splitlines()) == printed
    assert b"clawcli_requests_total" in obs.metrics.render()[0]  # metrics at every level
