"""`claw route`: the routing decision for a prompt, without sending anything."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Optional

import typer

from clawcli.core.errors import ClawError, UsageError

EPILOG = (
    "Examples:\n\n"
    "  claw route \"What is the capital of Peru?\"\n\n"
    "  claw route --explain \"Prove that sqrt(2) is irrational\"\n\n"
    "  claw route --json --profile eco --tools 3 \"Refactor the auth module\"\n\n"
    "  claw route --explain --messages req.json  # agent request: the ask found\n\n"
    "  claw route --batch in.jsonl > out.jsonl   # {\"id\",\"prompt\"} per line"
)


def _read_source(src: str) -> str:
    if src == "-":
        return sys.stdin.read()
    try:
        return Path(src).read_text("utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {src}: {exc.strerror}", "check the path") from None  # exit 2: bad input
    except UnicodeDecodeError:
        raise ClawError(f"{src} is not UTF-8 text") from None


def _read_bytes(src: str) -> bytes:
    if src == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(src).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {src}: {exc.strerror}", "check the path") from None  # exit 2: bad input


def _loads(text: str) -> Any:
    try:
        import orjson

        return orjson.loads(text)
    except ImportError:  # pragma: no cover - orjson is a dependency
        import json

        return json.loads(text)


def _batch(catalog, src: str, profile: Optional[str], default_profile: str, exclude: list[str], baseline: str,
           jobs: Optional[int]) -> None:
    from clawcli.core.router.batch import route_jsonl

    bad: list[int] = []
    out = route_jsonl(_read_bytes(src), catalog=catalog, profile=profile, default_profile=default_profile,
                      exclude=exclude, baseline_model=baseline, jobs=jobs, errors=bad)
    # a bad line becomes an error record in its place; the batch goes on and exits 1 at the end
    sys.stdout.buffer.write(b"\n".join(out) + (b"\n" if out else b""))
    sys.stdout.flush()
    if bad:
        shown = ", ".join(map(str, bad[:10])) + (", ..." if len(bad) > 10 else "")
        raise ClawError(f"{len(bad)} of {len(out)} lines could not be routed (line {shown})",
                        'their output lines carry "error" instead of a decision')


def _render(decision, explain: bool) -> None:
    # The summary is plain typer output: importing rich (~30 ms) only for --explain's table keeps
    # `claw route "hi"` inside its cold-start budget.
    from clawcli.cli._app import _color_ok

    color = _color_ok(sys.stdout)
    d = decision

    def line(label: str, value: str) -> None:
        typer.echo((typer.style(label, bold=True) if color else label) + " " * (12 - len(label)) + value)

    tier_color = {"SIMPLE": "green", "MEDIUM": "cyan", "COMPLEX": "yellow", "REASONING": "magenta"}.get(d.tier, "white")
    line("tier", (typer.style(d.tier, fg=tier_color) if color else d.tier)
         + ("" if d.explicit else f"  (score {d.score:+.3f}, confidence {d.confidence:.2f})"))
    line("profile", d.profile)
    line("model", d.model)
    line("cost", f"${d.estimated_cost:.6f} est. (~{d.input_tokens:,} in + {d.max_tokens:,} max out tokens)")
    line("baseline", f"${d.baseline_cost:.6f}  →  savings {d.savings:.1%}")
    line("chain", " → ".join(d.chain))
    if d.reasons:
        line("notes", "; ".join(d.reasons))
    if not explain:
        return
    if d.ask is not None and (d.ask.skipped or d.ask.index != 0):
        _render_ask(d.ask, line)  # a bare prompt is its own ask: nothing to show
    from rich.markup import escape
    from rich.table import Table

    from clawcli.cli._app import console

    con = console()
    if d.dimensions:
        table = Table(title="why: every dimension's contribution to the score", title_justify="left")
        table.add_column("dimension")
        table.add_column("weight", justify="right")
        table.add_column("value", justify="right")
        table.add_column("contribution", justify="right")
        table.add_column("matched")
        for dim in sorted(d.dimensions, key=lambda x: -abs(x.contribution)):
            style = "green" if dim.contribution < 0 else ("bold" if dim.contribution > 0 else "dim")
            table.add_row(
                dim.name, f"{dim.weight:.3f}", f"{dim.value:.3f}", f"[{style}]{dim.contribution:+.4f}[/]",
                escape(", ".join(dim.matched[:6]) + (" …" if len(dim.matched) > 6 else "")),
            )
        con.print(table)
    else:
        con.print("[dim]explicit model: no classification, nothing to explain[/]")


def _ask_preview(text: str, limit: int = 240) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _render_ask(ask, line) -> None:
    """Which text was read as the ask, and what was skipped to find it (agent envelopes)."""
    where = "no user text" if ask.index is None else f"message {ask.index}"
    if ask.mid_loop:
        where += ", mid-loop (request ends in a tool call/result)"
    line("ask", f"{where}; {ask.chars:,} chars" + (" (read head and tail)" if ask.chars > len(ask.text) else ""))
    line("ask text", repr(_ask_preview(ask.text)))
    for note in ask.skipped or ("nothing",):
        line("skipped", note)


def route(
    prompt: Optional[str] = typer.Argument(None, help="The prompt to route ('-' reads stdin)."),
    explain: bool = typer.Option(False, "--explain", "-e", help="Show every dimension's contribution and the matched terms."),
    json_out: bool = typer.Option(False, "--json", "-j", help="Print the decision as JSON."),
    profile: Optional[str] = typer.Option(None, "--profile", "-p", help="auto, eco, premium, free or agentic (default: config `profile`)."),
    model: Optional[str] = typer.Option(None, "--model", "-m", help="An explicit model id or alias (skips classification)."),
    system: Optional[str] = typer.Option(None, "--system", "-s", help="A system prompt to include."),
    max_tokens: Optional[int] = typer.Option(None, "--max-tokens", "-t", min=1, help="max_tokens of the request (default 4096)."),
    tools: int = typer.Option(0, "--tools", min=0, help="Pretend N tools are attached."),
    messages: Optional[str] = typer.Option(None, "--messages", help="A JSON chat request (or messages list) from FILE or '-'."),
    batch: Optional[str] = typer.Option(None, "--batch", "-b", help="Route JSONL from FILE or '-' and write one decision per line."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-J", min=1, help="Worker processes for --batch (default: one per CPU for large batches)."),
) -> None:
    """Dry run: which tier and model a prompt would get, what it would cost, and why.

    No network, no wallet. Use --explain to see the score broken down by dimension.
    """
    from clawcli.core.catalog import Catalog
    from clawcli.core.config import load_settings
    from clawcli.core.paths import Paths

    paths = Paths.from_env()
    settings = load_settings(paths)
    catalog = Catalog.load(paths.catalog_cache)
    from clawcli.cli._app import check_model, check_profile

    profile = check_profile(profile)  # a bad flag is a usage error (exit 2), as in every command
    check_model(catalog, model)
    if batch is not None:
        if prompt or messages:
            raise UsageError("--batch reads its prompts from the file; drop the PROMPT / --messages")
        _batch(catalog, batch, profile, settings.profile, settings.exclude, settings.baseline_model, jobs)
        return

    if messages is not None:
        if prompt:
            raise UsageError("give either PROMPT or --messages, not both")
        try:
            obj = _loads(_read_source(messages))
        except ValueError as exc:
            raise ClawError(f"--messages: invalid JSON ({exc})", "pass an OpenAI chat request or a messages list") from None
        request: dict[str, Any] = {"messages": obj} if isinstance(obj, list) else obj
        if not isinstance(request, dict):
            raise ClawError("--messages: expected a JSON object or a list of messages")
        request = dict(request)
        from clawcli.proxy.validate import InvalidRequest, validate_chat  # the rules `claw serve` applies

        try:
            validate_chat(request)
        except InvalidRequest as exc:
            raise ClawError(f"--messages: {exc.message}", "claw serve would refuse this request with a 400") from None
    else:
        if prompt is None or prompt == "-":
            if prompt is None and sys.stdin.isatty():
                raise UsageError("no prompt given", 'try: claw route "What is 2+2?"')
            prompt = sys.stdin.read()
        if not prompt.strip():
            raise UsageError("the prompt is empty", 'try: claw route "What is 2+2?"')
        request = {"messages": [{"role": "user", "content": prompt}]}
    if system:
        request["messages"] = [{"role": "system", "content": system}, *request.get("messages", [])]
    if max_tokens:
        request["max_tokens"] = max_tokens
    if tools:
        request["tools"] = [
            {"type": "function", "function": {"name": f"tool_{i}", "parameters": {"type": "object", "properties": {}}}}
            for i in range(tools)
        ]
    if model:
        request["model"] = model
        profile = None
    elif profile is None and not request.get("model"):
        profile = settings.profile

    from clawcli.core.router import route as do_route

    decision = do_route(request, profile=profile, catalog=catalog, exclude=settings.exclude, baseline_model=settings.baseline_model)
    if json_out:
        from clawcli.cli._app import print_json

        print_json(decision.to_dict())
    else:
        _render(decision, explain)


route.__doc__ = (route.__doc__ or "") + "\n\n" + EPILOG
