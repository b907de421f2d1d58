"""How fast is `claw stats` on big logs? Generates realistic usage logs, then times the pass.

    python benchmarks/bench_stats.py                 # 100 MB over 30 days, then time it
    python benchmarks/bench_stats.py --mb 20 --days 7 --keep /tmp/logs

Lines are a mix of clawcli records (full schema, attempts, some fallbacks and failures),
ClawRouter-format lines (camelCase, no status) and a few corrupt lines. Reports the wall time
of `aggregate_stats` in-process and of the `claw stats --json` command (a fresh process, as a
user runs it), plus MB/s and lines/s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MODELS = [
    ("google/gemini-2.5-flash", "SIMPLE", 0.3, 2.5), ("moonshot/kimi-k2.5", "MEDIUM", 0.6, 3.0),
    ("google/gemini-3.1-pro", "COMPLEX", 2.0, 12.0), ("xai/grok-4-1-fast-reasoning", "REASONING", 0.2, 0.5),
    ("anthropic/claude-sonnet-4.6", "COMPLEX", 3.0, 15.0), ("nvidia/gpt-oss-120b", "SIMPLE", 0.0, 0.0),
    ("deepseek/deepseek-chat", "MEDIUM", 0.28, 0.42), ("openai/gpt-5-mini", "MEDIUM", 0.25, 2.0),
]


def _record(rng: random.Random, ts: dt.datetime, i: int) -> str:
    model, tier, pin, pout = rng.choice(MODELS)
    itok, otok = rng.randint(50, 4000), rng.randint(20, 1200)
    cost = round((itok * pin + otok * pout) / 1e6, 8)
    base = round((itok * 5 + otok * 25) / 1e6, 8)
    stamp = ts.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    r = rng.random()
    if r < 0.15:  # ClawRouter's line
        return json.dumps({"timestamp": stamp, "model": model, "tier": tier, "cost": cost, "baselineCost": base,
                           "savings": round(1 - cost / base, 4), "latencyMs": rng.randint(300, 9000),
                           "inputTokens": itok, "outputTokens": otok}, separators=(",", ":"))
    if r < 0.152:
        return '{"timestamp":"' + stamp + '","model":"' + model + '","cost":0.00'  # cut mid-write
    status, attempts, answered = "ok", [{"model": model, "status": "ok", "errorClass": None,
                                          "ms": rng.randint(300, 9000), "paid": cost > 0}], model
    if r < 0.20:  # a fallback
        attempts.insert(0, {"model": "openai/gpt-5.2", "status": "error", "errorClass": "rate_limited",
                            "ms": 120, "paid": False})
    elif r < 0.23:
        status, answered, cost = "error", None, 0.0
        attempts[0].update(status="error", errorClass="server_error", paid=False)
    rec = {
        "timestamp": stamp, "requestId": f"{i:016x}", "source": rng.choice(("ask", "serve", "serve")),
        "sessionId": f"s{rng.randint(0, 500)}", "profile": "auto", "tier": tier,
        "confidence": round(rng.random(), 3), "requestedModel": "auto", "model": answered, "status": status,
        "errorClass": None if status == "ok" else "all_failed", "cost": cost, "estimatedCost": cost,
        "baselineCost": base, "savings": round(1 - cost / base, 4), "latencyMs": rng.randint(300, 9000),
        "ttftMs": rng.randint(100, 900), "inputTokens": itok, "outputTokens": otok, "attempts": attempts,
        "network": "eip155:8453", "settlement": "0x" + "ab" * 32 if cost else None, "schema": 1,
    }
    return json.dumps(rec, separators=(",", ":"))


def generate(logs: Path, mb: float, days: int, seed: int = 7) -> tuple[int, int]:
    rng = random.Random(seed)
    logs.mkdir(parents=True, exist_ok=True)
    target = int(mb * 1024 * 1024)
    per_day = target // days
    end = dt.datetime.now(dt.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    total = lines = 0
    for d in range(days):
        day = end - dt.timedelta(days=days - 1 - d)
        size, buf, i = 0, [], 0
        while size < per_day:
            ts = day + dt.timedelta(seconds=86399 * size / per_day)
            line = _record(rng, ts, lines) + "\n"
            buf.append(line)
            size += len(line)
            lines += 1
        (logs / f"usage-{day:%Y-%m-%d}.jsonl").write_text("".join(buf), "utf-8")
        total += size
    return total, lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, default=100.0)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--keep", help="write the logs here (kept) instead of a temp dir")
    args = ap.parse_args()
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="claw-stats-bench-"))
    oc = root / "openclaw"
    logs = oc / "blockrun" / "logs"
    t0 = time.perf_counter()
    size, lines = generate(logs, args.mb, args.days)
    print(f"generated {size / 1e6:.1f} MB, {lines:,} lines over {args.days} days in {time.perf_counter() - t0:.1f} s")

    from clawcli.core.usage import aggregate_stats

    # wall time on a shared machine is noisy: CPU time (user + sys) is reported next to it
    t0, c0 = time.perf_counter(), time.process_time()
    stats = aggregate_stats(logs)
    t_in, c_in = time.perf_counter() - t0, time.process_time() - c0
    print(f"aggregate_stats (in-process): {t_in:.2f} s wall, {c_in:.2f} s CPU  {size / 1e6 / c_in:.0f} MB/CPU-s"
          f"  {lines / c_in:,.0f} lines/CPU-s  (requests {stats['requests']:,}, skipped {stats['skippedLines']:,})")
    t0 = time.perf_counter()
    stats7 = aggregate_stats(logs, since="7d")
    print(f"aggregate_stats --since 7d: {time.perf_counter() - t0:.2f} s (requests {stats7['requests']:,})")

    env = dict(os.environ, CLAWCLI_OPENCLAW_HOME=str(oc), CLAWCLI_HOME=str(root / "home"))
    import resource

    for argv in (["stats", "--json"], ["stats"]):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "clawcli", *argv], env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        print(f"claw {' '.join(argv)} (fresh process): {wall:.2f} s wall, {cpu:.2f} s CPU, "
              f"max RSS {after.ru_maxrss / 1024:.0f} MB, exit {proc.returncode}")
        if proc.returncode:
            print(proc.stderr[-2000:])
    if not args.keep:
        import shutil

        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
