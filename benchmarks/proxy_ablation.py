"""What each part of `claw serve`'s per-request work costs, measured by taking it out.

    python benchmarks/proxy_ablation.py                      # timed, c=16, 3 rounds
    python benchmarks/proxy_ablation.py --instructions       # + instructions per request (valgrind)

Each variant is a real ``claw serve`` process whose parts are replaced, cumulatively and in
the order below, by the cheapest thing that keeps the request flowing. The variants are not
products (a proxy without routing has no reason to exist); they are how far the rest of the
work lets the throughput go, beside issue 16's ceiling (Starlette + uvicorn + aiohttp
pass-through) and the bare pass-through, in one run:

- ``routing``: feature extraction and ``route()`` return the first request's decision;
- ``checks``: the answer checks (degraded / loop detection) find nothing;
- ``record``: no usage record, so no log line, metrics or ``claw stats`` data;
- ``headers``: no ``x-clawrouter-*`` debug headers (as with ``x-clawrouter-debug: false``);
- ``compression``: the request is not looked at for compression;
- ``validation``: the request is only serialised for the in-flight key, not checked.

What stays in every variant: the body read and parsed once, the in-flight join, the engine's
plan, spend policy and one upstream call on the shared aiohttp session, the answer re-rendered,
the server's limits and ``x-request-id``. Needs wrk; ``--instructions`` needs valgrind.
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
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

#: the parts, in the order they are taken out
PARTS = ("routing", "checks", "record", "headers", "compression", "validation")


# ------------------------------------------------------------------------------- in the server
def _replace(owner: Any, name: str, value: Any) -> None:
    """``owner.name = value``, refusing a name that is not there (a renamed function would
    otherwise leave the part in place and the variant would measure nothing)."""
    if not hasattr(owner, name):
        raise SystemExit(f"proxy_ablation: {owner.__name__}.{name} is gone; update _ablate to the new code")
    setattr(owner, name, value)


def _ablate(parts: set[str]) -> None:
    """Replace ``parts`` in this process (the ``--serve`` child) before ``claw serve`` starts."""
    from clawcli.proxy import chat, sse

    if "routing" in parts:
        seen: dict[str, Any] = {}
        real_features, real_route = chat.extract_features, chat.route

        def features(body: Any) -> Any:
            if "f" not in seen:
                seen["f"] = real_features(body)
            return seen["f"]

        def route(body: Any, **kw: Any) -> Any:
            if "d" not in seen:
                seen["d"] = real_route(body, **kw)
            return seen["d"]

        _replace(chat, "extract_features", features)
        _replace(chat, "route", route)
    if "checks" in parts:
        from clawcli.core.upstream import classify

        _replace(classify, "degraded_reason", lambda content, **kw: None)
        _replace(classify, "loop_reason", lambda text, **kw: None)
    if "record" in parts:
        from clawcli.core.upstream.engine import Engine

        def _log(self: Any, state: Any, *a: Any, **kw: Any) -> None:
            state.logged = True

        _replace(Engine, "_log", _log)
    if "headers" in parts:
        _replace(chat, "decision_headers", lambda *a, **kw: [])
        _replace(sse, "decision_headers", lambda *a, **kw: [])
    if "compression" in parts:
        stats: dict[str, Any] = {}
        real_compress = chat.compress_request

        def compress(body: Any, mode: str) -> Any:
            if "s" not in stats:
                stats["s"] = real_compress(body, "off")[1]
            return body, stats["s"]

        _replace(chat, "compress_request", compress)
    if "validation" in parts:
        import orjson

        _replace(chat, "validate_chat", lambda body: orjson.dumps(body, option=orjson.OPT_SORT_KEYS))


def _serve_child(parts: str) -> int:
    _ablate({p for p in parts.split(",") if p})
    from clawcli.cli.main import run

    sys.argv = ["claw", "serve", "--port", "0", "--json"]
    run()
    return 0


# ------------------------------------------------------------------------------- the driver
def _variants(upto: list[str]) -> dict[str, str]:
    """``full``, then one variant per part, each without that part and all before it."""
    out = {"full": ""}
    for i, part in enumerate(upto):
        out[f"-{part}"] = ",".join(upto[: i + 1])
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--serve", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--parts", default=",".join(PARTS),
                    help=f"the parts to take out, cumulatively, in this order (default: {','.join(PARTS)})")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=4.0, help="per target in each round")
    ap.add_argument("--instructions", action="store_true", help="also count instructions per request (valgrind)")
    ap.add_argument("--requests", type=int, default=200, help="--instructions: requests counted per server")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    if a.serve is not None:
        return _serve_child(a.serve)
    parts = [p for p in a.parts.split(",") if p]
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        print(f"error: unknown part {unknown[0]!r}; choose from {', '.join(PARTS)}", file=sys.stderr)
        return 2
    if not shutil.which("wrk"):
        print("error: wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2
    if a.instructions and not shutil.which("valgrind"):
        print("error: --instructions needs valgrind (apt-get install valgrind)", file=sys.stderr)
        return 2

    import proxy_compare as pc

    from clawcli.bench.proxy import _LUA, _cpu_s, _stop, _wait_http, _wrk

    variants = _variants(parts)
    tmp = Path(tempfile.mkdtemp(prefix="claw-ablation-"))
    procs: dict[str, tuple[subprocess.Popen, int]] = {}
    up = None
    report: dict[str, Any] = {"loadAverage": list(os.getloadavg())}
    try:
        up, up_port = pc._spawn([sys.executable, "-m", "clawcli.bench.proxy", "--upstream", "0"], None, tmp / "up.log")
        upstream = f"http://127.0.0.1:{up_port}"

        def cmd(spec: str) -> list[str]:
            return [sys.executable, str(Path(__file__).resolve()), "--serve", spec]

        ceiling_cmd = pc._bare_cmd(upstream, "starlette")
        if a.instructions:
            kinstr: dict[str, float] = {}
            print("... instructions: ceiling, bare", file=sys.stderr)
            kinstr["ceiling"] = pc.instructions("ceiling", None, upstream, tmp, a.requests, False,
                                                serve_cmd=ceiling_cmd) / 1000
            kinstr["bare"] = pc.instructions("bare", None, upstream, tmp, a.requests, False) / 1000
            for tag, spec in variants.items():
                print(f"... instructions: {tag}", file=sys.stderr)
                kinstr[tag] = pc.instructions(tag, ROOT, upstream, tmp, a.requests, False,
                                              serve_cmd=cmd(spec)) / 1000
            report["kInstructionsPerRequest"] = {k: round(v, 1) for k, v in kinstr.items()}

        procs["ceiling"] = pc._spawn(ceiling_cmd, None, tmp / "ceiling.log")
        procs["bare"] = pc._spawn(pc._bare_cmd(upstream), None, tmp / "bare.log")
        for tag, spec in variants.items():
            procs[tag] = pc._spawn(cmd(spec), pc._env(tmp, tag, upstream, ROOT), tmp / f"{tag}.log")
        for _p, port in procs.values():
            _wait_http(f"http://127.0.0.1:{port}/health")
        script = tmp / "unique.lua"
        script.write_text(_LUA)
        run = uuid.uuid4().hex[:8]
        rps: dict[str, list[float]] = {t: [] for t in procs}
        cpu: dict[str, list[float]] = {t: [] for t in procs}

        def load(tag: str, conns: int, secs: float) -> tuple[float, float]:
            """(requests per second, CPU µs per request) of one wrk run against ``tag``."""
            proc, port = procs[tag]
            c0 = _cpu_s(proc.pid)
            r = _wrk(f"http://127.0.0.1:{port}/v1/chat/completions", conns, secs, f"{run}-{tag}-{time.time()}",
                     "auto", script)
            if r["errors"]:
                raise RuntimeError(f"{tag}: {r['errors']} errors under load")
            return r["rps"], (_cpu_s(proc.pid) - c0) * 1e6 / max(1, r["requests"])

        for tag in procs:  # warm-up
            load(tag, 4, 1)
        order = list(procs)
        for k in range(a.rounds):
            print(f"... round {k + 1}/{a.rounds}", file=sys.stderr)
            for tag in order if k % 2 == 0 else order[::-1]:
                r, c = load(tag, 16, a.seconds)
                rps[tag].append(r)
                cpu[tag].append(c)
        report["timed"] = {t: {"rps": statistics.median(rps[t]), "cpuUsPerRequest": statistics.median(cpu[t])}
                           for t in procs}
        report["loadAverageEnd"] = list(os.getloadavg())
    finally:
        for proc, _port in procs.values():
            _stop(proc)
        if up is not None:
            _stop(up)
        shutil.rmtree(tmp, ignore_errors=True)

    if a.json:
        print(json.dumps(report, indent=2))
        return 0
    t = report["timed"]
    ceiling = t["ceiling"]["rps"]
    k = report.get("kInstructionsPerRequest", {})
    print(f"c=16, {a.rounds} interleaved rounds of {a.seconds:g}s, medians; load {report['loadAverage'][0]:.1f} -> "
          f"{report['loadAverageEnd'][0]:.1f}")
    print("  (each '-part' row is claw serve without that part and without every part above it)")
    print(f"  {'server':38} {'rps':>7} {'of ceiling':>10} {'CPU us/req':>10}" + (f" {'k instr/req':>11}" if k else ""))
    for tag, f in t.items():
        label = {"ceiling": "ceiling (Starlette + uvicorn + aiohttp)", "bare": "bare pass-through (no Starlette)",
                 "full": "claw serve"}.get(tag, f"  {tag}")
        print(f"  {label:38} {f['rps']:7.0f} {f['rps'] / ceiling:10.2f} {f['cpuUsPerRequest']:10.0f}"
              + (f" {k[tag]:11.0f}" if tag in k else (f" {'':11}" if k else "")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
