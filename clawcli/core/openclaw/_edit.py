"""Pure edits of the parsed config: add our entries, remove them, describe the difference.

Rules (reference/x402-wallet.md §5, peers.md §1f): merge, never clobber; never create the
``agents.defaults.models`` allowlist (it would hide every other provider); never touch the
default model unless asked; never edit through an ``$include`` (the data lives in another
file, and a sibling key we add would silently override what it includes).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from clawcli.core.errors import ConfigError
from clawcli.core.openclaw._entries import PLACEHOLDER_API_KEY, PROVIDER_ID, model_ref

INCLUDE = "$include"
MODELS = ("models",)
PROVIDERS = ("models", "providers")
AGENTS = ("agents",)
DEFAULTS = ("agents", "defaults")
ALLOWLIST = ("agents", "defaults", "models")
DEFAULT_MODEL = ("agents", "defaults", "model")
OUR_PREFIX = PROVIDER_ID + "/"


def dotted(keys: tuple[str, ...] | list[str]) -> str:
    out = ""
    for k in keys:
        out += f'["{k}"]' if ("." in k or not k) else (("." if out else "") + k)
    return out or "(top level)"


def get(data: dict[str, Any], keys: tuple[str, ...]) -> Any:
    node: Any = data
    for k in keys:
        if not isinstance(node, dict) or k not in node:
            return None
        node = node[k]
    return node


def include_in_way(data: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    """The section on the way to ``keys`` (top level included) that uses ``$include``."""
    node: Any = data
    for depth in range(len(keys) + 1):
        if not isinstance(node, dict):
            return None
        if INCLUDE in node:
            return dotted(keys[:depth])
        if depth == len(keys) or keys[depth] not in node:
            return None
        node = node[keys[depth]]
    return None


def refuse_includes(data: dict[str, Any], targets: list[tuple[str, ...]]) -> None:
    for keys in targets:
        where = include_in_way(data, keys)
        if where is not None:
            raise ConfigError(
                f"{dotted(keys)} would have to change, but {where} uses $include "
                "(its content lives in another file, and a key added here would override it)",
                "nothing was changed; inline that section into the config and run again, "
                "or make the change in the included file yourself",
            )


def _ensure_dict(data: dict[str, Any], keys: tuple[str, ...], created: list[tuple[str, ...]]) -> dict[str, Any]:
    node = data
    for i, k in enumerate(keys):
        if k not in node or node[k] is None:
            node[k] = {}
            created.append(keys[: i + 1])
        elif not isinstance(node[k], dict):
            raise ConfigError(
                f"{dotted(keys[: i + 1])} in OpenClaw's config is a {type(node[k]).__name__}, not an object",
                "nothing was changed; fix that section (OpenClaw expects an object there)",
            )
        node = node[k]
    return node


@dataclass
class Edit:
    """An edited copy of the config plus what the undo record needs to know."""

    data: dict[str, Any]
    created: list[tuple[str, ...]] = field(default_factory=list)
    allowlist_added: list[str] = field(default_factory=list)
    #: the default model we replaced: ("absent",) or ("value", previous primary)
    previous_default: tuple[Any, ...] | None = None
    warnings: list[str] = field(default_factory=list)


def _merge_models(existing: Any, ours: list[dict[str, Any]], stale_ids: set[str]) -> list[Any]:
    """Our entries replace same-id entries in place; the user's own entries stay; our
    no-longer-offered entries (``stale_ids``, from the record) go; new ones are appended."""
    by_id = {m["id"]: m for m in ours}
    out: list[Any] = []
    seen: set[str] = set()
    for e in existing if isinstance(existing, list) else []:
        mid = e.get("id") if isinstance(e, dict) else None
        if mid in by_id:
            if mid not in seen:  # drop duplicate rows of our ids
                out.append(copy.deepcopy(by_id[mid]))
                seen.add(mid)
        elif mid in stale_ids:
            continue
        else:
            out.append(e)
    out.extend(copy.deepcopy(m) for m in ours if m["id"] not in seen)
    return out


def inject(
    data: dict[str, Any],
    provider: dict[str, Any],
    *,
    set_default: bool,
    stale_ids: set[str] = frozenset(),  # type: ignore[assignment]
    api_key: str | None = None,
) -> Edit:
    targets = [PROVIDERS + (PROVIDER_ID,)]
    if _is_allowlist(get(data, ALLOWLIST)):
        targets.append(ALLOWLIST)
    if set_default:
        targets.append(DEFAULT_MODEL)
    refuse_includes(data, targets)

    edit = Edit(copy.deepcopy(data))
    new = edit.data
    providers = _ensure_dict(new, PROVIDERS, edit.created)
    current = providers.get(PROVIDER_ID)
    if isinstance(current, dict):
        merged = dict(current)  # the user's extra keys (headers, ...) and key order stay
        merged["baseUrl"] = provider["baseUrl"]
        merged["api"] = provider["api"]
        if api_key is not None:
            merged["apiKey"] = provider["apiKey"]  # an explicit --token wins
        elif merged.get("apiKey") in ("", PLACEHOLDER_API_KEY):
            # the placeholder earlier versions wrote: OpenClaw needs no key, and doctor flags it
            del merged["apiKey"]
        # otherwise a key the user set (e.g. a serve token) stays
        merged["models"] = _merge_models(current.get("models"), provider["models"], stale_ids)
        providers[PROVIDER_ID] = merged
    else:
        providers[PROVIDER_ID] = copy.deepcopy(provider)

    refs = [model_ref(m["id"]) for m in provider["models"]]
    allow = get(new, ALLOWLIST)
    if _is_allowlist(allow):
        for r in refs:
            if r not in allow:
                allow[r] = {}
                edit.allowlist_added.append(r)
    elif allow is not None and allow != {}:
        edit.warnings.append(
            f"{dotted(ALLOWLIST)} is a {type(allow).__name__}, not an object; left alone"
        )
    else:
        for keys in (AGENTS, DEFAULTS):
            where = include_in_way(data, keys)
            if where is not None:
                edit.warnings.append(
                    f"{where} uses $include: if the included file has an agents.defaults.models "
                    f"allowlist, add {model_ref('auto')} (and the other {PROVIDER_ID}/ models) there"
                )
                break

    if set_default:
        _set_default(edit, model_ref("auto"))
    edit.warnings += _port_clashes(new, provider["baseUrl"])
    return edit


def _is_allowlist(v: Any) -> bool:
    # an empty object restricts nothing; adding our refs to it would hide every other model
    return isinstance(v, dict) and len(v) > 0


def _port_clashes(data: dict[str, Any], url: str) -> list[str]:
    """Another local provider on our port (ClawRouter's proxy also defaults to 8402)."""
    hostport = url.split("//", 1)[1].split("/", 1)[0]
    port = hostport.rsplit(":", 1)[1]
    local = {hostport, f"localhost:{port}", f"[::1]:{port}", f"0.0.0.0:{port}"}
    out = []
    for pid, prov in (get(data, PROVIDERS) or {}).items():
        if pid == PROVIDER_ID or not isinstance(prov, dict) or not isinstance(prov.get("baseUrl"), str):
            continue
        parts = prov["baseUrl"].split("//", 1)
        if len(parts) == 2 and parts[1].split("/", 1)[0] in local:
            out.append(
                f"provider {pid!r} also points at port {port} ({prov['baseUrl']}); only one proxy "
                "can listen there: stop it, or use another port (--port, and claw serve --port)"
            )
    return out


def _set_default(edit: Edit, ref: str) -> None:
    defaults = _ensure_dict(edit.data, DEFAULTS, edit.created)
    cur = defaults.get("model")
    if cur is None:
        defaults["model"] = {"primary": ref}
        edit.created.append(DEFAULT_MODEL)
        edit.previous_default = ("absent",)
    elif isinstance(cur, str):  # OpenClaw allows the short string form
        if cur != ref:
            defaults["model"] = ref
            edit.previous_default = ("value", cur)
    elif isinstance(cur, dict):
        prev = cur.get("primary")
        if prev != ref:
            edit.previous_default = ("absent",) if prev is None else ("value", prev)
            cur["primary"] = ref
    else:
        raise ConfigError(
            f"{dotted(DEFAULT_MODEL)} is a {type(cur).__name__}; expected a model ref or an object",
            "nothing was changed",
        )
    if edit.previous_default and edit.previous_default[0] == "value":
        if str(edit.previous_default[1]).startswith(OUR_PREFIX):
            edit.previous_default = None  # replacing one of our refs: nothing of the user's to restore


def current_default(data: dict[str, Any]) -> str | None:
    cur = get(data, DEFAULT_MODEL)
    if isinstance(cur, str):
        return cur
    if isinstance(cur, dict) and isinstance(cur.get("primary"), str):
        return cur["primary"]
    return None


def undo(
    data: dict[str, Any],
    *,
    created: list[tuple[str, ...]] = (),  # type: ignore[assignment]
    previous_default: tuple[Any, ...] | None = None,
    previous_provider: tuple[Any, ...] | None = None,
    allowlist_added: list[str] | None = None,
) -> Edit:
    """Remove our provider, our allowlist refs, our default model (restoring the user's
    previous one when the record has it) and the containers we created, if now empty.

    When the user had a ``clawcli`` provider of their own before the first injection, it is
    restored as it was, and only the allowlist refs we added are removed."""
    targets = []
    if isinstance(get(data, PROVIDERS), dict) and PROVIDER_ID in get(data, PROVIDERS):
        targets.append(PROVIDERS + (PROVIDER_ID,))
    allow = get(data, ALLOWLIST)
    if isinstance(allow, dict) and any(str(k).startswith(OUR_PREFIX) for k in allow):
        targets.append(ALLOWLIST)
    if (current_default(data) or "").startswith(OUR_PREFIX):
        targets.append(DEFAULT_MODEL)
    refuse_includes(data, targets)

    edit = Edit(copy.deepcopy(data))
    new = edit.data
    providers = get(new, PROVIDERS)
    restored = bool(previous_provider and previous_provider[0] == "value" and len(previous_provider) > 1
                    and isinstance(previous_provider[1], dict))
    if isinstance(providers, dict):
        if restored:
            providers[PROVIDER_ID] = copy.deepcopy(previous_provider[1])  # type: ignore[index]
        else:
            providers.pop(PROVIDER_ID, None)
    allow = get(new, ALLOWLIST)
    if isinstance(allow, dict):
        if restored:
            # the user's provider is back: keep their refs, drop only the ones we added
            drop = [k for k in allow if k in set(allowlist_added or ())]
        else:
            # every clawcli/ ref points at the provider we just removed
            drop = [k for k in allow if str(k).startswith(OUR_PREFIX)]
        for k in drop:
            del allow[k]
    if (current_default(new) or "").startswith(OUR_PREFIX):
        defaults = get(new, DEFAULTS)
        cur = defaults["model"]
        restore = previous_default[1] if previous_default and previous_default[0] == "value" else None
        if isinstance(cur, str):
            if restore is not None:
                defaults["model"] = restore
            else:
                del defaults["model"]
        else:
            if restore is not None:
                cur["primary"] = restore
            else:
                del cur["primary"]
    for keys in sorted((tuple(c) for c in created), key=len, reverse=True):
        node = get(new, keys)
        parent = get(new, keys[:-1]) if len(keys) > 1 else new
        if node == {} and isinstance(parent, dict):
            del parent[keys[-1]]
    return edit


def changes(old: Any, new: Any, path: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """What differs between two configs, as add/remove/update records with key paths."""
    out: list[dict[str, Any]] = []
    if isinstance(old, dict) and isinstance(new, dict):
        for k in old:
            if k not in new:
                out.append(_change("remove", path + (k,), old[k]))
        for k in new:
            if k not in old:
                out.append(_change("add", path + (k,), new[k]))
            elif old[k] != new[k]:
                out.extend(changes(old[k], new[k], path + (k,)))
        return out
    rec: dict[str, Any] = {"op": "update", "path": list(path), "where": dotted(path)}
    if _is_id_list(old) and _is_id_list(new):
        before = {e["id"]: e for e in old}
        after = {e["id"]: e for e in new}
        rec["added"] = [i for i in after if i not in before]
        rec["removed"] = [i for i in before if i not in after]
        rec["updated"] = [i for i in after if i in before and before[i] != after[i]]
    elif not isinstance(old, (dict, list)) and not isinstance(new, (dict, list)):
        rec["from"], rec["to"] = old, new
    out.append(rec)
    return out


def _is_id_list(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(e, dict) and isinstance(e.get("id"), str) for e in v)


def _change(op: str, path: tuple[str, ...], value: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {"op": op, "path": list(path), "where": dotted(path)}
    if isinstance(value, (dict, list)):
        rec["size"] = len(value)
    else:
        rec["value"] = value
    return rec
