"""`claw chat`: an interactive conversation in the terminal, stored like `claw ask -c`.

Every message is one routed, paid, streamed turn of the same conversation (the routing session
follows it: the tier never goes down, the model stays while it can serve). Slash commands are
answered locally and cost nothing.
"""

from __future__ import annotations

import inspect
import sys
from dataclasses import dataclass, field
from typing import Any

import typer

from clawcli.core.errors import ClawError, UsageError

EPILOG = (
    "Examples:\n\n"
    "  claw chat                        # each message routed and paid\n\n"
    "  claw chat -m sonnet -s \"Be brief\"\n\n"
    "  claw chat -c                     # continue the last conversation\n\n"
    "In the chat: /model NAME, /profile NAME, /cost, /help, /exit (or Ctrl-D).\n"
    "Type \"\"\" on a line of its own to start and end a multi-line message;\n"
    "Ctrl-C stops an answer."
)

HELP = """commands:
  /model NAME     answer with this model from now on (/model auto: routed again)
  /profile NAME   route with this profile: auto, eco, premium, free, agentic
  /cost           what this chat has cost so far
  /exit           leave (also /quit or Ctrl-D)
  \"\"\"             on a line of its own: start / end a multi-line message"""

MULTI = '"""'


@dataclass
class ChatState:
    model: str | None
    profile: str | None
    system: str | None
    conversation: Any = None
    history: list[dict[str, Any]] = field(default_factory=list)
    cost: float = 0.0
    turns: int = 0


def _read_message(prompt: str) -> str | None:
    """One message from the user: a line, or a \"\"\"-delimited block. None at end of input."""
    try:
        line = input(prompt)
    except EOFError:
        return None
    if line.strip() != MULTI:
        return line
    lines: list[str] = []
    while True:
        try:
            more = input("... ")
        except EOFError:
            break
        if more.strip() == MULTI:
            break
        lines.append(more)
    return "\n".join(lines)


def _command(line: str, state: ChatState, ctx: Any) -> bool:
    """Handle a /command; False means leave the chat."""
    from clawcli.cli._app import check_model, check_profile, error_line

    name, _, arg = line[1:].strip().partition(" ")
    arg = arg.strip()
    if name in ("exit", "quit", "q"):
        return False
    try:
        if name == "help":
            typer.echo(HELP)
        elif name == "cost":
            typer.echo(f"{state.turns} answer{'s' if state.turns != 1 else ''}, ${state.cost:.6f} so far"
                       + (f" (conversation {state.conversation.id})" if state.conversation else ""))
        elif name == "model":
            if not arg:
                typer.echo(f"model: {state.model or 'routed (profile ' + (state.profile or ctx.settings.profile) + ')'}")
            elif check_profile_or_none(arg) is not None:
                state.model, state.profile = None, check_profile(arg)
                typer.echo(f"routing with profile {state.profile}")
            else:
                state.model, state.profile = check_model(ctx.catalog, arg), None
                typer.echo(f"model: {state.model}")
        elif name == "profile":
            if not arg:
                typer.echo(f"profile: {state.profile or ctx.settings.profile}")
            else:
                state.profile, state.model = check_profile(arg), None
                typer.echo(f"routing with profile {state.profile}")
        else:
            error_line(f"unknown command /{name}", "type /help")
    except ClawError as exc:
        error_line(exc.message, exc.hint)
    return True


def check_profile_or_none(name: str) -> str | None:
    from clawcli.core.catalog import default_catalog

    return default_catalog().profile_name(name)


def chat(
    model: str | None = typer.Option(None, "--model", "-m", help="An explicit model id or alias (skips routing)."),
    profile: str | None = typer.Option(None, "--profile", "-p", help="auto, eco, premium, free or agentic."),
    system: str | None = typer.Option(None, "--system", "-s", help="A system prompt for the whole chat."),
    continue_last: bool = typer.Option(False, "--continue", "-c", help="Continue the last conversation."),
    cid: str | None = typer.Option(None, "--cid", "--conversation", help="Continue the conversation with this id."),
    max_cost: float | None = typer.Option(None, "--max-cost", min=0.0, help="Most one answer may cost in USD (models above it are skipped)."),
    no_log: bool = typer.Option(False, "--no-log", help="Do not store this chat in the local log (`claw logs`)."),
) -> None:
    """Chat in the terminal: every message is routed, paid and streamed.

    The whole chat is one conversation, stored like `claw ask -c` (see `claw logs --cid ID`).
    """
    from clawcli.cli._app import check_model, check_profile
    from clawcli.cli._turn import find_conversation, open_context

    profile = check_profile(profile)
    if model and profile:
        raise UsageError("give either --model or --profile, not both")
    if continue_last and cid:
        raise UsageError("give either --continue or --cid, not both")
    ctx = open_context(no_log=no_log, need_store=bool(continue_last or cid))
    try:
        if model:
            model = check_model(ctx.catalog, model)
        state = ChatState(model=model, profile=profile, system=system)
        conversation = find_conversation(ctx, continue_last=continue_last, cid=cid)
        if conversation is not None:
            state.conversation = conversation
            state.history = ctx.store.messages(conversation.id)
            if not model and not profile:
                state.model, state.profile = conversation.model, conversation.profile
        _loop(ctx, state, max_cost)
    finally:
        ctx.close()


def _loop(ctx: Any, state: ChatState, max_cost: float | None) -> None:
    import asyncio

    interactive = sys.stdin.isatty()
    if interactive:
        try:
            import readline  # noqa: F401 - line editing and history for input()
        except ImportError:  # pragma: no cover - not on every platform
            pass
        where = f"conversation {state.conversation.id}, " if state.conversation else ""
        typer.echo(f"claw chat ({where}{len(state.history) // 2} earlier turns) — /help for commands, "
                   "Ctrl-D to leave", err=True)
    engine_box: dict[str, Any] = {}
    with asyncio.Runner() as runner:
        try:
            while True:
                try:
                    text = _read_message("> " if interactive else "")
                except KeyboardInterrupt:  # Ctrl-C at the prompt: a fresh line, not the end
                    typer.echo("", err=True)
                    continue
                if text is None:
                    if interactive:
                        typer.echo("", err=True)  # Ctrl-D echoes no newline
                    break
                if not text.strip():
                    continue
                if text.startswith("/"):
                    if not _command(text, state, ctx):
                        break
                    continue
                try:
                    runner.run(_turn(ctx, state, text, max_cost, engine_box))
                except KeyboardInterrupt:
                    from clawcli.cli._app import error_line

                    error_line("cancelled: this answer was not kept")
                except ClawError as exc:
                    from clawcli.cli._app import error_line

                    error_line(exc.message, exc.hint)  # the chat goes on; the next message may work
        finally:
            engine = engine_box.get("engine")
            if engine is not None:
                runner.run(engine.aclose())
    if state.conversation is not None and interactive:
        typer.echo(f"{state.turns} answers, ${state.cost:.6f} · continue with: claw chat --cid {state.conversation.id}",
                   err=True)


async def _turn(ctx: Any, state: ChatState, text: str, max_cost: float | None, engine_box: dict[str, Any]) -> None:
    from clawcli.cli._app import _color_ok
    from clawcli.cli._render import AnswerWriter
    from clawcli.cli._turn import prepare_turn
    from clawcli.cli.ask import footer
    from clawcli.core.errors import AllAttemptsFailed

    turn = prepare_turn(text=text, model=state.model, profile=state.profile, system=state.system,
                        max_tokens=None, temperature=None, compress=None, source="chat", ctx=ctx,
                        conversation=state.conversation, history=state.history)
    payer, _ = ctx.payer_for(turn.decision)
    engine = engine_box.get("engine")
    if engine is None or (payer is not None and engine.payer is None):
        if engine is not None:
            await engine.aclose()
        engine = engine_box["engine"] = ctx.engine(turn.decision)
    out = AnswerWriter(markdown=sys.stdout.isatty())
    try:
        result = await turn.stream(engine, max_cost, out)
    except AllAttemptsFailed as exc:
        out.close()
        n = len(exc.attempts)
        raise ClawError(f"no model could answer: {n} attempt{'' if n == 1 else 's'} failed"
                        + (" (" + "; ".join(f"{a['model']}: {a.get('errorClass')}" for a in exc.attempts) + ")"
                           if exc.attempts else ""), exc.hint) from None
    finally:
        out.close()
    assert result is not None
    turn.store(result)
    state.conversation = turn.conversation
    state.history += [{"role": "user", "content": turn.prompt}, {"role": "assistant", "content": result.content}]
    state.cost += result.cost
    state.turns += 1
    line = footer(result)
    typer.echo(typer.style(line, dim=True) if _color_ok(sys.stderr) else line, err=True)


chat.__doc__ = inspect.cleandoc(chat.__doc__ or "") + "\n\n" + EPILOG  # one indentation for both
