"""Is OpenClaw's gateway running on this config? (Local files only: no network, no ports.)

OpenClaw's gateway holds a lock file ``gateway.<hash>.lock`` whose JSON payload has the
owner's ``pid``, ``configPath`` and, on Linux, the process ``startTime`` (to spot a recycled
pid). Current releases keep it in ``$TMPDIR/openclaw-<uid>/`` and hash the config path with
sha256; older ones used sha1 and the state dir. We look in all of these and accept a lock
whose ``configPath`` is ours (or whose name is our hash when the payload has no path), and
whose pid is alive. On Linux, a process list scan of ``/proc`` catches a gateway started
without a lock (``openclaw gateway`` / ``openclaw-gateway`` command lines of our own user).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def _node_tmpdir(env: Mapping[str, str]) -> str:
    # Node's os.tmpdir() on POSIX: TMPDIR, TMP, TEMP, else /tmp (trailing slash dropped)
    for var in ("TMPDIR", "TMP", "TEMP"):
        v = env.get(var)
        if v:
            return v.rstrip("/") or "/"
    return "/tmp"


def lock_dirs(env: Mapping[str, str], state_dir: Path) -> list[Path]:
    tmp = Path(_node_tmpdir(env))
    uid = os.getuid() if hasattr(os, "getuid") else None
    dirs = [tmp / (f"openclaw-{uid}" if uid is not None else "openclaw"), tmp / "openclaw", state_dir]
    return list(dict.fromkeys(dirs))


def _alive(pid: int, start_time: Any, proc_root: Path) -> bool:
    if pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    except OSError:
        return False
    if isinstance(start_time, int):
        try:
            stat = (proc_root / str(pid) / "stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            return int(fields[19]) == start_time  # field 22 of /proc/<pid>/stat
        except (OSError, IndexError, ValueError):
            pass
    return True


def _from_locks(config_path: Path, dirs: list[Path], proc_root: Path) -> dict[str, Any] | None:
    ours = {os.path.abspath(config_path), os.path.realpath(config_path)}
    hashes = {
        f"gateway.{h(p.encode()).hexdigest()[:8]}.lock"
        for p in ours
        for h in (hashlib.sha256, hashlib.sha1)
    }
    for d in dirs:
        try:
            candidates = sorted(d.glob("gateway.*.lock"))
        except OSError:
            continue
        for lock in candidates:
            try:
                payload = json.loads(lock.read_text("utf-8"))
            except (OSError, ValueError):
                continue
            if not isinstance(payload, dict) or not isinstance(payload.get("pid"), int):
                continue
            cfg = payload.get("configPath")
            if isinstance(cfg, str):
                if os.path.abspath(cfg) not in ours and os.path.realpath(cfg) not in ours:
                    continue
            elif lock.name not in hashes:
                continue
            if _alive(payload["pid"], payload.get("startTime"), proc_root):
                return {"pid": payload["pid"], "via": f"lock file {lock}"}
    return None


def _looks_like_gateway(args: list[str]) -> bool:
    names = [os.path.basename(a) for a in args]
    if any(n == "openclaw-gateway" for n in names):
        return True
    # `openclaw gateway [run|start|--port N]`, possibly as `node .../openclaw.mjs gateway`
    for i, n in enumerate(names[:3]):
        if n.split(".", 1)[0] == "openclaw" and "gateway" in args[i + 1 :]:
            rest = args[args.index("gateway", i + 1) + 1 :]
            return not any(r in ("status", "stop", "restart", "install", "uninstall") for r in rest[:1])
    return False


def _from_process_list(proc_root: Path) -> dict[str, Any] | None:
    uid = os.getuid() if hasattr(os, "getuid") else None
    try:
        entries = [p for p in proc_root.iterdir() if p.name.isdigit()]
    except OSError:
        return None  # not Linux (or no /proc): the lock file is the only signal
    for p in sorted(entries, key=lambda e: int(e.name)):
        pid = int(p.name)
        if pid == os.getpid():
            continue
        try:
            if uid is not None and p.stat().st_uid != uid:
                continue
            raw = (p / "cmdline").read_bytes()
        except OSError:
            continue
        args = [a for a in raw.decode("utf-8", "replace").split("\0") if a]
        if args and _looks_like_gateway(args):
            return {"pid": pid, "via": "process list"}
    return None


def gateway_status(
    config_path: Path,
    env: Mapping[str, str],
    state_dir: Path,
    *,
    proc_root: Path = Path("/proc"),
) -> dict[str, Any] | None:
    """``{"pid": N, "via": "..."}`` when a gateway for ``config_path`` seems to run, else None."""
    return _from_locks(config_path, lock_dirs(env, state_dir), proc_root) or _from_process_list(proc_root)
