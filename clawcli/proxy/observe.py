"""Watching `claw serve`: one line per request, a start-up banner, Prometheus metrics.

Everything is derived from the usage record the engine writes for each request (exactly one
per request, failures and cancellations included), so the printed line, ``/metrics`` and
``claw stats`` can never disagree. :meth:`Observer.attach` wraps the engine's usage log;
requests refused before they reach the engine (bad JSON, 413, ...) are reported by the chat
handler through :meth:`Observer.rejected`.

Levels (``claw serve --log-level``): ``debug`` and ``info`` print the banner and every
request; ``warning`` prints only requests that did not succeed; ``error`` prints nothing
per request. The metrics are collected at every level.
"""

from __future__ import annotations

import asyncio
import atexit
import math
import sys
import threading
import time
import weakref
from bisect import bisect_left
from collections import deque
from collections.abc import Callable
from typing import Any, TextIO

from clawcli.core.errors import UsageError

LOG_LEVELS = ("debug", "info", "warning", "error")
DEFAULT_LOG_LEVEL = "info"

#: request latency buckets (seconds): a cached local answer to a slow reasoning model
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
#: built once: a literal ``(int, float)`` is a new tuple at every check (five per request)
_NUMBER = (int, float)


def check_log_level(level: str | None) -> str:
    """The normalised level, or a UsageError (exit 2) naming the valid ones."""
    lv = (level or DEFAULT_LOG_LEVEL).strip().lower()
    if lv == "warn":
        lv = "warning"
    if lv not in LOG_LEVELS:
        raise UsageError(f"unknown log level {level!r}", f"use one of: {', '.join(LOG_LEVELS)}")
    return lv


def uvicorn_level(level: str) -> str:
    """uvicorn's own logger stays quiet unless debugging: the per-request line is ours."""
    return "info" if level == "debug" else "warning"


class Metrics:
    """Prometheus collectors in a registry of this server's own (not the process-global one).

    ``observe()`` runs once per request and only adds to plain numbers kept per label set; they
    are folded into the collectors when ``render()`` is called (``GET /metrics``). The samples
    read are the same as if every request had updated the collectors (same series, same order,
    same ``_created`` times: a series' child is made when the first request that touches it is
    observed; float sums added in the same order), at a fraction of the cost (no per-sample
    lock, no bucket walk). So only ``observe()`` may change the per-request collectors.
    """

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.registry = r = CollectorRegistry(auto_describe=True)
        self.requests = Counter("clawcli_requests_total", "Chat requests answered or refused, by outcome",
                                ["profile", "tier", "model", "status"], registry=r)
        self.latency = Histogram("clawcli_request_duration_seconds", "Time to the complete answer",
                                 ["tier", "model", "status"], buckets=LATENCY_BUCKETS, registry=r)
        self.ttft = Histogram("clawcli_time_to_first_token_seconds", "Time to the first streamed token",
                              ["tier", "model"], buckets=LATENCY_BUCKETS, registry=r)
        self.cost = Counter("clawcli_cost_usd_total", "Settled cost in USD", ["model", "tier"], registry=r)
        self.baseline = Counter("clawcli_baseline_cost_usd_total", "What the baseline model would have cost",
                                ["tier"], registry=r)
        self.attempts = Counter("clawcli_attempts_total", "Upstream attempts, by model and result",
                                ["model", "result"], registry=r)
        self.fallbacks = Counter("clawcli_fallbacks_total",
                                 "Attempts that failed and moved the chain on, by model and error class",
                                 ["model", "error_class"], registry=r)
        self.payments = Counter("clawcli_payments_total", "Settled x402 payments", ["model", "network"],
                                registry=r)
        self.rejected = Counter("clawcli_rejected_total", "Requests refused before routing, by HTTP status",
                                ["status"], registry=r)
        self.active = Gauge("clawcli_active_requests", "Chat requests in progress", registry=r)
        # per collector: labels -> [child, total] (counters) or [child, sum, [count per bucket]]
        self._sums: dict[Any, dict[tuple[str, ...], list[Any]]] = {
            m: {} for m in (self.requests, self.cost, self.baseline, self.attempts, self.fallbacks, self.payments)}
        self._hists: dict[Any, dict[tuple[str, ...], list[Any]]] = {self.latency: {}, self.ttft: {}}
        # caches by the record's own field values: (profile, tier, model, status) -> Metrics._slot,
        # an attempt's (model, errorClass) -> Metrics._attempt
        self._slots: dict[tuple[Any, ...], list[Any]] = {}
        self._attempts: dict[tuple[Any, ...], tuple[list[Any], list[Any] | None, str]] = {}
        # the histograms' bounds as prometheus_client keeps them (floats, +Inf last)
        self._bounds = tuple(float(b) for b in LATENCY_BUCKETS) + (math.inf,)

    def _counter(self, metric: Any, labels: tuple[str, ...]) -> list[Any]:
        # a series' first sample makes its child now, when the collector itself would have
        acc = self._sums[metric].get(labels)
        if acc is None:
            acc = self._sums[metric][labels] = [metric.labels(*labels), 0.0]
        return acc

    def _hist(self, slot: list[Any], i: int, metric: Any, labels: tuple[str, ...]) -> list[Any]:
        # shared by every slot with these labels: one running sum, in request order
        acc = self._hists[metric].get(labels)
        if acc is None:
            acc = self._hists[metric][labels] = [metric.labels(*labels), 0.0, [0] * len(self._bounds)]
        slot[i] = acc
        return acc

    def _slot(self, profile: Any, tier: Any, model: Any, status: Any) -> list[Any]:
        # [requests series, latency series, ttft series (None until used), tier, model, status labels,
        #  baseline series (None until used)]
        labels = (str(profile or "none"), str(tier or "none"), str(model or "none"), str(status or "unknown"))
        return [self._counter(self.requests, labels), None, None, *labels[1:], None]

    def _attempt(self, model: Any, err: Any) -> tuple[list[Any], list[Any] | None, str]:
        # (attempts series, fallbacks series or None, model label) of an attempt's model and error
        am = str(model or "none")
        acc = self._counter(self.attempts, (am, str(err or "ok")))
        return acc, (self._counter(self.fallbacks, (am, str(err))) if err else None), am

    def observe(self, rec: dict[str, Any]) -> None:
        try:  # a usage record has every field: subscripts, cheaper than .get()
            profile, tier, model, status = rec["profile"], rec["tier"], rec["model"], rec["status"]
            ms, ttft, cost, base, attempts = (rec["latencyMs"], rec["ttftMs"], rec["cost"], rec["baselineCost"],
                                              rec["attempts"])
        except KeyError:  # a partial dict (no engine wrote it)
            get = rec.get
            profile, tier, model, status = get("profile"), get("tier"), get("model"), get("status")
            ms, ttft, cost, base, attempts = (get("latencyMs"), get("ttftMs"), get("cost"), get("baselineCost"),
                                              get("attempts"))
        # the slot of this request shape (its fields are strings or None: a few shapes repeat)
        try:
            slot = self._slots.get((profile, tier, model, status))
        except TypeError:  # an unhashable field: labels made afresh
            slot = None
        if slot is None:
            slot = self._slot(profile, tier, model, status)
            if len(self._slots) < 4096:
                try:
                    self._slots[(profile, tier, model, status)] = slot
                except TypeError:
                    pass
        slot[0][1] += 1
        bounds = self._bounds
        if isinstance(ms, _NUMBER):
            v = ms / 1000
            acc = slot[1] or self._hist(slot, 1, self.latency, (slot[3], slot[4], slot[5]))
            acc[1] += v
            i = bisect_left(bounds, v)  # the first bound >= v: Histogram.observe's bucket
            if i < len(bounds) and v <= bounds[i]:  # (a NaN is in none)
                acc[2][i] += 1
        if isinstance(ttft, _NUMBER):
            v = ttft / 1000
            acc = slot[2] or self._hist(slot, 2, self.ttft, (slot[3], slot[4]))
            acc[1] += v
            i = bisect_left(bounds, v)
            if i < len(bounds) and v <= bounds[i]:
                acc[2][i] += 1
        if isinstance(cost, _NUMBER) and cost > 0:
            self._counter(self.cost, (slot[4], slot[3]))[1] += cost
        if slot[5] == "ok" and isinstance(base, _NUMBER) and base > 0:
            acc = slot[6]
            if acc is None:  # made when first needed, as the collector would make it
                acc = slot[6] = self._counter(self.baseline, (slot[3],))
            acc[1] += base
        for a in attempts or ():
            if not isinstance(a, dict):
                continue
            try:
                key = (a["model"], a["errorClass"])
                entry = self._attempts.get(key)
            except (KeyError, TypeError):
                key, entry = None, None
            if entry is None:
                entry = self._attempt(a.get("model"), a.get("errorClass"))
                if key is not None and len(self._attempts) < 4096:
                    self._attempts[key] = entry
            entry[0][1] += 1
            if entry[1] is not None:
                entry[1][1] += 1
            if a.get("paid"):
                self._counter(self.payments, (entry[2], str(rec.get("network") or "unknown")))[1] += 1

    def fold(self) -> None:
        """Bring the collectors up to date with every request observed so far."""
        # the totals are kept here in full and set (not added): adding a delta to the collector
        # would round differently than the running float sum the collector itself would hold
        for series in self._sums.values():
            for child, total in series.values():
                child._value.set(total)
        for series in self._hists.values():
            for child, total, counts in series.values():
                child._sum.set(total)
                for bucket, n in zip(child._buckets, counts):
                    bucket.set(float(n))

    def render(self) -> tuple[bytes, str]:
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        self.fold()
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


def _line_head(status: Any, err: Any, profile: Any, tier: Any, model: Any) -> str:
    status = str(status or "?")
    if err and status != "ok":
        status = f"{status}:{err}"
    route = " → ".join([str(x) for x in (profile, tier, model or "-") if x])
    return f"{status:<7}  {route or '-'}"


def request_line(rec: dict[str, Any], heads: dict[tuple[Any, ...], str] | None = None) -> str:
    """``12:01:02 ok      auto → MEDIUM → moonshot/kimi-k2.5  2 attempts (openai/gpt-5.2 rate_limited)
    $0.001234  812 ms  session s1  id 1a2b…`` — what a user watching the terminal wants to know.

    ``heads`` (the Observer's): a cache of the status and route part by the fields it is made of
    (a few shapes repeat for every request; the record's fields are strings or None)."""
    try:  # a usage record has every field: subscripts, cheaper than .get()
        key = (rec["status"], rec["errorClass"], rec["profile"], rec["tier"], rec["model"])
        ts, attempts, cost, ms = rec["timestamp"], rec["attempts"], rec["cost"], rec["latencyMs"]
        sid, rid = rec["sessionId"], rec["requestId"]
    except KeyError:  # a partial dict (no engine wrote it)
        get = rec.get
        key = (get("status"), get("errorClass"), get("profile"), get("tier"), get("model"))
        ts, attempts, cost, ms = get("timestamp"), get("attempts"), get("cost"), get("latencyMs")
        sid, rid = get("sessionId"), get("requestId")
    try:
        head = heads.get(key) if heads is not None else None
    except TypeError:  # an unhashable field: not cached
        head, heads = None, None
    if head is None:
        head = _line_head(*key)
        if heads is not None and len(heads) < 1024:  # bounded: the shapes are few, not every request
            heads[key] = head
    ts = ts if type(ts) is str else str(ts or "")
    clock = ts[11:19] if len(ts) >= 19 else time.strftime("%H:%M:%S", time.gmtime())
    n = 0
    failed = None
    for a in attempts or ():
        if isinstance(a, dict):
            n += 1
            if a.get("errorClass"):
                failed = failed or []
                failed.append(f"{a.get('model')} {a.get('errorClass')}")
    tried = "1 attempt" if n == 1 else f"{n} attempts"
    if failed:
        tried = f"{tried} ({', '.join(failed)})"
    money = f"{float(cost):.6f}" if cost else "0.000000"
    latency = f"  {int(ms)} ms" if isinstance(ms, _NUMBER) else ""
    who = f"session {sid}" if sid else f"source {rec.get('source') or '-'}"
    return f"{clock}  {head}  {tried}  ${money}{latency}  {who}  id {rid}"


class Observer:
    """The per-request line and the metrics of one server.

    Inside a running event loop the lines are queued and written together once per loop turn
    (one write and one flush for every request that finished in that turn, instead of one
    each); :meth:`flush` writes what is queued now (another thread may call it). The queued
    lines are written by the loop's next turn (shutdown included) and, at the latest, at exit.
    """

    def __init__(self, level: str = DEFAULT_LOG_LEVEL, stream: TextIO | None = None) -> None:
        self.level = check_log_level(level)
        self.stream = stream  # None: sys.stderr at the time of writing (pytest swaps it)
        self.metrics = Metrics()
        self._heads: dict[tuple[Any, ...], str] = {}  # request_line's cache
        self._lines: deque[str] = deque()  # appends need no lock; flush() pops under _lock
        self._lock = threading.Lock()
        self._flush_loop: Any = None  # the loop a flush is scheduled on (a loop that died with it: again)
        atexit.register(_flush_observer, weakref.ref(self))  # weak: a finished test server goes away

    def _print(self, line: str) -> None:
        self._lines.append(line)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop (a thread, a test): at once
            self.flush()
            return
        if self._flush_loop is not loop:
            self._flush_loop = loop
            loop.call_soon(self.flush)

    def flush(self) -> None:
        """Write the queued lines now, in order (one write, one flush)."""
        self._flush_loop = None
        with self._lock:
            pop = self._lines.popleft  # (what is appended meanwhile waits for the next flush)
            lines = [pop() for _ in range(len(self._lines))]
            if not lines:
                return
            out = self.stream or sys.stderr
            try:
                out.write("\n".join(lines) + "\n")
                out.flush()
            except Exception:  # a closed or broken stderr never breaks a request
                pass

    def record(self, rec: dict[str, Any]) -> None:
        try:
            self.metrics.observe(rec)
        except Exception:  # metrics are best effort, like the usage log
            pass
        level = self.level
        if level == "info" or level == "debug" or (level == "warning" and rec.get("status") != "ok"):
            self._print(request_line(rec, self._heads))

    def rejected(self, status: int, request_id: str) -> None:
        """A request answered with an error before it reached the engine (no usage record)."""
        self.metrics.rejected.labels(str(status)).inc()
        if self.level in ("debug", "info", "warning"):
            self._print(f"{time.strftime('%H:%M:%S', time.gmtime())}  rejected {status}  id {request_id}")

    def attach(self, engine: Any) -> None:
        """Route the engine's usage records through this observer (after they are written)."""
        inner = getattr(engine, "usage_log", None)
        if inner is None or isinstance(inner, _ObservedLog):
            return
        engine.usage_log = _ObservedLog(inner, self.record)


def _flush_observer(ref: Any) -> None:
    observer = ref()
    if observer is not None:
        observer.flush()


class _ObservedLog:
    """A usage log that also hands every record to a callback (after writing it)."""

    def __init__(self, inner: Any, callback: Callable[[dict[str, Any]], None]) -> None:
        self.inner = inner
        self.callback = callback

    def append(self, record: dict[str, Any]) -> bool:
        ok = self.inner.append(record)
        self.callback(record)
        return ok

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def banner_lines(state: Any, url: str, balance: str | None) -> list[str]:
    """What `claw serve` prints once it listens: whose money, which gateway, which limits."""
    s = state.settings
    # `claw wallet limits --per-request off` stores no per-request cap (None): say so, not crash
    limits = [f"per request ${s.max_per_request:g}" if s.max_per_request is not None else "per request off"]
    if s.hourly_limit is not None:
        limits.append(f"hourly ${s.hourly_limit:g}")
    if s.daily_limit is not None:
        limits.append(f"daily ${s.daily_limit:g}")
    if s.max_cost_per_run is not None:
        limits.append(f"per session ${s.max_cost_per_run:g} ({s.cap_mode})")
    gateway = s.gateway_for(state.chain) if hasattr(s, "gateway_for") else s.gateway_url
    wallet = state.wallet_address or "none"
    if state.chain == "solana" and state.solana_address:
        wallet = state.solana_address
    return [
        f"claw serve {state.version} on {url}",
        f"  wallet   {wallet} ({state.chain})",
        f"  balance  {balance or 'unknown'}",
        f"  gateway  {gateway}",
        f"  profile  {s.profile}   compress {s.compress}",
        f"  limits   {', '.join(limits)}",
        f"  state    {_state_text(s)}",
        f"  token    {'required (Authorization: Bearer ...)' if state.token else 'not required (loopback only)'}",
        f"  metrics  {url.rsplit('/v1', 1)[0]}/metrics   log level {getattr(state, 'log_level', DEFAULT_LOG_LEVEL)}",
    ]


def _state_text(s: Any) -> str:
    url = (getattr(s, "state_url", None) or "").strip()
    if not url:
        return "local (spend ledger file of this machine)"
    from clawcli.core.state import safe_url

    return f"{safe_url(url)} (shared: spend ledger, cooldowns, session pins)"


def fetch_balance_text(state: Any, timeout: float = 3.0) -> str:
    """The wallet's USDC on its chain, as text for the banner (never raises)."""
    try:
        from clawcli.core.wallet import BalanceCache, fetch_balances

        s = state.settings
        sol = state.solana_address if state.chain == "solana" else None
        evm = state.wallet_address if state.chain != "solana" else None
        b = fetch_balances(evm, sol, base_rpc_url=s.base_rpc_url, solana_rpc_url=s.solana_rpc_url,
                           testnet=s.testnet, cache=BalanceCache(state.paths.cache_dir / "balances.json"),
                           timeout=timeout)
        value = b.solana if state.chain == "solana" else b.evm
        if value is None:
            err = next(iter(b.errors.values()), "no answer")
            return f"unknown ({err})"
        hint = "  (empty: `claw wallet fund`; requests go to the free model)" if value < 0.0001 else ""
        return f"${value:.2f} USDC{hint}"
    except Exception as exc:
        return f"unknown ({getattr(exc, 'message', None) or type(exc).__name__})"
