#!/usr/bin/env python3
"""Dump every compression result over the committed data, to prove a speed-up changed none.

    python benchmarks/compress_equivalence.py /tmp/before.jsonl     # before a change (or from a
    python benchmarks/compress_equivalence.py /tmp/after.jsonl      #  `git archive` of the old tree)
    cmp /tmp/before.jsonl /tmp/after.jsonl                           # must be identical

One JSON line per case: the request as it would be sent upstream, ``CompressionStats.to_dict()``
(without the timings), ``headers()``, ``log_fields()``, the legend, the dedup maps and the exact
token figures (repr). Cases: every request of ``benchmarks/data/compress-corpus*.jsonl``, every
captured agent envelope (``tests/fixtures/agent_requests``), the two ``agent_bodies.py`` bodies,
and the first 40 corpus conversations with their middle repeated (dedup at work); each in the
off, safe and aggressive modes, with and without ``detail``, twice (the second run on a fresh copy:
the per-text memos answer it, and must agree). The input is checked to stay unchanged.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from clawcli.core.compression import compress_request  # noqa: E402


def cases() -> list[dict]:
    reqs = []
    for name in ("compress-corpus.jsonl", "compress-corpus-json.jsonl"):
        path = REPO / "benchmarks" / "data" / name
        reqs += [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    for path in sorted((REPO / "tests" / "fixtures" / "agent_requests").glob("*.json")):
        data = json.loads(path.read_text("utf-8"))
        reqs.append(data.get("body", data))
    try:
        from agent_bodies import build
    except ImportError:  # an older tree: no such bodies
        pass
    else:
        reqs += list(build().values())
    for r in reqs[:40]:
        ms = r.get("messages") or []
        if len(ms) > 2:
            reqs.append({**r, "messages": ms + ms[1:-1] + [ms[-1]]})
    return reqs


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.split("\n\n")[1])
        return 2
    reqs = cases()
    with open(argv[0], "wb") as out:
        for n, r in enumerate(reqs):
            raw = orjson.dumps(r)
            for mode in ("off", "safe", "aggressive"):
                for detail in (False, True):
                    for _ in range(2):
                        src = orjson.loads(raw)
                        new, st = compress_request(src, mode, detail=detail)
                        if orjson.dumps(src) != raw:
                            raise SystemExit(f"case {n} {mode}: the input was changed")
                        d = st.to_dict()
                        d.pop("elapsedMs")
                        for layer in d["layers"]:
                            layer.pop("ms")
                        out.write(orjson.dumps([
                            n, mode, detail, new, d, st.headers(), st.log_fields(), st.legend,
                            {str(k): v for k, v in st.dedup.items()},
                            {str(k): v for k, v in st.dedup_blocks.items()}, st.legend_index,
                            repr(st.tokens_before), repr(st.tokens_after), repr(st.tokens_delta),
                        ]) + b"\n")
    print(f"{len(reqs)} requests x 3 modes x 2 details x 2 runs -> {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
