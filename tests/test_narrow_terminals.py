"""Narrow terminals and light themes: `claw models` keeps its prices at 60 columns; the funding QR
code is shown only when it fits unwrapped, and its colours do not depend on the terminal theme."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from clawcli.cli.main import app

runner = CliRunner()


@pytest.mark.parametrize("columns", [60, 45])
def test_models_keeps_the_prices_on_a_narrow_terminal(monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    res = runner.invoke(app, ["models"])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert all(len(ln.rstrip()) <= columns for ln in lines)
    assert "$/M in" in res.stdout and "$/M out" in res.stdout
    # opus's row carries its two prices ($5 in, $25 out), even when its id folds onto two lines
    i = next(i for i, ln in enumerate(lines) if "opus-4.6" in ln)
    row = lines[i] if "anthropic/" in lines[i] else lines[i - 1]
    assert re.search(r"\s5\s+25\s", row), res.stdout


def test_models_shows_every_column_when_there_is_room(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    res = runner.invoke(app, ["models"])
    for col in ("aliases", "$/M in", "$/M out", "context", "flags", "primary in"):
        assert col in res.stdout


@pytest.fixture
def wallet():
    assert runner.invoke(app, ["wallet", "create"]).exit_code == 0


def test_fund_skips_a_qr_code_that_would_wrap(monkeypatch, wallet):
    from clawcli.cli._qr import qr_width

    monkeypatch.setenv("COLUMNS", "50")
    res = runner.invoke(app, ["wallet", "fund"])
    assert res.exit_code == 0, res.output
    uri = re.search(r"Payment URI: (\S+)", res.stdout).group(1)
    need = qr_width(uri)
    assert need > 50
    assert f"no QR code: it needs {need} columns, this terminal has 50" in res.stdout
    assert "▀" not in res.stdout and "█" not in res.stdout
    monkeypatch.setenv("COLUMNS", str(need))
    wide = runner.invoke(app, ["wallet", "fund"])
    qr_lines = [ln for ln in wide.stdout.splitlines() if "▀" in ln or "█" in ln or "▄" in ln]
    assert qr_lines and all(len(ln) <= need for ln in qr_lines)


def test_colour_qr_sets_both_colours_so_light_themes_see_the_same_code():
    from clawcli.cli._qr import qr_matrix, render_color

    uri = "ethereum:0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913@8453/transfer?address=0x" + "ab" * 20
    matrix = qr_matrix(uri)
    lines = render_color(matrix)
    # decode the cells back into modules: foreground = top module, background = bottom module
    decoded: list[list[bool]] = []
    for line in lines:
        cells = re.findall(r"\x1b\[(\d+);(\d+)m▀", line)
        assert len(cells) == len(matrix[0])
        decoded.append([fg == "30" for fg, _ in cells])
        decoded.append([bg == "40" for _, bg in cells])
    assert decoded[: len(matrix)] == matrix  # dark modules are black, light ones white: not inverted
    assert all(not any(row) for row in matrix[:4])  # the quiet zone is light
