"""`claw inject-openclaw`: register `claw serve` as a model provider in OpenClaw's config."""

from __future__ import annotations

from typing import Any

import typer


def inject_openclaw(
    port: int | None = typer.Option(
        None, "--port", "-p", min=1, max=65535,
        help="Port `claw serve` listens on (default: the port setting, CLAWCLI_PORT, 8402).",
        show_default=False,
    ),
    set_default: bool = typer.Option(
        False, "--set-default", help="Also make clawcli/auto OpenClaw's default model."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", "-n", help="Print a unified diff of the change; write nothing."
    ),
    undo: bool = typer.Option(
        False, "--undo", help="Remove what inject-openclaw added (and the default model only if it is ours)."
    ),
    json_out: bool = typer.Option(False, "--json", "-j", help="Report what changed as JSON."),
    token: str | None = typer.Option(
        None, "--token", "-t", envvar="CLAWCLI_TOKEN", show_default=False,
        help="The token `claw serve --token` requires; written as the provider's apiKey so OpenClaw sends it (without it no apiKey is written).",
    ),
) -> None:
    """Register `claw serve` as the `clawcli` provider in OpenClaw's config, safely.

    The config is OPENCLAW_CONFIG_PATH, else $OPENCLAW_STATE_DIR/openclaw.json, else $OPENCLAW_HOME/.openclaw/openclaw.json, else ~/.openclaw/openclaw.json (OpenClaw's own order). Every other provider, plugin and key stays as it was.

    Adds the models auto, eco, premium, free, agentic and the main catalog models, and adds them to an existing agents.defaults.models allowlist (never creates one). The default model changes only with --set-default.

    Backs the file up (openclaw.json.bak.<timestamp>) before changing it; running it twice changes nothing; --undo removes exactly what was added.

    Examples:

      claw inject-openclaw --dry-run          # show the diff, write nothing

      claw inject-openclaw --port 8402        # then: claw serve --port 8402

      claw inject-openclaw --set-default      # make clawcli/auto the default model

      claw inject-openclaw --undo             # remove exactly what was added
    """
    import os

    from clawcli.cli._app import notice, print_json
    from clawcli.core import openclaw as oc
    from clawcli.core.config import load_settings
    from clawcli.core.errors import UsageError
    from clawcli.core.paths import Paths

    if undo and set_default:
        raise UsageError("--undo and --set-default cannot be combined")
    paths = Paths.from_env()
    path = oc.resolve_config_path(paths, os.environ)
    record = paths.config_dir / oc.RECORD_NAME
    if undo:
        plan = oc.plan_undo(path, record_file=record)
    else:
        port = load_settings(paths, overrides={"port": port}).port
        plan = oc.plan_inject(path, port=port, set_default=set_default, record_file=record, api_key=token or None)

    if dry_run:
        if json_out:
            print_json({**plan.to_dict(), "dryRun": True, "written": False, "backup": None, "diff": plan.diff()})
            return
        for w in plan.warnings:
            notice(f"warning: {w}")
        diff = plan.diff()
        typer.echo(diff if diff else f"{plan.path}: nothing to change", nl=not diff)
        return

    if not json_out:
        for w in plan.warnings:  # before writing: e.g. comments that will not survive
            notice(f"warning: {w}")
    applied = oc.apply_plan(plan)
    gateway = None
    if applied.written:
        gateway = oc.gateway_status(path, os.environ, oc.state_dir(paths, os.environ))
    if applied.record_error:
        notice(f"warning: {applied.record_error}; --undo will not be able to restore a replaced default model")

    if json_out:
        print_json({
            **plan.to_dict(),
            "dryRun": False,
            "written": applied.written,
            "backup": str(applied.backup) if applied.backup else None,
            "gatewayRunning": gateway is not None,
            "gatewayPid": gateway["pid"] if gateway else None,
        })
        return
    _report(plan, applied, gateway, set_default)


def _report(plan: Any, applied: Any, gateway: dict[str, Any] | None, set_default: bool) -> None:
    from clawcli.core.openclaw import PROVIDER_ID, model_ref

    if not applied.written:
        if plan.action == "undo":
            typer.echo(f"{plan.path}: no {PROVIDER_ID} entries; nothing to undo")
        else:
            typer.echo(f"{plan.path}: already up to date ({PROVIDER_ID} at {plan.to_dict()['baseUrl']}); nothing written")
    else:
        verb = "created" if plan.to_dict()["createdFile"] else "updated"
        typer.echo(f"{verb} {plan.path}")
        for line in summarize(plan):
            typer.echo(f"  {line}")
        if applied.backup:
            typer.echo(f"backup: {applied.backup}")
    if plan.action == "inject":
        ref = model_ref("auto")
        if plan.default_after != ref and not set_default:
            current = plan.default_after or "OpenClaw's built-in default"
            typer.echo(f"default model unchanged ({current}); to use claw for it: claw inject-openclaw --set-default (or /model {ref})")
        typer.echo(f"next: claw serve --port {plan.port}")
    if gateway:
        typer.echo(
            f"OpenClaw's gateway is running (pid {gateway['pid']}): restart it to load the change "
            "(openclaw gateway restart)"
        )


def summarize(plan: Any) -> list[str]:
    """One readable line per change; many sibling adds/removes (allowlist refs) fold into one."""
    from clawcli.core.openclaw import PROVIDER_ID

    words = {"add": "added", "remove": "removed", "update": "changed"}
    groups: dict[tuple[str, tuple[str, ...]], list[dict[str, Any]]] = {}
    for c in plan.changes:
        groups.setdefault((c["op"], tuple(c["path"][:-1])), []).append(c)
    out = []
    for (op, parent), items in groups.items():
        if len(items) > 3 and op in ("add", "remove"):
            where = ".".join(parent) or "the top level"
            out.append(f"{words[op]:8} {len(items)} entries {'in' if op == 'add' else 'from'} {where}")
            continue
        for c in items:
            line = f"{words[op]:8} {c['where']}"
            if op == "add" and c["path"] == ["models", "providers", PROVIDER_ID][: len(c["path"])]:
                line += f" (provider {PROVIDER_ID}: {len(plan.models)} models at {plan.to_dict()['baseUrl']})"
            elif "from" in c:
                line += f": {c['from']!r} -> {c['to']!r}"
            elif "added" in c:
                line += f" (+{len(c['added'])} -{len(c['removed'])} ~{len(c['updated'])} models)"
            out.append(line)
    return out
