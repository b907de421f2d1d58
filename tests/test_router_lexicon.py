"""The router's data file (clawcli/data/router.json) and the prompt-specific-term check."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from clawcli.core.router import route
from clawcli.core.router._lexicon import CUE_WEIGHTS, GROUP_KIND, LEXICON, SHAPE_WEIGHTS, THRESHOLDS
from clawcli.core.router.classifier import REASONING_MIN, SIMPLE_MAX

REPO = Path(__file__).resolve().parent.parent
EVAL = REPO.parent / "shared" / "eval"  # CI lays shared/ beside the clone, as in the work tree


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_weights_and_thresholds_come_from_the_data_file():
    data = json.loads((REPO / "clawcli" / "data" / "router.json").read_text("utf-8"))
    assert CUE_WEIGHTS["proof"] == (data["cues"]["proof"]["weight"], data["cues"]["proof"]["cap"])
    assert SHAPE_WEIGHTS["length"][0] == data["shape"]["length"]["weight"]
    assert SIMPLE_MAX == THRESHOLDS["simple_max"] == data["thresholds"]["simple_max"]
    assert REASONING_MIN == data["thresholds"]["reasoning_min"]
    assert set(GROUP_KIND) == set(CUE_WEIGHTS)  # every weighted group has a kind, and back
    assert "_stop" in LEXICON and "_stop" not in CUE_WEIGHTS
    # the data drives routing: general vocabulary in several languages
    assert route({"messages": [{"role": "user", "content": "Prove that sqrt(2) is irrational."}]}).tier == "REASONING"
    assert route({"messages": [{"role": "user", "content": "Beweise, dass es unendlich viele Primzahlen gibt."}]}).tier == "REASONING"
    assert route({"messages": [{"role": "user", "content": "hola, ¿qué tal?"}]}).tier == "SIMPLE"


def test_no_prompt_specific_terms_remain():
    """Every term that fires on a single dev prompt and no other labelled prompt was removed, or
    reviewed as general vocabulary and seen in >= 3 RouteLLM prompts (benchmarks/lexicon_terms.py)."""
    assert (EVAL / "routing-dev.jsonl").exists(), f"the shared eval data is missing at {EVAL}"
    mod = _script("lexicon_terms")
    assert mod.main(["--eval-dir", str(EVAL), "--json"]) == 0


def test_the_check_catches_a_fitted_term(monkeypatch):
    """Put a term back that only one dev prompt uses: the check must report it."""
    mod = _script("lexicon_terms")
    dev = [{"id": "d-1", "prompt": "Four people must cross a bridge at night with one flashlight."},
           {"id": "d-2", "prompt": "Prove that there are infinitely many primes."}]
    other = [{"id": "o-1", "prompt": "Prove that sqrt(2) is irrational."}]
    found = {(f["group"], f["term"]) for f in mod.find(dev, other)}
    assert ("proof", "prove") not in found  # fires on a dev prompt and another labelled one
    import clawcli.core.router._features as features

    lex = {g: {lang: list(t) for lang, t in langs.items()} for g, langs in LEXICON.items()}
    lex["puzzle"]["en"].append("flashlight")
    monkeypatch.setattr(features, "LEXICON", lex)
    tables = features._build()
    monkeypatch.setattr(features, "_EXACT", tables[0])
    monkeypatch.setattr(features, "_WORDS", {}, raising=False)
    found = {(f["group"], f["term"]) for f in mod.find(dev, other)}
    assert ("puzzle", "flashlight") in found


# everyday agent wording that shares a word with maths or physics (Q1: "current directory" added
# math_topic +0.40); the words were general vocabulary, not picked from any evaluation set
EVERYDAY_ASKS = [
    "List the files in the current directory.",
    "Force push the branch to origin.",
    "Draw a square in the canvas.",
    "Count the characters in this file.",
    "Store the passwords hashed with argon2.",
    "Plot a graph of the memory usage over time.",
    "Add rounded edges to the card component.",
    "Yield each row from the generator instead of building a list.",
    "Bond the two network interfaces on the server.",
    "Check the energy saver settings of the laptop.",
]
MATHS_ASKS = [  # the same words where they are maths: the phrase still counts
    ("What is the current through a 5 ohm resistor at 10 V?", "current through"),
    ("A 2 kg block feels a net force of 10 N; find its acceleration.", "net force"),
    ("Find the square root of 144.", "square root"),
    ("How many passwords of 8 characters can be made from 26 letters?", "how many passwords"),
    ("In a connected graph with 10 vertices, how many edges are needed at least?", "connected graph"),
    ("A bond pays a 5% coupon; what is its yield to maturity?", "yield to maturity"),
    ("A ball has kinetic energy of 20 J; what is its speed?", "kinetic energy"),
]


def test_everyday_agent_wording_is_not_a_maths_topic():
    from clawcli.core.router._features import extract

    for ask in EVERYDAY_ASKS:
        assert "math_topic" not in extract(ask).hits, (ask, extract(ask).hits)
    for ask, term in MATHS_ASKS:
        assert term in extract(ask).hits.get("math_topic", []), (ask, extract(ask).hits)
    # and the tier: the agent asks are not lifted by a maths cue
    msgs = lambda text: {"messages": [{"role": "user", "content": text}]}  # noqa: E731
    assert route(msgs("Force push the branch to origin.")).tier == "SIMPLE"
