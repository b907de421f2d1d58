"""`claw ask`: one routed, paid, streamed question. The answer goes to stdout, everything else
(routing explanation, notices, the cost footer, errors) to stderr, so `claw ask ... > out.txt`
captures only the answer. Each answer is stored in the local log database (`claw logs`) as a
turn of a conversation that `claw ask -c` continues."""

from __future__ import annotations

import inspect
import sys
from typing import Any

import typer

from clawcli.core.errors import UsageError

EPILOG = (
    "Examples:\n\n"
    "  claw ask \"What is the capital of Peru?\"\n\n"
    "  git diff | claw ask \"Review this diff\"       # instruction + piped text\n\n"
    "  claw ask -c \"And the one of Bolivia?\"        # continue the conversation\n\n"
    "  claw ask -a photo.png \"What is in this picture?\"\n\n"
    "  claw ask --explain --profile eco \"Summarise: ...\"   # decision on stderr\n\n"
    "  claw ask -m sonnet --max-cost 0.1 --json \"Design a rate limiter\" | jq .cost"
)

_STDIN_HINT = "reading stdin (Ctrl-D to end)"


def _fence_for(text: str) -> str:
    """A backtick fence longer than any backtick run inside ``text`` (a diff may contain ```)."""
    longest, run = 0, 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    return "`" * max(3, longest + 1)


def join_prompt(instruction: str | None, piped: str | None) -> str:
    """``cmd | claw ask "instruction"``: the instruction, then the piped text as a fenced block."""
    if not piped or not piped.strip():
        return instruction or ""
    if not instruction or not instruction.strip():
        return piped
    fence = _fence_for(piped)
    return f"{instruction.rstrip()}\n\n{fence}\n{piped.rstrip(chr(10))}\n{fence}"


def read_prompt(prompt: str | None, stdin: Any = None) -> str:
    """The prompt from the argument and/or stdin (see ``join_prompt``); a usage error when empty."""
    stdin = stdin or sys.stdin
    tty = bool(getattr(stdin, "isatty", lambda: False)())
    try:
        if prompt == "-" or (prompt is None and not tty):
            if tty:
                typer.echo(_STDIN_HINT, err=True)
            text = stdin.read()
        elif prompt is None:
            raise UsageError("no prompt given", 'try: claw ask "What is 2+2?"  (or pipe it: echo ... | claw ask -)')
        else:
            # piped text joins the instruction (it used to be dropped silently, and the question still paid)
            text = join_prompt(prompt, stdin.read() if not tty else None)
        text.encode("utf-8")  # undecodable bytes arrive as surrogates: refuse them before paying
    except UnicodeError:
        raise UsageError("the prompt is not UTF-8 text (binary data on stdin?)",
                         "pipe text only; attach a file with -a FILE") from None
    if not text.strip():
        raise UsageError("the prompt is empty", 'try: claw ask "What is 2+2?"')
    return text


def _explain(decision: Any) -> None:
    """The routing decision, on stderr (reuses `claw route`'s renderer)."""
    import contextlib

    from clawcli.cli.route import _render

    with contextlib.redirect_stdout(sys.stderr):
        _render(decision, explain=True)
    sys.stderr.write("\n")
    sys.stderr.flush()


def _usd(x: float) -> str:
    if x == 0:
        return "$0"
    return f"${x:.6f}".rstrip("0") if x < 1 else f"${x:,.4f}"  # the exact settled amount


def footer(result: Any) -> str:
    """model · tier · cost · saved · latency. ``saved`` is the engine's one savings figure (the
    baseline model's price for the tokens actually used against what was paid), as in --json,
    the proxy's headers and `claw stats`."""
    cost = _usd(result.cost) + ("" if result.cost else " (free)" if result.estimated_cost == 0 else " (not settled)")
    parts = [result.model, f"tier {result.tier}", f"cost {cost}", f"saved {result.savings:.0%}",
             f"{result.latency_ms / 1000:.2f} s"]
    if len(result.attempts) > 1:
        parts.append(f"{len(result.attempts)} attempts")
    return "— " + " · ".join(parts)


def _print_attempts(attempts: list[dict[str, Any]]) -> None:
    from clawcli.cli._app import _color_ok

    for a in attempts:
        status = a.get("status") or "-"
        line = f"  {a['model']:<36} {status!s:>4}  {a.get('errorClass') or 'ok':<13} {a.get('ms', 0):>6} ms"
        line += "  paid" if a.get("paid") else ""
        if a.get("reason"):
            line += f"  {a['reason']}"
        typer.echo(typer.style(line, dim=True) if _color_ok(sys.stderr) else line, err=True)


def ask(
    prompt: str | None = typer.Argument(None, help="The question ('-': read it from stdin; piped text joins it)."),
    model: str | None = typer.Option(None, "--model", "-m", help="An explicit model id or alias (skips routing)."),
    profile: str | None = typer.Option(None, "--profile", "-p", help="auto, eco, premium, free or agentic."),
    system: str | None = typer.Option(None, "--system", "-s", help="A system prompt."),
    continue_last: bool = typer.Option(False, "--continue", "-c", help="Continue the last conversation."),
    cid: str | None = typer.Option(None, "--cid", "--conversation", help="Continue the conversation with this id (see `claw logs --conversations`)."),
    attach: list[str] = typer.Option([], "--attach", "-a", help="Attach a file: an image (routes to vision-capable models) or a text file (inlined). Repeatable."),
    max_tokens: int | None = typer.Option(None, "--max-tokens", min=1, max=1_000_000,  # serve's limit: above it
                                          help="Cap the answer length (tokens)."),        # providers refuse, after payment
    temperature: float | None = typer.Option(None, "--temperature", min=0.0, max=2.0, help="Sampling temperature."),
    no_stream: bool = typer.Option(False, "--no-stream", help="Wait for the whole answer instead of streaming it."),
    json_out: bool = typer.Option(False, "--json", "-j", help="Print one JSON object (content, model, cost, attempts...)."),
    explain: bool = typer.Option(False, "--explain", "-e", help="Show the routing decision first (on stderr)."),
    max_cost: float | None = typer.Option(None, "--max-cost", min=0.0, help="Most this question may cost in USD: models estimated above it are skipped; refused only when no model of the chain fits."),
    compress: str | None = typer.Option(None, "--compress", help="Request compression before routing and payment: off, safe (default; above 8 KB) or aggressive."),
    no_log: bool = typer.Option(False, "--no-log", help="Do not store this prompt and answer in the local log (`claw logs`)."),
    no_preauth: bool = typer.Option(False, "--no-preauth", help="Wait for the gateway's 402 quote instead of paying a remembered one with the first request."),
) -> None:
    """Ask one question: routed to the cheapest capable model, paid per call, streamed.

    The answer goes to stdout; the cost footer (model, tier, cost, savings, latency) to stderr.
    Piped text joins the question as a fenced block. Prompts and answers are stored locally
    (`claw logs`; off with --no-log or config `log_prompts = false`).
    """
    from clawcli.cli._app import check_profile
    from clawcli.cli._turn import Turn, prepare_turn

    profile = check_profile(profile)  # the spellings `claw route -p` and the proxy accept: ECO, blockrun/eco
    if model and profile:
        raise UsageError("give either --model or --profile, not both")
    if continue_last and cid:
        raise UsageError("give either --continue or --cid, not both")
    if compress is not None and compress not in ("off", "safe", "aggressive"):
        raise UsageError(f"unknown compress mode {compress!r}", "use off, safe or aggressive")
    from clawcli.cli._attach import load_attachments

    attachments = load_attachments(attach)
    text = read_prompt(prompt)

    turn: Turn = prepare_turn(
        text=text, model=model, profile=profile, system=system, max_tokens=max_tokens, temperature=temperature,
        compress=compress, continue_last=continue_last, cid=cid, attachments=attachments, no_log=no_log,
        source="ask")
    if no_preauth:
        turn.ctx.settings.preauth = False
    if explain:
        _explain(turn.decision)
    stream = not (no_stream or json_out)
    from clawcli.cli._render import AnswerWriter

    out = AnswerWriter(markdown=sys.stdout.isatty() and not json_out)
    import asyncio

    try:
        asyncio.run(_run(turn, max_cost, out, stream=stream, json_out=json_out))
    finally:
        out.close()  # every exit path (Ctrl-C included) leaves the terminal as it was


async def _run(turn: Any, max_cost: float | None, out: Any, *, stream: bool, json_out: bool) -> None:
    from clawcli.cli._app import _color_ok, error_line, notice, print_json
    from clawcli.core.errors import AllAttemptsFailed

    engine = turn.engine()
    settings = turn.ctx.settings
    if turn.session_id and settings.max_cost_per_run is not None:
        # earlier runs of this session count (a shell loop of asks shares one maxCostPerRun)
        from clawcli.core.usage import session_spend

        sid = turn.session_id
        engine.budgets.seed(sid, session_spend(turn.ctx.paths.logs_dir, {sid}).get(sid, 0.0))
    try:
        try:
            if stream:
                result = await turn.stream(engine, max_cost, out)
            else:
                result = await engine.complete(turn.request, source=turn.source, session_id=turn.session_id,
                                               decision=turn.decision, max_cost=max_cost,
                                               compression=turn.compression)
                for n in result.notices:
                    notice(n)
                if not json_out:
                    out.write(result.content)
                    out.close()
        except AllAttemptsFailed as exc:
            out.close()
            if type(exc).__name__ == "GatewayUnreachable":
                raise  # one line at the error boundary: offline needs no attempt list
            hint = exc.hint
            if exc.attempts and all(a.get("errorClass") == "billing" for a in exc.attempts):
                # an empty wallet with the free model excluded: the attempt list alone does not say what to do
                hint = "the wallet could not pay: fund it (`claw wallet fund`) or allow the free model"
            if json_out:
                print_json({**exc.to_dict(), "hint": hint})  # the same hint as on stderr
            n = len(exc.attempts)
            error_line(f"no model could answer: {n} attempt{'' if n == 1 else 's'} failed")
            _print_attempts(exc.attempts)
            if hint:
                typer.echo(f"hint: {hint}", err=True)
            raise typer.Exit(1) from None
        assert result is not None
        turn.store(result)
        if json_out:
            obj = result.to_dict()
            obj["conversationId"] = turn.conversation_id if turn.ctx.log_enabled else None  # --no-log: none to continue
            print_json(obj)
        else:
            line = footer(result)
            typer.echo(typer.style(line, dim=True) if _color_ok(sys.stderr) else line, err=True)
    finally:
        await engine.aclose()


ask.__doc__ = inspect.cleandoc(ask.__doc__ or "") + "\n\n" + EPILOG  # one indentation for both
