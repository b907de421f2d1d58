"""Private files: a 0700 directory, 0600 files, atomic no-clobber writes, timestamped backups.

Writes go to a temp file in the same directory (mode 0600 from creation, so the secret is
never world-readable even for a moment), are fsync'd, then linked into place — ``os.link``
fails if the target exists, which makes "never overwrite" hold even against a concurrent
writer — and finally read back and compared.
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

from clawcli.core._atomic import atomic_write_bytes
from clawcli.core.errors import WalletError

DIR_MODE = 0o700
FILE_MODE = 0o600


def ensure_private_dir(directory: Path) -> None:
    try:
        directory.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        mode = stat.S_IMODE(directory.stat().st_mode)
        if mode != DIR_MODE:
            # ClawRouter created it with the umask (usually 0755); tighten it
            os.chmod(directory, DIR_MODE)
    except OSError as exc:  # a file in the way, a read-only mount: one line, not a traceback
        raise WalletError(
            f"cannot use {directory} for the wallet: {exc.strerror or exc}",
            "check the directory's permissions (or CLAWCLI_OPENCLAW_HOME)",
        ) from None


def write_private(path: Path, text: str | bytes, *, replace: bool = False) -> None:
    """Atomically write ``text`` to ``path`` with mode 0600, then read it back.

    ``replace=False`` (the default) refuses if ``path`` exists, even if another process
    creates it a microsecond before us. Callers that replace must have made a backup.
    """
    ensure_private_dir(path.parent)
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    try:
        atomic_write_bytes(path, data, FILE_MODE, exclusive=not replace)
    except FileExistsError:
        if replace:
            raise
        raise WalletError(
            f"{path} already exists; not overwriting it",
            "use --force to replace it (a timestamped backup is written first)",
        ) from None
    try:
        back = path.read_bytes()
    except OSError as exc:
        raise WalletError(f"could not read back {path}: {exc.strerror}") from None
    if back != data:
        raise WalletError(f"{path} did not read back as written", "check the disk and the directory")
    if stat.S_IMODE(path.stat().st_mode) != FILE_MODE:
        os.chmod(path, FILE_MODE)


def backup(path: Path, now: float | None = None) -> Path:
    """Copy ``path`` to ``<name>.bak.<unix-seconds>`` (0600, never clobbering) and return it.

    Same naming as ClawRouter's update scripts (``wallet.key.bak.<s>``).
    """
    stamp = int(time.time() if now is None else now)
    data = path.read_bytes()  # bytes: a corrupt (even binary) file is preserved exactly
    for n in range(100):
        target = path.with_name(f"{path.name}.bak.{stamp}" + (f".{n}" if n else ""))
        if target.exists():
            continue
        try:
            write_private(target, data)
            return target
        except WalletError:
            continue  # lost a race for this name; take the next one
    raise WalletError(f"could not find a free backup name for {path}")


def read_text(path: Path) -> str | None:
    """The file's text, or None when it does not exist. Any other failure is a hard error."""
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        raise WalletError(f"{path} is not a text file", "restore it from your backup") from None
    except OSError as exc:
        raise WalletError(
            f"cannot read {path}: {exc.strerror}",
            "fix its permissions; clawcli will not create a new wallet while it exists",
        ) from None
