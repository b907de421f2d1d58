#!/usr/bin/env python3
"""Routing quality of the classifier.

    python benchmarks/router_eval.py                 # dev set + the three RouteLLM sets
    python benchmarks/router_eval.py --no-apgr       # dev set only
    python benchmarks/router_eval.py --errors        # also list the misrouted dev prompts
    python benchmarks/router_eval.py --eval-dir /path/to/shared/eval --json
    python benchmarks/router_eval.py --envelopes     # each prompt inside each captured agent request

Reports tier accuracy, the hard->SIMPLE rate (share of COMPLEX+REASONING routed to SIMPLE),
under/over-routing, per-language accuracy and the confusion matrix on ``routing-dev.jsonl``;
then writes ``{"id","score"}`` JSONL for each RouteLLM set and runs the shared ``apgr.py`` on it.
The eval files are found at ``../shared/eval/`` relative to the repository (``--eval-dir`` to
override). Nothing here is used for training.

``--envelopes`` puts every labelled prompt in place of the ask of every captured agent request
(``tests/fixtures/agent_requests/*.json``: OpenClaw first turn / after a tool call / second turn,
OpenAI Agents SDK, LangGraph), routes the whole request with ``route()`` as ``claw serve`` does,
and reports tier accuracy and hard->SIMPLE per envelope next to the bare prompt.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from clawcli.core.router import route
from clawcli.core.router.classifier import classify
from clawcli.core.router.types import TIER_RANK, TIERS, RequestFeatures


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def dev_report(rows: list[dict], show_errors: bool) -> dict:
    conf: dict[tuple[str, str], int] = Counter()
    per_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    errors = []
    for r in rows:
        c = classify(RequestFeatures(text=r["prompt"]))
        conf[(r["tier"], c.tier)] += 1
        ok = c.tier == r["tier"]
        per_lang[r["lang"]][0] += ok
        per_lang[r["lang"]][1] += 1
        if not ok:
            errors.append((r, c))
    n = len(rows)
    correct = sum(v for (g, p), v in conf.items() if g == p)
    hard = [r for r in rows if r["tier"] in ("COMPLEX", "REASONING")]
    hard_simple = sum(
        v
        for (g, p), v in conf.items()
        if g in ("COMPLEX", "REASONING") and p == "SIMPLE"
    )
    under = sum(v for (g, p), v in conf.items() if TIER_RANK[p] < TIER_RANK[g])
    over = sum(v for (g, p), v in conf.items() if TIER_RANK[p] > TIER_RANK[g])
    out = {
        "n": n,
        "accuracy": round(correct / n, 4),
        "hard_to_simple": round(hard_simple / max(1, len(hard)), 4),
        "under_routing": round(under / n, 4),
        "over_routing": round(over / n, 4),
        "per_language": {k: round(a / t, 3) for k, (a, t) in sorted(per_lang.items())},
        "confusion": {g: {p: conf[(g, p)] for p in TIERS} for g in TIERS},
    }
    if show_errors:
        out["errors"] = [
            {
                "id": r["id"],
                "lang": r["lang"],
                "gold": r["tier"],
                "pred": c.tier,
                "score": round(c.score, 2),
                "dims": {d.name: round(d.contribution, 2) for d in c.dimensions},
                "prompt": r["prompt"][:110].replace("\n", " "),
            }
            for r, c in errors
        ]
    return out


FIXTURES = REPO / "tests" / "fixtures" / "agent_requests"


def load_envelopes(directory: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text("utf-8")) for p in sorted(directory.glob("*.json"))}


def wrap(envelope: dict, prompt: str) -> dict:
    """The captured request with ``prompt`` where the client put the user's words (the last
    message that contains the captured ask)."""
    body = json.loads(json.dumps(envelope["body"]))
    ask = envelope["ask"]
    for m in reversed(body["messages"]):
        c = m.get("content")
        if m.get("role") != "user":
            continue
        if isinstance(c, str) and ask in c:
            m["content"] = c.replace(ask, prompt)
            return body
        if isinstance(c, list):
            for part in c:
                if isinstance(part, dict) and ask in (part.get("text") or ""):
                    part["text"] = part["text"].replace(ask, prompt)
                    return body
    raise ValueError(f"the captured ask {ask!r} is not in the envelope")


def _tally(pairs: list[tuple[str, str]]) -> dict:
    n = len(pairs)
    hard = [p for p in pairs if p[0] in ("COMPLEX", "REASONING")]
    return {
        "n": n,
        "accuracy": round(sum(g == p for g, p in pairs) / max(1, n), 4),
        "hard_to_simple": round(sum(p == "SIMPLE" for _, p in hard) / max(1, len(hard)), 4),
        "predicted": dict(Counter(p for _, p in pairs)),
    }


def envelope_report(rows: list[dict], envelopes: dict[str, dict]) -> dict:
    out = {"bare": _tally([(r["tier"], route({"messages": [{"role": "user", "content": r["prompt"]}]}).tier)
                           for r in rows])}
    for name, env in envelopes.items():
        bodies = [wrap(env, r["prompt"]) for r in rows]
        t0 = time.perf_counter()
        tiers = [route(b).tier for b in bodies]
        res = _tally([(r["tier"], t) for r, t in zip(rows, tiers)])
        res["us_per_request"] = round(1e6 * (time.perf_counter() - t0) / max(1, len(rows)), 1)
        out[name] = res
    return out


def print_envelopes(title: str, rep: dict) -> None:
    bare = rep["bare"]["accuracy"]
    print(f"{title}: tier accuracy inside each captured envelope (route() on the whole request)")
    print(f"  {'envelope':<28}{'accuracy':>9}{'vs bare':>9}{'hard->SIMPLE':>14}{'us/req':>9}")
    for name, r in rep.items():
        delta = "" if name == "bare" else f"{100 * (r['accuracy'] - bare):+.1f}"
        print(f"  {name:<28}{r['accuracy']:>9.1%}{delta:>9}{r['hard_to_simple']:>14.1%}{r.get('us_per_request', ''):>9}")


def apgr_report(eval_dir: Path, sets: list[str]) -> dict:
    results = {}
    apgr = eval_dir / "apgr.py"
    for name in sets:
        bench = eval_dir / "routellm" / f"{name}.jsonl"
        if not bench.exists():
            results[name] = {"error": f"missing {bench}"}
            continue
        rows = load(bench)
        t0 = time.perf_counter()
        scores = [
            (r["id"], classify(RequestFeatures(text=r["prompt"])).score) for r in rows
        ]
        elapsed = time.perf_counter() - t0
        with tempfile.NamedTemporaryFile(
            "w", suffix=".jsonl", delete=False, encoding="utf-8"
        ) as tmp:
            for rid, s in scores:
                tmp.write(json.dumps({"id": rid, "score": s}) + "\n")
        proc = subprocess.run(
            [sys.executable, str(apgr), str(bench), tmp.name, "--json"],
            capture_output=True,
            text=True,
            check=False,
        )
        Path(tmp.name).unlink(missing_ok=True)
        try:
            res = json.loads(proc.stdout)
        except json.JSONDecodeError:
            res = {"error": (proc.stderr or proc.stdout).strip()[-300:]}
        res["classify_seconds"] = round(elapsed, 3)
        results[name] = res
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--eval-dir", type=Path, default=REPO.parent / "shared" / "eval")
    ap.add_argument("--no-apgr", action="store_true", help="skip the RouteLLM sets")
    ap.add_argument(
        "--sets", default="mtbench,gsm8k,mmlu", help="RouteLLM sets (comma-separated)"
    )
    ap.add_argument("--errors", action="store_true", help="list misrouted dev prompts")
    ap.add_argument(
        "--labelled",
        type=Path,
        action="append",
        default=[],
        help="also report on another labelled JSONL (id, lang, tier, prompt), e.g. routing-prompts/holdout.jsonl",
    )
    ap.add_argument("--envelopes", action="store_true",
                    help="route each labelled prompt inside each captured agent request (see --fixtures)")
    ap.add_argument("--fixtures", type=Path, default=FIXTURES, help="captured agent requests (*.json)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    dev_path = args.eval_dir / "routing-dev.jsonl"
    if not dev_path.exists():
        print(f"error: {dev_path} not found (use --eval-dir)", file=sys.stderr)
        return 1
    report = {"dev": dev_report(load(dev_path), args.errors)}
    for extra in args.labelled:
        report[f"labelled:{extra.name}"] = dev_report(load(extra), args.errors)
    if args.envelopes:
        envs = load_envelopes(args.fixtures)
        report["envelopes"] = {"dev": envelope_report(load(dev_path), envs)}
        for extra in args.labelled:
            report["envelopes"][extra.name] = envelope_report(load(extra), envs)
    if not args.no_apgr:
        report["apgr"] = apgr_report(
            args.eval_dir, [s for s in args.sets.split(",") if s]
        )
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    d = report["dev"]
    print(
        f"dev: n={d['n']}  accuracy={d['accuracy']:.1%}  hard->SIMPLE={d['hard_to_simple']:.1%}  "
        f"under={d['under_routing']:.1%}  over={d['over_routing']:.1%}"
    )
    print(
        "per language: "
        + "  ".join(f"{k}={v:.0%}" for k, v in d["per_language"].items())
    )
    print("confusion (rows gold, cols predicted):")
    print("            " + "".join(f"{t[:8]:>10}" for t in TIERS))
    for g in TIERS:
        print(f"{g:>10}  " + "".join(f"{d['confusion'][g][p]:>10}" for p in TIERS))
    for e in d.get("errors", []):
        print(
            f"  {e['id']} {e['lang']} {e['gold'][:4]}->{e['pred'][:4]} {e['score']:5.2f} {e['prompt']}"
        )
        print(f"      {e['dims']}")
    for key, x in report.items():
        if key.startswith("labelled:"):
            print(
                f"{key[9:]}: n={x['n']}  accuracy={x['accuracy']:.1%}  hard->SIMPLE={x['hard_to_simple']:.1%}  "
                + " ".join(f"{k}={v:.0%}" for k, v in x["per_language"].items())
            )
            for e in x.get("errors", []):
                print(
                    f"  {e['id']} {e['lang']} {e['gold'][:4]}->{e['pred'][:4]} {e['score']:5.2f} {e['prompt']}"
                )
    for name, rep in report.get("envelopes", {}).items():
        print_envelopes(name, rep)
    for name, res in report.get("apgr", {}).items():
        if "error" in res:
            print(f"{name}: {res['error']}")
        else:
            keys = [
                k
                for k in ("apgr", "auc", "cpt50", "cpt80", "CPT(50%)", "CPT(80%)")
                if k in res
            ]
            print(
                f"{name}: "
                + "  ".join(f"{k}={res[k]}" for k in keys)
                + f"  ({res['n']} prompts, "
                f"classified in {res['classify_seconds']}s)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
