"""Helpers for tests that run `claw` commands against the loopback gateway emulator."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from clawcli.testing import GatewayEmulator


@contextmanager
def cli_gateway(monkeypatch: pytest.MonkeyPatch, key: str, **emulator_kw) -> Iterator[GatewayEmulator]:
    """A fresh emulator that `claw` (in this process or a child) pays with ``key``; RPC points at it too."""
    with GatewayEmulator(**emulator_kw) as g:
        monkeypatch.setenv("CLAWCLI_GATEWAY_URL", g.url)
        monkeypatch.setenv("CLAWCLI_BASE_RPC_URL", g.rpc_url)
        monkeypatch.setenv("CLAWCLI_WALLET_KEY", key)
        yield g


def tiny_png() -> bytes:
    """A valid 1x1 PNG (signature, IHDR, IDAT, IEND with real CRCs)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) \
        + chunk(b"IEND", b"")
