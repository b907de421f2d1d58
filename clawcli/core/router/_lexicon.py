"""Multilingual cue tables for the routing classifier (data, not logic).

Each group names one kind of signal (what the request asks for, or how it is shaped) and lists
terms per language (en, zh, ja, ru, de, es, pt, ko, ar), separated by ``|``.

Term syntax (see ``_features.py`` for the matcher):
- Latin, Cyrillic and Arabic terms match whole words (``important`` never matches ``import``);
  a trailing ``*`` makes the last word a prefix (``доказ*`` matches ``докажите``); several words
  make a phrase that must appear in that order (punctuation between them is ignored).
- Chinese, Japanese and Korean terms match as substrings (those scripts have no word boundaries;
  Korean attaches particles to words). Longest match wins at a position, so a neutral compound
  listed in ``_stop`` (``要求``, "requirement") stops a shorter cue inside it (``求``, "find").
- Arabic text and terms are normalised (diacritics dropped, alef forms unified) and one leading
  clitic (و، ف، ب، ل، ال ...) may be attached to a word.

The tables live in ``_lexicon_ask`` (SIMPLE/MEDIUM cues) and ``_lexicon_hard`` (COMPLEX/REASONING
cues, the expert prior, CJK stop-compounds). Terms were written for the rubric in ``shared/eval/RUBRIC.md``, never copied from evaluation data.
"""

from __future__ import annotations

from ._lexicon_ask import ASK
from ._lexicon_hard import HARD

LEXICON: dict[str, dict[str, str]] = {**ASK, **HARD}

# Which tier each group pushes towards (used for the hard-tier split and for --explain labels).
GROUP_KIND = {
    "greeting": "simple",
    "heartbeat": "simple",
    "fact_question": "simple",
    "translate": "simple",
    "define": "simple",
    "brevity": "simple",
    "identify": "simple",
    "command_question": "simple",
    "trivial_edit": "simple",
    "write": "medium",
    "create": "medium",
    "units": "simple",
    "explain": "medium",
    "code_task": "medium",
    "transform": "medium",
    "plan": "medium",
    "compare": "medium",
    "howto": "medium",
    "agent_action": "medium",
    "design_ask": "complex",
    "system_noun": "complex",
    "scale": "complex",
    "multi_file": "complex",
    "migration": "complex",
    "perf_debug": "complex",
    "security": "complex",
    "spec": "complex",
    "analyze": "complex",
    "infra": "complex",
    "our_context": "complex",
    "proof": "reasoning",
    "proof_noun": "reasoning",
    "derive": "reasoning",
    "probability": "reasoning",
    "calculate": "reasoning",
    "rigor": "reasoning",
    "game_theory": "reasoning",
    "algo_analysis": "reasoning",
    "math_topic": "reasoning",
    "puzzle": "reasoning",
    "expert": "shape",
}
