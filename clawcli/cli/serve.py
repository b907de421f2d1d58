"""`claw serve`: the local OpenAI-compatible proxy."""

from __future__ import annotations

import os
from pathlib import Path
from typing import List, Optional

import typer


def serve(
    host: Optional[str] = typer.Option(
        None, "--host", help="Address to bind (default 127.0.0.1; anything else needs a token of 16+ characters)."),
    port: Optional[int] = typer.Option(
        None, "--port", "-p", help="Port (default 8402, or CLAWCLI_PORT); 0 picks a free one."),
    token: Optional[str] = typer.Option(
        None, "--token", "-t",
        help="Require 'Authorization: Bearer TOKEN' on every request (visible in `ps`: prefer --token-file "
             "or CLAWCLI_TOKEN)."),
    token_file: Optional[Path] = typer.Option(
        None, "--token-file", help="Read the bearer token from this file (first line). Env: CLAWCLI_TOKEN."),
    allow_host: Optional[List[str]] = typer.Option(
        None, "--allow-host", help="Also answer requests for this Host name (repeatable; '*' = any, behind a "
                                   "reverse proxy). Default: localhost, 127.0.0.1, [::1] and the bound address."),
    allow_origin: Optional[List[str]] = typer.Option(
        None, "--allow-origin", help="Let a web page with this origin (https://app.example) call the proxy, "
                                     "with CORS (repeatable). Default: no web page can."),
    profile: Optional[str] = typer.Option(
        None, "--profile", help="Profile for requests without a model: auto, eco, premium, free, agentic."),
    max_cost_per_run: Optional[float] = typer.Option(None, "--max-cost-per-run", help="Per-session cost cap in USD."),
    cap_mode: Optional[str] = typer.Option(
        None, "--cap-mode", help="What the cap does: graceful (downgrade with a notice) or strict (429)."),
    gateway_url: Optional[str] = typer.Option(
        None, "--gateway-url", help="Gateway base URL (default: BlockRun for the wallet's chain)."),
    compress: Optional[str] = typer.Option(
        None, "--compress", help="Request compression: off, safe (default, above 8 KB) or aggressive."),
    journal: bool = typer.Option(True, "--journal/--no-journal", help="Session memory for x-session-id sessions."),
    state_url: Optional[str] = typer.Option(
        None, "--state", help="Share the spend ledger, cooldowns and session pins with other `claw serve` "
                              "through Redis: redis://HOST:PORT/DB (env CLAWCLI_STATE_URL; default: local)."),
    no_preauth: bool = typer.Option(
        False, "--no-preauth", help="Wait for each paid request's 402 quote instead of sending the payment with the "
                                    "first request when the last quote for that model and size covers it."),
    json_out: bool = typer.Option(False, "--json", help="Print the startup line as JSON."),
    log_level: str = typer.Option(
        "info", "--log-level", help="debug, info (the default: a start-up banner and one line per request), "
                                    "warning (only requests that failed) or error."),
) -> None:
    """Run a local OpenAI-compatible proxy that routes, pays and logs every request.

    Point any OpenAI client at it:

      claw serve --port 8402

      export OPENAI_BASE_URL=http://127.0.0.1:8402/v1   # model "auto", "eco", "premium", ... or any model id

    Chat commands /stats and /wallet are answered locally. Stop with Ctrl-C (in-flight requests finish).

    Sessions (tier pinning, --max-cost-per-run) follow the x-session-id header; without it a session
    is derived from the first real user message (OpenClaw's timestamp and runtime trailer stripped,
    plus its sessionId) and the system prompt, so every turn of one chat shares it. Identical one-shot
    requests share a derived session too: send x-session-id to keep them apart.
    """
    from clawcli.core.catalog import Catalog
    from clawcli.core.errors import UsageError
    from clawcli.core.paths import Paths
    from clawcli.proxy.server import serve as run
    from clawcli.proxy.state import ProxyState

    if port is not None and not (0 <= port < 65536):
        raise UsageError(f"invalid port {port}", "use a port between 1 and 65535 (0 = any free port)")
    from clawcli.proxy.guard import check_allowed_origin

    for origin in allow_origin or ():
        problem = check_allowed_origin(origin)
        if problem:
            import re

            host = re.split(r"[/?#]", origin.strip().split("://")[-1])[0].rpartition("@")[2]
            example = f"https://{host}" if host and host != "*" else "https://app.example"
            raise UsageError(f"--allow-origin '{origin[:100]}' is not a web page's origin: {problem}",
                             f"give the page's exact origin, scheme://host[:port], e.g. {example}")
    from clawcli.proxy.observe import check_log_level, uvicorn_level

    log_level = check_log_level(log_level)
    token = _resolve_token(token, token_file)
    paths = Paths.from_env()
    from clawcli.cli._app import load_cli_settings

    settings = load_cli_settings(paths, {  # a bad flag value exits 2, a bad config.toml 1
        "host": host, "port": port if port else None, "profile": profile,
        "max_cost_per_run": max_cost_per_run, "cap_mode": cap_mode, "gateway_url": gateway_url,
        "compress": compress, "state_url": state_url, "preauth": False if no_preauth else None,
    })
    bind_port = 0 if port == 0 else settings.port
    if settings.state_url:  # --state redis://: a missing client library is one line before anything starts
        from clawcli.core.state import open_state

        open_state(settings, paths)
    from clawcli.core.journal import SessionJournal

    state = ProxyState(settings=settings, paths=paths, catalog=Catalog.load(paths.catalog_cache),
                       token=token or None, env=dict(os.environ), journal=SessionJournal() if journal else None,
                       log_level=log_level)

    def ready(h: str, p: int) -> None:
        h = h.strip("[]")  # --host [::1] is accepted like ::1; the URL adds its own brackets
        url = f"http://{h if ':' not in h else '[' + h + ']'}:{p}/v1"
        if json_out:
            from clawcli.cli._app import print_json

            print_json({"url": url, "host": h, "port": p, "auth": bool(token), "pid": os.getpid()})
        else:
            typer.echo(f"claw serve: listening on {url} (Ctrl-C to stop)", err=False)
        import sys

        sys.stdout.flush()

        if log_level in ("debug", "info"):
            _print_banner(state, url)

    from clawcli.proxy.guard import Guard

    run(state, settings.host, bind_port, on_ready=ready, log_level=uvicorn_level(log_level),
        guard=Guard(allow_hosts=allow_host or (), allow_origins=allow_origin or ()))


def _print_banner(state: object, url: str) -> None:
    """The start-up banner on stderr. The balance is one RPC call: waited for briefly, else it is
    printed on its own line when it arrives (start-up never waits on a slow RPC)."""
    import sys
    import threading

    from clawcli.proxy.observe import banner_lines, fetch_balance_text

    if sys.stderr is None:  # `claw serve 2>&-`: print() would fall back to stdout, after --json's line
        return
    found: list[str] = []
    t = threading.Thread(target=lambda: found.append(fetch_balance_text(state)), daemon=True)
    t.start()
    t.join(1.5)
    lines = banner_lines(state, url, found[0] if found else "checking...")
    if not _say("\n".join(lines)):
        return  # a full or broken stderr (2>/dev/full) is no reason not to serve
    if not found:
        def late() -> None:
            t.join()
            if found:
                _say(f"claw serve: balance {found[0]}")

        threading.Thread(target=late, daemon=True).start()


def _say(text: str) -> bool:
    """One banner line on stderr; False when stderr cannot take it (full, closed, broken pipe)."""
    import sys

    try:
        print(text, file=sys.stderr, flush=True)
        return True
    except (OSError, ValueError):
        return False


def _resolve_token(token: Optional[str], token_file: Optional[Path]) -> Optional[str]:
    """--token-file, else --token (with a warning: argv is public), else CLAWCLI_TOKEN."""
    from clawcli.core.errors import UsageError

    env_token = os.environ.get("CLAWCLI_TOKEN") or None
    given = [name for name, v in (("--token", token), ("--token-file", token_file)) if v]
    if len(given) > 1:
        raise UsageError("--token and --token-file both given", "pass the token one way (--token-file is safest)")
    if token_file is not None:
        try:
            lines = token_file.expanduser().read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read the token file {token_file}: {getattr(exc, 'strerror', None) or exc}",
                             "give a readable file whose first line is the token") from None
        value = lines[0].strip() if lines else ""
        if not value:
            raise UsageError(f"the token file {token_file} is empty", "write the token on its first line")
        return value
    if token:
        typer.echo("claw serve: warning: --token is visible to other users of this machine (ps, /proc); "
                   "use --token-file PATH or CLAWCLI_TOKEN instead", err=True)
        return token
    return env_token
