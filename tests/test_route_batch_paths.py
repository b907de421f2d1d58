"""`claw route --batch PATH`: a missing or unreadable input path is a usage error (exit 2, one
error line, nothing on stdout), not a failed batch (exit 1)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from clawcli.cli.main import app

runner = CliRunner()


@pytest.mark.parametrize("make", [
    lambda tmp: tmp / "no-such-input.jsonl",  # missing
    lambda tmp: tmp,                          # a directory, not a file
])
def test_an_unreadable_batch_input_is_a_usage_error(tmp_path, make):
    path = make(tmp_path)
    r = runner.invoke(app, ["route", "--batch", str(path)])
    assert r.exit_code == 2, r.output
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith(f"error: cannot read {path}")
    assert "Traceback" not in r.output and r.stdout == ""


def test_a_readable_batch_still_routes(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": 1, "prompt": "What is 2+2?"}\n')
    r = runner.invoke(app, ["route", "--batch", str(src)])
    assert r.exit_code == 0, r.output
    assert '"tier"' in r.stdout
