#!/usr/bin/env python3
"""Dump every routing decision over the labelled and captured data, to prove a speed-up changed none.

    python benchmarks/router_equivalence.py /tmp/before.jsonl       # before a change
    python benchmarks/router_equivalence.py /tmp/after.jsonl        # after it
    cmp /tmp/before.jsonl /tmp/after.jsonl                           # must be identical

One JSON line per case: the whole ``Decision.to_dict()`` (tier, score and confidence unrounded,
chain, profile, costs, input tokens, dimensions, reasons, the ask and what was skipped), the
features, and what the proxy's other message walkers say about the body (``commands.match``,
``derive_session_id``), or the error raised. Cases, called the way the proxy calls them
(``extract_features`` then ``route(..., features=...)``):

- every prompt of ``shared/eval/routing-dev.jsonl``, ``shared/eval/routellm/*.jsonl``,
  ``benchmarks/data/*.jsonl`` (labelled prompts; the compression corpus' whole bodies) and
  ``routing-prompts/*.jsonl`` as a bare ``{"model": "auto"}`` request, and again under one of
  several request variants chosen by its position (a profile, tools, an image, an exclude list, a
  JSON system prompt, an explicit model, a big max_tokens, another catalog, a session tier raise);
- every labelled prompt (MMLU: one in seven) inside each captured agent envelope
  (``tests/fixtures/agent_requests/*.json``, the ask replaced as ``router_eval.py --envelopes`` does),
  and every envelope as captured.

Every case runs twice, the second time on a new copy of the body, and a difference is written
too. Not a test (it takes ~70 s): a script to run before and after a change to the router.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import hashlib
import json
import sys
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from clawcli.core.catalog import Catalog, _package_json, default_catalog  # noqa: E402
from clawcli.core.router import extract_features, route  # noqa: E402
from clawcli.proxy import commands  # noqa: E402
from clawcli.proxy.sessions import derive_session_id, raise_tier  # noqa: E402
from router_eval import wrap  # noqa: E402  (the ask replaced as --envelopes does)

PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
TOOLS = [{"type": "function", "function": {"name": f"tool_{i}", "description": "does a thing",
                                             "parameters": {"type": "object", "properties": {}}}}
         for i in range(3)]


# local chat commands (answered by the proxy) and requests the router refuses
COMMAND_PROMPTS = ["/stats", "/stats 30d", "/WALLET", "/wallet please", "/unknown", " /stats", "/stats\nmore"]
BAD_BODIES = [
    {"model": "auto", "messages": []},
    {"model": "auto"},
    {"model": "auto", "messages": ["not an object"]},
    {"model": 5, "messages": [{"role": "user", "content": "hi"}]},
    {"model": "no-such-model-xyz", "messages": [{"role": "user", "content": "hi"}]},
    {"model": "auto", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 0},
    {"model": "auto", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 1.5},
    {"model": "auto", "messages": [{"role": "user", "content": "hi"}], "max_tokens": "12"},
    {"model": "auto", "messages": [{"role": "user", "content": "hi"}], "max_tokens": True},
    {"model": "auto", "messages": [{"role": "assistant", "content": "no user"}, {"role": "tool", "content": "x"}]},
    {"model": "auto", "system": "Reply in YAML.", "messages": [{"role": "user", "content": "list three fruits"}]},
    {"model": "auto", "messages": [{"role": "user", "content": [{"type": "tool_result", "content": "x"}]}]},
    {"model": "auto", "messages": [{"role": "user", "content": "hi"}], "response_format": {"type": "json_object"}},
    {"model": "auto", "messages": [{"role": "user", "content": "hi"}], "tools": TOOLS,
     "max_completion_tokens": 100},
]


def _other_catalog() -> Catalog:
    """The packaged catalog with every chain reversed, a chain bound of 2 and another free model:
    a cache keyed on the wrong thing answers with the default catalog's chains here."""
    cat = _package_json("catalog.json")
    prof = copy.deepcopy(_package_json("profiles.json"))
    for tiers in prof["profiles"].values():
        for t in tiers:
            tiers[t] = list(reversed(tiers[t]))
    prof["maxChain"] = 2
    cat = dict(cat, freeModel="deepseek/deepseek-chat")
    return Catalog.from_data(cat, prof, "equivalence")


def _variants(i: int, prompt: str, cat_other: Catalog):
    """(name, body, route kwargs, raise-to tier or None) for prompt number ``i``."""
    user = {"role": "user", "content": prompt}
    yield "bare", {"model": "auto", "messages": [user]}, {}, None
    k = i % 12
    if k == 0:
        yield "eco", {"model": "eco", "messages": [user]}, {}, None
    elif k == 1:
        yield "premium-kw", {"model": "auto", "messages": [user]}, {"profile": "premium"}, None
    elif k == 2:
        yield "tools", {"model": "auto", "messages": [user], "tools": TOOLS}, {}, None
    elif k == 3:
        body = {"model": "auto", "messages": [{"role": "user", "content": [
            {"type": "text", "text": prompt}, {"type": "image_url", "image_url": {"url": PNG}}]}]}
        yield "image", body, {}, None
    elif k == 4:
        yield "exclude", {"model": "auto", "messages": [user]}, {"exclude": frozenset((
            "moonshot/kimi-k2.5", "xai/grok-4-fast-non-reasoning", "google/gemini-3.1-pro",
            "xai/grok-4-1-fast-reasoning"))}, None
    elif k == 5:
        yield "json-system", {"model": "auto", "messages": [
            {"role": "system", "content": "Answer in JSON only."}, user]}, {}, None
    elif k == 6:
        yield "explicit", {"model": "gpt-4o", "messages": [user]}, {}, None
    elif k == 7:
        yield "max-tokens", {"model": "premium", "messages": [user], "max_tokens": 900_000}, {}, None
    elif k == 8:
        yield "other-catalog", {"model": "auto", "messages": [user]}, {"catalog": cat_other}, None
    elif k == 9:
        yield "agentic-tools-exclude", {"model": "agentic", "messages": [user], "tools": TOOLS}, {
            "exclude": frozenset(("anthropic/claude-sonnet-4.6",))}, None
    elif k == 10:
        yield "raise", {"model": "auto", "messages": [user]}, {}, "REASONING"
    else:
        yield "free-history", {"model": "free", "messages": [
            {"role": "user", "content": "earlier question"}, {"role": "assistant", "content": "earlier answer"},
            user]}, {}, None


def _floats(obj):
    """Floats as repr (every bit), the rest unchanged."""
    if isinstance(obj, float):
        return repr(obj)
    if isinstance(obj, dict):
        return {k: _floats(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_floats(v) for v in obj]
    return obj


def _decision_dict(d) -> dict:
    out = d.to_dict()
    out["score"] = repr(d.score)
    out["confidence"] = repr(d.confidence)
    out["confidence6"] = round(d.confidence, 6)
    out["estimatedCost"] = repr(d.estimated_cost)
    out["baselineCost"] = repr(d.baseline_cost)
    out["savings"] = repr(d.savings)
    out["agenticScore"] = repr(d.agentic_score)
    out["dimensions"] = [[x.name, repr(x.weight), repr(x.value), list(x.matched)] for x in d.dimensions]
    return out


def run_case(key: str, body: dict, kwargs: dict, raise_to: str | None) -> dict:
    rec = _case(key, body, kwargs, raise_to)
    # again on a new copy of the body (as the next request of a conversation parses it): whatever the
    # router remembered from the first call must give the same answer
    again = _case(key, orjson.loads(orjson.dumps(body)), kwargs, raise_to)
    if again != rec:
        rec["second_call_differs"] = again
    return rec


def _case(key: str, body: dict, kwargs: dict, raise_to: str | None) -> dict:
    rec: dict = {"key": key}
    messages = body.get("messages")
    try:
        rec["command"] = commands.match(messages)
    except Exception as exc:  # noqa: BLE001
        rec["command_error"] = f"{type(exc).__name__}: {exc}"
    try:
        rec["session"] = derive_session_id(body)
    except Exception as exc:  # noqa: BLE001
        rec["session_error"] = f"{type(exc).__name__}: {exc}"
    catalog = kwargs.get("catalog") or _DEFAULT
    model = body.get("model")
    profile = kwargs.get("profile")
    if profile is None and not (isinstance(model, str) and model.strip()):
        profile = None
    try:
        f = extract_features(body)
        feats = {k: v for k, v in dataclasses.asdict(f).items() if k != "ask"}
        # an agent's system prompt is ~48 KB: its digest says as much here
        feats["system"] = [len(f.system), hashlib.sha256(f.system.encode("utf-8", "surrogatepass")).hexdigest()]
        rec["features"] = _floats(feats)
        d = route(body, profile=profile, catalog=catalog, exclude=kwargs.get("exclude", frozenset()),
                  baseline_model="anthropic/claude-opus-4.6", features=f)
        rec["decision"] = _decision_dict(d)
        # the same decision without precomputed features (the CLI's call)
        d2 = route(body, profile=profile, catalog=catalog, exclude=kwargs.get("exclude", frozenset()))
        if _decision_dict(d2) != rec["decision"]:
            rec["decision_without_features"] = _decision_dict(d2)
        if raise_to is not None and not d.explicit:
            r = raise_tier(d, raise_to, catalog=catalog, features=f, exclude=kwargs.get("exclude", frozenset()))
            rec["raised"] = _decision_dict(r)
    except Exception as exc:  # noqa: BLE001
        rec["error"] = f"{type(exc).__name__}: {exc}"
    return rec


_DEFAULT = default_catalog()


def _load(path: Path) -> tuple[list[tuple[str, str]], list[tuple[str, dict]]]:
    """(id, prompt) of the labelled rows and (line, body) of the whole request bodies in ``path``."""
    prompts, bodies = [], []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            row = json.loads(line) if line.strip() else {}
            if "prompt" in row:
                prompts.append((str(row.get("id", n)), row["prompt"]))
            elif "messages" in row:
                bodies.append((str(n), row))
    return prompts, bodies


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path, help="where to write the decisions (one JSON line per case)")
    ap.add_argument("--eval-dir", type=Path, default=REPO.parent / "shared" / "eval")
    ap.add_argument("--fixtures", type=Path, default=REPO / "tests" / "fixtures" / "agent_requests")
    args = ap.parse_args(argv)

    sources: list[Path] = [args.eval_dir / "routing-dev.jsonl"]
    sources += sorted((args.eval_dir / "routellm").glob("*.jsonl"))
    sources += sorted((REPO / "benchmarks" / "data").glob("*.jsonl"))
    sources += sorted((REPO / "routing-prompts").glob("*.jsonl"))
    envelopes = {p.stem: json.loads(p.read_text("utf-8")) for p in sorted(args.fixtures.glob("*.json"))}
    cat_other = _other_catalog()
    n = 0
    with args.out.open("w", encoding="utf-8") as out:
        def emit(rec: dict) -> None:
            nonlocal n
            out.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
            n += 1

        for j, body in enumerate(BAD_BODIES):
            emit(run_case(f"hand:{j}", body, {}, None))
            emit(run_case(f"hand:{j}:exclude-unknown", body, {"exclude": ["no-such-model-abc"]}, None))
        for j, prompt in enumerate(COMMAND_PROMPTS):
            for vname, body, kwargs, raise_to in _variants(j, prompt, cat_other):
                emit(run_case(f"command:{j}:{vname}", body, kwargs, raise_to))
            for ename, env in envelopes.items():
                emit(run_case(f"command:{j}:in:{ename}", wrap(env, prompt), {}, None))
        for name, env in envelopes.items():
            emit(run_case(f"envelope:{name}", env["body"], {}, None))
            emit(run_case(f"envelope:{name}:other-catalog", env["body"], {"catalog": cat_other}, "COMPLEX"))
        for src in sources:
            if not src.exists():
                print(f"missing: {src}", file=sys.stderr)
                continue
            label = src.name
            prompts, bodies = _load(src)
            for bid, body in bodies:
                emit(run_case(f"{label}:{bid}:body", body, {}, None))
            every = 7 if src.name == "mmlu.jsonl" else 1
            for i, (pid, prompt) in enumerate(prompts):
                for vname, body, kwargs, raise_to in _variants(i, prompt, cat_other):
                    emit(run_case(f"{label}:{pid}:{vname}", body, kwargs, raise_to))
                if i % every == 0:
                    names = list(envelopes) if every == 1 else [list(envelopes)[(i // every) % len(envelopes)]]
                    for ename in names:
                        emit(run_case(f"{label}:{pid}:in:{ename}", wrap(envelopes[ename], prompt), {}, None))
    print(f"{n} cases -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
