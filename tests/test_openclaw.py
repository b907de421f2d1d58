"""`claw inject-openclaw` on fixture configs: merge without clobbering, backups, idempotency,
undo, dry runs, and refusing what it must not edit. Never touches the real ~/.openclaw
(conftest points CLAWCLI_OPENCLAW_HOME at a temp dir)."""

from __future__ import annotations

import copy
import json
import os
import stat
from pathlib import Path

import json5
import pytest
from typer.testing import CliRunner

from clawcli.cli.main import app
from clawcli.core.catalog import default_catalog
from clawcli.core.openclaw import PLACEHOLDER_API_KEY, main_models

runner = CliRunner()

# JSON5: comments, trailing commas, unquoted keys, other providers, plugins, channels, no allowlist
RICH = """// OpenClaw config, hand-edited
{
  gateway: { port: 18789, mode: 'local', },
  /* providers the user already has */
  models: {
    mode: "merge",
    providers: {
      openrouter: {
        baseUrl: "https://openrouter.ai/api/v1", // the "//" in the URL is no comment
        apiKey: "sk-or-v1-secret",
        api: "openai-completions",
        models: [ { id: "anthropic/claude-sonnet-4", name: "Sonnet", }, ],
      },
      blockrun: { baseUrl: "http://127.0.0.1:8402/v1", api: "openai-completions", apiKey: "x402-proxy-handles-auth", models: [], },
    },
  },
  agents: { defaults: { model: { primary: "openrouter/anthropic/claude-sonnet-4", fallbacks: ["blockrun/auto"], }, workspace: "~/clawd", }, },
  plugins: { allow: ["clawrouter", "telegram"], entries: { clawrouter: { enabled: true, config: { walletKey: "0xabc" } } } },
  channels: { telegram: { botToken: "123:abc", }, },
}
"""

ALLOWLIST = """{
  "models": {"providers": {"anthropic": {"baseUrl": "https://api.anthropic.com", "apiKey": "sk-ant", "models": []}}},
  "agents": {"defaults": {"model": "anthropic/claude-opus-4", "models": {"anthropic/claude-opus-4": {"alias": "opus"}, "blockrun/auto": {}}}}
}
"""

CHANGED_PORT = """{
  "models": {"providers": {"clawcli": {
    "baseUrl": "http://127.0.0.1:9999/v1", "api": "openai-completions", "apiKey": "my-serve-token",
    "headers": {"X-Team": "infra"},
    "models": [{"id": "auto", "name": "old name", "reasoning": false, "input": ["text"],
                "cost": {"input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0},
                "contextWindow": 1000, "maxTokens": 100},
               {"id": "my/local-model", "name": "mine", "contextWindow": 8192, "maxTokens": 1024}]
  }}}
}
"""

BROKEN = """{
  "models": {
    "providers": {
      "x": { "baseUrl": "http://a" }
      "y": {}
    }
  }
}
"""


@pytest.fixture
def cfg(openclaw_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # the gateway check reads $TMPDIR/openclaw-<uid>/: keep it inside the test
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    return openclaw_home / "openclaw.json"


def run(*args: str):
    return runner.invoke(app, ["inject-openclaw", *args])


def backups(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".bak.*"))


def strip_ours(data: dict) -> dict:
    """The config minus everything inject-openclaw may add (to compare with the original)."""
    d = copy.deepcopy(data)
    d["models"]["providers"].pop("clawcli", None)
    allow = d.get("agents", {}).get("defaults", {}).get("models")
    if isinstance(allow, dict):
        for k in [k for k in allow if k.startswith("clawcli/")]:
            del allow[k]
    return d


def expected_ids() -> list[str]:
    return ["auto", "eco", "premium", "free", "agentic"] + [m.id for m in main_models(default_catalog())]


def test_json5_config_merges_without_clobbering(cfg: Path):
    cfg.write_text(RICH)
    os.chmod(cfg, 0o640)
    original = json5.loads(RICH)

    r = run()
    assert r.exit_code == 0, r.output
    # comments cannot survive: the user is told before the write, and the backup keeps them
    assert "3 comment(s)" in r.stderr
    # ClawRouter's proxy (provider blockrun) also wants 127.0.0.1:8402: say so
    assert "provider 'blockrun' also points at port 8402" in r.stderr
    new = json.loads(cfg.read_text())  # written as strict JSON
    assert strip_ours(new) == original  # every other key, provider, plugin, channel unchanged
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o640  # mode kept (ClawRouter reset it to 0644)

    prov = new["models"]["providers"]["clawcli"]
    assert prov["baseUrl"] == "http://127.0.0.1:8402/v1"
    assert prov["api"] == "openai-completions"
    # no placeholder key without --token (OpenClaw runs turns without one; doctor flags a plaintext one)
    assert "apiKey" not in prov
    assert [m["id"] for m in prov["models"]] == expected_ids()
    cat = default_catalog()
    for m in prov["models"]:
        assert set(m) >= {"id", "name", "reasoning", "input", "cost", "contextWindow", "maxTokens"}
        assert m["maxTokens"] <= m["contextWindow"]
        if m["id"] in cat.models:
            assert m["input"] == (["text", "image"] if cat.models[m["id"]].vision else ["text"])
            assert m["cost"]["input"] == cat.models[m["id"]].input_price
            assert m["reasoning"] is cat.models[m["id"]].reasoning
    # no allowlist existed, so none was created (it would hide every other provider)
    assert "models" not in new["agents"]["defaults"]
    # the default model is the user's business
    assert new["agents"]["defaults"]["model"]["primary"] == "openrouter/anthropic/claude-sonnet-4"
    assert "--set-default" in r.stdout

    [bak] = backups(cfg)
    assert bak.read_bytes() == RICH.encode()  # exact original bytes, comments included
    assert str(bak) in r.stdout


def test_second_run_is_a_noop(cfg: Path):
    cfg.write_text(RICH)
    assert run().exit_code == 0
    first = cfg.read_bytes()
    mtime = cfg.stat().st_mtime_ns
    r = run()
    assert r.exit_code == 0, r.output
    assert "nothing written" in r.stdout
    assert cfg.read_bytes() == first and cfg.stat().st_mtime_ns == mtime
    assert len(backups(cfg)) == 1
    assert run("--dry-run").stdout.strip().endswith("nothing to change")


def test_undo_restores_original_semantics(cfg: Path):
    cfg.write_text(RICH)
    assert run("--set-default").exit_code == 0
    assert json.loads(cfg.read_text())["agents"]["defaults"]["model"]["primary"] == "clawcli/auto"
    r = run("--undo")
    assert r.exit_code == 0, r.output
    assert json.loads(cfg.read_text()) == json5.loads(RICH)
    assert len(backups(cfg)) == 2  # one per changing run
    r = run("--undo")
    assert r.exit_code == 0 and "nothing to undo" in r.stdout
    assert len(backups(cfg)) == 2


def test_existing_allowlist_gets_our_refs(cfg: Path):
    cfg.write_text(ALLOWLIST)
    assert run().exit_code == 0
    new = json.loads(cfg.read_text())
    allow = new["agents"]["defaults"]["models"]
    assert allow["anthropic/claude-opus-4"] == {"alias": "opus"} and allow["blockrun/auto"] == {}
    assert [k for k in allow if k.startswith("clawcli/")] == [f"clawcli/{i}" for i in expected_ids()]
    assert new["agents"]["defaults"]["model"] == "anthropic/claude-opus-4"
    assert strip_ours(new) == json.loads(ALLOWLIST)
    assert run("--undo").exit_code == 0
    assert json.loads(cfg.read_text()) == json.loads(ALLOWLIST)


def test_empty_allowlist_is_not_turned_into_a_restrictive_one(cfg: Path):
    text = '{"agents": {"defaults": {"models": {}}}}'
    cfg.write_text(text)
    assert run().exit_code == 0
    assert json.loads(cfg.read_text())["agents"]["defaults"]["models"] == {}


def test_existing_clawcli_provider_with_another_port(cfg: Path):
    cfg.write_text(CHANGED_PORT)
    r = run("--port", "8500", "--json")
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert report["changed"] and report["written"] and report["baseUrl"] == "http://127.0.0.1:8500/v1"
    assert any(c["where"] == "models.providers.clawcli.baseUrl" and c["to"] == "http://127.0.0.1:8500/v1"
               for c in report["changes"])
    prov = json.loads(cfg.read_text())["models"]["providers"]["clawcli"]
    assert prov["baseUrl"] == "http://127.0.0.1:8500/v1"
    assert prov["apiKey"] == "my-serve-token"  # a key the user set is kept
    assert prov["headers"] == {"X-Team": "infra"}
    ids = [m["id"] for m in prov["models"]]
    assert ids[0] == "auto" and prov["models"][0]["name"] != "old name"  # our row refreshed in place
    assert "my/local-model" in ids and ids.count("auto") == 1  # the user's row stays
    assert set(expected_ids()) <= set(ids)
    # the same port again: nothing to do
    assert json.loads(run("--port", "8500", "--json").stdout)["changed"] is False
    # undo puts the user's own provider back exactly as it was (their key, headers, rows)
    r = run("--undo")
    assert r.exit_code == 0, r.output
    assert json.loads(cfg.read_text()) == json5.loads(CHANGED_PORT)


def test_port_defaults_to_the_port_setting(cfg: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CLAWCLI_PORT", "8777")
    assert run().exit_code == 0
    assert json.loads(cfg.read_text())["models"]["providers"]["clawcli"]["baseUrl"] == "http://127.0.0.1:8777/v1"


def test_broken_file_is_left_untouched(cfg: Path):
    cfg.write_text(BROKEN)
    r = run()
    assert r.exit_code == 1
    assert "line 5" in r.stderr and "Traceback" not in r.output
    assert cfg.read_text() == BROKEN
    assert backups(cfg) == []
    assert sorted(p.name for p in cfg.parent.iterdir()) == ["openclaw.json"]


def test_read_only_file_is_refused(cfg: Path):
    cfg.write_text(ALLOWLIST)
    os.chmod(cfg, 0o444)
    r = run()
    assert r.exit_code == 1
    assert "read-only" in r.stderr and "nothing was changed" in r.stderr
    assert cfg.read_text() == ALLOWLIST and stat.S_IMODE(cfg.stat().st_mode) == 0o444
    assert sorted(p.name for p in cfg.parent.iterdir()) == ["openclaw.json"]  # no backup, no temp file


@pytest.mark.parametrize(
    "text, where",
    [
        ('{"models": {"$include": "./models.json5"}}', "models"),
        ('{"models": {"providers": {"$include": ["./a.json5"]}}}', "models.providers"),
        ('{"$include": "./base.json5", "gateway": {"port": 1}}', "(top level)"),
        ('{"agents": {"defaults": {"models": {"$include": "./allow.json5"}}}}', "agents.defaults.models"),
    ],
)
def test_include_in_a_section_we_change_is_refused(cfg: Path, text: str, where: str):
    cfg.write_text(text)
    r = run()
    assert r.exit_code == 1
    assert "$include" in r.stderr and where in r.stderr
    assert cfg.read_text() == text and backups(cfg) == []


def test_include_elsewhere_is_fine(cfg: Path):
    text = '{"channels": {"$include": "./channels.json5"}, "models": {"providers": {}}}'
    cfg.write_text(text)
    assert run().exit_code == 0
    new = json.loads(cfg.read_text())
    assert new["channels"] == {"$include": "./channels.json5"}
    assert "clawcli" in new["models"]["providers"]


def test_dry_run_writes_nothing(cfg: Path, claw_home: Path):
    cfg.write_text(RICH)
    r = run("--dry-run")
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith(f"--- {cfg}\n+++ {cfg}\n")
    assert '+      "clawcli": {' in r.stdout and "-// OpenClaw config, hand-edited" in r.stdout
    assert cfg.read_text() == RICH and backups(cfg) == []
    assert not (claw_home / "openclaw-inject.json").exists()
    js = json.loads(run("--dry-run", "--json").stdout)
    assert js["dryRun"] and not js["written"] and js["changed"] and js["diff"].startswith("---")


def test_missing_file_is_created_with_only_our_entries(openclaw_home: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    cfg = openclaw_home / "state" / "openclaw.json"
    monkeypatch.setenv("OPENCLAW_STATE_DIR", str(cfg.parent))
    assert run("--dry-run").exit_code == 0 and not cfg.exists()
    r = run()
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith(f"created {cfg}")
    new = json.loads(cfg.read_text())
    assert list(new) == ["models"] and list(new["models"]["providers"]) == ["clawcli"]
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    assert backups(cfg) == []
    assert run("--undo").exit_code == 0
    assert json.loads(cfg.read_text()) == {}  # what we created is gone again


def test_set_default_string_form_and_undo_restores_it(cfg: Path):
    cfg.write_text(ALLOWLIST)
    r = run("--set-default")
    assert r.exit_code == 0, r.output
    assert "--set-default" not in r.stdout  # no hint when it was done
    assert json.loads(cfg.read_text())["agents"]["defaults"]["model"] == "clawcli/auto"
    assert run("--set-default").exit_code == 0 and len(backups(cfg)) == 1  # idempotent
    assert run("--undo").exit_code == 0
    assert json.loads(cfg.read_text())["agents"]["defaults"]["model"] == "anthropic/claude-opus-4"


def test_undo_leaves_a_default_the_user_chose_later(cfg: Path):
    cfg.write_text(ALLOWLIST)
    assert run("--set-default").exit_code == 0
    data = json.loads(cfg.read_text())
    data["agents"]["defaults"]["model"] = "anthropic/claude-haiku-4"  # the user moved on
    cfg.write_text(json.dumps(data))
    assert run("--undo").exit_code == 0
    assert json.loads(cfg.read_text())["agents"]["defaults"]["model"] == "anthropic/claude-haiku-4"


def test_undo_without_a_record_still_removes_our_entries(cfg: Path, claw_home: Path):
    cfg.write_text(ALLOWLIST)
    assert run("--set-default").exit_code == 0
    (claw_home / "openclaw-inject.json").unlink()
    assert run("--undo").exit_code == 0
    new = json.loads(cfg.read_text())
    assert "clawcli" not in new["models"]["providers"]
    assert not [k for k in new["agents"]["defaults"]["models"] if k.startswith("clawcli/")]
    assert "model" not in new["agents"]["defaults"]  # ours, and nothing known to restore


def test_undo_and_set_default_conflict(cfg: Path):
    r = run("--undo", "--set-default")
    assert r.exit_code == 2 and not cfg.exists()


def test_config_path_precedence(openclaw_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    explicit = tmp_path / "profiles" / "work.json"
    state = tmp_path / "state"
    monkeypatch.setenv("OPENCLAW_STATE_DIR", str(state))
    monkeypatch.setenv("OPENCLAW_CONFIG_PATH", str(explicit))
    assert run().exit_code == 0
    assert explicit.exists() and not (state / "openclaw.json").exists()
    assert not (openclaw_home / "openclaw.json").exists()


def test_openclaw_home_is_followed_in_openclaws_order(openclaw_home: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch):
    """OPENCLAW_CONFIG_PATH > OPENCLAW_STATE_DIR/openclaw.json > $OPENCLAW_HOME/.openclaw/openclaw.json
    > ~/.openclaw/openclaw.json (CLAWCLI_OPENCLAW_HOME here)."""
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    oc_home = tmp_path / "oc-home"
    monkeypatch.setenv("OPENCLAW_HOME", str(oc_home))
    assert run().exit_code == 0
    assert (oc_home / ".openclaw" / "openclaw.json").exists()
    assert not (openclaw_home / "openclaw.json").exists()
    state = tmp_path / "state"
    monkeypatch.setenv("OPENCLAW_STATE_DIR", str(state))  # the state dir beats OPENCLAW_HOME
    assert run().exit_code == 0
    assert (state / "openclaw.json").exists()


def test_placeholder_key_of_earlier_versions_is_removed(cfg: Path):
    cfg.write_text(json.dumps({"models": {"providers": {"clawcli": {
        "baseUrl": "http://127.0.0.1:8402/v1", "api": "openai-completions", "apiKey": PLACEHOLDER_API_KEY,
        "models": []}}}}))
    assert run().exit_code == 0
    assert "apiKey" not in json.loads(cfg.read_text())["models"]["providers"]["clawcli"]


def test_symlinked_config_stays_a_symlink(cfg: Path, tmp_path: Path):
    target = tmp_path / "dotfiles" / "openclaw.json"
    target.parent.mkdir()
    target.write_text(ALLOWLIST)
    cfg.symlink_to(target)
    assert run().exit_code == 0
    assert cfg.is_symlink() and "clawcli" in json.loads(target.read_text())["models"]["providers"]


def test_json_report_of_a_first_injection(cfg: Path):
    cfg.write_text(ALLOWLIST)
    r = run("--json")
    assert r.exit_code == 0, r.output
    js = json.loads(r.stdout)
    assert js["action"] == "inject" and js["written"] and js["configPath"] == str(cfg)
    assert js["backup"] and Path(js["backup"]).read_text() == ALLOWLIST
    assert js["models"] == [f"clawcli/{i}" for i in expected_ids()]
    ops = {(c["op"], c["where"]) for c in js["changes"]}
    assert ("add", "models.providers.clawcli") in ops
    assert ("add", "agents.defaults.models.clawcli/auto") in ops
    assert js["defaultModel"] == "anthropic/claude-opus-4" and js["gatewayRunning"] is False


def test_token_becomes_the_api_key_and_is_never_printed(cfg: Path, monkeypatch: pytest.MonkeyPatch):
    r = run("--token", "s3cret-serve-token", "--json")
    assert r.exit_code == 0, r.output
    assert "s3cret-serve-token" not in r.output
    assert json.loads(cfg.read_text())["models"]["providers"]["clawcli"]["apiKey"] == "s3cret-serve-token"
    # a later run without --token keeps it; CLAWCLI_TOKEN (what `claw serve` reads) replaces it
    assert json.loads(run("--json").stdout)["changed"] is False
    monkeypatch.setenv("CLAWCLI_TOKEN", "rotated-token")
    r = run("--dry-run")
    assert "rotated-token" not in r.output and "<redacted>" in r.output
    assert run().exit_code == 0
    assert json.loads(cfg.read_text())["models"]["providers"]["clawcli"]["apiKey"] == "rotated-token"
