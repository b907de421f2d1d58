"""clawcli.core._atomic: the one temp-file + fsync + rename writer behind wallet keys, the spend
ledger, config.toml, OpenClaw's config, the inject record and the catalog cache."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from clawcli.core import _atomic
from clawcli.core._atomic import atomic_write_bytes


def mode_of(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


@pytest.fixture
def d(tmp_path: Path) -> Path:
    """An empty directory of our own (tmp_path also holds the autouse fixture's homes)."""
    out = tmp_path / "d"
    out.mkdir()
    return out


def test_replaces_with_the_exact_mode_whatever_the_umask(d: Path) -> None:
    target = d / "f"
    target.write_bytes(b"old")
    old_umask = os.umask(0o077)
    try:
        atomic_write_bytes(target, b"new", 0o640)
    finally:
        os.umask(old_umask)
    assert target.read_bytes() == b"new" and mode_of(target) == 0o640
    assert sorted(p.name for p in d.iterdir()) == ["f"]  # no temp file left


@pytest.mark.parametrize("mode", [None, 0o600])
def test_default_is_private_even_under_umask_000(d: Path, mode) -> None:
    old_umask = os.umask(0o000)  # config.toml used to become 0666 here (issue 13)
    try:
        atomic_write_bytes(d / "f", b"x", mode=mode)
    finally:
        os.umask(old_umask)
    assert mode_of(d / "f") == 0o600


def test_exclusive_never_overwrites(d: Path) -> None:
    target = d / "key"
    atomic_write_bytes(target, b"first", exclusive=True)
    with pytest.raises(FileExistsError):
        atomic_write_bytes(target, b"second", exclusive=True)
    assert target.read_bytes() == b"first" and mode_of(target) == 0o600
    assert sorted(p.name for p in d.iterdir()) == ["key"]


def test_exclusive_without_hard_links_falls_back_to_check_then_rename(d: Path, monkeypatch) -> None:
    def no_links(src, dst):
        raise PermissionError(1, "Operation not permitted")  # e.g. some FUSE / SMB mounts

    monkeypatch.setattr(_atomic.os, "link", no_links)
    target = d / "key"
    atomic_write_bytes(target, b"first", exclusive=True)
    assert target.read_bytes() == b"first"
    with pytest.raises(FileExistsError):
        atomic_write_bytes(target, b"second", exclusive=True)
    assert target.read_bytes() == b"first"
    assert sorted(p.name for p in d.iterdir()) == ["key"]


def test_a_failed_write_keeps_the_old_file_and_no_temp(d: Path, monkeypatch) -> None:
    target = d / "ledger.json"
    target.write_bytes(b"old")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_atomic.os, "fsync", disk_full)
    with pytest.raises(OSError):
        atomic_write_bytes(target, b"new")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in d.iterdir()) == ["ledger.json"]
