"""A running `claw serve` for end-to-end tests: the same app and server class as the CLI, in a
uvicorn thread on a real loopback socket. The `gw` and `make_proxy` fixtures in conftest.py put
one in front of the x402 gateway emulator; tests that build their own ``ProxyState`` (a Solana
wallet, say) use ``Proxy(state)`` directly and ``stop()`` it themselves.

Imported as ``from _proxy import Proxy`` (pytest puts ``tests/`` on ``sys.path``)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import httpx

TEST_KEY = "0x" + "4c" * 32  # a throwaway EVM key: the proxy pays the emulator with it


class Proxy:
    """A running `claw serve` (same app, same server class as the CLI) in a background thread."""

    def __init__(self, state: Any, *, graceful_shutdown: float | None = None) -> None:
        from clawcli.proxy.app import create_app
        from clawcli.proxy.server import _server_class, bind_socket, uvicorn_config

        self.state = state
        sock = bind_socket("127.0.0.1", 0)
        self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn_config(create_app(state))
        if graceful_shutdown is not None:
            config.timeout_graceful_shutdown = graceful_shutdown
        self.server = _server_class()(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]}, daemon=True)
        self.thread.start()
        deadline = time.time() + 15
        while not self.server.started:
            if time.time() > deadline or not self.thread.is_alive():
                raise RuntimeError("proxy did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(15)

    def openai(self, **kw: Any):
        from openai import OpenAI

        return OpenAI(base_url=self.url + "/v1", api_key=kw.pop("api_key", "unused"), max_retries=0, **kw)

    def post(self, body: dict, **headers: str) -> httpx.Response:
        """POST a chat completion; ``x_session_id="s"`` sends the header ``x-session-id: s``."""
        return httpx.post(self.url + "/v1/chat/completions", json=body, timeout=30,
                          headers={k.replace("_", "-"): v for k, v in headers.items()})

    def stream(self, body: dict, **headers: str) -> tuple[httpx.Response, str]:
        with httpx.stream("POST", self.url + "/v1/chat/completions", json={**body, "stream": True}, timeout=30,
                          headers={k.replace("_", "-"): v for k, v in headers.items()}) as r:
            return r, r.read().decode()

    def log_records(self) -> list[dict[str, Any]]:
        # serve writes the log off the request path: once no request is in flight (each record
        # is queued before its handler returns), flush what is queued
        deadline = time.monotonic() + 5
        while self.state.requests_active and time.monotonic() < deadline:
            time.sleep(0.002)
        flush = getattr(self.state.engine, "flush_usage_log", None)
        if flush is not None:
            flush()
        out = []
        for f in sorted(self.state.paths.logs_dir.glob("usage-*.jsonl")):
            out += [json.loads(line) for line in f.read_text().splitlines() if line.strip()]
        return out


def start_proxy(gw: Any, home: Path, *, token: str | None = None, journal: bool = True, **overrides: Any) -> Proxy:
    """A proxy paying ``gw`` with ``TEST_KEY``, its state under ``home``; ``overrides`` are settings."""
    from clawcli.core.catalog import default_catalog
    from clawcli.core.config import load_settings
    from clawcli.core.journal import SessionJournal
    from clawcli.core.paths import Paths
    from clawcli.proxy.state import ProxyState

    gw.reset()
    paths = Paths(config_dir=home / "home", cache_dir=home / "home" / "cache", openclaw_home=home / "openclaw")
    env = {"CLAWCLI_WALLET_KEY": TEST_KEY}
    settings = load_settings(paths, env=env, overrides={
        "gateway_url": gw.url, "base_rpc_url": gw.rpc_url, "solana_rpc_url": gw.solana_rpc_url, **overrides})
    state = ProxyState(settings=settings, paths=paths, catalog=default_catalog(), token=token, env=env,
                       journal=SessionJournal() if journal else None)
    state.heartbeat_seconds = 0.2
    return Proxy(state)
