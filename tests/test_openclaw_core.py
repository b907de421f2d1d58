"""clawcli.core.openclaw below the CLI: entries, comment detection, the running-gateway
check (lock files and the process list), concurrent writers and stale model rows."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clawcli.cli.main import app
from clawcli.core import openclaw as oc
from clawcli.core.catalog import default_catalog
from clawcli.core.errors import ConfigError
from clawcli.core.openclaw import _file
from clawcli.core.paths import Paths


def test_resolve_config_path_precedence(tmp_path: Path):
    paths = Paths(config_dir=tmp_path, cache_dir=tmp_path, openclaw_home=tmp_path / "oc")
    assert oc.resolve_config_path(paths, {}) == tmp_path / "oc" / "openclaw.json"
    assert oc.resolve_config_path(paths, {"OPENCLAW_STATE_DIR": "/s"}) == Path("/s/openclaw.json")
    env = {"OPENCLAW_STATE_DIR": "/s", "OPENCLAW_CONFIG_PATH": "/c/x.json"}
    assert oc.resolve_config_path(paths, env) == Path("/c/x.json")
    assert oc.resolve_config_path(paths, {"OPENCLAW_CONFIG_PATH": "  "}) == tmp_path / "oc" / "openclaw.json"
    assert oc.resolve_config_path(paths, {"OPENCLAW_HOME": "/h"}) == Path("/h/.openclaw/openclaw.json")
    assert oc.resolve_config_path(paths, {"OPENCLAW_HOME": "/h", "OPENCLAW_STATE_DIR": "/s"}) == Path("/s/openclaw.json")
    assert oc.state_dir(paths, {"OPENCLAW_HOME": "/h"}) == Path("/h/.openclaw")


def test_profile_entries_are_conservative_bounds():
    cat = default_catalog()
    entries = {e["id"]: e for e in oc.model_entries(cat)}
    for profile in ("auto", "eco", "premium", "free", "agentic"):
        primaries = [cat.models[c[0]] for c in cat.profiles[profile].values() if c]
        e = entries[profile]
        assert e["cost"]["output"] == max(m.output_price for m in primaries)
        assert e["contextWindow"] == min(m.context_window for m in primaries)
        assert e["maxTokens"] == min(m.max_output for m in primaries)
        assert e["reasoning"] is False
    assert entries["free"]["cost"]["input"] == 0 and entries["free"]["cost"]["output"] == 0
    # every primary model of every tier is offered directly, plus the free model
    assert {m.id for m in oc.main_models(cat)} >= {c[0] for t in cat.profiles.values() for c in t.values()}
    # integral prices are written as integers, like OpenClaw's own JSON.stringify
    assert all(not (isinstance(v, float) and v.is_integer()) for e in entries.values() for v in e["cost"].values())


@pytest.mark.parametrize(
    "text, n",
    [
        ('{"a": "http://x//y", "b": \'/*no*/\'}', 0),
        ("// one\n{a: 1, /* two */ b: 2}\n// three", 3),
        ('{"s": "quote \\" // still a string"}', 0),
    ],
)
def test_count_comments_ignores_strings(text: str, n: int):
    assert _file.count_comments(text) == n


def test_concurrent_change_aborts_without_writing(tmp_path: Path):
    cfg = tmp_path / "oc" / "openclaw.json"
    cfg.parent.mkdir()
    cfg.write_text('{"gateway": {"port": 1}}')
    plan = oc.plan_inject(cfg, port=8402)
    cfg.write_text('{"gateway": {"port": 2}}')  # OpenClaw wrote in between
    with pytest.raises(ConfigError, match="changed while claw was editing"):
        oc.apply_plan(plan)
    assert cfg.read_text() == '{"gateway": {"port": 2}}'
    assert list(cfg.parent.iterdir()) == [cfg]


def test_rows_of_models_no_longer_offered_are_dropped_but_user_rows_stay(tmp_path: Path):
    cfg = tmp_path / "openclaw.json"
    rec = tmp_path / "rec.json"
    stale = {"id": "old/retired-model", "name": "gone", "contextWindow": 1, "maxTokens": 1}
    mine = {"id": "my/own", "name": "mine", "contextWindow": 1, "maxTokens": 1}
    cfg.write_text(json.dumps({"models": {"providers": {"clawcli": {
        "baseUrl": "http://127.0.0.1:8402/v1", "models": [stale, mine]}}}}))
    rec.write_text(json.dumps({"schema": 1, "configs": {str(cfg.resolve()): {
        "created": [], "modelIds": ["auto", "old/retired-model"], "allowlistAdded": [], "previousDefault": None}}}))
    oc.apply_plan(oc.plan_inject(cfg, port=8402, record_file=rec))
    ids = [m["id"] for m in json.loads(cfg.read_text())["models"]["providers"]["clawcli"]["models"]]
    assert "old/retired-model" not in ids and "my/own" in ids and "auto" in ids


def _lock(dirpath: Path, config: Path, pid: int, *, algo=hashlib.sha256, with_path: bool = True) -> Path:
    dirpath.mkdir(parents=True, exist_ok=True)
    h = algo(os.path.abspath(config).encode()).hexdigest()[:8]
    payload = {"pid": pid, "createdAt": "2026-11-26T00:00:00Z"}
    if with_path:
        payload["configPath"] = os.path.abspath(config)
    p = dirpath / f"gateway.{h}.lock"
    p.write_text(json.dumps(payload))
    return p


@pytest.fixture
def sleeper():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc.pid
    proc.kill()
    proc.wait()


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_gateway_detected_from_its_lock_file(tmp_path: Path, sleeper: int):
    cfg = tmp_path / "oc" / "openclaw.json"
    env = {"TMPDIR": str(tmp_path / "tmp")}
    empty_proc = tmp_path / "proc"
    empty_proc.mkdir()
    lockdir = tmp_path / "tmp" / f"openclaw-{os.getuid()}"
    assert oc.gateway_status(cfg, env, cfg.parent, proc_root=empty_proc) is None
    _lock(lockdir, cfg, sleeper)
    st = oc.gateway_status(cfg, env, cfg.parent, proc_root=empty_proc)
    assert st is not None and st["pid"] == sleeper and "lock file" in st["via"]


def test_gateway_lock_of_another_config_or_dead_pid_is_ignored(tmp_path: Path, sleeper: int):
    cfg = tmp_path / "oc" / "openclaw.json"
    env = {"TMPDIR": str(tmp_path / "tmp")}
    proc = tmp_path / "proc"
    proc.mkdir()
    lockdir = tmp_path / "tmp" / f"openclaw-{os.getuid()}"
    _lock(lockdir, tmp_path / "other" / "openclaw.json", sleeper)
    assert oc.gateway_status(cfg, env, cfg.parent, proc_root=proc) is None
    _lock(lockdir, cfg, _dead_pid())
    assert oc.gateway_status(cfg, env, cfg.parent, proc_root=proc) is None
    # older releases: sha1 name in the state dir, payload without configPath
    _lock(cfg.parent, cfg, sleeper, algo=hashlib.sha1, with_path=False)
    assert oc.gateway_status(cfg, env, cfg.parent, proc_root=proc)["pid"] == sleeper


def test_gateway_detected_from_the_process_list(tmp_path: Path):
    proc = tmp_path / "proc"
    for pid, argv in ((101, ["bash"]), (102, ["node", "/usr/lib/node_modules/openclaw/openclaw.mjs", "gateway", "--port", "18789"]),
                      (103, ["openclaw", "gateway", "status"])):
        (proc / str(pid)).mkdir(parents=True)
        (proc / str(pid) / "cmdline").write_bytes(b"\0".join(a.encode() for a in argv) + b"\0")
    st = oc.gateway_status(tmp_path / "x.json", {"TMPDIR": str(tmp_path)}, tmp_path, proc_root=proc)
    assert st == {"pid": 102, "via": "process list"}
    (proc / "102" / "cmdline").write_bytes(b"openclaw\0gateway\0status\0")
    assert oc.gateway_status(tmp_path / "x.json", {"TMPDIR": str(tmp_path)}, tmp_path, proc_root=proc) is None


def test_cli_tells_the_user_to_restart_a_running_gateway(openclaw_home: Path, tmp_path: Path, monkeypatch, sleeper: int):
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    cfg = openclaw_home / "openclaw.json"
    cfg.write_text("{}")
    _lock(tmp_path / "tmp" / f"openclaw-{os.getuid()}", cfg, sleeper)
    r = CliRunner().invoke(app, ["inject-openclaw"])
    assert r.exit_code == 0, r.output
    assert f"gateway is running (pid {sleeper})" in r.stdout and "restart" in r.stdout
    # nothing changed on the second run: nothing to restart for
    r = CliRunner().invoke(app, ["inject-openclaw", "--json"])
    assert json.loads(r.stdout)["gatewayRunning"] is False
