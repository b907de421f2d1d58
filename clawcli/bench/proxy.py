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
- starts two pass-throughs on the same server stack: the ceiling (Starlette + uvicorn + one
  aiohttp session, issue 16's definition of what Python can do) and the bare pass-through (the
  same without Starlette: a raw ASGI callable, the floor of any Python proxy here);
- drives the upstream directly, both pass-throughs and the proxy with the same load generator in the same
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

TARGETS = {"addedP50Ms": 0.6, "addedP99Ms": 5.0, "streamAddedP50Ms": 0.9, "rpsRatio": 0.8, "rssMb": 100,
           "paidRoundTrips": 1.2}

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
            self.body = b""

        def on_message_begin(self) -> None:
            self.body = b""

        def on_body(self, body: bytes) -> None:
            self.body += body

        def data_received(self, data: bytes) -> None:
            try:
                self.p.feed_data(data)
            except httptools.HttpParserError:
                self.t.close()

        def on_message_complete(self) -> None:
            counter[0] += 1
            if b'"stream":true' in self.body.replace(b" ", b""):
                body = _sse_answer(counter[0])
                self.t.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: "
                             + str(len(body)).encode() + b"\r\n\r\n" + body)
                if not self.p.should_keep_alive():
                    self.t.close()
                return
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


def _sse_answer(n: int) -> bytes:
    """The fixed answer as a stream: a role chunk, 8 content chunks, a finish chunk with usage, [DONE]."""
    base = {"id": f"chatcmpl-bench{n}", "object": "chat.completion.chunk", "created": 1700000000,
            "model": "bench/upstream"}
    words = _ANSWER.split(" ")
    step = max(1, len(words) // 8)
    parts = [" ".join(words[i:i + step]) + " " for i in range(0, len(words), step)]
    chunks = [dict(base, choices=[{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])]
    chunks += [dict(base, choices=[{"index": 0, "delta": {"content": p}, "finish_reason": None}]) for p in parts]
    chunks.append(dict(base, choices=[{"index": 0, "delta": {}, "finish_reason": "stop"}],
                       usage={"prompt_tokens": 12, "completion_tokens": 24, "total_tokens": 36}))
    return b"".join(b"data: " + json.dumps(c, separators=(",", ":")).encode() + b"\n\n" for c in chunks) \
        + b"data: [DONE]\n\n"


# --------------------------------------------------------------------------- the ceilings
#: the pass-throughs measured beside the proxy: "ceiling" is issue 16's definition of what Python
#: can do (Starlette + uvicorn + one aiohttp session, no routing, payment or checks); "bare" drops
#: Starlette too (a raw ASGI callable), the lower bound of any Python proxy on this server stack
CEILING_KINDS = ("starlette", "asgi")


def _ceiling_main(port: int, upstream: str, kind: str = "starlette") -> None:
    """A pass-through on the server stack of `claw serve` (uvicorn, uvloop, httptools): each
    request goes through one keep-alive aiohttp session to ``upstream``; ``kind`` as above."""
    import aiohttp
    import uvicorn

    session: list[aiohttp.ClientSession] = []
    url = upstream + "/v1/chat/completions"

    def client() -> aiohttp.ClientSession:
        if not session:
            session.append(aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=256, keepalive_timeout=60),
                                                 cookie_jar=aiohttp.DummyCookieJar()))
        return session[0]

    async def bare(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        if scope["method"] == "GET":  # health probe
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
            await send({"type": "http.response.body", "body": b"ok"})
            return
        chunks, more = [], True
        while more:
            msg = await receive()
            chunks.append(msg.get("body", b""))
            more = msg.get("more_body", False)
        async with client().post(url, data=b"".join(chunks), headers={"content-type": "application/json"}) as r:
            ctype = r.headers.get("content-type", "application/json").encode()
            if b"event-stream" in ctype:
                await send({"type": "http.response.start", "status": r.status, "headers": [(b"content-type", ctype)]})
                async for piece in r.content.iter_any():
                    await send({"type": "http.response.body", "body": piece, "more_body": True})
                await send({"type": "http.response.body", "body": b""})
                return
            data = await r.read()
        await send({"type": "http.response.start", "status": r.status,
                    "headers": [(b"content-type", ctype), (b"content-length", str(len(data)).encode())]})
        await send({"type": "http.response.body", "body": data})

    app: Any = bare
    if kind == "starlette":
        from starlette.applications import Starlette
        from starlette.responses import PlainTextResponse, Response, StreamingResponse
        from starlette.routing import Route

        async def chat(request: Any) -> Any:
            body = await request.body()
            r = await client().post(url, data=body, headers={"content-type": "application/json"})
            ctype = r.headers.get("content-type", "application/json")
            if "event-stream" in ctype:
                async def pieces() -> Any:
                    try:
                        async for piece in r.content.iter_any():
                            yield piece
                    finally:
                        r.release()

                return StreamingResponse(pieces(), status_code=r.status, media_type=ctype)
            data = await r.read()
            r.release()
            return Response(data, status_code=r.status, media_type=ctype)

        async def health(request: Any) -> Any:
            return PlainTextResponse("ok")

        app = Starlette(routes=[Route("/v1/chat/completions", chat, methods=["POST"]),
                                Route("/health", health, methods=["GET"])])

    import socket

    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    print(sock.getsockname()[1], flush=True)
    config = uvicorn.Config(app, loop="uvloop", http="httptools", lifespan="off", access_log=False,
                            log_level="warning", server_header=False)
    uvicorn.Server(config).run(sockets=[sock])


# --------------------------------------------------------------------------- load generators
_LUA = r"""
local counter = 0
local run = os.getenv("CLAW_BENCH_RUN") or tostring(os.time())
local model = os.getenv("CLAW_BENCH_MODEL") or "auto"
local stream = os.getenv("CLAW_BENCH_STREAM") == "1" and ',"stream":true' or ''

local threads = {}
local next_id = 0
function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
end
request = function()
  counter = counter + 1
  local body = '{"model":"' .. model .. '","messages":[{"role":"user","content":"bench ' .. run .. '-' ..
    tostring(tid) .. '-' .. counter .. ': what is the capital of France? Answer briefly."}],"max_tokens":64' ..
    stream .. '}'
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end
"""

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s|m)", text)
    if not m:
        return float("nan")
    return float(m.group(1)) * _UNITS[m.group(2)]


def _wrk(url: str, conns: int, duration: float, run_id: str, model: str, script: Path,
         stream: bool = False) -> dict[str, Any]:
    threads = 1 if conns == 1 else 2
    env = dict(os.environ, CLAW_BENCH_RUN=run_id, CLAW_BENCH_MODEL=model, CLAW_BENCH_STREAM="1" if stream else "0")
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


async def _aiohttp_load(url: str, conns: int, duration: float, run_id: str, model: str,
                        stream: bool = False) -> dict[str, Any]:
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
                body = json.dumps({"model": model, "max_tokens": 64, "stream": stream, "messages": [
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


def _other_cpu_s(own_pids: list[int]) -> float:
    """CPU seconds the whole machine spent so far, less this process, its finished children (the
    load generator runs) and ``own_pids`` (the servers): what everything else on it used."""
    import resource

    try:
        with open("/proc/stat") as fh:
            user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fh.readline().split()[1:9])
    except (OSError, ValueError):  # pragma: no cover - not Linux
        return 0.0
    total = (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
    own = sum(_cpu_s(pid) for pid in own_pids)
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        ru = resource.getrusage(who)
        own += ru.ru_utime + ru.ru_stime
    return total - own


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


def _load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:  # pragma: no cover - not on Linux
        return []


def _start(cmd: list[str], env: dict[str, str] | None, log: Path) -> tuple[subprocess.Popen, str]:
    """A server subprocess that prints its port (or a JSON line with it) first; stderr to ``log``."""
    with open(log, "w") as fh:  # never an unread pipe: `claw serve` logs a line per request
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=fh, text=True, env=env)
    line = proc.stdout.readline()  # type: ignore[union-attr]
    if not line:
        proc.wait(10)
        raise RuntimeError(f"{cmd[2:4]} did not start: " + log.read_text()[-2000:])
    port = json.loads(line)["port"] if line.lstrip().startswith("{") else int(line)
    return proc, f"http://127.0.0.1:{port}"


def run_proxy_bench(*, duration: float = 6.0, warmup: float = 1.0, concurrency: int = 16, tool: str = "auto",
                    model: str = "auto", rounds: int = 3, serve_cmd: list[str] | None = None,
                    upstream_port: int = 0, serve_env: dict[str, str] | None = None, stream: bool = True,
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
    load_start = _load_average()
    try:
        up, up_url = _start([sys.executable, "-m", "clawcli.bench.proxy", "--upstream", str(upstream_port)],
                            None, tmp / "upstream.log")
        procs.append(up)
        ceiling, ceiling_url = _start([sys.executable, "-m", "clawcli.bench.proxy", "--ceiling", up_url],
                                      None, tmp / "ceiling.log")
        procs.append(ceiling)
        bare, bare_url = _start([sys.executable, "-m", "clawcli.bench.proxy", "--ceiling", up_url,
                                 "--ceiling-kind", "asgi"], None, tmp / "bare.log")
        procs.append(bare)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAWCLI_", "BLOCKRUN_"))}
        env.update(CLAWCLI_HOME=str(tmp / "home"), CLAWCLI_OPENCLAW_HOME=str(tmp / "openclaw"),
                   CLAWCLI_GATEWAY_URL=up_url, HOME=str(tmp))
        env.update(serve_env or {})
        cmd = (serve_cmd or [sys.executable, "-m", "clawcli", "serve"]) + ["--port", "0", "--json"]
        serve, proxy_url = _start(cmd, env, tmp / "serve.log")
        procs.append(serve)
        _wait_http(proxy_url + "/health")
        script = tmp / "unique.lua"
        script.write_text(_LUA)
        run_base = uuid.uuid4().hex[:10]
        urls = {"direct": up_url, "ceiling": ceiling_url, "bare": bare_url, "proxy": proxy_url}
        pids = {"ceiling": ceiling.pid, "bare": bare.pid, "proxy": serve.pid}

        def load(who: str, conns: int, secs: float, tag: str, streamed: bool = False) -> dict[str, Any]:
            rid = f"{run_base}-{tag}-{who}"  # unique prompts per request, per target and per run
            url = urls[who] + "/v1/chat/completions"
            if tool == "wrk":
                return _wrk(url, conns, secs, rid, model, script, stream=streamed)
            return asyncio.run(_aiohttp_load(url, conns, secs, rid, model, stream=streamed))

        say("warming up")
        for who in urls:
            load(who, 4, warmup, "wu")
        all_pids = [p.pid for p in procs]
        others0 = _other_cpu_s(all_pids)
        wall0 = time.monotonic()
        # Interleaved rounds (direct, ceiling, proxy, direct, ...) and the median round per figure:
        # other load on the machine then hits all three alike instead of one run.
        per = max(1.0, duration / rounds)
        phases = {"c1": (1, False), "cN": (concurrency, False)} | ({"s1": (1, True)} if stream else {})
        runs: dict[str, dict[str, list[dict[str, Any]]]] = {ph: {w: [] for w in urls} for ph in phases}
        cpu: dict[str, list[float]] = {who: [] for who in pids}
        for k in range(rounds):
            for ph, (conns, streamed) in phases.items():
                say(f"round {k + 1}/{rounds}: {ph}")
                for who in urls:
                    cpu0 = _cpu_s(pids[who]) if ph == "cN" and who in pids else None
                    runs[ph][who].append(load(who, conns, per, f"{ph}{k}", streamed))
                    if cpu0 is not None:
                        cpu[who].append((_cpu_s(pids[who]) - cpu0) * 1e6 / max(1, runs[ph][who][-1]["requests"]))

        def added(ph: str, who: str, q: str = "p50Ms") -> float:
            return round(_median([p[q] - d[q] for d, p in zip(runs[ph]["direct"], runs[ph][who], strict=True)]), 3)

        def block(ph: str) -> dict[str, Any]:
            out: dict[str, Any] = {who: _median_run(runs[ph][who]) for who in urls}
            out.update(addedP50Ms=added(ph, "proxy"), addedP99Ms=added(ph, "proxy", "p99Ms"),
                       ceilingAddedP50Ms=added(ph, "ceiling"), bareAddedP50Ms=added(ph, "bare"), rounds=runs[ph])
            return out

        c1, cn = block("c1"), block("cN")
        cn["concurrency"] = concurrency
        ceiling_rps = cn["ceiling"]["rps"]
        cn["ratio"] = round(cn["proxy"]["rps"] / ceiling_rps, 3) if ceiling_rps else None
        cn["bareRatio"] = round(cn["proxy"]["rps"] / cn["bare"]["rps"], 3) if cn["bare"]["rps"] else None
        # CPU that neither this benchmark nor its load generator used, per second of the run
        other_cpus = round((_other_cpu_s(all_pids) - others0) / max(1e-6, time.monotonic() - wall0), 2)
        rss, hwm = _rss_mb(serve.pid)
        load_end = _load_average()
        cpus = os.cpu_count() or 1
        return {
            "transport": (serve_env or {}).get("CLAWCLI_PROXY_TRANSPORT", "aiohttp"),
            "tool": tool, "cpus": cpus, "duration": duration, "model": model, "rounds": rounds,
            "c1": c1, "cN": cn, "stream": block("s1") if stream else None,
            "serverCpuUsPerRequest": round(_median(cpu["proxy"]), 1),
            "ceilingCpuUsPerRequest": round(_median(cpu["ceiling"]), 1),
            "bareCpuUsPerRequest": round(_median(cpu["bare"]), 1),
            "rssMb": rss, "peakRssMb": hwm, "ceilingRssMb": _rss_mb(ceiling.pid)[0],
            "loadAverage": {"start": load_start, "end": load_end},
            "otherCpus": other_cpus,
            # other work on the machine during the run (not the benchmark's own servers and load
            # generator, which the load average counts too): the absolute figures are then noisy
            # (the ratios to the ceiling, measured in the same rounds, much less so)
            "busy": other_cpus > 0.25,
            "targets": dict(TARGETS),
        }
    finally:
        for proc in reversed(procs):
            _stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)


def format_report(r: dict[str, Any]) -> str:
    c1, cn, st, t = r["c1"], r["cN"], r.get("stream"), r["targets"]

    def row(label: str, b: dict[str, Any]) -> str:
        bare_part = (f" | bare {b['bare']['p50Ms']:.3f} (+{b['bareAddedP50Ms']:.3f})" if "bare" in b else "")
        return (f"  {label:<7} p50 ms: direct {b['direct']['p50Ms']:.3f} | ceiling {b['ceiling']['p50Ms']:.3f} "
                f"(+{b['ceilingAddedP50Ms']:.3f}){bare_part} | proxy {b['proxy']['p50Ms']:.3f} (+{b['addedP50Ms']:.3f})")

    lines = [
        f"claw serve ({r.get('transport')} client) beside the ceiling (Starlette + uvicorn + aiohttp "
        f"pass-through, issue 16's definition), the bare pass-through (the same without Starlette) and the "
        f"upstream called directly ({r['tool']}, {r['cpus']} CPUs, {r['duration']:g}s per target and phase in "
        f"{r['rounds']} interleaved rounds, medians; model {r['model']!r}, unique prompts)",
        row("c=1", c1),
        f"          added p50 {c1['addedP50Ms']:.3f} ms (target <= {t['addedP50Ms']}), "
        f"added p99 {c1['addedP99Ms']:.3f} ms",
    ]
    if st:
        lines += [row("stream", st),
                  f"          stream added p50 {st['addedP50Ms']:.3f} ms (target <= {t['streamAddedP50Ms']})"]
    lines += [
        f"  c={cn['concurrency']:<5} rps: direct {cn['direct']['rps']:.0f} | ceiling {cn['ceiling']['rps']:.0f} | "
        f"proxy {cn['proxy']['rps']:.0f} -> {cn['ratio']:.2f} of the ceiling (target >= {t['rpsRatio']}), "
        f"proxy errors {cn['proxy']['errors']}",
        *([f"          bare {cn['bare']['rps']:.0f} rps -> the proxy does {cn['bareRatio']:.2f} of the bare "
           "pass-through"] if "bare" in cn else []),
        f"  CPU per request at c={cn['concurrency']}: proxy {r['serverCpuUsPerRequest']:.0f} us, "
        f"ceiling {r['ceilingCpuUsPerRequest']:.0f} us"
        + (f", bare {r['bareCpuUsPerRequest']:.0f} us" if "bareCpuUsPerRequest" in r else ""),
        f"  RSS: proxy {r['rssMb']} MB (peak {r['peakRssMb']} MB, target <= {t['rssMb']}), "
        f"ceiling {r['ceilingRssMb']} MB",
        f"  load average {r['loadAverage']['start']} -> {r['loadAverage']['end']}; other work on the machine: "
        f"{r.get('otherCpus', 0):.2f} CPUs"
        + (" — the machine was busy: absolute figures are noisy, compare the ratios" if r.get("busy") else ""),
    ]
    if r.get("paid"):
        from clawcli.bench.proxy_paid import format_paid

        lines.append(format_paid(r["paid"]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m clawcli.bench.proxy", description=__doc__.split("\n\n")[0])
    ap.add_argument("--upstream", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--ceiling", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--ceiling-kind", choices=CEILING_KINDS, default="starlette", help=argparse.SUPPRESS)
    ap.add_argument("--duration", type=float, default=6.0, help="seconds per target and phase")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--tool", choices=("auto", "wrk", "aiohttp"), default="auto")
    ap.add_argument("--model", default="auto")
    ap.add_argument("--transport", choices=("aiohttp", "httpx"), default=None,
                    help="the engine's HTTP client inside claw serve (default aiohttp)")
    ap.add_argument("--no-stream", action="store_true", help="skip the stream: true phase")
    ap.add_argument("--paid", action="store_true", help="also time paid requests through the gateway emulator")
    ap.add_argument("--rtt-ms", type=float, default=50.0, help="--paid: added gateway latency per round trip")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    if a.upstream is not None:
        _upstream_main(a.upstream)
        return 0
    if a.ceiling is not None:
        _ceiling_main(0, a.ceiling, a.ceiling_kind)
        return 0
    def say(msg: str) -> None:
        print(f"... {msg}", file=sys.stderr)

    r = run_proxy_bench(duration=a.duration, concurrency=a.concurrency, tool=a.tool, model=a.model, rounds=a.rounds,
                        serve_env={"CLAWCLI_PROXY_TRANSPORT": a.transport} if a.transport else None,
                        stream=not a.no_stream, progress=say)
    if a.paid:
        from clawcli.bench.proxy_paid import run_paid_bench

        r["paid"] = run_paid_bench(rtt_ms=a.rtt_ms, progress=say)
    print(json.dumps(r, indent=2) if a.json else format_report(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
