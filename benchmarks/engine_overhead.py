"""What the upstream engine adds per request on top of a bare httpx POST (no network at all).

Both sides use the same ``httpx.MockTransport`` returning a canned chat completion, so the
difference is the engine's own work: planning the chain, building the request, the degraded-200
check, the result and the usage-log append. Prompts are unique per request.

    python benchmarks/engine_overhead.py [-n 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time

CONTENT = ("A rate limiter bounds how often a client may call a service. The token bucket keeps a counter "
           "that refills at a fixed rate; each request takes one token or is rejected. Sliding windows "
           "count requests in the last N seconds instead, trading memory for smoother limits.")


async def main(n: int) -> None:
    os.environ.setdefault("CLAWCLI_HOME", tempfile.mkdtemp())
    os.environ.setdefault("CLAWCLI_OPENCLAW_HOME", tempfile.mkdtemp())
    import httpx

    from clawcli.core.config import Settings
    from clawcli.core.paths import Paths
    from clawcli.core.router import route
    from clawcli.core.upstream import Engine

    body = json.dumps({"id": "x", "object": "chat.completion", "model": "m",
                       "choices": [{"index": 0, "message": {"role": "assistant", "content": CONTENT},
                                    "finish_reason": "stop"}],
                       "usage": {"prompt_tokens": 9, "completion_tokens": 60, "total_tokens": 69}}).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    raw = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    eng = Engine(Settings(gateway_url="http://gw"), Paths.from_env(), transport=httpx.MockTransport(handler))
    t_raw, t_dec, t_route = [], [], []
    for i in range(n + 200):
        req = {"messages": [{"role": "user", "content": f"Explain rate limiting ({i}, {time.time_ns()})"}]}
        d = route(req, catalog=eng.catalog)
        t0 = time.perf_counter()
        (await raw.post("http://gw/v1/chat/completions", json=req)).json()
        t1 = time.perf_counter()
        await eng.complete(req, source="bench", decision=d)
        t2 = time.perf_counter()
        await eng.complete(req, source="bench")
        t3 = time.perf_counter()
        if i >= 200:  # warm-up excluded
            t_raw.append(t1 - t0)
            t_dec.append(t2 - t1)
            t_route.append(t3 - t2)
    await raw.aclose()
    await eng.aclose()

    def q(xs: list[float], p: float) -> float:
        return statistics.quantiles(xs, n=100)[int(p) - 1] * 1e6

    print(f"n={n}")
    for name, xs in (("bare httpx POST + json", t_raw), ("engine.complete(decision=...)", t_dec),
                     ("engine.complete (routes itself)", t_route)):
        print(f"{name:34} p50 {q(xs, 50):7.0f} us   p99 {q(xs, 99):7.0f} us")
    print(f"engine overhead, p50: +{q(t_dec, 50) - q(t_raw, 50):.0f} us (with routing: +{q(t_route, 50) - q(t_raw, 50):.0f} us)")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=3000)
    asyncio.run(main(ap.parse_args().n))
