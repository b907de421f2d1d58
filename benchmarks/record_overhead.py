"""CPU per proxied request of the bookkeeping after the answer is known (issue 16).

What `Engine._log` and its callers do once an answer is complete, as in `claw serve` under load
(short prompt, streamed, no payment): ``build_result`` -> ``usage_record`` -> the observed usage
log's ``append`` (the buffered ``UsageLog`` + ``Observer.record``: Prometheus samples and the
per-request stderr line) -> the writers that run once per event-loop turn. ``--per-turn``
requests finish in each loop turn (uvloop, as `claw serve`), then the loop turns once.

``total`` is this thread's CPU time (``time.thread_time``, read once per loop turn) over ``-n``
requests a round; the other columns are a wall-clock breakdown from a second pass (medians of
rounds). The cost of an empty loop turn, timed right after each turn, is taken off: the loop turns
anyway in a busy server; what counts is the writers it runs.
``--baseline REV`` also runs the same code from git revision REV (``git archive`` into a temp
dir, first on ``sys.path``) in alternating child processes, so both are measured in one run:

    python benchmarks/record_overhead.py --baseline HEAD~3 [-n 4000] [--rounds 5] [--runs 3]

``--instructions`` counts instructions under valgrind's callgrind instead of timing (deterministic;
a few minutes): ``_log total`` is usage_record + the observed append + the loop-turn writers.

``--stream devnull|file|pipe`` is where the request lines go (a file: as `claw bench proxy` runs
`claw serve`; a pipe drained by ``cat``: a terminal or a log collector); ``--paid`` adds a settled payment to every request.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from typing import Any

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STAGES = ("build_result", "usage_record", "observed_append", "turn_writers", "total")


def _child(args: argparse.Namespace) -> None:
    """Run in a child process: measure, print one JSON object of per-stage medians (us/request)."""
    if args.tree:
        sys.path.insert(0, args.tree)
    scratch = args.scratch  # every file this child writes, removed by the parent
    os.environ["CLAWCLI_HOME"] = os.path.join(scratch, "home")
    os.environ["CLAWCLI_OPENCLAW_HOME"] = os.path.join(scratch, "openclaw")
    import asyncio
    import io
    import time

    import uvloop

    import clawcli
    from clawcli.core.catalog import default_catalog
    from clawcli.core.compression import compress_request
    from clawcli.core.config import Settings
    from clawcli.core.router import route
    from clawcli.core.upstream._plan import PlanningContext, plan_request
    from clawcli.core.upstream._stream import Accumulator
    from clawcli.core.upstream.records import build_result, usage_record
    from clawcli.core.upstream.request_state import OpenAnswer, RequestState
    from clawcli.core.upstream.state import Cooldowns, SessionBudgets
    from clawcli.core.upstream.types import Attempt
    from clawcli.core.usage.log import UsageLog
    from clawcli.proxy.observe import Observer

    assert clawcli.__file__.startswith(args.tree or REPO), clawcli.__file__
    catalog = default_catalog()
    settings = Settings()
    ctx = PlanningContext(settings, catalog, frozenset(), Cooldowns(), SessionBudgets(), False)

    cat = None
    if args.stream == "pipe":
        cat = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
        raw = os.fdopen(os.dup(cat.stdin.fileno()), "wb")
    elif args.stream == "file":  # as `claw bench proxy` runs `claw serve`: stderr to a log file
        raw = open(os.path.join(scratch, "serve.log"), "wb")
    else:
        raw = open(os.devnull, "wb")
    stream = io.TextIOWrapper(raw, encoding="utf-8", line_buffering=True)  # like sys.stderr
    logs = os.path.join(scratch, "logs")

    class _Settlement:
        tx = "0x" + "ab" * 32
        network = "eip155:8453"
        amount_usd = 0.000412

    def one_state(i: int) -> tuple[RequestState, OpenAnswer]:
        body = {"model": "auto", "messages": [{"role": "user", "content": f"bench r{i}: what is the capital of France?"}]}
        body, cstats = compress_request(body, "off")
        decision = route(body, catalog=catalog)
        now = time.monotonic()
        st = RequestState(request_id=os.urandom(8).hex(), source="serve", session_id=None, t0=now - 0.0042,
                          compression=cstats)
        st.plan = plan_request(ctx, body, decision, None, None)
        st.ttft = now - 0.0031
        acc = Accumulator()
        base = {"id": "chatcmpl-mock", "object": "chat.completion.chunk", "created": 1765000000, "model": "m"}
        acc.add(dict(base, choices=[{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]))
        for p in ("Paris ", "is the ", "capital ", "of France, ", "on the ", "Seine, ", "in the ", "north."):
            acc.add(dict(base, choices=[{"index": 0, "delta": {"content": p}, "finish_reason": None}]))
        acc.add(dict(base, choices=[{"index": 0, "delta": {}, "finish_reason": "stop"}],
                     usage={"prompt_tokens": 12, "completion_tokens": 24, "total_tokens": 36}))
        attempt = Attempt(model=st.plan.chain[0], status=200, ms=3)
        if args.paid:
            st.cost = st.gateway_claimed = 0.000412
            st.settlement = _Settlement()
            attempt.paid = True
        return st, OpenAnswer(attempt=attempt, acc=acc, held=[])

    pool = [one_state(i) for i in range(64)]  # a few different prompts, models and tiers
    ids = [os.urandom(8).hex() for _ in range(1024)]  # (unique per request is not needed here)
    import gc

    gc.collect()  # as `claw serve` starts (proxy/app.py _tune_gc): the start-up heap frozen
    gc.freeze()
    gc.set_threshold(20_000, 20, 50)

    def attached() -> tuple[Observer, UsageLog, Any]:
        observer = Observer("info", stream=stream)
        log = UsageLog(logs, buffered=True)

        class _Engine:  # what Observer.attach wraps: the engine's usage_log attribute
            usage_log = log

        eng = _Engine()
        observer.attach(eng)
        return observer, log, eng.usage_log

    def drain(observer: Observer, log: UsageLog) -> None:
        flush = getattr(observer, "flush", None)
        if flush is not None:
            flush()
        log.flush()

    async def clean_pass() -> float:
        """us of thread CPU per request, timed per loop turn only (the figure to compare)."""
        observer, log, observed = attached()
        clock, cpu, per_turn, total = time.monotonic, time.thread_time, args.per_turn, 0.0
        for start in range(0, args.n, per_turn):
            c0 = cpu()
            for j in range(start, min(start + per_turn, args.n)):
                st, opened = pool[j % len(pool)]
                st.request_id = ids[j % 1024]
                result = build_result(st, opened, True, clock())
                observed.append(usage_record(st, "ok", None, opened.attempt.model, result, clock()))
            await asyncio.sleep(0)  # one loop turn: the once-per-turn writers run
            c1 = cpu()
            await asyncio.sleep(0)  # an empty turn: what the loop costs anyway, taken off
            total += (c1 - c0) - (cpu() - c1)
        drain(observer, log)
        return total / args.n * 1e6

    async def breakdown_pass() -> dict[str, float]:
        """us per request of each stage (perf_counter around each: a wall-clock breakdown)."""
        observer, log, observed = attached()
        clock, wall, per_turn = time.monotonic, time.perf_counter, args.per_turn
        t = dict.fromkeys(STAGES[:-1], 0.0)
        for start in range(0, args.n, per_turn):
            for j in range(start, min(start + per_turn, args.n)):
                st, opened = pool[j % len(pool)]
                st.request_id = ids[j % 1024]
                a = wall()
                result = build_result(st, opened, True, clock())
                b = wall()
                rec = usage_record(st, "ok", None, opened.attempt.model, result, clock())
                c = wall()
                observed.append(rec)
                d = wall()
                t["build_result"] += b - a
                t["usage_record"] += c - b
                t["observed_append"] += d - c
            e = wall()
            await asyncio.sleep(0)
            f = wall()
            await asyncio.sleep(0)  # an empty turn: what the loop costs anyway, taken off
            t["turn_writers"] += (f - e) - (wall() - f)
        drain(observer, log)
        return {k: v / args.n * 1e6 for k, v in t.items()}

    async def round_() -> dict[str, float]:
        return {**await breakdown_pass(), "total": await clean_pass()}

    async def counted_pass() -> None:
        """--mode: one untimed pass doing the stages up to MODE (instruction counts, no clocks)."""
        observer, log, observed = attached()
        clock, per_turn, mode = time.monotonic, args.per_turn, args.mode
        for start in range(0, args.n, per_turn):
            for j in range(start, min(start + per_turn, args.n)):
                st, opened = pool[j % len(pool)]
                st.request_id = ids[j % 1024]
                result = build_result(st, opened, True, clock())
                if mode != "result":
                    rec = usage_record(st, "ok", None, opened.attempt.model, result, clock())
                    if mode == "full":
                        observed.append(rec)
            await asyncio.sleep(0)
        drain(observer, log)

    if args.mode:
        uvloop.run(counted_pass())
        return

    async def main() -> list[dict[str, float]]:
        await round_()  # warm-up
        return [await round_() for _ in range(args.rounds)]

    rounds = uvloop.run(main())
    stream.flush()
    if cat is not None:
        stream.close()
        cat.stdin.close()
        cat.wait()
    print(json.dumps({k: statistics.median(r[k] for r in rounds) for k in STAGES}))


def _extract(rev: str) -> str:
    tree = tempfile.mkdtemp(prefix="claw-baseline-")
    archive = subprocess.run(["git", "-C", REPO, "archive", rev, "clawcli"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", tree], input=archive, check=True)
    return tree


def _callgrind(tree: str, mode: str, n: int, args: argparse.Namespace) -> int:
    out = tempfile.mktemp(prefix="claw-cg-")
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONHASHSEED"] = "0"  # the same dict layouts in every run
    cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, __file__, "--child",
           "--tree", tree, "--mode", mode, "-n", str(n), "--per-turn", str(args.per_turn), "--stream", args.stream]
    subprocess.run(cmd + (["--paid"] if args.paid else []), check=True, capture_output=True, env=env)
    with open(out) as fh:
        total = next(int(line.split()[1]) for line in fh if line.startswith(("summary:", "totals:")))
    os.unlink(out)
    return total


def _instructions(args: argparse.Namespace, trees: list[tuple[str, str]]) -> None:
    """Instructions per request of each stage: (I(n + 500) - I(500)) / n for passes that stop after
    build_result (its column includes the benchmark's own loop), after usage_record, and the whole
    bookkeeping; the differences are the stages."""
    lo, hi = 500, 500 + args.n
    print(f"instructions per request (callgrind, {args.n} requests, {args.per_turn} per loop turn, "
          f"lines to {args.stream}{', paid' if args.paid else ''})")
    cols = ("build_result", "usage_record", "append+writers", "_log total")
    print(f"{'':14}" + "".join(f"{c:>17}" for c in cols))
    for name, tree in trees:
        _callgrind(tree, "full", 10, args)  # first run: byte-compiles what changed (not a request's cost)
        per = {m: (_callgrind(tree, m, hi, args) - _callgrind(tree, m, lo, args)) / args.n
               for m in ("result", "record", "full")}
        row = (per["result"], per["record"] - per["result"], per["full"] - per["record"], per["full"] - per["result"])
        print(f"{name[:14]:14}" + "".join(f"{v:17,.0f}" for v in row))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=4000, help="requests per round")
    ap.add_argument("--rounds", type=int, default=5, help="rounds per child process")
    ap.add_argument("--runs", type=int, default=3, help="child processes per tree (alternating)")
    ap.add_argument("--per-turn", type=int, default=4, help="requests finishing in one loop turn")
    ap.add_argument("--stream", choices=("devnull", "file", "pipe"), default="devnull")
    ap.add_argument("--paid", action="store_true")
    ap.add_argument("--baseline", metavar="REV", help="also measure the code of this git revision")
    ap.add_argument("--instructions", action="store_true",
                    help="count instructions under valgrind's callgrind instead (deterministic, slow)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--mode", choices=("result", "record", "full"), help=argparse.SUPPRESS)
    ap.add_argument("--tree", default="", help=argparse.SUPPRESS)
    ap.add_argument("--scratch", default="", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        if args.scratch:
            _child(args)
        else:
            with tempfile.TemporaryDirectory(prefix="claw-rec-") as scratch:
                args.scratch = scratch
                _child(args)
        return
    trees = [("current", "")]
    if args.baseline:
        trees.insert(0, (args.baseline, _extract(args.baseline)))
    try:
        _measure(args, trees)
    finally:
        for _, tree in trees:
            if tree:
                shutil.rmtree(tree, ignore_errors=True)


def _measure(args: argparse.Namespace, trees: list[tuple[str, str]]) -> None:
    if args.instructions:
        _instructions(args, trees)
        return
    common = ["-n", str(args.n), "--rounds", str(args.rounds), "--per-turn", str(args.per_turn),
              "--stream", args.stream] + (["--paid"] if args.paid else [])
    results: dict[str, list[dict[str, float]]] = {name: [] for name, _ in trees}
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for _ in range(args.runs):
        for name, tree in trees:  # alternate, so drift on a shared machine hits both alike
            out = subprocess.run([sys.executable, __file__, "--child", "--tree", tree, *common], check=True,
                                 capture_output=True, text=True, env=env).stdout
            results[name].append(json.loads(out.strip().splitlines()[-1]))
    print(f"us CPU per request, median of {args.runs} runs x {args.rounds} rounds x {args.n} requests "
          f"({args.per_turn} per loop turn, lines to {args.stream}{', paid' if args.paid else ''})")
    print(f"{'':14}" + "".join(f"{s:>17}" for s in STAGES))
    for name, _ in trees:
        row = {s: statistics.median(r[s] for r in results[name]) for s in STAGES}
        print(f"{name[:14]:14}" + "".join(f"{row[s]:17.2f}" for s in STAGES))


if __name__ == "__main__":
    main()
