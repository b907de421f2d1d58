"""CPU per streamed chunk when the chunks arrive one by one, as from a real model.

    python benchmarks/stream_chunks.py                       # 200 chunks, 0.5 ms apart, 8 streams at once
    python benchmarks/stream_chunks.py --chunks 500 --gap-ms 2 --streams 16 --requests 64

`claw bench proxy`'s upstream sends a whole stream in one write (its figure is the fixed cost of a
streamed request). A model sends one event per token or two, spread over seconds, and then the
proxy pays for every chunk separately: a read, a parse, the answer checks' accumulator, the
in-flight hand-over to the client's task, OpenAI's chunk shape, a write. This drives the bare
pass-through (uvicorn + one aiohttp session, bytes relayed as read) and `claw serve` against an
upstream that writes each event as its own HTTP chunk, and reports each server's CPU time per
chunk and per request (both include the fixed per-request cost).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

_UPSTREAM = r'''
import asyncio, json, sys
N, GAP = int(sys.argv[1]), float(sys.argv[2]) / 1000
BASE = {"id": "chatcmpl-chunks", "object": "chat.completion.chunk", "created": 1700000000, "model": "bench/upstream"}

def event(i):
    if i == 0:
        ch = dict(BASE, choices=[{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])
    elif i <= N:
        ch = dict(BASE, choices=[{"index": 0, "delta": {"content": f" word{i}"}, "finish_reason": None}])
    else:
        ch = dict(BASE, choices=[{"index": 0, "delta": {}, "finish_reason": "stop"}],
                  usage={"prompt_tokens": 12, "completion_tokens": N, "total_tokens": N + 12})
    return b"data: " + json.dumps(ch, separators=(",", ":")).encode() + b"\n\n"

async def handle(r, w):
    try:
        while True:
            head = await r.readuntil(b"\r\n\r\n")
            size = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    size = int(line.split(b":")[1])
            await r.readexactly(size)
            w.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n")
            for i in range(N + 2):
                ev = event(i)
                w.write(b"%x\r\n%s\r\n" % (len(ev), ev))
                await w.drain()
                await asyncio.sleep(GAP)
            ev = b"data: [DONE]\n\n"
            w.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(ev), ev))
            await w.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        w.close()

async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
'''


async def _drive(url: str, tag: str, streams: int, requests: int) -> int:
    """``requests`` streamed requests, ``streams`` at a time; the chunks the clients received."""
    import aiohttp

    received = 0
    gate = asyncio.Semaphore(streams)
    async with aiohttp.ClientSession() as session:
        async def one(i: int) -> None:
            nonlocal received
            async with gate:
                body = {"model": "auto", "stream": True, "messages": [
                    {"role": "user", "content": f"chunks {tag} {uuid.uuid4().hex[:8]} {i}: what is the capital of France?"}]}
                async with session.post(url, json=body) as r:
                    if r.status != 200:
                        raise RuntimeError(f"{tag}: HTTP {r.status}: {(await r.text())[:200]}")
                    async for line in r.content:
                        if line.startswith(b"data: {"):
                            received += 1

        await asyncio.gather(*(one(i) for i in range(requests)))
    return received


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--chunks", type=int, default=200, help="content chunks per answer (plus a role and a finish chunk)")
    ap.add_argument("--gap-ms", type=float, default=0.5, help="the upstream's pause between chunks")
    ap.add_argument("--streams", type=int, default=8, help="streams at once")
    ap.add_argument("--requests", type=int, default=64, help="streamed requests per server and round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    if min(a.chunks, a.streams, a.requests, a.rounds) < 1 or a.gap_ms < 0:
        print("error: --chunks, --streams, --requests and --rounds must be at least 1, --gap-ms not negative",
              file=sys.stderr)
        return 2

    import statistics

    import proxy_compare as pc

    from clawcli.bench.proxy import _cpu_s, _stop, _wait_http

    tmp = Path(tempfile.mkdtemp(prefix="claw-chunks-"))
    (tmp / "upstream.py").write_text(_UPSTREAM)
    procs = {}
    up = None
    per_chunk: dict[str, list[float]] = {"bare": [], "proxy": []}
    per_request: dict[str, list[float]] = {"bare": [], "proxy": []}
    try:
        up, port = pc._spawn([sys.executable, str(tmp / "upstream.py"), str(a.chunks), str(a.gap_ms)], None,
                             tmp / "upstream.log")
        upstream = f"http://127.0.0.1:{port}"
        procs["bare"] = pc._spawn(pc._bare_cmd(upstream), None, tmp / "bare.log")
        procs["proxy"] = pc._spawn(pc._serve_cmd(), pc._env(tmp, "proxy", upstream, ROOT), tmp / "proxy.log")
        for _p, prt in procs.values():
            _wait_http(f"http://127.0.0.1:{prt}/health")
        for tag, (_p, prt) in procs.items():  # warm-up
            asyncio.run(_drive(f"http://127.0.0.1:{prt}/v1/chat/completions", f"warm-{tag}", a.streams, a.streams))
        for k in range(a.rounds):
            print(f"... round {k + 1}/{a.rounds}", file=sys.stderr)
            for tag, (p, prt) in (list(procs.items()) if k % 2 == 0 else list(procs.items())[::-1]):
                c0 = _cpu_s(p.pid)
                n = asyncio.run(_drive(f"http://127.0.0.1:{prt}/v1/chat/completions", f"{tag}-{k}-{time.time()}",
                                       a.streams, a.requests))
                cpu = _cpu_s(p.pid) - c0
                expected = a.requests * (a.chunks + 2)
                if n < expected:
                    raise RuntimeError(f"{tag}: {n} of {expected} chunks arrived")
                per_chunk[tag].append(cpu * 1e6 / n)
                per_request[tag].append(cpu * 1e3 / a.requests)
    finally:
        for p, _prt in procs.values():
            _stop(p)
        if up is not None:
            _stop(up)
        shutil.rmtree(tmp, ignore_errors=True)

    report = {t: {"cpuUsPerChunk": round(statistics.median(per_chunk[t]), 2),
                  "cpuMsPerRequest": round(statistics.median(per_request[t]), 3)} for t in per_chunk}
    report["settings"] = {"chunks": a.chunks, "gapMs": a.gap_ms, "streams": a.streams, "requests": a.requests,
                          "rounds": a.rounds}
    if a.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{a.chunks + 2} chunks per answer, {a.gap_ms:g} ms apart, {a.streams} streams at once, "
          f"{a.requests} requests per server and round, medians of {a.rounds} interleaved rounds")
    for tag in ("bare", "proxy"):
        r = report[tag]
        print(f"  {tag:5}  CPU {r['cpuUsPerChunk']:6.1f} us per chunk   {r['cpuMsPerRequest']:6.2f} ms per request")
    print(f"  claw serve spends {report['proxy']['cpuUsPerChunk'] / report['bare']['cpuUsPerChunk']:.1f}x the bare "
          "pass-through per chunk")
    return 0


if __name__ == "__main__":
    sys.exit(main())
