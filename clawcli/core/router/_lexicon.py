"""Multilingual cue tables for the routing classifier (data, not logic).

Each group names one kind of signal (what the request asks for, or how it is shaped) and lists
terms per language (en, zh, ja, ru, de, es, pt, ko, ar, fr, it).

Term syntax (see ``_features.py`` for the matcher):
- Latin, Cyrillic and Arabic terms match whole words (``important`` never matches ``import``);
  a trailing ``*`` makes the last word a prefix (``доказ*`` matches ``докажите``); several words
  make a phrase that must appear in that order (punctuation between them is ignored).
- Chinese, Japanese and Korean terms match as substrings (those scripts have no word boundaries;
  Korean attaches particles to words). Longest match wins at a position, so a neutral compound
  listed in ``_stop`` (``要求``, "requirement") stops a shorter cue inside it (``求``, "find").
- Arabic text and terms are normalised (diacritics dropped, alef forms unified) and one leading
  clitic (و، ف، ب، ل، ال ...) may be attached to a word.

The tables, the weights and the tier thresholds live in ``clawcli/data/router.json`` (data, not
code), read once at import (~1 ms; ``claw route`` starts well inside its 200 ms). The group
``_stop`` lists neutral CJK compounds that stop a shorter cue inside them. Terms are general
vocabulary for the rubric in ``shared/eval/RUBRIC.md``, never copied from evaluation data:
``benchmarks/lexicon_terms.py`` lists any term that fires on only one labelled prompt.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def _load() -> dict[str, Any]:
    return json.loads(resources.files("clawcli.data").joinpath("router.json").read_text("utf-8"))


ROUTER_DATA: dict[str, Any] = _load()
_CUES: dict[str, dict[str, Any]] = ROUTER_DATA["cues"]

#: group -> language -> terms (list of term strings, syntax above)
LEXICON: dict[str, dict[str, list[str]]] = {g: c["terms"] for g, c in _CUES.items()}
#: which tier each group pushes towards (used for the hard-tier split and for --explain labels)
GROUP_KIND: dict[str, str] = {g: c["kind"] for g, c in _CUES.items() if c["kind"] != "stop"}
#: group -> (weight per hit, cap on hits), in the order --explain lists them
CUE_WEIGHTS: dict[str, tuple[float, int]] = {
    g: (float(c["weight"]), int(c["cap"])) for g, c in _CUES.items() if "weight" in c
}
#: shape dimension -> (weight, kind: which hard tier a positive contribution counts towards)
SHAPE_WEIGHTS: dict[str, tuple[float, str]] = {
    n: (float(d["weight"]), d["kind"]) for n, d in ROUTER_DATA["shape"].items()
}
THRESHOLDS: dict[str, float] = ROUTER_DATA["thresholds"]
