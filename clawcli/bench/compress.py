"""The compression benchmark behind ``claw bench compress``: savings, per-layer share, speed, checks.

Every request of a JSONL corpus (one OpenAI chat request per line) is compressed the way ``claw
ask``/``claw serve`` would (the mode's default threshold included). Time is the best of three runs
of the hot path (``detail=False``) per request, reported per KB of message text next to the
router's budget (~1 ms per 10 k chars, i.e. ~100 µs/KB). Per-layer tokens come from a separate
``detail=True`` run. Every result is checked: ``check_safe`` (semantic equality) in safe mode,
``check_invariants`` (never-touch list, legend) in aggressive mode.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any

from clawcli.core.compression.pipeline import LAYERS, compress_request
from clawcli.core.compression.verify import check_invariants, check_safe
from clawcli.core.errors import ClawError, UsageError

CORPUS = Path("benchmarks") / "data" / "compress-corpus.jsonl"
TARGETS = {"safe": 0.10, "aggressive": 0.35}
CLASSIFIER_BUDGET_US_PER_KB = 100.0  # DESIGN §9: <= 1 ms at 10 k chars


#: the same corpus shipped as package data (gzip), so a normal install finds it too
PACKAGED_CORPUS = "compress-corpus.jsonl.gz"


def default_corpus() -> Path:
    """The repo's corpus: from the current directory, next to the source tree, else the copy
    shipped in the package (``clawcli/data``; `scripts/make_compress_corpus.py` writes both)."""
    here = Path.cwd() / CORPUS
    if here.is_file():
        return here
    repo = Path(__file__).resolve().parents[2] / CORPUS
    if repo.is_file():
        return repo
    from importlib.resources import files

    packaged = Path(str(files("clawcli.data") / PACKAGED_CORPUS))
    if packaged.is_file():
        return packaged
    raise UsageError("no compression corpus found",
                     "pass --file, or build it: python scripts/make_compress_corpus.py")


def load_requests(path: Path) -> list[dict]:
    try:
        if str(path).endswith(".gz"):
            import gzip

            with gzip.open(path, "rt", encoding="utf-8") as fh:
                text = fh.read()
        else:
            text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            req = json.loads(line)
        except ValueError:
            raise ClawError(f"{path}:{n} is not valid JSON", "one chat request per line") from None
        if not isinstance(req, dict) or not isinstance(req.get("messages"), list):
            raise ClawError(f"{path}:{n} has no messages list", "one OpenAI chat request per line")
        out.append(req)
    if not out:
        raise ClawError(f"{path} holds no requests")
    return out


def run_compress_bench(requests: list[dict], mode: str, *, source: str = "", repeat: int = 3) -> dict[str, Any]:
    layers: dict[str, dict[str, float]] = {}
    chars_b = chars_a = 0
    tok_b = tok_a = 0.0
    applied = 0
    us_per_kb: list[float] = []
    total_s = 0.0
    failures: list[str] = []
    checker = check_safe if mode == "safe" else check_invariants
    outputs: list[list] = []
    for n, req in enumerate(requests):
        best = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            compress_request(req, mode)
            best = min(best, time.perf_counter() - t0)
        new, st = compress_request(req, mode, detail=True)
        outputs.append(new.get("messages") or [])
        total_s += best
        chars_b += st.chars_before
        chars_a += st.chars_after
        tok_b += st.tokens_before
        tok_a += st.tokens_after
        if st.applied:
            applied += 1
        if st.chars_before:
            us_per_kb.append(best * 1e6 / (st.chars_before / 1024))
        for ls in st.layers.values():
            row = layers.setdefault(ls.name, {"charsSaved": 0, "tokensSaved": 0.0, "messages": 0})
            row["charsSaved"] += ls.chars_saved
            row["tokensSaved"] += ls.tokens_saved or 0.0
            row["messages"] += ls.messages
        problems = checker(req, new, st) + [f"layer error: {e}" for e in st.errors]
        failures += [f"request {n + 1}: {p}" for p in problems]
    failed = len({f.split(":")[0] for f in failures})
    # Prompt caching: when call k+1 of a conversation extends call k, is the compressed form of
    # what they share byte-identical? (The last message of call k is excluded: it was protected
    # or fresh then, and may be compressed once it is history.)
    pairs = stable = 0
    for k in range(len(requests) - 1):
        a, b = requests[k]["messages"], requests[k + 1]["messages"]
        if len(b) > len(a) and b[:len(a)] == a:
            pairs += 1
            shared = len(outputs[k]) - 1
            stable += outputs[k + 1][:shared] == outputs[k][:shared]
    reduction = 0.0 if tok_b <= 0 else 1 - tok_a / tok_b
    return {
        "corpus": source, "mode": mode, "requests": len(requests), "compressed": applied,
        "skipped": len(requests) - applied,
        "charsBefore": chars_b, "charsAfter": chars_a,
        "tokensBefore": round(tok_b), "tokensAfter": round(tok_a),
        "reduction": round(reduction, 4),
        "charsReduction": round(0 if not chars_b else 1 - chars_a / chars_b, 4),
        "layers": [{"layer": name, "number": LAYERS.index(name) + 1, "charsSaved": row["charsSaved"],
                    "tokensSaved": round(row["tokensSaved"]),
                    "share": round(row["tokensSaved"] / tok_b, 4) if tok_b else 0.0, "messages": row["messages"]}
                   for name, row in sorted(layers.items(), key=lambda kv: LAYERS.index(kv[0]))],
        "time": {"totalMs": round(total_s * 1000, 2),
                 "usPerKb": round(total_s * 1e6 / (chars_b / 1024), 2) if chars_b else 0.0,
                 "p50UsPerKb": round(statistics.median(us_per_kb), 2) if us_per_kb else 0.0,
                 "maxUsPerKb": round(max(us_per_kb), 2) if us_per_kb else 0.0,
                 "classifierBudgetUsPerKb": CLASSIFIER_BUDGET_US_PER_KB},
        "prefixStable": {"pairs": pairs, "stable": stable},
        "checks": {"kind": "semantic" if mode == "safe" else "invariants", "requests": len(requests),
                   "failed": failed, "problems": failures[:10]},
        "target": TARGETS.get(mode), "targetMet": None if mode not in TARGETS else reduction >= TARGETS[mode],
        "tokenEstimate": "BPE-shaped estimate (runs of words, punctuation, newlines, indentation), not chars/4",
    }
