"""QA round 2 on `claw serve`: regressions found by driving the proxy like agent frameworks do
(real uvicorn thread, loopback sockets, the x402 gateway emulator behind it)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx
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


async def test_the_fast_transport_reports_a_server_disconnect_as_a_lost_connection(gw) -> None:
    from clawcli.proxy.transport import FastAiohttpTransport

    gw.reset()
    gw.inject("*", "drop", times=None, before_payment=True)
    async with httpx.AsyncClient(transport=FastAiohttpTransport()) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            await client.post(gw.url + "/v1/chat/completions",
                              json={"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]})
    gw.clear_faults()


def test_openai_sdk_models_retrieve(make_proxy) -> None:
    """`client.models.retrieve(id)` (GET /v1/models/{id}) works for profiles, prefixed profiles
    and slash-containing model ids; an unknown id is a 404 in the OpenAI error shape."""
    from openai import NotFoundError, OpenAI

    proxy = make_proxy()
    client = OpenAI(base_url=proxy.url + "/v1", api_key="unused", max_retries=0)
    assert client.models.retrieve("auto").id == "auto"
    assert client.models.retrieve("clawcli/eco").id == "clawcli/eco"
    m = client.models.retrieve("anthropic/claude-sonnet-4.6")
    assert m.id == "anthropic/claude-sonnet-4.6" and m.owned_by == "anthropic"
    with pytest.raises(NotFoundError):
        client.models.retrieve("nope/not-a-model")
    r = httpx.get(proxy.url + "/v1/models/nope", timeout=10)
    assert r.status_code == 404 and r.json()["error"]["code"] == "model_not_found"


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
    time.sleep(0.8)
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


@pytest.mark.parametrize("model", [5, ["auto"], {"id": "auto"}, True])
def test_a_non_string_model_is_a_400_and_nothing_is_paid(make_proxy, gw, model) -> None:
    proxy = make_proxy()
    r = proxy.post({"model": model, "messages": [{"role": "user", "content": "hi"}]})
    assert r.status_code == 400 and "model must be a string" in r.json()["error"]["message"]
    assert gw.chat_requests() == [] and gw.paid_total() == 0
