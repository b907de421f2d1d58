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
