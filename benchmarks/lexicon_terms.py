#!/usr/bin/env python3
"""Find prompt-specific lexicon terms: cues that fire on exactly one dev-set prompt and on no
other labelled prompt.

    python benchmarks/lexicon_terms.py                     # list them, by group
    python benchmarks/lexicon_terms.py --json > terms.json
    python benchmarks/lexicon_terms.py --max-dev 1 --max-other 0   # the defaults

A term that only ever matters for one prompt of the set the router was tuned on is a fitted
term, not vocabulary: it makes the dev figure look better than the router is. The reference sets
are ``routing-dev.jsonl`` (``--eval-dir``) and every other labelled JSONL given with
``--labelled`` (default: ``benchmarks/data/lead-holdout.jsonl`` and ``routing-prompts/*.jsonl``).
Blind sets (``benchmarks/data/blind-*.jsonl``) are never read: they judge the router, they do
not shape it. "Fires" means the classifier's own matcher (``_features.extract``) reports the term
for the prompt, so phrases, prefixes, Arabic clitics and CJK substrings count as the router
counts them.

A flagged term may stay only if it is listed in ``reviewed_general`` of
``clawcli/data/router.json`` (reviewed as general vocabulary of its group) AND fires on at least
``--corpus-min`` (3) prompts of the independent RouteLLM sets (``routellm/*.jsonl``): real
questions nobody wrote the lexicon from. The script checks both. Exit status 1 when a flagged
term is not covered that way (a prompt-specific term remains), else 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from clawcli.core.router._features import extract  # noqa: E402
from clawcli.core.router._lexicon import LEXICON, ROUTER_DATA  # noqa: E402


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def term_hits(rows: list[dict]) -> dict[tuple[str, str], set[str]]:
    """(group, term label) -> ids of the prompts it fires on."""
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in rows:
        for group, labels in extract(r["prompt"]).hits.items():
            for label in labels:
                out[(group, label)].add(r["id"])
    return out


def all_terms() -> dict[tuple[str, str], str]:
    """(group, term label) -> language, for every term in the lexicon."""
    out = {}
    for group, langs in LEXICON.items():
        for lang, terms in langs.items():
            for raw in terms:
                if raw.strip():
                    out.setdefault((group, raw.strip()), lang)
    return out


def find(dev: list[dict], other: list[dict], max_dev: int = 1, max_other: int = 0) -> list[dict]:
    dev_hits = term_hits(dev)
    other_hits = term_hits(other)
    found = []
    for key, ids in sorted(dev_hits.items()):
        if 0 < len(ids) <= max_dev and len(other_hits.get(key, ())) <= max_other:
            group, term = key
            found.append({"group": group, "term": term, "dev": sorted(ids), "other": sorted(other_hits.get(key, ()))})
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eval-dir", type=Path, default=REPO.parent / "shared" / "eval")
    ap.add_argument("--labelled", type=Path, action="append", help="other labelled JSONL (repeatable)")
    ap.add_argument("--max-dev", type=int, default=1, help="fires on at most this many dev prompts (default 1)")
    ap.add_argument("--max-other", type=int, default=0, help="... and at most this many other prompts (default 0)")
    ap.add_argument("--unused", action="store_true", help="also count terms that fire on no labelled prompt")
    ap.add_argument("--corpus-min", type=int, default=3,
                    help="a reviewed general term must fire on this many RouteLLM prompts (default 3)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    dev = load(args.eval_dir / "routing-dev.jsonl")
    paths = args.labelled or [REPO / "benchmarks" / "data" / "lead-holdout.jsonl",
                              *sorted((REPO / "routing-prompts").glob("*.jsonl"))]
    other = [r for p in paths if p.exists() and not p.name.startswith("blind-") for r in load(p)]
    found = find(dev, other, args.max_dev, args.max_other)
    reviewed = {(g, t) for g, terms in ROUTER_DATA.get("reviewed_general", {}).items() for t in terms}
    corpus = [r for p in sorted((args.eval_dir / "routellm").glob("*.jsonl")) for r in load(p)]
    corpus_hits = term_hits(corpus) if any((f["group"], f["term"]) in reviewed for f in found) else {}
    for f in found:
        key = (f["group"], f["term"])
        f["corpus"] = len(corpus_hits.get(key, ()))
        f["kept"] = key in reviewed and f["corpus"] >= args.corpus_min
    remaining = [f for f in found if not f["kept"]]
    if args.json:
        print(json.dumps(found, ensure_ascii=False, indent=1))
        return 1 if remaining else 0
    by_id = {r["id"]: r for r in dev}
    for f in found:
        r = by_id[f["dev"][0]]
        status = f"kept: general, {f['corpus']} RouteLLM prompts" if f["kept"] else "PROMPT-SPECIFIC"
        print(f"{f['group']:<16} {f['term']!r:<26} {r['id']} {r['tier'][:4]} {status:<34} {r['prompt'][:50]!r}")
    print(f"{len(all_terms())} terms; {len(found)} fire on <= {args.max_dev} dev prompt(s) and <= {args.max_other} "
          f"of {len(other)} other labelled prompts; {len(found) - len(remaining)} of them kept as reviewed general "
          f"vocabulary (>= {args.corpus_min} RouteLLM prompts); {len(remaining)} prompt-specific")
    if args.unused:
        fired = set(term_hits(dev)) | set(term_hits(other))
        print(f"{sum(1 for k in all_terms() if k not in fired)} terms fire on no labelled prompt at all")
    return 1 if remaining else 0


if __name__ == "__main__":
    raise SystemExit(main())
