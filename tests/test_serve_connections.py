"""`claw serve` when connections break: a dropped upstream connection falls back to the next model, a
server disconnect is a lost connection, and requests cut by the shutdown grace period end in OpenAI shape
(real uvicorn thread, loopback sockets, the x402 gateway emulator behind it)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from _proxy import TEST_KEY, Proxy

from clawcli.core.catalog import default_catalog
from clawcli.core.config import load_settings
from clawcli.core.paths import Paths
from clawcli.proxy.state import ProxyState

PROMPT = "explain the basic principle of quantum computing in detail please"


@pytest.mark.parametrize("stream", [False, True])
def test_a_dropped_connection_falls_back_instead_of_calling_the_gateway_down(make_proxy, gw, stream) -> None:
    """The gateway closing one model's connection unanswered is a network failure of that model
    (next model), not 'cannot connect' (which stops the whole chain with gateway_unreachable)."""
    proxy = make_proxy()
    first = proxy.post({"model": "auto", "messages": [{"role": "user", "content": PROMPT}]})
    planned = first.headers["x-clawrouter-model"]
    gw.reset()
    gw.inject(planned, "drop", times=None)
    body = {"model": "auto", "messages": [{"role": "user", "content": PROMPT + " again"}]}
    if stream:
        r, text = proxy.stream(body)
        assert "gateway_unreachable" not in text and "data: [DONE]" in text
        assert '"error"' not in text
    else:
        r = proxy.post(body)
        assert r.status_code == 200, r.text
        assert r.json()["model"] != planned
    rec = proxy.log_records()[-1]
    assert rec["status"] == "ok" and rec["model"] != planned
    assert [a["errorClass"] for a in rec["attempts"]][:1] == ["network"]
    assert rec["cost"] == pytest.approx(gw.paid_total())


def _proxy_with_short_grace(gw, tmp_path: Path, grace: float) -> Proxy:
    paths = Paths(config_dir=tmp_path / "home", cache_dir=tmp_path / "home" / "cache",
                  openclaw_home=tmp_path / "openclaw")
    env = {"CLAWCLI_WALLET_KEY": TEST_KEY}
    settings = load_settings(paths, env=env, overrides={"gateway_url": gw.url, "base_rpc_url": gw.rpc_url})
    state = ProxyState(settings=settings, paths=paths, catalog=default_catalog(), env=env)
    state.heartbeat_seconds = 0.2
    return Proxy(state, graceful_shutdown=grace)


@pytest.mark.parametrize("stream", [False, True])
def test_requests_cut_by_the_shutdown_grace_period_end_in_openai_shape(gw, tmp_path, stream) -> None:
    """SIGTERM waits for in-flight requests; what is still running when the grace period ends
    gets an OpenAI-shaped `shutting_down` error (503, or a final SSE error event + [DONE]),
    not uvicorn's plain-text 500 / a truncated stream."""
    gw.reset()
    gw.inject("*", "slow", times=None, delay=4)
    proxy = _proxy_with_short_grace(gw, tmp_path, grace=0.5)
    result: dict[str, Any] = {}

    def call() -> None:
        body = {"model": "auto", "messages": [{"role": "user", "content": "hello there"}]}
        if stream:
            result["r"], result["text"] = proxy.stream(body)
        else:
            result["r"] = proxy.post(body)
            result["text"] = result["r"].text

    t = threading.Thread(target=call)
    t.start()
    deadline = time.monotonic() + 10  # the paid attempt is in flight at the (slow) gateway: stop now
    while not any(r.payment_attached for r in gw.chat_requests()) and time.monotonic() < deadline:
        time.sleep(0.01)
    proxy.stop()
    t.join(15)
    gw.clear_faults()
    r, text = result["r"], result["text"]
    if stream:
        assert r.status_code == 200
        assert '"code":"shutting_down"' in text and text.rstrip().endswith("data: [DONE]")
    else:
        assert r.status_code == 503
        assert r.json()["error"]["code"] == "shutting_down"
    assert gw.paid_total() == 0  # the cut attempt was never settled, and nothing was paid twice
