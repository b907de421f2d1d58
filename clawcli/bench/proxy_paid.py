"""`claw bench proxy --paid --rtt-ms 50`: paid requests through `claw serve` and the gateway
emulator with ``rtt_ms`` of latency added to every gateway round trip, with pre-authorisation
on and off (``CLAWCLI_PREAUTH=0``) in the same run.

A paid request without a remembered quote costs two round trips (the 402, then the paid resend);
with pre-authorisation the second and later requests carry their payment from the start. The
emulator's request records count the round trips, the client times each request.

    run_paid_bench(rtt_ms=50.0, requests=12, model="openai/gpt-4o-mini") -> {
        "rttMs", "model", "requests",
        "preauth":   {"roundTripsMedian", "roundTripsFirst", "latencyP50Ms", "paidUsd", "errors"},
        "noPreauth": {...}}   # medians over the requests after the first
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from clawcli.bench.proxy import _start, _stop, _wait_http


def _post(url: str, body: dict[str, Any]) -> tuple[int, float]:
    data = json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"content-type": "application/json"})
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            r.read()
            status = r.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    return status, (time.perf_counter() - t0) * 1000


def _one_serve(gw: Any, tmp: Path, requests: int, model: str, preauth: bool) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAWCLI_", "BLOCKRUN_"))}
    env.update(CLAWCLI_HOME=str(tmp / "home"), CLAWCLI_OPENCLAW_HOME=str(tmp / "openclaw"), HOME=str(tmp),
               CLAWCLI_GATEWAY_URL=gw.url, CLAWCLI_BASE_RPC_URL=gw.rpc_url, CLAWCLI_PREAUTH="1" if preauth else "0")
    serve, url = _start([sys.executable, "-m", "clawcli", "serve", "--port", "0", "--json"], env,
                        tmp / f"serve-{preauth}.log")
    try:
        _wait_http(url + "/health")
        trips, lat, errors = [], [], 0
        for i in range(requests):
            before = len(gw.chat_requests())
            status, ms = _post(url + "/v1/chat/completions", {
                "model": model, "max_tokens": 64,
                "messages": [{"role": "user", "content": f"paid bench {preauth}-{i}: the capital of France?"}]})
            errors += status != 200
            trips.append(len(gw.chat_requests()) - before)
            lat.append(ms)
        rest_trips, rest_lat = trips[1:] or trips, lat[1:] or lat
        return {"roundTripsFirst": trips[0], "roundTripsMedian": statistics.median(rest_trips),
                "latencyP50Ms": round(statistics.median(rest_lat), 1), "errors": errors}
    finally:
        _stop(serve)


def run_paid_bench(*, rtt_ms: float = 50.0, requests: int = 12, model: str = "openai/gpt-4o-mini",
                   progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    from clawcli.testing import GatewayEmulator

    say = progress or (lambda _m: None)
    tmp = Path(tempfile.mkdtemp(prefix="claw-bench-paid-"))
    out: dict[str, Any] = {"rttMs": rtt_ms, "model": model, "requests": requests}
    try:
        with GatewayEmulator() as gw:
            # every round trip to the gateway waits rtt_ms first (the 402 and the paid resend alike)
            gw.inject("*", "slow", times=None, before_payment=True, delay=rtt_ms / 1000)
            for key, preauth in (("preauth", True), ("noPreauth", False)):
                say(f"paid requests through a {rtt_ms:g} ms gateway ({key})")
                paid_before = gw.paid_total()
                out[key] = _one_serve(gw, tmp, requests, model, preauth)
                out[key]["paidUsd"] = round(gw.paid_total() - paid_before, 6)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def format_paid(p: dict[str, Any]) -> str:
    on, off = p["preauth"], p["noPreauth"]
    return (f"  paid through a {p['rttMs']:g} ms gateway ({p['requests']} requests, {p['model']}; medians after "
            f"the first): pre-authorised {on['roundTripsMedian']:g} round trips, p50 {on['latencyP50Ms']:.0f} ms | "
            f"--no-preauth {off['roundTripsMedian']:g} round trips, p50 {off['latencyP50Ms']:.0f} ms "
            f"(target <= 1.2 round trips; errors {on['errors']}/{off['errors']})")
