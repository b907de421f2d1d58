"""Safe compression never breaks a JSON tool result (issue 14 §8).

The corpus check that would have caught it: every JSON tool result of both committed corpora,
compressed in safe mode, still parses to an equal value as sent (a whole-message back-reference
excepted). ``benchmarks/data/compress-corpus-json.jsonl`` holds the shape that broke: agents
re-fetching a JSON API whose pretty-printed answers share long runs of identical lines
(``python scripts/make_json_tool_corpus.py`` regenerates it, byte for byte)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from clawcli.core.compression import compress_request
from clawcli.core.compression.verify import check_json_results, check_safe

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data"
CORPORA = ("compress-corpus.jsonl", "compress-corpus-json.jsonl")


def load(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def json_results(req: dict) -> list[int]:
    out = []
    for i, m in enumerate(req["messages"]):
        if m.get("role") == "tool" and isinstance(m.get("content"), str) and m["content"].lstrip()[:1] in "{[":
            try:
                json.loads(m["content"])
            except ValueError:
                continue
            out.append(i)
    return out


@pytest.mark.parametrize("corpus", CORPORA)
def test_safe_mode_keeps_every_json_tool_result_parseable_and_equal(corpus: str):
    checked = 0
    for n, req in enumerate(load(corpus)):
        for min_chars in (0, None):  # every request, and the default 8 KB threshold
            new, st = compress_request(req, "safe", min_chars=min_chars)
            assert check_json_results(req, new, st) == [], f"{corpus} request {n}"
            assert check_safe(req, new, st) == [], f"{corpus} request {n}"
            assert not st.dedup_blocks  # safe: whole-message repeats only
            for i in json_results(req):
                sent = new["messages"][i]["content"]
                if i in st.dedup:
                    assert sent.startswith("[clawcli: identical to")
                    assert req["messages"][st.dedup[i]]["content"] == req["messages"][i]["content"]
                else:
                    assert json.loads(sent) == json.loads(req["messages"][i]["content"])
                    checked += 1
    if corpus == "compress-corpus-json.jsonl":
        assert checked >= 100  # the corpus really is about JSON results


def test_json_corpus_still_compresses_in_safe_mode():
    before = after = 0
    for req in load("compress-corpus-json.jsonl"):
        _, st = compress_request(req, "safe")
        before += st.chars_before
        after += st.chars_after
    assert 1 - after / before >= 0.25  # whole repeats + JSON minification still pay


def test_the_check_catches_a_block_reference_inside_json():
    """Aggressive mode may reference repeated line blocks; inside a JSON result the check says so."""
    caught = 0
    for req in load("compress-corpus-json.jsonl"):
        new, st = compress_request(req, "aggressive", layers=["dedup"])
        problems = check_json_results(req, new, st)
        assert len(problems) == len([i for i in st.dedup_blocks if i in json_results(req)])
        caught += len(problems)
    assert caught >= 10


def test_json_corpus_is_reproducible(tmp_path: Path):
    out = tmp_path / "c.jsonl"
    script = Path(__file__).resolve().parent.parent / "scripts" / "make_json_tool_corpus.py"
    subprocess.run([sys.executable, str(script), "--out", str(out), "--sessions", "12"], check=True,
                   capture_output=True, timeout=60)
    assert out.read_bytes() == (DATA / "compress-corpus-json.jsonl").read_bytes()
