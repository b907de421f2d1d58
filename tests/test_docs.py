"""The generated completions and man page: fresh, complete, deterministic and loadable.

If this fails because a command or option changed, regenerate: python scripts/gen_docs.py
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "gen_docs.py"
FILES = ("completions/claw.bash", "completions/claw.zsh", "completions/claw.fish", "man/claw.1")


def generate(out: Path, **env: str) -> dict[str, str]:
    full = {**os.environ, **env}
    r = subprocess.run([sys.executable, str(SCRIPT), "--out", str(out)], env=full,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return {f: (out / f).read_text("utf-8") for f in FILES}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return generate(tmp_path_factory.mktemp("docs"))


def test_committed_files_are_fresh(generated: dict[str, str]):
    stale = [f for f in FILES if not (ROOT / f).exists() or (ROOT / f).read_text("utf-8") != generated[f]]
    assert not stale, f"stale generated files {stale}: run `python scripts/gen_docs.py`"


def test_output_does_not_depend_on_the_machine(generated: dict[str, str], tmp_path: Path):
    other = generate(
        tmp_path, COLUMNS="37", TERM="dumb", SHELL="/bin/fish", HOME=str(tmp_path),
        LANG="C", NO_COLOR="", _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1",
    )
    assert other == generated
    assert str(Path.home()) not in "".join(generated.values())


def _tree():
    import typer.main

    from clawcli.cli.main import app

    def walk(cmd, path):
        yield path, cmd
        for name in getattr(cmd, "commands", {}) or {}:
            if not getattr(cmd.commands[name], "hidden", False):
                yield from walk(cmd.commands[name], [*path, name])

    return list(walk(typer.main.get_command(app), []))


def test_every_command_and_option_is_documented(generated: dict[str, str]):
    man = generated["man/claw.1"].replace("\\-", "-").replace("\\e", "\\")
    man = re.sub(r"\\\[u([0-9A-F]{4})\]", lambda m: chr(int(m.group(1), 16)), man)
    tree = _tree()
    assert len(tree) > 1
    for path, cmd in tree:
        if path:
            assert f'.SS "claw {" ".join(path)}"' in man
            for f in ("completions/claw.bash", "completions/claw.zsh", "completions/claw.fish"):
                assert path[-1] in generated[f], (f, path)
        for p in cmd.params:
            if p.param_type_name != "option" or p.hidden:
                continue
            for name in [*p.opts, *p.secondary_opts]:
                assert name in man, (path, name)
                assert name in generated["completions/claw.bash"], (path, name)
            if p.help:
                from rich.text import Text

                first = " ".join(Text.from_markup(p.help).plain.split())[:40]
                assert first in " ".join(man.split()), (path, p.name)


@pytest.mark.parametrize("shell, ext", [("bash", "bash"), ("zsh", "zsh"), ("fish", "fish")])
def test_scripts_parse(shell: str, ext: str):
    exe = shutil.which(shell)
    if exe is None and shell == "bash":
        raise AssertionError("bash is part of every machine image this project runs on")
    if exe is None:  # zsh/fish: .ci/run installs them best effort (apt may be unreachable)
        pytest.skip(f"{shell} not installed")
    r = subprocess.run([exe, "-n", str(ROOT / "completions" / f"claw.{ext}")], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr


BASH_PROBE = r"""
source "$1"
t() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); COMPREPLY=(); _claw; echo "${COMPREPLY[*]}"; }
t claw inj
t claw inject-openclaw --d
t claw --debug inject-openclaw --port 8402 --un
t claw inject-openclaw --port ""
"""


def test_bash_completion_walks_the_command_line():
    bash = shutil.which("bash")
    assert bash, "bash is part of every machine image this project runs on"
    r = subprocess.run([bash, "-c", BASH_PROBE, "probe", str(ROOT / "completions" / "claw.bash")],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\n")[:4] == ["inject-openclaw", "--dry-run", "--undo", ""]


def test_fish_completion_knows_subcommand_options(tmp_path: Path):
    fish = shutil.which("fish")
    if fish is None:
        pytest.skip("fish not installed")
    script = ROOT / "completions" / "claw.fish"
    r = subprocess.run([fish, "--no-config", "-c", f"source {script}; complete -C 'claw inject-openclaw --und'"],
                       capture_output=True, text=True, timeout=30, env={**os.environ, "HOME": str(tmp_path)})
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("--undo\t")


def test_man_page_renders_without_warnings():
    groff = shutil.which("groff")
    assert groff, "groff (Debian groff-base) is in the machine image; .ci/run installs it otherwise"
    r = subprocess.run([groff, "-man", "-ww", "-z", str(ROOT / "man" / "claw.1")], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and r.stderr == "", r.stderr


def test_install_completion_is_still_offered(monkeypatch: pytest.MonkeyPatch):
    from typer.testing import CliRunner

    from clawcli.cli.main import app

    # name the shell explicitly instead of detecting the test runner's parent process
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    r = CliRunner().invoke(app, ["--show-completion", "bash"])
    assert r.exit_code == 0 and "_CLAW_COMPLETE" in r.stdout
