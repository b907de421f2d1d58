"""The error boundary and shared rendering helpers of the CLI.

Commands raise :class:`~clawcli.core.errors.ClawError` for expected failures; the root
group's ``invoke`` turns it into one red line (plus a dim hint) on stderr and the error's
exit code. ``--debug`` / ``CLAWCLI_DEBUG=1`` re-raises so the traceback shows.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from typing import Any

import typer
from typer.core import TyperGroup

from clawcli.core.errors import ClawError

# Exceptions the command-line framework handles itself (help, usage errors, exit codes).
# typer >= 0.29 vendors click, so its classes are not click's: collect both spellings.
_FRAMEWORK_EXCEPTIONS: tuple[type[BaseException], ...] = (typer.Exit, typer.Abort)
if hasattr(typer, "TyperException"):
    _FRAMEWORK_EXCEPTIONS += (typer.TyperException,)
else:  # pragma: no cover - older typer built on click
    import click

    _FRAMEWORK_EXCEPTIONS += (click.ClickException, click.exceptions.Exit, click.exceptions.Abort)


def debug_enabled(ctx: Any = None) -> bool:
    if os.environ.get("CLAWCLI_DEBUG", "").strip().lower() in ("1", "true", "yes", "on"):
        return True
    root = ctx.find_root() if ctx is not None else None
    return bool(root is not None and isinstance(root.obj, dict) and root.obj.get("debug"))


def _color_ok(stream: Any) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def error_line(message: str, hint: str | None = None) -> None:
    """Print ``error: message`` (red on a terminal) and an optional hint line to stderr."""
    color = _color_ok(sys.stderr)
    typer.echo(typer.style(f"error: {message}", fg="red", bold=True) if color else f"error: {message}", err=True)
    if hint:
        typer.echo(typer.style(f"hint: {hint}", dim=True) if color else f"hint: {hint}", err=True)


def notice(message: str) -> None:
    """A visible, non-fatal notice on stderr (yellow on a terminal)."""
    color = _color_ok(sys.stderr)
    typer.echo(typer.style(message, fg="yellow") if color else message, err=True)


def print_json(obj: Any) -> None:
    """JSON to stdout: pretty on a terminal, one compact line when piped."""
    if sys.stdout.isatty():
        typer.echo(json.dumps(obj, indent=2, ensure_ascii=False, default=str))
    else:
        typer.echo(json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str))


#: width used when the output is not a terminal: rich would otherwise assume 80 columns and cut
#: table cells (`claw models > file` lost aliases) or wrap long lines (`claw route | grep chain`)
PIPE_WIDTH = 200


def console(stderr: bool = False):  # -> rich.console.Console (rich imported lazily)
    stream = sys.stderr if stderr else sys.stdout
    isatty = getattr(stream, "isatty", None)
    width = None if (os.environ.get("COLUMNS") or (isatty and isatty())) else PIPE_WIDTH
    return _console_class()(stderr=stderr, highlight=False, soft_wrap=False, width=width)


@functools.lru_cache(maxsize=1)
def _console_class():
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            # rich exits 1 when the reader goes away (`claw models | head -1`); like the rest of
            # the CLI, a closed pipe is not a failure: silence stdout and exit 0
            self.quiet = True
            try:
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            except (OSError, ValueError):
                pass
            raise typer.Exit(0)

    return _Console


def _reraise_plain_click(exc: Exception) -> None:
    """Handle exceptions of the plain ``click`` package like typer's own.

    typer >= 0.29 vendors click, so a command that calls ``click.confirm`` (plain click) raises a
    ``click.exceptions.Abort`` that typer does not know: answering "n" printed "internal error:
    Abort". click is only checked when something already imported it (no start-up cost).
    """
    click = sys.modules.get("click")
    if click is None:
        return
    exceptions = click.exceptions
    if isinstance(exc, exceptions.Exit):
        raise typer.Exit(exc.exit_code) from None
    if isinstance(exc, exceptions.Abort):
        typer.echo("Aborted!", err=True)
        raise typer.Exit(1) from None
    if isinstance(exc, exceptions.ClickException):
        exc.show()
        raise typer.Exit(exc.exit_code) from None


def _wants_json(ctx: Any) -> bool:
    """Did the command line ask for JSON (``--json`` or ``-j``)?

    Read from the raw arguments: the error may come from parsing them, before any command runs.
    """
    protected = getattr(ctx, "_protected_args", None) or getattr(ctx, "protected_args", None) or []
    args = [*protected, *ctx.args]
    if "--" in args:
        args = args[: args.index("--")]
    return "--json" in args or "-j" in args  # -j is --json in every command that has it


def _json_error(obj: dict[str, Any]) -> None:
    """With --json, every failure is also one JSON object on stdout (scripts parse stdout)."""
    try:
        print_json(obj)
    except (OSError, ValueError):  # stdout is gone: the stderr line still says it
        pass


class ClawGroup(TyperGroup):
    """Root command group: maps expected errors to one line and an exit code (and, with --json,
    one JSON error object on stdout)."""

    def invoke(self, ctx: Any) -> Any:
        json_mode = _wants_json(ctx)
        try:
            return super().invoke(ctx)
        except ClawError as exc:
            if debug_enabled(ctx):
                raise
            if json_mode:
                _json_error(exc.to_dict())
            error_line(exc.message, exc.hint)
            raise typer.Exit(exc.exit_code) from None
        except _FRAMEWORK_EXCEPTIONS as exc:
            if json_mode and getattr(exc, "exit_code", None) == 2 and hasattr(exc, "format_message"):
                _json_error({"error": exc.format_message(), "code": "usage_error"})  # bad flag or value
            raise
        except KeyboardInterrupt:
            if debug_enabled(ctx):
                raise
            if json_mode:
                _json_error({"error": "cancelled", "code": "cancelled"})
            error_line("cancelled")
            raise typer.Exit(130) from None
        except BrokenPipeError:
            # `claw ... | head`: the reader went away; not an error worth a message
            try:
                sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
            except OSError:
                pass
            raise typer.Exit(0) from None
        except Exception as exc:  # a bug: one line unless --debug
            if debug_enabled(ctx):
                raise
            _reraise_plain_click(exc)
            if json_mode:
                _json_error({"error": f"internal error: {type(exc).__name__}: {exc}", "code": "internal_error"})
            error_line(
                f"internal error: {type(exc).__name__}: {exc}",
                "this is a bug in clawcli; rerun with --debug (or CLAWCLI_DEBUG=1) for the traceback",
            )
            raise typer.Exit(1) from None


def load_cli_settings(paths: Any, overrides: dict[str, Any]) -> Any:
    """``load_settings`` for a command: a bad *flag* value is a usage error (exit 2), while a bad
    config.toml or environment value stays a configuration error (exit 1).

    The flags are told apart by loading once more without them: if that works, they were the problem.
    """
    from clawcli.core.config import load_settings
    from clawcli.core.errors import ConfigError, UsageError

    try:
        return load_settings(paths, overrides=overrides)
    except ConfigError as exc:
        if not any(v is not None for v in overrides.values()):
            raise
        try:
            load_settings(paths)
        except ConfigError:
            raise exc from None
        err = UsageError(exc.message, exc.hint)
        err.code = exc.code
        raise err from None


def check_profile(profile: str | None) -> str | None:
    """A ``--profile`` value normalised (``ECO``, ``blockrun/eco``), or a usage error (exit 2)."""
    if profile is None:
        return None
    from clawcli.core.catalog import PROFILE_NAMES, default_catalog
    from clawcli.core.errors import UsageError

    name = default_catalog().profile_name(profile)
    if name is None:
        raise UsageError(f"unknown profile {profile!r}", "use one of: " + ", ".join(PROFILE_NAMES))
    return name


def check_model(catalog: Any, model: str | None) -> str | None:
    """A ``--model`` value resolved to its catalog id, or a usage error (exit 2) with suggestions."""
    if model is None:
        return None
    from clawcli.core.errors import UnknownModelError, UsageError

    try:
        return catalog.resolve(model)
    except UnknownModelError as exc:
        err = UsageError(exc.message, exc.hint)
        err.code = exc.code
        raise err from None
