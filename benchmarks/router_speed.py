#!/usr/bin/env python3
"""Speed of the routing classifier (``classify``), in microseconds per decision.

    python benchmarks/router_speed.py              # short prompts, long prompts, MMLU batch
    python benchmarks/router_speed.py --json
    python benchmarks/router_speed.py --envelopes  # the proxy call on every captured agent envelope
    python benchmarks/router_speed.py --instructions  # the proxy call in instructions (callgrind)

Reports p50/p99 per decision for short prompts (greetings to one-paragraph tasks, 9
languages), the same at ~1k/~10k characters (linear in length), and the total time to classify
the 14,037 MMLU prompts if ``../shared/eval/routellm/mmlu.jsonl`` is present (``--eval-dir``).
``proxy_*`` rows time routing as ``claw serve`` calls it on one request (``extract_features`` then
``route(..., features=...)``; ``+cmds`` adds ``commands.match`` and ``derive_session_id``, which also
walk the messages), on the proxy benchmark's short prompt (model "auto") and on the captured
OpenClaw first-turn envelope (48 KB system prompt, 14 tools), each body freshly parsed from JSON
like a request's. Every timed call gets a distinct text (a counter is appended) so no cache can answer; the
per-word lookup table the matcher fills as it meets words is kept (as in a long-running process),
and ``short_cold_words`` reports the same prompts with that table emptied before every call.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from clawcli.core.router import extract_features, route
from clawcli.core.router._features import _WORDS
from clawcli.core.router.classifier import classify
from clawcli.core.router.types import RequestFeatures

SHORT = [
    "hi",
    "What is the capital of Peru?",
    "Prove that there are infinitely many primes.",
    "Design Twitter's timeline for 500M users.",
    "Write a short email to my landlord about the broken heater.",
    "Step by step, how do I make cold brew coffee?",
    "把这句话翻译成英文：我明天去上海。",
    "この関数のバグを直してください。",
    "Докажите, что сумма углов треугольника равна 180°.",
    "Entwirf eine Architektur für ein Ticketsystem mit 1 Mio. Nutzern.",
    "¿Cuál es la probabilidad de sacar dos seises con dos dados?",
    "Escreva uma função em Python que inverte uma lista.",
    "고마워요!",
    "اشرح الفرق بين TCP و UDP لمبتدئ.",
    "Across api/, jobs/ and web/, replace the logging helper with structlog and keep the tests green.",
]

PARA = (
    "Our checkout service times out under load; the database shows lock waits on the orders table and "
    "the p99 latency jumps from 200 ms to 9 s during flash sales. We run 12 pods behind an ingress. "
)


def _time(texts: list[str], repeat: int, cold: bool = False) -> list[float]:
    out = []
    gc.disable()
    try:
        for r in range(repeat):
            for i, t in enumerate(texts):
                feats = RequestFeatures(text=f"{t} #{r}-{i}")
                if cold:
                    _WORDS.clear()  # no word seen before: the first request of a process
                t0 = time.perf_counter_ns()
                classify(feats)
                out.append((time.perf_counter_ns() - t0) / 1000)
    finally:
        gc.enable()
    return out


def _proxy_bodies(kind: str, n: int, run: int) -> list[dict]:
    """``n`` distinct request bodies as the proxy gets them (parsed from JSON, new strings)."""
    import orjson

    if kind == "short":
        return [orjson.loads(orjson.dumps({"model": "auto", "messages": [{"role": "user", "content":
                f"bench RUN-{run}-{i}: what is the capital of France? Answer briefly."}]})) for i in range(n)]
    name = "openclaw_first_turn" if kind == "openclaw" else kind  # or any other captured envelope
    env = json.loads((REPO / "tests" / "fixtures" / "agent_requests" / f"{name}.json").read_text("utf-8"))
    raw = orjson.dumps(env["body"]).decode()
    ask = env["ask"]
    return [orjson.loads(raw.replace(ask, f"bench RUN-{run}-{i}: what is the capital of France? Answer briefly."))
            for i in range(n)]


def _time_proxy(kind: str, repeat: int, with_commands: bool) -> list[float]:
    """Per-request routing time as ``ChatHandler._route`` calls it (and the other message walkers)."""
    from clawcli.core.catalog import default_catalog
    from clawcli.proxy import commands
    from clawcli.proxy.sessions import derive_session_id

    catalog = default_catalog()
    exclude: frozenset[str] = frozenset()
    out = []
    for r in range(max(1, repeat // 100)):
        bodies = _proxy_bodies(kind, 100, r + (1000 if with_commands else 0))
        gc.disable()
        try:
            for body in bodies:
                t0 = time.perf_counter_ns()
                if with_commands:
                    commands.match(body["messages"])
                    derive_session_id(body)
                features = extract_features(body)
                route(body, profile=None, catalog=catalog, exclude=exclude,
                      baseline_model="anthropic/claude-opus-4.6", features=features)
                out.append((time.perf_counter_ns() - t0) / 1000)
        finally:
            gc.enable()
    return out


def _proxy_calls(kind: str, n: int, do_route: bool, with_commands: bool) -> None:
    """The child of --instructions: warm up, build ``n`` bodies, route them (or not)."""
    from clawcli.core.catalog import default_catalog
    from clawcli.proxy import commands
    from clawcli.proxy.sessions import derive_session_id

    catalog = default_catalog()
    for body in _proxy_bodies(kind, 50, 99):
        commands.match(body["messages"])
        derive_session_id(body)
        route(body, catalog=catalog, features=extract_features(body))
    bodies = _proxy_bodies(kind, n, 7)
    gc.collect()
    gc.disable()
    if do_route:
        for body in bodies:
            if with_commands:
                commands.match(body["messages"])
                derive_session_id(body)
            route(body, profile=None, catalog=catalog, exclude=frozenset(),
                  baseline_model="anthropic/claude-opus-4.6", features=extract_features(body))


def _instructions(kind: str, n: int, with_commands: bool) -> int:
    """Instructions per proxied request under callgrind: the slope from n to 2n requests, minus
    the same slope without routing (building the bodies). Deterministic, whatever the load."""
    import os
    import re
    import subprocess

    def run(count: int, do_route: bool) -> int:
        cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__,
               "--child", kind, str(count), str(int(do_route)), str(int(with_commands))]
        env = dict(os.environ, PYTHONHASHSEED="0")
        err = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stderr
        return int(re.search(r"Collected : (\d+)", err).group(1))

    routed = run(2 * n, True) - run(n, True)
    built = run(2 * n, False) - run(n, False)
    return (routed - built) // n


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--eval-dir", type=Path, default=REPO.parent / "shared" / "eval")
    ap.add_argument("--repeat", type=int, default=400)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--envelopes", action="store_true", help="time the proxy call on every captured envelope")
    ap.add_argument("--instructions", action="store_true",
                    help="instructions per proxied request under valgrind/callgrind (short prompt and OpenClaw)")
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        kind, n, do_route, cmds = args.child
        _proxy_calls(kind, int(n), do_route == "1", cmds == "1")
        return 0
    if args.instructions:
        for kind in ("short", "openclaw"):
            for cmds in (False, True):
                ir = _instructions(kind, 100, cmds)
                print(f"{'proxy_' + kind + ('+cmds' if cmds else ''):>20}: {ir:,} instructions per request")
        return 0

    _time(SHORT, 20)  # warm up
    report: dict[str, dict] = {}
    kinds = ["short", "openclaw"]
    if args.envelopes:
        kinds += [p.stem for p in sorted((REPO / "tests" / "fixtures" / "agent_requests").glob("*.json"))
                  if p.stem != "openclaw_first_turn"]
    for kind in kinds:
        for cmds in (False, True):
            _time_proxy(kind, 100, cmds)  # warm up
            xs = _time_proxy(kind, args.repeat * 2, cmds)
            report[f"proxy_{kind}{'+cmds' if cmds else ''}"] = {
                "n": len(xs), "p50_us": _pct(xs, 0.5), "p99_us": _pct(xs, 0.99)}
    short = _time(SHORT, args.repeat)
    report["short"] = {
        "n": len(short),
        "p50_us": _pct(short, 0.5),
        "p99_us": _pct(short, 0.99),
    }
    # the classifier keeps a per-word table (what each word can match); "cold" empties it before
    # every call, the worst case (a new process, or a text of words never seen before)
    cold = _time(SHORT, max(20, args.repeat // 10), cold=True)
    report["short_cold_words"] = {
        "n": len(cold),
        "p50_us": _pct(cold, 0.5),
        "p99_us": _pct(cold, 0.99),
    }
    for size in (1_000, 10_000):
        text = (PARA * (size // len(PARA) + 1))[:size]
        xs = _time([text], max(20, args.repeat // 10))
        report[f"{size}_chars"] = {
            "n": len(xs),
            "p50_us": _pct(xs, 0.5),
            "p99_us": _pct(xs, 0.99),
        }
    cjk = (
        "我们的服务在高峰期延迟很高，数据库连接池经常耗尽，请分析原因并给出优化方案。"
        * 300
    )[:10_000]
    xs = _time([cjk], max(20, args.repeat // 10))
    report["10000_chars_cjk"] = {
        "n": len(xs),
        "p50_us": _pct(xs, 0.5),
        "p99_us": _pct(xs, 0.99),
    }

    mmlu = args.eval_dir / "routellm" / "mmlu.jsonl"
    if mmlu.exists():
        with mmlu.open(encoding="utf-8") as fh:
            prompts = [json.loads(line)["prompt"] for line in fh if line.strip()]
        t0 = time.perf_counter()
        for p in prompts:
            classify(RequestFeatures(text=p))
        total = time.perf_counter() - t0
        report["mmlu_batch"] = {
            "n": len(prompts),
            "total_s": round(total, 3),
            "mean_us": round(total / len(prompts) * 1e6, 1),
        }

    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    for name, r in report.items():
        if "p50_us" in r:
            print(
                f"{name:>20}: p50 {r['p50_us']:8.1f} us   p99 {r['p99_us']:8.1f} us   (n={r['n']})"
            )
        else:
            print(
                f"{name:>20}: {r['n']} prompts in {r['total_s']} s ({r['mean_us']} us each)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
