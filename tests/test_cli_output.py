"""What the commands print: help that fits 80 columns, full lines in pipes, a closed pipe that is not a
failure, and gateway-supplied text that cannot break the rendering."""

from __future__ import annotations

import os

from typer.testing import CliRunner

from clawcli.cli.main import app

runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None, input: str | None = None):
    return runner.invoke(app, list(args), env=env, input=input)


def test_piped_tables_and_lines_are_not_cut_to_80_columns():
    r = run("models", env={"COLUMNS": ""})
    assert r.exit_code == 0
    assert "haiku, anthropic/haiku" in r.output  # used to be "hai…" once piped
    assert "…" not in r.output
    r = run("route", "hi", env={"COLUMNS": ""})
    chain = [line for line in r.output.splitlines() if line.startswith("chain")]
    assert len(chain) == 1 and chain[0].rstrip().endswith("nvidia/gpt-oss-120b")  # one line, not wrapped


def test_help_prose_is_reflowed_but_examples_keep_their_lines():
    from clawcli.cli.main import _reflow

    doc = "Summary.\n\n    Prose wrapped\n    at 100 columns.\n\n    Examples:\n\n      claw a\n      claw b\n    "
    assert _reflow(doc) == "Summary.\n\nProse wrapped at 100 columns.\n\nExamples:\n\n  claw a\n  claw b"
    r = run("wallet", "import", "--help", env={"COLUMNS": "200"})
    assert "backs the old files up first; with --key, a mnemonic" in r.output  # was cut mid-sentence
    r = run("route", "--help", env={"COLUMNS": "200"})
    assert '  claw route --explain "Prove that sqrt(2) is irrational"' in r.output


def test_closing_the_pipe_early_is_not_a_failure():
    # `claw models | head -1` under `set -o pipefail`: rich used to exit 1 on the broken pipe
    import shutil
    import subprocess
    import sys

    claw = shutil.which("claw")
    cmd = [claw, "models"] if claw else [sys.executable, "-m", "clawcli", "models"]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ))
    p.stdout.close()  # the reader is gone before claw (still importing) writes a byte: EPIPE for sure
    err = p.stderr.read().decode()
    assert p.wait(timeout=30) == 0, err
    assert "Traceback" not in err and "error" not in err


def test_gateway_model_ids_with_markup_do_not_crash_claw_models():
    import json as _json
    from importlib import resources

    from clawcli.core.catalog_refresh import merge_listing
    from clawcli.core.paths import Paths

    base = _json.loads(resources.files("clawcli.data").joinpath("catalog.json").read_text("utf-8"))
    data, _ = merge_listing(base, {"data": [{"id": "evil/[/]", "inputPrice": 1, "outputPrice": 2}]})
    cache = Paths.from_env().catalog_cache
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(_json.dumps(data))
    r = run("models", env={"COLUMNS": ""})
    assert r.exit_code == 0, r.output
    assert "evil/[/]" in r.output


def test_every_help_example_fits_an_80_column_terminal():
    import typer

    cmd = typer.main.get_command(app)

    def walk(c, path):
        yield path, c
        for name, sub in getattr(c, "commands", {}).items():
            yield from walk(sub, [*path, name])

    seen = 0
    for path, c in walk(cmd, ["claw"]):
        for line in (c.help or "").splitlines() + (c.epilog or "").splitlines():
            if line.strip().startswith("claw "):
                seen += 1
                assert len(line.strip()) <= 78, (" ".join(path), line.strip())  # 1 col indent + 78 + edge
    assert seen >= 20  # the examples are there at all
