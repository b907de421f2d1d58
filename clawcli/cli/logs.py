"""`claw logs`: the prompts and answers stored by `claw ask` and `claw chat` (CLAWCLI_HOME/logs.db),
with the model, tier, cost and latency of each. Offline; reads only."""

from __future__ import annotations

import inspect
import sys
from typing import Any

import typer

EPILOG = (
    "Examples:\n\n"
    "  claw logs                       # the last 3 answers\n\n"
    "  claw logs -n 0 -q \"rate limiter\"  # every answer that mentions it\n\n"
    "  claw logs --conversations       # conversation ids for claw ask --cid\n\n"
    "  claw logs --cid 20261206-a1b2c3 --json | jq -r '.[].response'"
)


def _usd(x: float) -> str:
    return "$0" if not x else f"${x:.6f}".rstrip("0") if x < 1 else f"${x:,.4f}"


def _when(created: str) -> str:
    return created.replace("T", " ")[:16]  # UTC, minutes


def logs(
    count: int = typer.Option(3, "--count", "-n", min=0, help="How many of the latest entries (0 = all)."),
    cid: str | None = typer.Option(None, "--cid", "--conversation", help="Only this conversation (a unique id prefix is enough)."),
    current: bool = typer.Option(False, "--current", "-c", help="Only the latest conversation (what `claw ask -c` continues)."),
    query: str | None = typer.Option(None, "--query", "-q", help="Full-text search in prompts and answers (every word must match)."),
    conversations: bool = typer.Option(False, "--conversations", help="List conversations (id, turns, cost, title) instead of answers."),
    json_out: bool = typer.Option(False, "--json", "-j", help="Print a JSON array."),
) -> None:
    """Show stored prompts and answers, newest last, with model, tier, cost and latency.

    `claw ask` and `claw chat` store every answer in CLAWCLI_HOME/logs.db (SQLite) unless
    --no-log or config `log_prompts = false`. The usage JSONL (`claw stats`) is separate.
    """
    from clawcli.cli._app import print_json
    from clawcli.core.errors import UsageError
    from clawcli.core.logstore import LogStore
    from clawcli.core.paths import Paths

    if cid and current:
        raise UsageError("give either --cid or --current, not both")
    limit = None if count == 0 else count
    with LogStore.open(Paths.from_env()) as store:
        if conversations:
            rows = store.conversations(limit=limit or 1_000_000)
            if json_out:
                print_json([{"id": c.id, "created": c.created, "updated": c.updated, "title": c.title,
                             "profile": c.profile, "model": c.model, "tier": c.tier, "turns": n,
                             "cost": round(total, 8)} for c, n, total in rows])
            else:
                _print_conversations(rows)
            return
        conv_id = None
        if cid:
            conv_id = store.find_conversation(cid).id
        elif current:
            last = store.last_conversation()
            if last is None:
                raise UsageError("there is no conversation yet", 'start one: claw ask "..."')
            conv_id = last.id
        entries = store.entries(limit=limit, cid=conv_id, query=query)
    if json_out:
        print_json([e.to_dict() for e in entries])
        return
    if not entries:
        hint = "nothing matches" if query or conv_id else "nothing stored yet: `claw ask` stores its answers here"
        typer.echo(hint, err=True)
        return
    _print_entries(entries)


def _print_entries(entries: list[Any]) -> None:
    from clawcli.cli._app import _color_ok

    color = _color_ok(sys.stdout)
    for i, e in enumerate(entries):
        facts = [e.model or "-", f"tier {e.tier}" if e.tier else None, _usd(e.cost),
                 f"{e.latency_ms / 1000:.2f} s" if e.latency_ms is not None else None,
                 f"conversation {e.conversation_id}"]
        head = f"#{e.id}  {_when(e.created)} UTC  " + " · ".join(f for f in facts if f)
        if i:
            typer.echo("")
        typer.echo(typer.style(head, bold=True) if color else head)
        if e.system:
            typer.echo(f"system: {e.system}")
        if e.attachments:
            typer.echo("attachments: " + ", ".join(e.attachments))
        prompt = "\n".join("> " + ln for ln in e.prompt.rstrip("\n").splitlines()) or ">"
        typer.echo(typer.style(prompt, dim=True) if color else prompt)
        typer.echo(e.response.rstrip("\n"))


def _print_conversations(rows: list[Any]) -> None:
    if not rows:
        typer.echo("no conversations yet", err=True)
        return
    for conv, n, total in rows:
        route = conv.model or conv.profile or "auto"
        typer.echo(f"{conv.id}  {_when(conv.updated)}  {n:>3} turn{'s' if n != 1 else ' '}  "
                   f"{_usd(total):>10}  {route:<10} {conv.tier or '-':<9} {conv.title}")


logs.__doc__ = inspect.cleandoc(logs.__doc__ or "") + "\n\n" + EPILOG  # one indentation for both
