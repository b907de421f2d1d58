"""Register ``claw serve`` as a model provider in OpenClaw's config, safely and reversibly.

    path = resolve_config_path(paths, os.environ)
    plan = plan_inject(path, port=8402, record_file=paths.config_dir / RECORD_NAME)
    print(plan.diff())                 # what would change (empty: nothing to do)
    applied = apply_plan(plan)         # backup, atomic replace, read back and compare

``plan_*`` only read; ``apply_plan`` is the only writer, and it writes nothing when the plan
changes nothing, so running twice is a no-op. See ``_edit`` for the merge rules, ``_file``
for how the file is written, ``_gateway`` for the running-gateway check.
"""

from __future__ import annotations

import copy

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clawcli.core.catalog import Catalog, default_catalog
from clawcli.core.errors import ConfigError
from clawcli.core.openclaw import _edit, _file, _record
from clawcli.core.openclaw._entries import (
    API,
    PLACEHOLDER_API_KEY,
    PROVIDER_ID,
    base_url,
    main_models,
    model_entries,
    model_ref,
    provider_entry,
)
from clawcli.core.openclaw._gateway import gateway_status
from clawcli.core.paths import Paths

__all__ = [
    "API",
    "PLACEHOLDER_API_KEY",
    "PROVIDER_ID",
    "RECORD_NAME",
    "Applied",
    "Plan",
    "apply_plan",
    "base_url",
    "gateway_status",
    "main_models",
    "model_entries",
    "model_ref",
    "plan_inject",
    "plan_undo",
    "provider_entry",
    "resolve_config_path",
    "state_dir",
]

CONFIG_NAME = "openclaw.json"
RECORD_NAME = "openclaw-inject.json"

# The diff shows whole lines of the user's config: other providers' API keys, gateway tokens.
# Their values are masked (a dry run must never print a secret); our placeholder key stays.
_SECRET_VALUE = re.compile(
    r"""((["']?)[A-Za-z0-9_-]*(?:api[_-]?key|token|secret|password|passwd|authorization)\2\s*:\s*)"""
    r"""("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""",
    re.IGNORECASE,
)


def _redact(line: str) -> str:
    def mask(m: re.Match[str]) -> str:
        value = m.group(3)
        if value[1:-1] in ("", PLACEHOLDER_API_KEY):
            return m.group(0)
        return m.group(1) + value[0] + "<redacted>" + value[0]

    return _SECRET_VALUE.sub(mask, line)


def _openclaw_home_dir(paths: Paths, env: Mapping[str, str]) -> Path:
    """``$OPENCLAW_HOME/.openclaw`` when OpenClaw's home override is set, else the OpenClaw home
    (``CLAWCLI_OPENCLAW_HOME``, default ``~/.openclaw``)."""
    home = (env.get("OPENCLAW_HOME") or "").strip()
    return Path(home).expanduser() / ".openclaw" if home else paths.openclaw_home


def state_dir(paths: Paths, env: Mapping[str, str]) -> Path:
    """OpenClaw's state dir: ``OPENCLAW_STATE_DIR``, else ``$OPENCLAW_HOME/.openclaw``, else ``~/.openclaw``."""
    state = (env.get("OPENCLAW_STATE_DIR") or "").strip()
    return Path(state).expanduser() if state else _openclaw_home_dir(paths, env)


def resolve_config_path(paths: Paths, env: Mapping[str, str]) -> Path:
    """OpenClaw's own precedence: ``OPENCLAW_CONFIG_PATH``, then ``$OPENCLAW_STATE_DIR/openclaw.json``,
    then ``$OPENCLAW_HOME/.openclaw/openclaw.json``, then ``openclaw.json`` in the OpenClaw home
    (``CLAWCLI_OPENCLAW_HOME``, default ``~/.openclaw``)."""
    explicit = (env.get("OPENCLAW_CONFIG_PATH") or "").strip()
    if explicit:
        return Path(explicit).expanduser()
    return state_dir(paths, env) / CONFIG_NAME


@dataclass
class Plan:
    action: str  # "inject" | "undo"
    file: _file.ConfigFile
    new_data: dict[str, Any]
    changes: list[dict[str, Any]]
    warnings: list[str]
    record_file: Path | None
    record_entry: dict[str, Any] | None  # saved after a write (None: drop this config's entry)
    default_before: str | None
    default_after: str | None
    port: int | None = None
    models: list[str] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return self.file.path

    @property
    def changed(self) -> bool:
        if not self.file.exists:
            return self.action == "inject"
        return _file.canonical(self.file.data) != _file.canonical(self.new_data)

    @property
    def new_text(self) -> str:
        return _file.render(self.new_data)

    def diff(self) -> str:
        """A unified diff of the file as it is and as it would be written ('' if unchanged)."""
        if not self.changed:
            return ""
        old = self.file.text if self.file.exists else ""
        lines = difflib.unified_diff(
            old.splitlines(keepends=True),
            self.new_text.splitlines(keepends=True),
            fromfile=str(self.path) if self.file.exists else "/dev/null",
            tofile=str(self.path),
        )
        return "".join(
            _redact(ln) if ln.endswith("\n") else _redact(ln) + "\n\\ No newline at end of file\n" for ln in lines
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "configPath": str(self.path),
            "changed": self.changed,
            "createdFile": self.changed and not self.file.exists,
            "changes": self.changes,
            "warnings": self.warnings,
            "provider": PROVIDER_ID,
            "baseUrl": base_url(self.port) if self.port else None,
            "models": self.models,
            "defaultModel": self.default_after,
            "defaultModelBefore": self.default_before,
        }


def _comment_warning(cf: _file.ConfigFile) -> list[str]:
    if not cf.comments:
        return []
    return [
        f"{cf.path.name} has {cf.comments} comment(s); JSON has no comments, so the rewritten "
        "file will not keep them (the backup does, byte for byte)"
    ]


def plan_inject(
    config_path: Path,
    *,
    port: int,
    catalog: Catalog | None = None,
    set_default: bool = False,
    record_file: Path | None = None,
    api_key: str | None = None,
) -> Plan:
    """``api_key``: the bearer token of ``claw serve --token`` (OpenClaw sends it as the key)."""
    cf = _file.read(config_path)
    catalog = catalog or default_catalog()
    provider = provider_entry(catalog, port, api_key)
    old_rec = _record.load(record_file, cf.real)
    ours = {m["id"] for m in provider["models"]}
    stale = {i for i in old_rec.get("modelIds", []) if isinstance(i, str) and i not in ours}
    edit = _edit.inject(cf.data, provider, set_default=set_default, stale_ids=stale, api_key=api_key)
    existing = _edit.get(cf.data, _edit.PROVIDERS)
    existing = existing.get(_edit.PROVIDER_ID) if isinstance(existing, dict) else None
    # what the provider slot held before our first injection, so --undo can put it back
    previous_provider = ("value", copy.deepcopy(existing)) if isinstance(existing, dict) else ("absent",)
    plan = Plan(
        action="inject",
        file=cf,
        new_data=edit.data,
        changes=_edit.changes(cf.data, edit.data),
        warnings=list(edit.warnings),
        record_file=record_file,
        record_entry=_record.merged(
            old_rec,
            created=edit.created,
            model_ids=[m["id"] for m in provider["models"]],
            allowlist_added=edit.allowlist_added,
            previous_default=edit.previous_default,
            previous_provider=previous_provider,
        ),
        default_before=_edit.current_default(cf.data),
        default_after=_edit.current_default(edit.data),
        port=port,
        models=[model_ref(m["id"]) for m in provider["models"]],
    )
    if plan.changed and cf.exists:
        plan.warnings += _comment_warning(cf)
    return plan


def plan_undo(config_path: Path, *, record_file: Path | None = None) -> Plan:
    cf = _file.read(config_path)
    rec = _record.load(record_file, cf.real)
    prev = rec.get("previousDefault")
    edit = _edit.undo(
        cf.data,
        created=[tuple(c) for c in rec.get("created", []) if isinstance(c, list)],
        previous_default=tuple(prev) if isinstance(prev, list) and prev else None,
        previous_provider=tuple(rec["previousProvider"]) if isinstance(rec.get("previousProvider"), list) else None,
        allowlist_added=[a for a in rec.get("allowlistAdded", []) if isinstance(a, str)],
    )
    plan = Plan(
        action="undo",
        file=cf,
        new_data=edit.data,
        changes=_edit.changes(cf.data, edit.data),
        warnings=list(edit.warnings),
        record_file=record_file,
        record_entry=None,
        default_before=_edit.current_default(cf.data),
        default_after=_edit.current_default(edit.data),
    )
    if plan.changed:
        plan.warnings += _comment_warning(cf)
    return plan


@dataclass(frozen=True)
class Applied:
    written: bool
    backup: Path | None
    #: the undo record could not be saved (the config itself was written and verified)
    record_error: str | None = None


def apply_plan(plan: Plan) -> Applied:
    """Write the plan: refuse read-only files, back up the original bytes, replace atomically
    keeping the mode, read back and compare. Writes nothing when nothing changes."""
    if not plan.changed:
        return Applied(False, None)
    cf = plan.file
    problem = _file.writable_problem(cf)
    if problem:
        raise ConfigError(
            f"{problem}; nothing was changed",
            f"make it writable (chmod u+w {cf.path}), or apply `claw inject-openclaw --dry-run` by hand",
        )
    # another writer (OpenClaw's own config writes, a second claw) must not be overwritten
    try:
        now = cf.real.read_bytes()
    except FileNotFoundError:
        now = None
    except OSError as exc:
        raise ConfigError(f"cannot read {cf.path}: {exc.strerror}") from None
    if now != (cf.raw if cf.exists else None):
        raise ConfigError(
            f"{cf.path} changed while claw was editing it; nothing was changed",
            "run the command again",
        )
    backup = _file.backup(cf) if cf.exists else None
    text = plan.new_text
    try:
        _file.atomic_write(cf.real, text.encode("utf-8"), cf.mode if cf.mode is not None else _file.NEW_FILE_MODE)
    except OSError as exc:
        raise ConfigError(
            f"cannot write {cf.path}: {exc.strerror}; the original is unchanged",
            f"backup: {backup}" if backup else None,
        ) from None
    try:
        back = _file.parse(cf.real.read_bytes(), cf.path)
        ok = _file.canonical(back) == _file.canonical(plan.new_data)
    except (OSError, ConfigError):
        ok = False
    if not ok:
        if cf.exists:
            _file.atomic_write(cf.real, cf.raw, cf.mode if cf.mode is not None else _file.NEW_FILE_MODE)
        raise ConfigError(
            f"{cf.path} did not read back as written; the original was put back",
            f"backup: {backup}" if backup else None,
        )
    try:
        _record.save(plan.record_file, cf.real, plan.record_entry)
    except OSError as exc:
        return Applied(True, backup, f"could not save {plan.record_file}: {exc.strerror}")
    return Applied(True, backup)
