"""The CLI's error boundary: one line + hint, exit codes, --debug."""

import subprocess
import sys

import typer
from typer.testing import CliRunner

from clawcli.cli._app import ClawGroup
from clawcli.core.errors import AllAttemptsFailed, ClawError, UsageError

runner = CliRunner()


def make_app(exc):
    app = typer.Typer(cls=ClawGroup)

    @app.callback()
    def root(ctx: typer.Context, debug: bool = typer.Option(False, "--debug")):
        ctx.obj = {"debug": debug}

    @app.command()
    def boom():
        raise exc

    return app


def test_expected_error_is_one_line_with_hint_and_exit_1():
    r = runner.invoke(make_app(ClawError("the wallet is empty", "run `claw wallet fund`")), ["boom"])
    assert r.exit_code == 1
    assert r.stderr.splitlines() == ["error: the wallet is empty", "hint: run `claw wallet fund`"]


def test_usage_error_exits_2():
    r = runner.invoke(make_app(UsageError("no prompt given")), ["boom"])
    assert r.exit_code == 2 and r.stderr.strip() == "error: no prompt given"


def test_a_bug_is_one_line_unless_debug():
    app = make_app(ZeroDivisionError("division by zero"))
    r = runner.invoke(app, ["boom"])
    assert r.exit_code == 1
    assert "internal error: ZeroDivisionError" in r.stderr and "--debug" in r.stderr
    r = runner.invoke(app, ["--debug", "boom"])
    assert isinstance(r.exception, ZeroDivisionError)


def test_debug_env_var_shows_the_exception(monkeypatch):
    monkeypatch.setenv("CLAWCLI_DEBUG", "1")
    r = runner.invoke(make_app(ClawError("x")), ["boom"])
    assert isinstance(r.exception, ClawError)


def test_structured_error_keeps_attempts():
    e = AllAttemptsFailed("all 2 models failed", [{"model": "a", "status": 500}, {"model": "b", "status": 529}])
    assert e.to_dict()["attempts"][1]["status"] == 529


def test_real_console_script_no_traceback_on_bad_input():
    p = subprocess.run([sys.executable, "-m", "clawcli", "route", "-p", "nope", "hi"], capture_output=True, text=True)
    assert p.returncode == 2  # a usage error (issue 15)
    assert p.stderr.startswith("error: unknown profile 'nope'")
    assert "Traceback" not in p.stderr
