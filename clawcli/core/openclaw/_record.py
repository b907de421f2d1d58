"""What ``claw inject-openclaw`` added, so ``--undo`` can remove exactly that.

OpenClaw's schema rejects unknown keys, so the record cannot live in ``openclaw.json``; it
is a small JSON file in clawcli's own config dir, keyed by the config file's real path:

    {"schema": 1, "configs": {"/home/u/.openclaw/openclaw.json": {
        "created": [["models"], ["models", "providers"]],   # containers that did not exist
        "modelIds": ["auto", ...],                          # our rows in the provider's models
        "allowlistAdded": ["clawcli/auto", ...],
        "previousDefault": ["value", "anthropic/claude-sonnet-4.6"] | ["absent"] | null,
        "previousProvider": ["value", {...the user's own clawcli provider...}] | ["absent"] | null}}}

Without a record (deleted, another machine), undo still removes the ``clawcli`` provider,
``clawcli/*`` allowlist refs and a ``clawcli/*`` default; it just cannot restore a replaced
default or prune containers it cannot prove it created.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from clawcli.core._atomic import atomic_write_bytes


def load(record_file: Path | None, config_real: Path) -> dict[str, Any]:
    if record_file is None:
        return {}
    try:
        data = json.loads(record_file.read_text("utf-8"))
        entry = data["configs"][str(config_real)]
        return entry if isinstance(entry, dict) else {}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def save(record_file: Path | None, config_real: Path, entry: dict[str, Any] | None) -> None:
    """Set (or with ``None`` drop) the entry for one config; atomic, 0600."""
    if record_file is None:
        return
    try:
        data = json.loads(record_file.read_text("utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("configs"), dict):
            raise ValueError
    except (OSError, ValueError):
        data = {"schema": 1, "configs": {}}
    if entry is None:
        if str(config_real) not in data["configs"]:
            return
        data["configs"].pop(str(config_real), None)
    else:
        data["configs"][str(config_real)] = entry
    record_file.parent.mkdir(parents=True, exist_ok=True)
    blob = json.dumps(data, indent=2, sort_keys=True) + "\n"
    atomic_write_bytes(record_file, blob.encode("utf-8"))


def merged(old: dict[str, Any], *, created: list[tuple[str, ...]], model_ids: list[str],
           allowlist_added: list[str], previous_default: tuple[Any, ...] | None,
           previous_provider: tuple[Any, ...] | None = None) -> dict[str, Any]:
    """The record after one more injection: unions, and the *first* replaced default (and the
    provider entry as it was before the first injection) wins."""
    out_created = [list(c) for c in old.get("created", []) if isinstance(c, list)]
    for c in created:
        if list(c) not in out_created:
            out_created.append(list(c))
    allow = [a for a in old.get("allowlistAdded", []) if isinstance(a, str)]
    allow += [a for a in allowlist_added if a not in allow]
    prev = old.get("previousDefault")
    if prev is None and previous_default is not None:
        prev = list(previous_default)
    prev_provider = old.get("previousProvider")
    if prev_provider is None and previous_provider is not None:
        prev_provider = list(previous_provider)
    return {"created": out_created, "modelIds": list(model_ids), "allowlistAdded": allow, "previousDefault": prev,
            "previousProvider": prev_provider}
