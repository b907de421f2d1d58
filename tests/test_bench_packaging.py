"""`claw bench compress` on a normal (non-editable) install: its corpus ships as package data."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_packaged_corpus_is_the_repo_corpus():
    packaged = ROOT / "clawcli" / "data" / "compress-corpus.jsonl.gz"
    assert gzip.decompress(packaged.read_bytes()) == (ROOT / "benchmarks" / "data" / "compress-corpus.jsonl").read_bytes(), \
        "run: python scripts/make_compress_corpus.py (it rewrites both)"


@pytest.mark.e2e
def test_bench_compress_works_from_a_built_wheel(tmp_path):
    # build a wheel from a copy of the source (no network: no build isolation, no dependencies)
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "clawcli", src / "clawcli", ignore=shutil.ignore_patterns("__pycache__"))
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(wheels), str(src)], check=True, capture_output=True, timeout=300)
    [wheel] = wheels.glob("clawcli-*.whl")
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    assert not (target / "benchmarks").exists()
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}  # ahead of the editable install
    res = subprocess.run([sys.executable, "-m", "clawcli", "bench", "compress", "--repeat", "1", "--json"],
                         cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["corpus"].startswith(str(target)) and out["corpus"].endswith("compress-corpus.jsonl.gz")
    assert out["requests"] > 50 and out["tokensAfter"] < out["tokensBefore"]
