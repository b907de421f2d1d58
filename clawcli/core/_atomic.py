"""Crash-safe file writes: temp file in the same directory, fsync, move into place, fsync the dir.

One implementation for every file clawcli owns or edits (wallet keys, the spend ledger,
config.toml, OpenClaw's config, the inject record, the catalog cache), so a crash or a full
disk leaves either the old file or the new one, never half of each, and never a stray temp.

    atomic_write_bytes(path, data)                    # 0600, replaces
    atomic_write_bytes(path, data, mode=0o644)        # an explicit mode (never widened by the umask)
    atomic_write_bytes(path, data, exclusive=True)    # FileExistsError if path exists

Files are 0600 unless the caller asks otherwise, whatever the umask: under ``umask 000``
config.toml (gateway, limits, payees) used to become 0666. ``mode=None`` (older callers) means
the default, 0600.

The caller creates the directory (each has its own rules for its mode).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def fsync_dir(directory: Path) -> None:
    """Make a rename in ``directory`` durable; a no-op where the filesystem cannot do it."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # not supported on every filesystem; the file itself was fsync'd
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes, mode: int | None = 0o600, *, exclusive: bool = False) -> None:
    """Write ``data`` to ``path`` atomically.

    ``mode``: the file's exact permission bits (set on the temp file before any byte is
    written, so a secret is never readable by others, even for a moment); ``None`` is 0600.

    ``exclusive=True`` never overwrites: the temp file is hard-linked into place, which fails
    if ``path`` exists even when another process creates it a microsecond before us; it
    raises ``FileExistsError``. On filesystems without hard links it falls back to
    check-then-rename (a tiny race window).

    ``path`` itself is written, not followed: callers that must keep a symlink pass the
    resolved target.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    mode = 0o600 if mode is None else mode
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), mode)  # exact mode regardless of umask
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if not exclusive:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise
            except OSError:
                if path.exists():
                    raise FileExistsError(f"{path} exists") from None
                os.replace(tmp, path)
    finally:
        # after a rename the temp name is gone; after a link (or any failure) it must go
        try:
            os.unlink(tmp)
        except OSError:
            pass
    fsync_dir(path.parent)
