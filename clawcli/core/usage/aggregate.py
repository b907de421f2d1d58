"""Aggregation of usage records into the `claw stats` report (also `GET /stats` and `/stats` in chat).

    stats = aggregate_stats(Paths.from_env(), since="7d")
    stats["cost"], stats["savings"], stats["byModel"], stats["latency"]["p95Ms"]

Rules (DESIGN.md §3, issue 6):

- every record in the period is a request; a record without ``status`` (ClawRouter's lines)
  is an answered request;
- ``cost`` counts settled money only. Our writer logs only settled amounts; a failed request
  counts its cost only when the record proves a settlement (``settlement`` or an attempt with
  ``paid``), otherwise 0. ClawRouter logged a 0.001 floor estimate for its free model where
  nothing was paid, so its lines for a free catalog model count 0;
- ``baselineCost`` and ``savings`` cover answered requests only (a failed request saved nothing);
  a request's baseline is at least what it paid (it saved nothing, never a negative amount), so
  ``savingsUsd = baselineCost - answeredCost >= 0`` and ``savings = savingsUsd / baselineCost``;
- ``errors`` are failure events: every failed attempt (also the ones a fallback rescued), or the
  request itself when it failed without an attempt list. In ``byModel`` they belong to the model
  that failed; elsewhere to the record's group. ``failed`` counts requests that got no answer;
- ``fallbacks`` are requests whose attempts span more than one model, or that an explicitly
  requested model did not answer;
- latency figures cover answered requests; percentiles come from a fixed-bucket log histogram
  (1 % wide buckets), so memory stays bounded whatever the size of the logs.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from clawcli.core.errors import UsageError
from clawcli.core.usage.reader import ReadCounts, iter_records, log_files, parse_when

DIMENSIONS = ("model", "tier", "day", "provider", "source", "session")
_GROUP_KEYS = {d: "by" + d.capitalize() for d in DIMENSIONS}
_RATIO = 1.01
_INV_LOG_R = 1.0 / math.log(_RATIO)
_NBUCKETS = 1500  # 1.01**1500 ms ~ 8 hours: anything longer shares the last bucket
_PROFILE_IDS = frozenset(("auto", "eco", "premium", "free", "agentic", "router"))
_PREFIXES = ("clawcli/", "blockrun/", "openrouter/")


def _bucket(ms: float) -> int:
    if ms < 1.0:
        return 0
    b = 1 + int(math.log(ms) * _INV_LOG_R)
    return b if b < _NBUCKETS else _NBUCKETS - 1


class Histogram:
    """Latency histogram with 1 %-wide log buckets (sparse dicts: at most 1,500 keys).

    Each bucket also keeps the sum of its values, so a percentile reports the mean of its
    bucket: exact when the bucket holds one distinct value, within 1 % otherwise.
    """

    __slots__ = ("counts", "sums", "n", "total", "lo", "hi")

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}
        self.sums: dict[int, float] = {}
        self.n = 0
        self.total = 0.0
        self.lo = math.inf
        self.hi = 0.0

    def add(self, ms: float, b: int) -> None:
        c = self.counts
        c[b] = c.get(b, 0) + 1
        s = self.sums
        s[b] = s.get(b, 0.0) + ms
        self.n += 1
        self.total += ms
        if ms < self.lo:
            self.lo = ms
        if ms > self.hi:
            self.hi = ms

    def percentile(self, p: float) -> float | None:
        """Nearest-rank percentile (``p`` in 0..100), within 1 % of the exact value."""
        if not self.n:
            return None
        rank = max(1, math.ceil(p / 100.0 * self.n))
        seen = 0
        for b in sorted(self.counts):
            seen += self.counts[b]
            if seen >= rank:
                return self.sums[b] / self.counts[b]
        return self.hi  # pragma: no cover - rank <= n always stops above

    def mean(self) -> float | None:
        return self.total / self.n if self.n else None

    def merge(self, other: "Histogram") -> None:
        for b, c in other.counts.items():
            self.counts[b] = self.counts.get(b, 0) + c
            self.sums[b] = self.sums.get(b, 0.0) + other.sums[b]
        self.n += other.n
        self.total += other.total
        self.lo = min(self.lo, other.lo)
        self.hi = max(self.hi, other.hi)


class Group:
    """Running sums for one row of a breakdown (a model, a tier, a day, ...)."""

    __slots__ = ("requests", "answered", "failed", "errors", "cost", "answered_cost", "baseline",
                 "lat", "in_tok", "out_tok")

    def __init__(self) -> None:
        self.requests = self.answered = self.failed = self.errors = 0
        self.cost = self.answered_cost = self.baseline = 0.0
        self.lat = Histogram()
        self.in_tok = self.out_tok = 0

    def add(self, ok: bool, cost: float, baseline: float, lat: float | None, b: int,
            itok: int, otok: int, errors: int) -> None:
        self.requests += 1
        self.cost += cost
        self.errors += errors
        if ok:
            self.answered += 1
            self.answered_cost += cost
            self.baseline += baseline
            if lat is not None:
                self.lat.add(lat, b)
        else:
            self.failed += 1
        self.in_tok += itok
        self.out_tok += otok

    def merge(self, other: "Group") -> None:
        for k in ("requests", "answered", "failed", "errors", "cost", "answered_cost", "baseline", "in_tok", "out_tok"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        self.lat.merge(other.lat)

    def to_dict(self, total_cost: float, total_requests: int) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "answered": self.answered,
            "failed": self.failed,
            "errors": self.errors,
            "cost": _usd(self.cost),
            "share": round(self.cost / total_cost, 6) if total_cost > 0 else 0.0,
            "requestShare": round(self.requests / total_requests, 6) if total_requests else 0.0,
            "baselineCost": _usd(self.baseline),
            "savings": _savings(self.answered_cost, self.baseline),
            "avgLatencyMs": _ms(self.lat.mean()),
            "p50LatencyMs": _ms(self.lat.percentile(50)),
            "p95LatencyMs": _ms(self.lat.percentile(95)),
            "inputTokens": self.in_tok,
            "outputTokens": self.out_tok,
        }


def _usd(x: float) -> float:
    return round(x, 8) + 0.0  # + 0.0 turns -0.0 into 0.0


def _ms(x: float | None) -> float | None:
    return None if x is None else round(x, 1)


def _savings(cost: float, baseline: float) -> float:
    return round(min(1.0, max(0.0, 1.0 - cost / baseline)), 6) if baseline > 0 else 0.0


def _money(v: Any) -> float:
    """A non-negative USD amount from a log field (missing, null, junk or negative -> 0)."""
    if v is None or v is False or v is True:
        return 0.0
    try:
        x = float(v)
    except (TypeError, ValueError):
        return 0.0
    return x if x > 0.0 and x != math.inf else 0.0


def _int(v: Any) -> int:
    try:
        return max(0, int(v)) if v is not None and v is not True and v is not False else 0
    except (TypeError, ValueError, OverflowError):
        return 0


_LOCAL_CLASSES = frozenset({"policy", "policy_refused", "cost_cap", "cancelled", "blocked"})
#: provider bucket of failures where the gateway itself could not be reached (no provider was asked)
GATEWAY = "gateway"
#: the attempt reason the engine writes when it cannot connect to the gateway (fallback.py)
_GATEWAY_DOWN = "cannot connect"
#: the model group of requests refused before any model was tried
NOT_SENT = "(not sent)"


def _provider(model: str) -> str:
    return model.split("/", 1)[0] if "/" in model else model


def _attempt_failed(a: Mapping[str, Any]) -> bool:
    if a.get("errorClass"):
        return True
    st = a.get("status")
    if st is None or st == "ok" or st == "success":
        return False
    if isinstance(st, int) and not isinstance(st, bool):
        return not 200 <= st < 300
    return True


class Aggregator:
    """Feed ``(day, record)`` pairs to :meth:`add`, then read :meth:`result`."""

    def __init__(self, *, by_session: bool = False, free_models: Iterable[str] | None = None,
                 baseline_model: str = "anthropic/claude-opus-4.6") -> None:
        self.total = Group()
        self.groups: dict[str, dict[str, Group]] = {d: {} for d in DIMENSIONS}
        self.by_session = by_session
        self.free_models = frozenset(free_models) if free_models is not None else _free_models()
        self.failed_cost = 0.0
        self.blocked = 0
        # payments whose settlement header claimed another amount than what settled (a flag, never cost)
        self.claims = 0
        self.claimed_cost = 0.0
        self.claims_recorded_cost = 0.0
        self.error_events = 0
        self.errors_by_class: Counter[str] = Counter()
        self.errors_by_provider: dict[str, Counter[str]] = {}
        self.fallbacks = 0
        self.fallback_routes: Counter[tuple[str, str]] = Counter()
        self._norm: dict[str, str] = {}
        self._canon: dict[str, str | None] = {}
        self.baseline_model = self.canonical(baseline_model) or baseline_model

    def canonical(self, name: str) -> str | None:
        """The catalog id a logged model name stands for (``opus`` -> anthropic/claude-opus-4.6);
        None for a profile name (``auto``), which is no model at all. Unknown ids stay as written."""
        c = self._canon.get(name, "")
        if c != "":
            return c
        n = name.strip()
        low = n.lower()
        for p in _PREFIXES:
            if low.startswith(p):
                n, low = n[len(p):], low[len(p):]
                break
        if low in _PROFILE_IDS or low in ("unknown", ""):
            c = None
        else:
            try:
                from clawcli.core.catalog import default_catalog

                c = default_catalog().resolve(n)
            except Exception:  # noqa: BLE001 - a model this catalog does not know is kept as written
                c = n
        self._canon[name] = c
        return c

    def _same_model(self, requested: str, model: str) -> bool:
        """Whether an explicitly requested id names ``model`` (aliases and prefixes tolerated)."""
        n = self._norm.get(requested)
        if n is None:
            n = requested.strip().lower()
            for p in _PREFIXES:
                if n.startswith(p):
                    n = n[len(p):]
                    break
            if n not in _PROFILE_IDS:
                n = _resolve(n)
            self._norm[requested] = n
        return n in _PROFILE_IDS or n == model.lower()

    def _group(self, dim: str, key: str) -> Group:
        g = self.groups[dim].get(key)
        if g is None:
            g = self.groups[dim][key] = Group()
        return g

    def add(self, day: str, rec: Mapping[str, Any]) -> None:
        status = rec.get("status")
        ok = status is None or status == "ok"
        ours = "schema" in rec
        attempts = rec.get("attempts")
        if not isinstance(attempts, list):
            attempts = ()
        model = rec.get("model")
        if not isinstance(model, str) or not model:
            model = ""
            # a failed request: charge it to the last model that was paid, else the last one tried
            # (charging a paid failure to the free model that was tried last made it look costly)
            tried = [a for a in attempts if isinstance(a, dict) and isinstance(a.get("model"), str) and a["model"]]
            for a in reversed(tried):
                if a.get("paid"):
                    model = a["model"]
                    break
            if not model and tried:
                model = tried[-1]["model"]
            if not model:
                req = rec.get("requestedModel")
                model = req if isinstance(req, str) and req else ""
        # aliases and profile names are not models: group by catalog id; a request that reached
        # no model at all (refused before sending) is "(not sent)"
        model = (self.canonical(model) if model else None) or NOT_SENT
        cost = _money(rec.get("cost"))
        claimed = rec.get("gatewayClaimedCost")
        if type(claimed) in (int, float) and claimed >= 0:
            self.claims += 1
            self.claimed_cost += float(claimed)
            self.claims_recorded_cost += cost
        if cost:
            if not ok and not (rec.get("settlement") or any(
                    isinstance(a, dict) and a.get("paid") for a in attempts)):
                cost = 0.0  # nothing settled: a failed request cost nothing
            elif not ours and model in self.free_models:
                cost = 0.0  # ClawRouter's 0.001 floor estimate for its free model
        if ok:
            baseline = rec.get("baselineCost")
            baseline = _money(baseline) if baseline is not None else cost
            if model == self.baseline_model:
                baseline = cost  # the baseline model saves nothing (older records credited it)
            # a request that paid more than the baseline saved nothing, it did not "save" a negative
            # amount: clamped per request like realized_savings' percentage, so savingsUsd,
            # baselineCost and savings agree (savingsUsd = baseline - answered cost >= 0)
            baseline = max(baseline, cost)
            lat = rec.get("latencyMs")
            try:
                lat = float(lat) if lat is not None and lat is not True and lat is not False else None
            except (TypeError, ValueError):
                lat = None
            if lat is not None and not (0.0 <= lat < math.inf):
                lat = None
            b = _bucket(lat) if lat is not None else 0
        else:
            baseline, lat, b = 0.0, None, 0
            self.failed_cost += cost
            if status == "blocked":
                self.blocked += 1
        itok, otok = _int(rec.get("inputTokens")), _int(rec.get("outputTokens"))

        # failure events: every failed attempt, or the failed request itself
        events: list[tuple[str, str, bool]] = []  # (model, class, the gateway itself was unreachable)
        for a in attempts:
            if isinstance(a, dict) and _attempt_failed(a):
                am = a.get("model")
                am = (self.canonical(am) if isinstance(am, str) and am else None) or model
                reason = a.get("reason")
                down = isinstance(reason, str) and reason.startswith(_GATEWAY_DOWN)
                events.append((GATEWAY if down else am, str(a.get("errorClass") or "unknown"), down))
        if not ok and not events:
            cls = str(rec.get("errorClass") or status or "unknown")
            events.append((model, cls, cls == "gateway_unreachable"))
        if not ok and events and all(down for _m, _c, down in events):
            model = GATEWAY  # no provider was reached: the request belongs to the gateway bucket
        n_err = len(events)
        for em, cls, down in events:
            # a refusal clawcli made itself (spend policy, cost cap, Ctrl-C) is no provider's fault;
            # neither is an outage of the gateway in front of every provider
            prov = "(clawcli)" if cls in _LOCAL_CLASSES else GATEWAY if down else _provider(em)
            self.errors_by_class[cls] += 1
            pc = self.errors_by_provider.get(prov)
            if pc is None:
                pc = self.errors_by_provider[prov] = Counter()
            pc[cls] += 1
        self.error_events += n_err

        # fallbacks: attempts on more than one model (a 429 retry of the same model is not one),
        # or an answer from another model than the one explicitly asked for
        requested = rec.get("requestedModel")
        moved = len(attempts) > 1 and len({a.get("model") for a in attempts if isinstance(a, dict)}) > 1
        if moved or (ok and isinstance(requested, str) and requested
                     and not self._same_model(requested, model)):
            self.fallbacks += 1
            first = attempts[0].get("model") if attempts and isinstance(attempts[0], dict) else None
            self.fallback_routes[(str(first or requested or "?"), model if ok else "(none)")] += 1

        tier = rec.get("tier")
        tier = tier.upper() if isinstance(tier, str) and tier else "UNKNOWN"
        source = rec.get("source")
        if not isinstance(source, str) or not source:
            source = "unknown" if ours else "clawrouter"
        args = (ok, cost, baseline, lat, b, itok, otok)
        # the total and the providers are rolled up from the models in result(): fewer updates
        # per record is what keeps 100 MB of logs fast
        self._group("model", model).add(*args, 0)
        for em, _cls, _down in events:
            self._group("model", em).errors += 1
        self._group("tier", tier).add(*args, n_err)
        self._group("day", day).add(*args, n_err)
        self._group("source", source).add(*args, n_err)
        if self.by_session:
            sid = rec.get("sessionId")
            self._group("session", str(sid) if sid else "(none)").add(*args, n_err)

    def result(self, counts: ReadCounts | None = None) -> dict[str, Any]:
        # roll-ups: every record sits in exactly one model group, every error event too
        t = self.total = Group()
        providers = self.groups["provider"] = {}
        for mid, g in self.groups["model"].items():
            t.merge(g)
            p = providers.get(_provider(mid))
            if p is None:
                p = providers[_provider(mid)] = Group()
            p.merge(g)
        out: dict[str, Any] = {
            "requests": t.requests,
            "answered": t.answered,
            "failed": t.failed,
            "cost": _usd(t.cost),
            "answeredCost": _usd(t.answered_cost),
            "failedCost": _usd(self.failed_cost),
            "baselineCost": _usd(t.baseline),
            "savingsUsd": _usd(t.baseline - t.answered_cost),
            "savings": _savings(t.answered_cost, t.baseline),
            "inputTokens": t.in_tok,
            "outputTokens": t.out_tok,
            "latency": {
                "samples": t.lat.n,
                "avgMs": _ms(t.lat.mean()),
                "p50Ms": _ms(t.lat.percentile(50)),
                "p95Ms": _ms(t.lat.percentile(95)),
                "p99Ms": _ms(t.lat.percentile(99)),
                "maxMs": _ms(t.lat.hi if t.lat.n else None),
            },
            "errors": {
                "failedRequests": t.failed,
                "blocked": self.blocked,
                "events": self.error_events,
                "byClass": dict(self.errors_by_class.most_common()),
                "byProvider": {
                    p: {"total": sum(c.values()), "byClass": dict(c.most_common())}
                    for p, c in sorted(self.errors_by_provider.items(), key=lambda kv: -sum(kv[1].values()))
                },
            },
            "fallbacks": {
                "requests": self.fallbacks,
                "routes": [{"from": f, "to": to, "count": n} for (f, to), n in self.fallback_routes.most_common()],
            },
        }
        for dim in DIMENSIONS:
            if dim == "session" and not self.by_session:
                continue
            groups = self.groups[dim]
            if dim == "day":
                keys = sorted(groups)
            else:
                keys = sorted(groups, key=lambda k: (-groups[k].cost, -groups[k].requests, k))
            out[_GROUP_KEYS[dim]] = {k: groups[k].to_dict(t.cost, t.requests) for k in keys}
        if self.claims:
            out["gatewayClaims"] = {"requests": self.claims, "claimedCost": _usd(self.claimed_cost),
                                    "recordedCost": _usd(self.claims_recorded_cost)}
        if counts is not None:
            out["files"] = counts.files
            out["lines"] = counts.lines
            out["skippedLines"] = counts.skipped
        return out


def _free_models() -> frozenset[str]:
    try:
        from clawcli.core.catalog import default_catalog

        cat = default_catalog()
        return frozenset(m.id for m in cat.models.values() if m.is_free) | {cat.free_model}
    except Exception:  # noqa: BLE001 - stats must work even with a broken catalog
        return frozenset(("nvidia/gpt-oss-120b",))


def _resolve(n: str) -> str:
    try:
        from clawcli.core.catalog import default_catalog

        return default_catalog().resolve(n).lower()
    except Exception:  # noqa: BLE001 - an unknown id is compared as written
        return n


def _logs_and_files(source: Any, since: _dt.datetime | None, until: _dt.datetime | None) -> tuple[str, list[Path]]:
    logs_dir = getattr(source, "logs_dir", None)  # a Paths object
    if logs_dir is not None:
        return str(logs_dir), log_files(logs_dir, since, until)
    if isinstance(source, (str, Path)):
        p = Path(source)
        if p.is_dir() or not p.exists():
            return str(p), log_files(p, since, until)
        return str(p.parent), [p]
    files = [Path(f) for f in source]
    return (str(files[0].parent) if files else ""), files


def aggregate_stats(paths: Any, since: Any = None, until: Any = None, *, by: str | None = None,
                    now: _dt.datetime | None = None, free_models: Iterable[str] | None = None,
                    baseline_model: str = "anthropic/claude-opus-4.6") -> dict[str, Any]:
    """The `claw stats --json` object for the logs of ``paths`` in [since, until).

    ``paths``: a :class:`~clawcli.core.paths.Paths`, a logs directory, or an iterable of log
    files. ``since``/``until``: datetimes, or strings like ``7d``, ``24h``, ``2026-11-01``
    (a bare ``until`` date includes that day). ``by="session"`` adds ``bySession``.
    Raises :class:`~clawcli.core.errors.UsageError` for an unreadable period.
    """
    if by is not None and by not in DIMENSIONS:
        raise UsageError(f"cannot break down by {by!r}", "use one of: " + ", ".join(DIMENSIONS))
    now = now or _dt.datetime.now(_dt.timezone.utc)
    lo = parse_when(since, now=now, option="--since")
    hi = parse_when(until, now=now, end=True, option="--until")
    if lo is not None and hi is not None and hi <= lo:
        raise UsageError(f"the period ends ({hi:%Y-%m-%d %H:%M}) before it starts ({lo:%Y-%m-%d %H:%M})",
                         "--until must be later than --since")
    logs_dir, files = _logs_and_files(paths, lo, hi)
    counts = ReadCounts()
    agg = Aggregator(by_session=(by == "session"), free_models=free_models, baseline_model=baseline_model)
    for day, rec in iter_records(files, lo, hi, counts):
        try:
            agg.add(day, rec)
        except (TypeError, ValueError, AttributeError):  # a record of the wrong shape: skip, count
            counts.skipped += 1
            counts.records -= 1
    out = agg.result(counts)
    out["logsDir"] = logs_dir
    out["period"] = {
        "since": lo.isoformat().replace("+00:00", "Z") if lo else None,
        "until": hi.isoformat().replace("+00:00", "Z") if hi else None,
    }
    return out


# ---------------------------------------------------------------------------- rendering helpers
ROW_FIELDS = ("requests", "answered", "failed", "errors", "cost", "share", "baselineCost", "savings",
              "avgLatencyMs", "p50LatencyMs", "p95LatencyMs", "inputTokens", "outputTokens")


def breakdown(stats: Mapping[str, Any], by: str) -> dict[str, dict[str, Any]]:
    """The rows of ``stats`` for dimension ``by`` (model, tier, day, provider, source, session)."""
    return dict(stats.get(_GROUP_KEYS.get(by, ""), {}) or {})


def _fmt_usd(x: float) -> str:
    return f"${x:,.4f}" if abs(x) < 100 else f"${x:,.2f}"


def _fmt_ms(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:.0f} ms" if x < 1000 else f"{x / 1000:.2f} s"


def render_markdown(stats: Mapping[str, Any], *, top: int = 5) -> str:
    """A short Markdown summary of an :func:`aggregate_stats` result (the `/stats` chat reply)."""
    period = stats.get("period") or {}
    since, until = period.get("since"), period.get("until")
    when = " ".join(f"{k} {v[:16].replace('T', ' ')}" for k, v in (("since", since), ("until", until)) if v)
    when = f"{when} UTC" if when else "all time"
    n = stats.get("requests", 0)
    if not n:
        return f"**clawcli usage** ({when})\n\nNo requests logged yet. Logs go to `{stats.get('logsDir', '')}`."
    lat = stats.get("latency") or {}
    lines = [
        f"**clawcli usage** ({when})",
        "",
        f"- Requests: {n} ({stats.get('failed', 0)} failed)",
        f"- Paid: {_fmt_usd(stats.get('cost', 0.0))} · baseline {_fmt_usd(stats.get('baselineCost', 0.0))}"
        f" · saved {_fmt_usd(stats.get('savingsUsd', 0.0))} ({stats.get('savings', 0.0) * 100:.1f}%)",
        f"- Latency: p50 {_fmt_ms(lat.get('p50Ms'))} · p95 {_fmt_ms(lat.get('p95Ms'))}",
    ]
    fb = (stats.get("fallbacks") or {}).get("requests", 0)
    errs = (stats.get("errors") or {}).get("events", 0)
    if fb or errs:
        lines.append(f"- Provider errors: {errs} · fallbacks taken: {fb}")
    models = list(breakdown(stats, "model").items())[:top]
    if models:
        lines += ["", "| model | requests | cost | share |", "|---|---:|---:|---:|"]
        lines += [f"| {m} | {r['requests']} | {_fmt_usd(r['cost'])} | {r['share'] * 100:.1f}% |" for m, r in models]
    tiers = breakdown(stats, "tier")
    if tiers:
        lines += ["", "Tiers: " + ", ".join(f"{t} {r['requests']}" for t, r in tiers.items())]
    return "\n".join(lines)
