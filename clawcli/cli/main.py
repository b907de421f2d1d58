"""The ``claw`` command: a thin Typer app over ``clawcli.core``.

One module per command under ``clawcli/cli/``. Command modules import only typer/click at
module level; everything heavy (rich, httpx, eth-account, starlette) is imported inside the
command function so ``claw route`` starts fast.

``app`` (the whole command tree: tests, docs, completion) is built on first access. The console
script builds only the command it runs (``claw ask ...`` imports no other command module and
converts no other command's options), and the whole tree for anything else (``claw``,
``claw --help``, a typo, shell completion).
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from typing import Any

import typer

from clawcli import __version__
from clawcli.cli._app import ClawGroup

_APP_SETTINGS: dict[str, Any] = dict(
    name="claw",
    cls=ClawGroup,
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals can hold private keys
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    help=(
        "Route each LLM request to the cheapest model that can do it, pay per call with "
        "USDC (x402), and see where the money went.\n\n"
        "Examples:\n\n"
        # comments aligned so every line fits an 80-column terminal (they used to wrap)
        "  claw route --explain \"Prove that sqrt(2) is irrational\"  # offline dry run\n\n"
        "  claw ask \"Summarise this paragraph: ...\"   # routed, paid, streamed\n\n"
        "  claw serve --port 8402                      # OpenAI-compatible proxy\n\n"
        "  claw stats --since 7d                       # cost and savings"
    ),
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"claw {__version__}")
        raise typer.Exit()


def _root(
    ctx: typer.Context,
    version: bool = typer.Option(
        False, "--version", "-V", callback=_version, is_eager=True, help="Show the version and exit."
    ),
    debug: bool = typer.Option(
        False, "--debug", help="Show full tracebacks for errors (also CLAWCLI_DEBUG=1)."
    ),
) -> None:
    ctx.obj = {"debug": debug}


# (name, module, attribute, kind): "command" registers a function, "group" a sub-Typer.
_COMMANDS: list[tuple[str, str, str, str]] = [
    ("route", "clawcli.cli.route", "route", "command"),
    ("models", "clawcli.cli.models", "models", "command"),
    ("ask", "clawcli.cli.ask", "ask", "command"),
    ("chat", "clawcli.cli.chat", "chat", "command"),
    ("logs", "clawcli.cli.logs", "logs", "command"),
    ("stats", "clawcli.cli.stats", "stats", "command"),
    ("bench", "clawcli.cli.bench", "bench_app", "group"),
    ("serve", "clawcli.cli.serve", "serve", "command"),
    ("inject-openclaw", "clawcli.cli.inject_openclaw", "inject_openclaw", "command"),
    ("wallet", "clawcli.cli.wallet", "wallet_app", "group"),
]


def _reflow(doc: str | None) -> str | None:
    """Join the hard-wrapped lines of each prose paragraph of a help text.

    Typer's "rich" mode keeps single newlines, so a docstring wrapped at 100 columns came out
    ragged on an 80-column terminal. Paragraphs with an indented line (examples) stay as written.
    """
    if not doc or "\n" not in doc:
        return doc
    paras = []
    for para in inspect.cleandoc(doc).split("\n\n"):
        lines = para.split("\n")
        if len(lines) > 1 and all(ln and not ln[0].isspace() and ln[0] != "\b" for ln in lines):
            para = " ".join(ln.strip() for ln in lines)
        paras.append(para)
    return "\n\n".join(paras)


def _reflow_typer(t: typer.Typer) -> None:
    for info in t.registered_commands:
        if info.callback is not None and info.help is None:
            info.callback.__doc__ = _reflow(info.callback.__doc__)
    for group in t.registered_groups:
        if group.typer_instance is not None:
            _reflow_typer(group.typer_instance)


def build_app(only: str | None = None) -> typer.Typer:
    """The ``claw`` app with every command, or with just ``only``."""
    app = typer.Typer(**_APP_SETTINGS)
    app.callback()(_root)
    for name, module, attr, kind in _COMMANDS:
        if only is not None and name != only:
            continue
        obj = getattr(importlib.import_module(module), attr)
        if kind == "group":
            _reflow_typer(obj)
            app.add_typer(obj, name=name)
        else:
            obj.__doc__ = _reflow(obj.__doc__)
            app.command(name)(obj)
    return app


def __getattr__(name: str) -> Any:
    if name == "app":
        app = globals()["app"] = build_app()
        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def run() -> None:
    first = sys.argv[1] if len(sys.argv) > 1 else None
    completing = any(k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ)
    if first in {c[0] for c in _COMMANDS} and not completing:
        build_app(only=first)()
    else:
        build_app()()
