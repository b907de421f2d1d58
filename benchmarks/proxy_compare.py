"""Before/after for `claw serve` performance work: two versions of the code side by side, in one run.

    python benchmarks/proxy_compare.py --before 0860d22              # the working tree vs a commit
    python benchmarks/proxy_compare.py --before A --after B --instructions --rounds 5

Each version is exported with ``git archive`` (the working tree is used as it is for "after" by
default) and run as its own ``claw serve`` (PYTHONPATH pointing at the export, throwaway homes),
both against the same fast loopback upstream and beside the bare pass-through
(``clawcli.bench.proxy``'s ``asgi`` ceiling). Then, in interleaved rounds (bare, before, after,
bare, ...; medians reported, so other load on the machine hits all alike):

- c=16 throughput (wrk, unique prompts) and the server's CPU time per request;
- c=1 p50 latency, plain and ``stream: true``.

``--instructions`` adds what does not depend on machine load at all: instructions per request
of each server process under ``valgrind --tool=callgrind`` (instrumentation switched on after
start-up and a warm-up, then N sequential requests), plain and streamed. The same code gives
the same count to within ~0.5%, whatever else the machine is doing; use it to decide whether a
change helped, and the timed figures to see by how much in time. ``--body FILE`` counts them for
a captured agent request instead of a short prompt (``tests/fixtures/agent_requests/*.json``: its
``body``; the last user message gets a unique suffix per request, the rest repeats as it does
between an agent's turns).

Needs wrk (apt install wrk); --instructions needs valgrind.
"""

from __future__ import annotations

import argparse
import http.client
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

from clawcli.bench.proxy import _LUA, _cpu_s, _stop, _wait_http, _wrk  # noqa: E402


def export(rev: str | None, into: Path) -> Path:
    """The code of ``rev`` (None: the working tree) as a directory to put on PYTHONPATH."""
    if rev is None:
        return ROOT
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def _env(tmp: Path, tag: str, upstream: str, pythonpath: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAWCLI_", "BLOCKRUN_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # start-up as users see it (bytecode cached)
    env.update(CLAWCLI_HOME=str(tmp / f"{tag}-home"), CLAWCLI_OPENCLAW_HOME=str(tmp / f"{tag}-oc"),
               CLAWCLI_GATEWAY_URL=upstream, HOME=str(tmp))
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return env


def _spawn(cmd: list[str], env: dict[str, str] | None, log: Path,
           prefix: list[str] | None = None) -> tuple[subprocess.Popen, int]:
    with open(log, "w") as fh:
        proc = subprocess.Popen((prefix or []) + cmd, stdout=subprocess.PIPE, stderr=fh, text=True, env=env,
                                cwd=log.parent)
    line = proc.stdout.readline()  # type: ignore[union-attr]
    if not line:
        raise RuntimeError(f"{cmd} did not start: {log.read_text()[-2000:]}")
    return proc, (json.loads(line)["port"] if line.lstrip().startswith("{") else int(line))


def _serve_cmd() -> list[str]:
    return [sys.executable, "-m", "clawcli", "serve", "--port", "0", "--json"]


def _bare_cmd(upstream: str, kind: str = "asgi") -> list[str]:
    """The bare pass-through (``asgi``) or issue 16's ceiling (``starlette``) in front of ``upstream``."""
    return [sys.executable, "-c", f"from clawcli.bench.proxy import _ceiling_main; _ceiling_main(0, {upstream!r}, {kind!r})"]


# ------------------------------------------------------------------------------- timed rounds
def timed(versions: dict[str, Path | None], upstream: str, tmp: Path, rounds: int, seconds: float) -> dict[str, Any]:
    procs: dict[str, tuple[subprocess.Popen, int]] = {"bare": _spawn(_bare_cmd(upstream), None, tmp / "bare.log")}
    try:
        for tag, path in versions.items():
            procs[tag] = _spawn(_serve_cmd(), _env(tmp, tag, upstream, path), tmp / f"{tag}.log")
        for _tag, (_p, port) in procs.items():
            _wait_http(f"http://127.0.0.1:{port}/health")
        script = tmp / "unique.lua"
        script.write_text(_LUA)
        run = uuid.uuid4().hex[:8]
        out: dict[str, dict[str, list[float]]] = {t: {"rps": [], "cpu": [], "p50": [], "s50": []} for t in procs}

        def load(tag: str, conns: int, secs: float, stream: bool = False) -> tuple[dict[str, Any], float]:
            proc, port = procs[tag]
            c0 = _cpu_s(proc.pid)
            r = _wrk(f"http://127.0.0.1:{port}/v1/chat/completions", conns, secs, f"{run}-{tag}-{time.time()}",
                     "auto", script, stream=stream)
            if r["errors"]:
                raise RuntimeError(f"{tag}: {r['errors']} errors under load")
            return r, (_cpu_s(proc.pid) - c0) * 1e6 / max(1, r["requests"])

        for tag in procs:  # warm-up
            load(tag, 4, 1)
        for k in range(rounds):
            print(f"... round {k + 1}/{rounds}", file=sys.stderr)
            for tag in procs:
                r, cpu = load(tag, 16, seconds)
                out[tag]["rps"].append(r["rps"])
                out[tag]["cpu"].append(cpu)
            for tag in procs:
                out[tag]["p50"].append(load(tag, 1, seconds)[0]["p50Ms"])
            for tag in procs:
                out[tag]["s50"].append(load(tag, 1, seconds, stream=True)[0]["p50Ms"])
        return {t: {k: statistics.median(v) for k, v in figs.items()} for t, figs in out.items()}
    finally:
        for proc, _port in procs.values():
            _stop(proc)


# ------------------------------------------------------------------------------- instructions
def _agent_body(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text())
    body = dict(data.get("body", data))
    body["model"] = "auto"
    body.pop("stream", None)
    body.pop("stream_options", None)
    return body


def _unique(body: dict[str, Any], tag: str, last: bool = False) -> dict[str, Any]:
    """``body`` with a unique suffix on its last user message (no two requests join in flight);
    ``last``: on its last message whatever its role (an agent mid-loop: a new tool result, the
    user's ask unchanged)."""
    out = dict(body)
    msgs = list(out["messages"])
    for i in range(len(msgs) - 1, -1, -1):
        m = msgs[i]
        if isinstance(m, dict) and (last or m.get("role") == "user"):
            c = m.get("content")
            if isinstance(c, str):
                msgs[i] = {**m, "content": f"{c} ({tag})"}
            elif isinstance(c, list):
                msgs[i] = {**m, "content": [*c, {"type": "text", "text": f"({tag})"}]}
            break
    out["messages"] = msgs
    return out


def instructions(tag: str, path: Path | None, upstream: str, tmp: Path, requests: int, stream: bool,
                 body: dict[str, Any] | None = None, vary_last: bool = False,
                 serve_cmd: list[str] | None = None) -> float:
    """Instructions per request of one server process under callgrind (None path: the bare pass-through;
    ``serve_cmd``: another way to start ``claw serve``, e.g. proxy_ablation.py's)."""
    out = tmp / f"cg-{tag}-{int(stream)}.out"
    cmd = _bare_cmd(upstream) if path is None and tag == "bare" else (serve_cmd or _serve_cmd())
    env = None if tag == "bare" else _env(tmp, f"cg-{tag}", upstream, path)
    proc, port = _spawn(cmd, env, tmp / f"cg-{tag}.log",
                        prefix=["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}"])
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)

        def ask(i: int) -> None:
            if body is not None:
                req = _unique(body, f"cg-{uuid.uuid4().hex[:6]}-{i}", vary_last)
            else:
                req = {"model": "auto", "max_tokens": 64, "messages": [
                    {"role": "user", "content": f"bench cg-{uuid.uuid4().hex[:6]}-{i}: what is the capital of France?"}]}
            if stream:
                req["stream"] = True
            conn.request("POST", "/v1/chat/completions", json.dumps(req), {"content-type": "application/json"})
            r = conn.getresponse()
            data = r.read()
            if r.status != 200:
                raise RuntimeError(f"{tag}: HTTP {r.status}: {data[:200]!r}")

        deadline = time.time() + 300
        while True:  # under valgrind a server takes a while to listen
            try:
                ask(-1)
                break
            except (ConnectionError, http.client.HTTPException, OSError):
                conn.close()
                if time.time() > deadline:
                    raise
                time.sleep(0.3)
        for i in range(30):
            ask(i)
        subprocess.run(["callgrind_control", "-i", "on", str(proc.pid)], check=True, capture_output=True)
        for i in range(requests):
            ask(1000 + i)
        subprocess.run(["callgrind_control", "-d", str(proc.pid)], check=True, capture_output=True)
    finally:
        _stop(proc)
    totals = []
    for f in out.parent.glob(out.name + "*"):
        for line in f.read_text(errors="replace").splitlines():
            if line.startswith(("summary:", "totals:")):
                totals.append(int(line.split()[1]))
                break
    return max(totals) / requests  # the dump taken after the requests; the rest is shutdown


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--before", required=True, help="git revision of the 'before' code")
    ap.add_argument("--after", default=None, help="git revision of the 'after' code (default: the working tree)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=4.0, help="per target and phase in each round")
    ap.add_argument("--instructions", action="store_true", help="also count instructions per request (valgrind)")
    ap.add_argument("--requests", type=int, default=200, help="--instructions: requests counted per server")
    ap.add_argument("--body", type=Path, default=None,
                    help="--instructions: a captured agent request (tests/fixtures/agent_requests/*.json) instead of a short prompt")
    ap.add_argument("--vary-last", action="store_true",
                    help="--body: the unique suffix goes on the last message, whatever its role (mid-loop)")
    ap.add_argument("--no-timed", action="store_true", help="only the instruction counts")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    if not shutil.which("wrk") and not a.no_timed:
        print("error: wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2
    if a.instructions and not shutil.which("valgrind"):
        print("error: --instructions needs valgrind (apt-get install valgrind)", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="claw-compare-"))
    up = None
    try:
        versions = {"before": export(a.before, tmp / "before"), "after": export(a.after, tmp / "after")}
        up, up_port = _spawn([sys.executable, "-m", "clawcli.bench.proxy", "--upstream", "0"], None, tmp / "up.log")
        upstream = f"http://127.0.0.1:{up_port}"
        report: dict[str, Any] = {"before": a.before, "after": a.after or "working tree",
                                  "body": (f"{a.body}{' (last message varied)' if a.vary_last else ''}"
                                           if a.body else "short prompt"),
                                  "loadAverage": list(os.getloadavg())}
        if a.instructions:
            report["kInstructionsPerRequest"] = {
                kind: {tag: round(instructions(tag, path, upstream, tmp, a.requests, kind == "stream",
                                               _agent_body(a.body) if a.body else None, a.vary_last) / 1000, 1)
                       for tag, path in {"bare": None, **versions}.items()}
                for kind in ("plain", "stream")}
        if not a.no_timed:
            report["timed"] = timed(versions, upstream, tmp, a.rounds, a.seconds)
        report["loadAverageEnd"] = list(os.getloadavg())
    finally:
        if up is not None:
            _stop(up)
        shutil.rmtree(tmp, ignore_errors=True)
    if a.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"before {report['before']} | after {report['after']} | {report['body']} | load {report['loadAverage'][0]:.1f} -> "
          f"{report['loadAverageEnd'][0]:.1f}")
    if "kInstructionsPerRequest" in report:
        for kind, row in report["kInstructionsPerRequest"].items():
            print(f"  k instructions per request ({kind}): " + ", ".join(f"{t} {v:.0f}" for t, v in row.items())
                  + f"  (after/before {row['after'] / row['before']:.2f})")
    if "timed" in report:
        t = report["timed"]
        print(f"  {'':7} {'c=16 rps':>9} {'of bare':>8} {'CPU us/req':>11} {'c=1 p50 ms':>11} {'stream p50 ms':>14}")
        for tag, f in t.items():
            print(f"  {tag:7} {f['rps']:9.0f} {f['rps'] / t['bare']['rps']:8.2f} {f['cpu']:11.0f} "
                  f"{f['p50']:11.3f} {f['s50']:14.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
