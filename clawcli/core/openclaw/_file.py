"""Reading and writing OpenClaw's ``openclaw.json`` without ever losing it.

The file is JSON5 (comments, trailing commas, unquoted keys). We read it with ``json5`` and
write plain JSON (valid JSON5), 2-space indented like OpenClaw's own writes. Writing follows
one order: refuse read-only files, check nobody changed the file since we read it, copy the
exact original bytes to ``<name>.bak.<UTC timestamp>``, write a temp file with the original
mode, rename it over the original, then read it back and compare.
"""

from __future__ import annotations

import json
import os
import re
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clawcli.core._atomic import atomic_write_bytes
from clawcli.core.errors import ConfigError

NEW_FILE_MODE = 0o600  # the file can hold channel tokens and keys: private by default


@dataclass(frozen=True)
class ConfigFile:
    path: Path  # as configured (may be a symlink)
    real: Path  # the file we actually read and replace (symlinks followed, so they survive)
    exists: bool
    raw: bytes
    data: dict[str, Any]
    comments: int  # number of // and /* */ comments (they cannot survive a rewrite)
    mode: int | None  # permission bits of the existing file

    @property
    def text(self) -> str:
        return self.raw.decode("utf-8-sig", errors="replace")


def _norm(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _norm(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_norm(x) for x in v]
    if isinstance(v, float) and v.is_integer():
        return int(v)  # 2 and 2.0 are the same JSON number
    return v


def canonical(data: Any) -> str:
    """Order-insensitive text of a JSON value: equal iff semantically equal (NaN included)."""
    return json.dumps(_norm(data), sort_keys=True, ensure_ascii=False)


def render(data: dict[str, Any]) -> str:
    # indent=2 + ", "/": " separators + raw UTF-8 is exactly JSON.stringify(cfg, null, 2), so a
    # file OpenClaw wrote diffs minimally against ours.
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def count_comments(text: str) -> int:
    """Count JSON5 comments, ignoring ``//`` inside strings ("http://...")."""
    n, i, end, quote = 0, 0, len(text), ""
    while i < end:
        c = text[i]
        if quote:
            if c == "\\":
                i += 2
                continue
            if c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "/" and i + 1 < end and text[i + 1] in "/*":
            n += 1
            if text[i + 1] == "/":
                j = text.find("\n", i)
                i = end if j < 0 else j
            else:
                j = text.find("*/", i + 2)
                i = end if j < 0 else j + 2
            continue
        i += 1
    return n


_JSON5_ERR = re.compile(r"^<string>:(\d+)\s+(.*)$", re.S)


def parse(raw: bytes, path: Path) -> dict[str, Any]:
    """The config as a dict; any problem is a ConfigError that names the file and line."""
    import json5

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path} is not UTF-8 text (byte {exc.start})",
            "nothing was changed; fix or move the file and run again",
        ) from None
    if not text.strip():
        return {}  # an empty file holds nothing to lose; OpenClaw treats it as no config
    try:
        data = json5.loads(text)
    except (ValueError, RecursionError) as exc:
        msg = str(exc)
        m = _JSON5_ERR.match(msg)
        where = f"line {m.group(1)}: {m.group(2)}" if m else msg
        raise ConfigError(
            f"{path} is not valid JSON5 ({where})",
            "nothing was changed; fix that line (OpenClaw cannot start with it either) and run again",
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path} must hold a JSON object at the top level, not {type(data).__name__}",
            "nothing was changed",
        )
    return data


def read(path: Path) -> ConfigFile:
    real = Path(os.path.realpath(path))
    try:
        raw = real.read_bytes()
        mode = stat.S_IMODE(real.stat().st_mode)
    except FileNotFoundError:
        return ConfigFile(path, real, False, b"", {}, 0, None)
    except IsADirectoryError:
        raise ConfigError(f"{path} is a directory, not OpenClaw's config file") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    data = parse(raw, path)
    return ConfigFile(path, real, True, raw, data, count_comments(raw.decode("utf-8-sig")), mode)


def writable_problem(cf: ConfigFile) -> str | None:
    """Why we may not write this file, or None. Checked before anything is written."""
    if cf.exists:
        # an explicit "no write bits" is the user's decision even when we run as root
        no_write_bits = cf.mode is not None and (cf.mode & 0o222) == 0
        if no_write_bits or not os.access(cf.real, os.W_OK):
            return f"{cf.path} is read-only"
        parent = cf.real.parent
    else:
        parent = cf.real.parent
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"cannot create files in {parent} (permission denied)"
    return None


def backup(cf: ConfigFile) -> Path:
    """Copy the exact original bytes next to the file; never overwrites an older backup."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    base = f"{cf.real.name}.bak.{stamp}"
    for k in range(1000):
        target = cf.real.with_name(base if k == 0 else f"{base}-{k}")
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        except OSError as exc:
            raise ConfigError(f"cannot write a backup next to {cf.path}: {exc.strerror}", "nothing was changed") from None
        with os.fdopen(fd, "wb") as fh:
            fh.write(cf.raw)
            fh.flush()
            os.fsync(fh.fileno())
        return target
    raise ConfigError(f"too many backups named {base}*", "remove old backups and run again")


def atomic_write(real: Path, data: bytes, mode: int) -> None:
    """Temp file in the same directory (same mode), fsync, rename over ``real``.

    ``real`` is the resolved path, so a symlinked config stays a symlink to the new content.
    """
    real.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    atomic_write_bytes(real, data, mode)
