"""Shared fixtures. Every test runs with both clawcli homes in a temp dir and no
inherited CLAWCLI_* / BLOCKRUN_* / OPENCLAW_* variables: no test touches the real home."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def claw_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for var in list(os.environ):
        if var.startswith(("CLAWCLI_", "BLOCKRUN_", "OPENCLAW_")):
            monkeypatch.delenv(var, raising=False)
    home = tmp_path / "clawcli-home"
    openclaw = tmp_path / "openclaw-home"
    home.mkdir()
    openclaw.mkdir()
    monkeypatch.setenv("CLAWCLI_HOME", str(home))
    monkeypatch.setenv("CLAWCLI_OPENCLAW_HOME", str(openclaw))
    # belt and braces: anything that still asks for ~ gets the temp dir
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NO_COLOR", "1")
    return home


@pytest.fixture
def openclaw_home(claw_home: Path) -> Path:
    return Path(os.environ["CLAWCLI_OPENCLAW_HOME"])


# --- a running `claw serve` in front of the gateway emulator (tests/_proxy.py) -------------------
# Module-scoped emulator (reset per proxy); a module that needs another emulator defines its own `gw`.
@pytest.fixture(scope="module")
def gw():
    from clawcli.testing import GatewayEmulator

    with GatewayEmulator() as g:
        yield g


@pytest.fixture
def make_proxy(gw, tmp_path: Path):
    """``make_proxy(token=None, journal=True, **settings)`` -> a started ``_proxy.Proxy``; all stop after the test."""
    from _proxy import start_proxy

    started = []

    def make(**kw):
        p = start_proxy(gw, tmp_path, **kw)
        started.append(p)
        return p

    yield make
    for p in started:
        p.stop()


# --- a real redis-server for the shared-state tests (tests/_redis.py) ---------------------------
@pytest.fixture(scope="session")
def redis_server():
    """One redis-server for the session (started on first use, on a free loopback port)."""
    from _redis import RedisServer

    server = RedisServer().start()
    yield server
    server.cleanup()


@pytest.fixture
def redis_url(redis_server) -> str:
    """The URL of an empty Redis database (flushed before each test)."""
    redis_server.flush()
    return redis_server.url


@pytest.fixture(params=["local", "redis"])
def make_ledger(request, tmp_path: Path):
    """``make_ledger(clock=...)`` -> a spend ledger on the local file or on Redis (same API, same rules)."""
    from clawcli.core.x402 import SpendLedger

    if request.param == "local":
        return lambda **kw: SpendLedger(tmp_path / "l.json", **kw)
    url = request.getfixturevalue("redis_url")
    from clawcli.core.state.redis_state import RedisState

    state = RedisState(url)
    request.addfinalizer(state.close)

    def make(clock=None, **kw):
        led = state.ledger(address="0x" + "ab" * 20, chain="base")
        if clock is not None:
            led.clock = clock
        return led

    return make
