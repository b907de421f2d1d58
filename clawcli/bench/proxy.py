"""`claw bench proxy`: the proxy's added latency and throughput against a fast local upstream.

    from clawcli.bench.proxy import run_proxy_bench
    report = run_proxy_bench(duration=5.0)        # -> dict, see below
    python -m clawcli.bench.proxy [--duration 6] [--rounds 3] [--tool wrk|aiohttp]
                                  [--transport fast|aiohttp|httpx] [--json]
    python benchmarks/proxy_bench.py ...      # the same
    claw bench proxy ...                      # the same numbers, rendered by the CLI

``run_proxy_bench(*, duration=6.0, warmup=1.0, concurrency=16, tool="auto", model="auto",
rounds=3, serve_cmd=None, upstream_port=0, serve_env=None, progress=None) -> dict``

- starts a fast loopback upstream that needs no payment (a tiny httptools server in a
  subprocess answering every chat request with a fixed, valid chat.completion);
- starts ``claw serve`` (``serve_cmd``, default ``[sys.executable, "-m", "clawcli", "serve"]``)
  in a subprocess on a free port, with a throwaway CLAWCLI_HOME / CLAWCLI_OPENCLAW_HOME so the
  run touches neither the user's wallet nor their usage log, pointed at that upstream;
- drives both the upstream directly and the proxy with the same load generator in the same
  run: ``wrk`` (Lua script: a unique prompt per request and per run) when installed, else an
  aiohttp client (``tool="aiohttp"``); first c=1 (latency), then c=``concurrency`` (throughput);
- ``model`` is the request's model id ("auto" routes every request through the classifier);
- ``duration`` seconds per target and concurrency, split into ``rounds`` interleaved rounds
  (direct, proxy, direct, proxy, ...); each figure is the median over the rounds, so other load
  on a shared machine hits both sides alike; ``progress(msg)`` is called between steps;
- ``serve_env``: extra environment for ``claw serve`` (e.g. ``{"CLAWCLI_PROXY_TRANSPORT": "httpx"}``
  to measure httpx's default transport instead of the aiohttp one).

Returned dict (times in ms, rates in requests/s, memory in MB)::

    {"transport", "tool", "cpus", "duration", "model", "rounds",
     "c1": {"direct": {"p50Ms", "p99Ms", "rps", "requests", "errors"}, "proxy": {...},
            "addedP50Ms", "addedP99Ms", "rounds": {"direct": [...], "proxy": [...]}},
     "cN": {"concurrency", "direct": {...}, "proxy": {...}, "rounds": {...}},
     "serverCpuUsPerRequest",      # CPU time of the claw serve process per request at c=N
     "rssMb", "peakRssMb",
     "targets": {"addedP50Ms": 1.0, "addedP99Ms": 5.0, "rps": 1200, "rssMb": 100}}
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

TARGETS = {"addedP50Ms": 1.0, "addedP99Ms": 5.0, "rps": 1200, "rssMb": 100}

# --------------------------------------------------------------------------- the fast upstream
_ANSWER = ("Paris is the capital of France. This fixed answer comes from the benchmark upstream, "
           "which needs no payment and answers instantly.")


def _upstream_main(port: int) -> None:
    """A minimal keep-alive HTTP/1.1 server (httptools + uvloop): one fixed chat.completion."""
    import httptools

    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover
        pass
    counter = [0]

    class Proto(asyncio.Protocol):
        def connection_made(self, transport: Any) -> None:
            self.t = transport
            self.p = httptools.HttpRequestParser(self)

        def data_received(self, data: bytes) -> None:
            try:
                self.p.feed_data(data)
            except httptools.HttpParserError:
                self.t.close()

        def on_message_complete(self) -> None:
            counter[0] += 1
            body = json.dumps({
                "id": f"chatcmpl-bench{counter[0]}", "object": "chat.completion", "created": 1700000000,
                "model": "bench/upstream",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": _ANSWER},
                             "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 12, "completion_tokens": 24, "total_tokens": 36},
            }, separators=(",", ":")).encode()
            self.t.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
                         + str(len(body)).encode() + b"\r\n\r\n" + body)
            if not self.p.should_keep_alive():
                self.t.close()

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Proto, "127.0.0.1", port, backlog=1024)
        print(server.sockets[0].getsockname()[1], flush=True)
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        loop.add_signal_handler(signal.SIGINT, stop.set)
        await stop.wait()
        server.close()

    asyncio.run(main())


# --------------------------------------------------------------------------- load generators
_LUA = r"""
local counter = 0
local run = os.getenv("CLAW_BENCH_RUN") or tostring(os.time())
local model = os.getenv("CLAW_BENCH_MODEL") or "auto"
local threads = {}
local next_id = 0
function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
end
request = function()
  counter = counter + 1
  local body = '{"model":"' .. model .. '","messages":[{"role":"user","content":"bench ' .. run .. '-' ..
    tostring(tid) .. '-' .. counter .. ': what is the capital of France? Answer briefly."}],"max_tokens":64}'
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end
"""

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s|m)", text)
    if not m:
        return float("nan")
    return float(m.group(1)) * _UNITS[m.group(2)]


def _wrk(url: str, conns: int, duration: float, run_id: str, model: str, script: Path) -> dict[str, Any]:
    threads = 1 if conns == 1 else 2
    env = dict(os.environ, CLAW_BENCH_RUN=run_id, CLAW_BENCH_MODEL=model)
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{conns}", f"-d{max(1, round(duration))}s", "--latency", "-s", str(script), url],
        capture_output=True, text=True, env=env, timeout=duration + 60,
    ).stdout
    res: dict[str, Any] = {"requests": 0, "errors": 0}
    for line in out.splitlines():
        s = line.strip()
        if s.startswith("50%"):
            res["p50Ms"] = round(_ms(s.split()[1]), 3)
        elif s.startswith("99%"):
            res["p99Ms"] = round(_ms(s.split()[1]), 3)
        elif s.startswith("Requests/sec:"):
            res["rps"] = round(float(s.split()[1]), 1)
        elif "requests in" in s:
            res["requests"] = int(s.split()[0])
        elif s.startswith("Non-2xx or 3xx responses:"):
            res["errors"] += int(s.split()[-1])
        elif s.startswith("Socket errors:"):
            res["errors"] += sum(int(x) for x in re.findall(r"\d+", s))
    if "rps" not in res:
        raise RuntimeError(f"wrk gave no result for {url}:\n{out}")
    return res


async def _aiohttp_load(url: str, conns: int, duration: float, run_id: str, model: str) -> dict[str, Any]:
    import aiohttp

    lat: list[float] = []
    errors = 0
    stop_at = time.perf_counter() + duration
    conn = aiohttp.TCPConnector(limit=conns, force_close=False)
    async with aiohttp.ClientSession(connector=conn) as session:

        async def worker(w: int) -> None:
            nonlocal errors
            i = 0
            while time.perf_counter() < stop_at:
                i += 1
                body = json.dumps({"model": model, "max_tokens": 64, "messages": [
                    {"role": "user", "content": f"bench {run_id}-{w}-{i}: what is the capital of France?"}]})
                t0 = time.perf_counter()
                async with session.post(url, data=body, headers={"content-type": "application/json"}) as r:
                    await r.read()
                    if r.status != 200:
                        errors += 1
                lat.append((time.perf_counter() - t0) * 1000)

        t0 = time.perf_counter()
        await asyncio.gather(*(worker(w) for w in range(conns)))
        elapsed = time.perf_counter() - t0
    lat.sort()
    pick = (lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]) if lat else (lambda q: float("nan"))
    return {"p50Ms": round(pick(0.50), 3), "p99Ms": round(pick(0.99), 3), "rps": round(len(lat) / elapsed, 1),
            "requests": len(lat), "errors": errors}


# --------------------------------------------------------------------------- processes
def _rss_mb(pid: int) -> tuple[float | None, float | None]:
    rss = hwm = None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) / 1024
    except OSError:
        pass
    return (round(rss, 1) if rss else None), (round(hwm, 1) if hwm else None)


def _cpu_s(pid: int) -> float:
    """utime + stime of a process, in seconds (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def _wait_http(url: str, timeout: float = 30.0) -> None:
    import urllib.request

    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up within {timeout:.0f}s")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _median(xs: list[float]) -> float:
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per figure, the median over the rounds; counts are summed."""
    out: dict[str, Any] = {}
    for k in ("p50Ms", "p99Ms", "rps"):
        out[k] = round(_median([r[k] for r in runs]), 3)
    out["requests"] = sum(r["requests"] for r in runs)
    out["errors"] = sum(r["errors"] for r in runs)
    return out


def run_proxy_bench(*, duration: float = 6.0, warmup: float = 1.0, concurrency: int = 16, tool: str = "auto",
                    model: str = "auto", rounds: int = 3, serve_cmd: list[str] | None = None,
                    upstream_port: int = 0, serve_env: dict[str, str] | None = None,
                    progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run the benchmark (see the module docstring for the arguments and the returned dict)."""
    say = progress or (lambda _m: None)
    if tool == "auto":
        tool = "wrk" if shutil.which("wrk") else "aiohttp"
    if tool == "wrk" and not shutil.which("wrk"):
        from clawcli.core.errors import ClawError

        raise ClawError("wrk is not installed", "apt-get install wrk, or use --tool aiohttp")
    tmp = Path(tempfile.mkdtemp(prefix="claw-bench-"))
    procs: list[subprocess.Popen] = []
    try:
        up = subprocess.Popen([sys.executable, "-m", "clawcli.bench.proxy", "--upstream", str(upstream_port)],
                              stdout=subprocess.PIPE, text=True)
        procs.append(up)
        up_port = int(up.stdout.readline().strip())  # type: ignore[union-attr]
        up_url = f"http://127.0.0.1:{up_port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAWCLI_", "BLOCKRUN_"))}
        env.update(CLAWCLI_HOME=str(tmp / "home"), CLAWCLI_OPENCLAW_HOME=str(tmp / "openclaw"),
                   CLAWCLI_GATEWAY_URL=up_url, HOME=str(tmp))
        env.update(serve_env or {})
        cmd = (serve_cmd or [sys.executable, "-m", "clawcli", "serve"]) + ["--port", "0", "--json"]
        # stderr to a file, never an unread pipe: `claw serve` logs a line per request, and a full
        # pipe would stall it mid-benchmark
        serve_log = tmp / "serve.log"
        with open(serve_log, "w") as log_fh:
            serve = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log_fh, text=True, env=env)
        procs.append(serve)
        line = serve.stdout.readline()  # type: ignore[union-attr]
        if not line:
            raise RuntimeError("claw serve did not start: " + serve_log.read_text()[-2000:])
        info = json.loads(line)
        proxy_url = f"http://127.0.0.1:{info['port']}"
        _wait_http(proxy_url + "/health")
        script = tmp / "unique.lua"
        script.write_text(_LUA)
        run_base = uuid.uuid4().hex[:10]

        def load(url: str, conns: int, secs: float, tag: str) -> dict[str, Any]:
            rid = f"{run_base}-{tag}"  # unique prompts per request, per target and per run
            if tool == "wrk":
                return _wrk(url + "/v1/chat/completions", conns, secs, rid, model, script)
            return asyncio.run(_aiohttp_load(url + "/v1/chat/completions", conns, secs, rid, model))

        say("warming up")
        load(up_url, 4, warmup, "wu-d")
        load(proxy_url, 4, warmup, "wu-p")
        # Interleaved rounds (direct, proxy, direct, proxy, ...) and the median round per
        # figure: other load on the machine then hits both sides alike instead of one run.
        per = max(1.0, duration / rounds)
        d1s, p1s, dns, pns, cpu = [], [], [], [], []
        for k in range(rounds):
            say(f"round {k + 1}/{rounds}: c=1")
            d1s.append(load(up_url, 1, per, f"c1-d{k}"))
            p1s.append(load(proxy_url, 1, per, f"c1-p{k}"))
            say(f"round {k + 1}/{rounds}: c={concurrency}")
            dns.append(load(up_url, concurrency, per, f"cn-d{k}"))
            cpu0 = _cpu_s(serve.pid)
            pns.append(load(proxy_url, concurrency, per, f"cn-p{k}"))
            cpu.append((_cpu_s(serve.pid) - cpu0) * 1e6 / max(1, pns[-1]["requests"]))
        d1, p1, dn, pn = _median_run(d1s), _median_run(p1s), _median_run(dns), _median_run(pns)
        added50 = _median([p["p50Ms"] - d["p50Ms"] for d, p in zip(d1s, p1s, strict=True)])
        added99 = _median([p["p99Ms"] - d["p99Ms"] for d, p in zip(d1s, p1s, strict=True)])
        cpu_us = _median(cpu)
        rss, hwm = _rss_mb(serve.pid)
        return {
            "transport": (serve_env or {}).get("CLAWCLI_PROXY_TRANSPORT", "fast"),
            "tool": tool, "cpus": os.cpu_count(), "duration": duration, "model": model,
            "rounds": rounds,
            "c1": {"direct": d1, "proxy": p1, "addedP50Ms": round(added50, 3), "addedP99Ms": round(added99, 3),
                   "rounds": {"direct": d1s, "proxy": p1s}},
            "cN": {"concurrency": concurrency, "direct": dn, "proxy": pn, "rounds": {"direct": dns, "proxy": pns}},
            "serverCpuUsPerRequest": round(cpu_us, 1),
            "rssMb": rss, "peakRssMb": hwm, "targets": dict(TARGETS),
        }
    finally:
        for p in reversed(procs):
            _stop(p)
        shutil.rmtree(tmp, ignore_errors=True)


def format_report(r: dict[str, Any]) -> str:
    c1, cn = r["c1"], r["cN"]
    t = r["targets"]
    return "\n".join([
        f"claw serve ({r.get('transport', 'fast')} transport) vs the upstream called directly "
        f"({r['tool']}, {r['cpus']} CPUs, {r['duration']:g}s per target in {r['rounds']} interleaved rounds, "
        f"medians; model {r['model']!r}, unique prompts)",
        f"  c=1   direct p50 {c1['direct']['p50Ms']:.3f} ms p99 {c1['direct']['p99Ms']:.3f} ms | "
        f"proxy p50 {c1['proxy']['p50Ms']:.3f} ms p99 {c1['proxy']['p99Ms']:.3f} ms",
        f"        added p50 {c1['addedP50Ms']:.3f} ms (target <= {t['addedP50Ms']}) · "
        f"added p99 {c1['addedP99Ms']:.3f} ms (target <= {t['addedP99Ms']})",
        f"  c={cn['concurrency']:<3} direct {cn['direct']['rps']:.0f} rps | proxy {cn['proxy']['rps']:.0f} rps "
        f"(target >= {t['rps']}), proxy p99 {cn['proxy']['p99Ms']:.2f} ms, errors {cn['proxy']['errors']}",
        f"  server CPU {r['serverCpuUsPerRequest']:.0f} us per request at c={cn['concurrency']}",
        f"  server RSS {r['rssMb']} MB (peak {r['peakRssMb']} MB, target <= {t['rssMb']})",
    ])


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m clawcli.bench.proxy", description=__doc__.split("\n\n")[0])
    ap.add_argument("--upstream", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--duration", type=float, default=6.0, help="seconds per target and concurrency")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--tool", choices=("auto", "wrk", "aiohttp"), default="auto")
    ap.add_argument("--model", default="auto")
    ap.add_argument("--transport", choices=("fast", "aiohttp", "httpx"), default=None,
                    help="the engine's HTTP transport inside claw serve (default fast)")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    if a.upstream is not None:
        _upstream_main(a.upstream)
        return 0
    r = run_proxy_bench(duration=a.duration, concurrency=a.concurrency, tool=a.tool, model=a.model, rounds=a.rounds,
                        serve_env={"CLAWCLI_PROXY_TRANSPORT": a.transport} if a.transport else None,
                        progress=lambda m: print(f"... {m}", file=sys.stderr))
    print(json.dumps(r, indent=2) if a.json else format_report(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
