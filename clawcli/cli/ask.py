"""`claw ask`: one routed, paid, streamed question. The answer goes to stdout, everything else
(routing explanation, notices, the cost footer, errors) to stderr, so `claw ask ... > out.txt`
captures only the answer."""

from __future__ import annotations

import sys
from typing import Any

import typer

from clawcli.core.errors import UsageError

EPILOG = (
    "Examples:\n\n"
    "  claw ask \"What is the capital of Peru?\"\n\n"
    "  claw ask --explain --profile eco \"Summarise: ...\"   # decision on stderr\n\n"
    "  git diff | claw ask -s \"Review this diff\" -              # prompt from stdin\n\n"
    "  claw ask -m sonnet --max-cost 0.05 --json \"Design a rate limiter\" | jq .cost"
)


def _read_prompt(prompt: str | None) -> str:
    if prompt is None or prompt == "-":
        if prompt is None and sys.stdin.isatty():
            raise UsageError("no prompt given", 'try: claw ask "What is 2+2?"  (or pipe it: echo ... | claw ask -)')
        prompt = sys.stdin.read()
    if not prompt.strip():
        raise UsageError("the prompt is empty", 'try: claw ask "What is 2+2?"')
    return prompt


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


def _footer(result: Any) -> str:
    cost = _usd(result.cost) + ("" if result.cost else " (free)" if result.estimated_cost == 0 else " (not settled)")
    # savings of what was actually settled (every paid attempt), as `claw stats` computes them;
    # the router's estimate (max_tokens at list price) overstated them next to the real cost
    saved = max(0.0, 1.0 - result.cost / result.baseline_cost) if result.baseline_cost > 0 else result.savings
    parts = [result.model, f"tier {result.tier}", f"cost {cost}", f"saved {saved:.0%}",
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


def _prewarm(module: str) -> None:
    import importlib
    import threading

    threading.Thread(target=importlib.import_module, args=(module,), daemon=True).start()


def _session_spent(paths: Any, session_id: str) -> float:
    """What earlier `claw ask` runs of this session settled (today's and yesterday's logs), so a
    shell loop of asks shares one maxCostPerRun."""
    import datetime as dt
    import json

    from clawcli.core.usage import UsageLog

    log = UsageLog(paths.logs_dir)
    now = dt.datetime.now(dt.UTC)
    total = 0.0
    for day in (now - dt.timedelta(days=1), now):
        try:
            with open(log.path_for(day), encoding="utf-8") as fh:
                for line in fh:
                    if session_id not in line:
                        continue
                    try:
                        rec = json.loads(line)
                        if rec.get("sessionId") == session_id:
                            total += float(rec.get("cost") or 0)
                    except (ValueError, TypeError):
                        continue
        except OSError:
            continue
    return total


def ask(
    prompt: str | None = typer.Argument(None, help="The question ('-' or nothing: read stdin)."),
    model: str | None = typer.Option(None, "--model", "-m", help="An explicit model id or alias (skips routing)."),
    profile: str | None = typer.Option(None, "--profile", "-p", help="auto, eco, premium, free or agentic."),
    system: str | None = typer.Option(None, "--system", "-s", help="A system prompt."),
    max_tokens: int | None = typer.Option(None, "--max-tokens", min=1, help="Cap the answer length (tokens)."),
    temperature: float | None = typer.Option(None, "--temperature", min=0.0, max=2.0, help="Sampling temperature."),
    no_stream: bool = typer.Option(False, "--no-stream", help="Wait for the whole answer instead of streaming it."),
    json_out: bool = typer.Option(False, "--json", "-j", help="Print one JSON object (content, model, cost, attempts...)."),
    explain: bool = typer.Option(False, "--explain", "-e", help="Show the routing decision first (on stderr)."),
    max_cost: float | None = typer.Option(None, "--max-cost", min=0.0, help="Most this question may cost in USD, fallbacks included: refuse (or skip a model) when the estimate or the gateway's quote would go above it."),
    compress: str | None = typer.Option(None, "--compress", help="Request compression before routing and payment: off, safe (default; above 8 KB) or aggressive."),
) -> None:
    """Ask one question: routed to the cheapest capable model, paid per call, streamed.

    The answer goes to stdout; the cost footer (model, tier, cost, savings, latency) to stderr.
    """
    import asyncio
    import os

    from clawcli.core.catalog import PROFILE_NAMES, Catalog, default_catalog
    from clawcli.core.config import load_settings
    from clawcli.core.paths import Paths
    from clawcli.core.router import route as do_route

    if profile is not None:
        # the same spellings `claw route -p` and the proxy accept: ECO, blockrun/eco, router
        name = default_catalog().profile_name(profile)
        if name is None:
            raise UsageError(f"unknown profile {profile!r}", "use one of: " + ", ".join(PROFILE_NAMES))
        profile = name
    if model and profile:
        raise UsageError("give either --model or --profile, not both")
    if compress is not None and compress not in ("off", "safe", "aggressive"):
        raise UsageError(f"unknown compress mode {compress!r}", "use off, safe or aggressive")
    text = _read_prompt(prompt)
    paths = Paths.from_env()
    settings = load_settings(paths, overrides={"compress": compress})
    catalog = Catalog.load(paths.catalog_cache)

    request: dict[str, Any] = {"messages": [{"role": "user", "content": text}]}
    if system:
        request["messages"].insert(0, {"role": "system", "content": system})
    if max_tokens:
        request["max_tokens"] = max_tokens
    if temperature is not None:
        request["temperature"] = temperature
    if model:
        request["model"] = model
    from clawcli.core.compression import compress_request

    # before routing and payment: the decision and the cost estimate see what is sent. The system
    # prompt and the last user message are never compressed, so a one-shot question is unchanged.
    request, compression = compress_request(request, settings.compress)
    decision = do_route(request, profile=None if model else (profile or settings.profile), catalog=catalog,
                        exclude=settings.exclude, baseline_model=settings.baseline_model)
    if explain:
        _explain(decision)

    payer, chain = None, "base"
    if any(not (catalog.get(m) and catalog.get(m).is_free) for m in decision.chain):
        from clawcli.core.wallet import banner_lines, ensure_wallet
        from clawcli.core.x402.payer import Payer

        ensured = ensure_wallet(paths)
        if ensured.created:
            typer.echo("\n".join(banner_lines(ensured.wallet)) + "\n", err=True)
        for w in ensured.wallet.warnings:
            typer.echo(f"warning: {w}", err=True)
        payer = Payer.from_settings(ensured.wallet, settings, paths)
        chain = ensured.wallet.chain

    session_id = os.environ.get("CLAWCLI_SESSION_ID") or None
    stream = not (no_stream or json_out)
    asyncio.run(_run(settings, paths, catalog, payer, chain, request, decision, session_id, max_cost,
                     stream=stream, json_out=json_out, compression=compression))


async def _run(settings, paths, catalog, payer, chain, request, decision, session_id, max_cost, *,
               stream: bool, json_out: bool, compression: Any = None) -> None:
    from clawcli.cli._app import error_line, notice, print_json
    from clawcli.core.errors import AllAttemptsFailed, ClawError
    from clawcli.core.upstream import Engine, GatewayUnreachable, StreamInterrupted

    engine = Engine(settings, paths, catalog=catalog, payer=payer, chain=chain)
    if payer is not None:
        import httpx_sse  # noqa: F401 - imported here, before the thread below starts importing

        _prewarm("eth_account.messages")  # ~0.6 s of import, overlapped with the unpaid round trip
    if session_id and settings.max_cost_per_run is not None:
        engine.budgets.seed(session_id, _session_spent(paths, session_id))
    out = _Output(markdown=sys.stdout.isatty() and not json_out)
    try:
        if stream:
            result = None
            async for ev in engine.stream(request, source="ask", session_id=session_id, decision=decision,
                                          max_cost=max_cost, compression=compression):
                if ev.type == "notice":
                    out.pause()
                    notice(ev.data)
                elif ev.type == "chunk":
                    for ch in ev.data.get("choices") or ():
                        piece = (ch.get("delta") or {}).get("content")
                        if piece:
                            out.write(piece)
                elif ev.type == "done":
                    result = ev.data
            out.close()
        else:
            result = await engine.complete(request, source="ask", session_id=session_id, decision=decision,
                                           max_cost=max_cost, compression=compression)
            for n in result.notices:
                notice(n)
            if json_out:
                print_json(result.to_dict())
            else:
                out.write(result.content)
                out.close()
        assert result is not None
        if not json_out:
            typer.echo(typer.style(_footer(result), dim=True) if out.color_err else _footer(result), err=True)
    except GatewayUnreachable:
        out.close()
        raise
    except AllAttemptsFailed as exc:
        out.close()
        if json_out:
            print_json(exc.to_dict())
        n = len(exc.attempts)
        error_line(f"no model could answer: {n} attempt{'' if n == 1 else 's'} failed")
        _print_attempts(exc.attempts)
        hint = exc.hint
        if exc.attempts and all(a.get("errorClass") == "billing" for a in exc.attempts):
            # an empty wallet with the free model excluded: the attempt list alone does not say what to do
            hint = "the wallet could not pay: fund it (`claw wallet fund`) or allow the free model"
        if hint:
            typer.echo(f"hint: {hint}", err=True)
        raise typer.Exit(1) from None
    except StreamInterrupted:
        out.close()
        raise
    except ClawError as exc:  # refusals (policy, cost caps), bad requests: one line, and JSON when asked
        out.close()
        if json_out:
            print_json(exc.to_dict())
        raise
    finally:
        await engine.aclose()


class _Output:
    """Writes the answer as it arrives: plain text when piped, live Markdown on a terminal."""

    def __init__(self, markdown: bool) -> None:
        from clawcli.cli._app import _color_ok

        self.markdown = markdown
        self.color_err = _color_ok(sys.stderr)
        self.text = ""
        self._live = None
        self._ended_newline = True

    def write(self, piece: str) -> None:
        self.text += piece
        if self.markdown:
            from rich.markdown import Markdown

            if self._live is None:
                from rich.live import Live

                from clawcli.cli._app import console

                self._live = Live(Markdown(self.text), console=console(), refresh_per_second=10,
                                  vertical_overflow="visible", transient=False)
                self._live.start()
            else:
                self._live.update(Markdown(self.text))
            return
        sys.stdout.write(piece)
        sys.stdout.flush()  # incremental, even through a pipe
        self._ended_newline = piece.endswith("\n")

    def pause(self) -> None:
        if self._live is not None:
            self._live.refresh()

    def close(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None
        elif self.text and not self._ended_newline:
            sys.stdout.write("\n")
            sys.stdout.flush()
            self._ended_newline = True


ask.__doc__ = (ask.__doc__ or "") + "\n\n" + EPILOG
