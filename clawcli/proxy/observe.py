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

import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from clawcli.core.errors import UsageError

LOG_LEVELS = ("debug", "info", "warning", "error")
DEFAULT_LOG_LEVEL = "info"

#: request latency buckets (seconds): a cached local answer to a slow reasoning model
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)


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
    """Prometheus collectors in a registry of this server's own (not the process-global one)."""

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
        self._children: dict[tuple[str, tuple[str, ...]], Any] = {}

    def _child(self, metric: Any, *labels: str) -> Any:
        # .labels() costs ~20 us (validation, locking); the label sets repeat, so keep the children
        key = (metric._name, labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels)
        return child

    def observe(self, rec: dict[str, Any]) -> None:
        tier = str(rec.get("tier") or "none")
        model = str(rec.get("model") or "none")
        status = str(rec.get("status") or "unknown")
        child = self._child
        child(self.requests, str(rec.get("profile") or "none"), tier, model, status).inc()
        ms = rec.get("latencyMs")
        if isinstance(ms, (int, float)):
            child(self.latency, tier, model, status).observe(ms / 1000)
        ttft = rec.get("ttftMs")
        if isinstance(ttft, (int, float)):
            child(self.ttft, tier, model).observe(ttft / 1000)
        cost = rec.get("cost")
        if isinstance(cost, (int, float)) and cost > 0:
            child(self.cost, model, tier).inc(cost)
        base = rec.get("baselineCost")
        if status == "ok" and isinstance(base, (int, float)) and base > 0:
            child(self.baseline, tier).inc(base)
        for a in rec.get("attempts") or ():
            if not isinstance(a, dict):
                continue
            am = str(a.get("model") or "none")
            err = a.get("errorClass")
            child(self.attempts, am, str(err or "ok")).inc()
            if err:
                child(self.fallbacks, am, str(err)).inc()
            if a.get("paid"):
                child(self.payments, am, str(rec.get("network") or "unknown")).inc()

    def render(self) -> tuple[bytes, str]:
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return generate_latest(self.registry), CONTENT_TYPE_LATEST


def request_line(rec: dict[str, Any]) -> str:
    """``12:01:02 ok      auto → MEDIUM → moonshot/kimi-k2.5  2 attempts (openai/gpt-5.2 rate_limited)
    $0.001234  812 ms  session s1  id 1a2b…`` — what a user watching the terminal wants to know."""
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


class Observer:
    """The per-request line and the metrics of one server."""

    def __init__(self, level: str = DEFAULT_LOG_LEVEL, stream: TextIO | None = None) -> None:
        self.level = check_log_level(level)
        self.stream = stream  # None: sys.stderr at the time of writing (pytest swaps it)
        self.metrics = Metrics()

    def _print(self, line: str) -> None:
        out = self.stream or sys.stderr
        try:
            out.write(line + "\n")
            out.flush()
        except Exception:  # a closed or broken stderr never breaks a request
            pass

    def record(self, rec: dict[str, Any]) -> None:
        try:
            self.metrics.observe(rec)
        except Exception:  # metrics are best effort, like the usage log
            pass
        ok = rec.get("status") == "ok"
        if self.level in ("debug", "info") or (self.level == "warning" and not ok):
            self._print(request_line(rec))

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
    limits = [f"per request ${s.max_per_request:g}"]
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
