#!/usr/bin/env python3
"""Write benchmarks/data/compress-corpus-json.jsonl: agent sessions whose tool results are JSON.

The shape that broke safe compression (issue 14 §8): an agent fetches a JSON API, acts, and
fetches it again; the two pretty-printed results share long runs of identical lines but are not
identical (a status, a timestamp, a counter changed). Line-block dedup inside such a result leaves
text that no longer parses. Every session here mixes: re-fetches with small changes, an exact
repeat (whole-message dedup is fine), JSON arrays of similar records, and compact one-line JSON.

Deterministic (seeded; no machine-dependent input): rerunning gives the same bytes.

    python scripts/make_json_tool_corpus.py [--out PATH] [--sessions N]
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "compress-corpus-json.jsonl"
WORDS = ("alpha beta gamma delta router payment gateway session cache retry stream token wallet ledger "
         "invoice deploy build queue worker shard replica index schema metric trace span").split()
TOOLS = [{"type": "function", "function": {"name": n, "description": d, "parameters": {
    "type": "object", "properties": {"url" if n == "http_get" else "path": {"type": "string"}}}}}
    for n, d in (("http_get", "GET a URL and return the body"), ("read_file", "Read a file"))]


def text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def issue(rng: random.Random, number: int) -> dict:
    return {
        "number": number, "title": text(rng, 6).capitalize(), "state": rng.choice(["open", "closed"]),
        "labels": [{"name": rng.choice(WORDS), "color": f"{rng.randrange(16**6):06x}"} for _ in range(rng.randint(1, 3))],
        "assignee": {"login": rng.choice(WORDS) + str(rng.randint(1, 99)), "id": rng.randint(1000, 99999)},
        "comments": rng.randint(0, 40), "created_at": f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}T10:00:00Z",
        "body": text(rng, rng.randint(10, 30)), "reactions": {"+1": rng.randint(0, 9), "heart": rng.randint(0, 3)},
    }


def package(rng: random.Random) -> dict:
    name = rng.choice(WORDS) + "-" + rng.choice(WORDS)
    return {"name": name, "version": f"{rng.randint(0, 4)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}",
            "description": text(rng, 12), "license": rng.choice(["MIT", "Apache-2.0", "BSD-3-Clause"]),
            "dependencies": {rng.choice(WORDS) + str(i): f"^{rng.randint(1, 9)}.0.0" for i in range(rng.randint(4, 12))},
            "scripts": {k: f"{k} --{rng.choice(WORDS)}" for k in ("build", "test", "lint", "start")},
            "maintainers": [{"name": rng.choice(WORDS), "email": f"{rng.choice(WORDS)}@example.org"} for _ in range(3)]}


def mutate(rng: random.Random, doc):
    """A re-fetch: the same document with one or two small changes somewhere inside."""
    doc = json.loads(json.dumps(doc))
    items = doc if isinstance(doc, list) else doc.get("items") or [doc]
    for _ in range(rng.randint(1, 2)):
        it = rng.choice(items)
        if "state" in it:
            it["state"] = "closed" if it["state"] == "open" else "open"
            it["comments"] += 1
        else:
            it["version"] = it["version"] + "-post1"
    if isinstance(doc, dict):
        doc["fetched_at"] = f"2026-12-06T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z"
    return doc


class Session:
    def __init__(self, rng: random.Random, sid: int) -> None:
        self.rng = rng
        self.messages: list[dict] = [
            {"role": "system", "content": "You are a coding agent. Use the tools; answer concisely."},
            {"role": "user", "content": f"Triage the open issues of project {sid} and check its package metadata."},
        ]
        self.n = 0

    def call(self, name: str, arg: str, result: str) -> None:
        self.n += 1
        cid = f"call_{self.n:03d}"
        key = "url" if name == "http_get" else "path"
        self.messages.append({"role": "assistant", "content": None, "tool_calls": [
            {"id": cid, "type": "function", "function": {"name": name, "arguments": json.dumps({key: arg})}}]})
        self.messages.append({"role": "tool", "tool_call_id": cid, "content": result})

    def say(self, role: str, content: str) -> None:
        self.messages.append({"role": role, "content": content})


def build(rng: random.Random, sid: int) -> dict:
    s = Session(rng, sid)
    indent = rng.choice([2, 4])
    listing = {"total": 0, "page": 1, "items": [issue(rng, 100 + k) for k in range(rng.randint(6, 12))]}
    listing["total"] = len(listing["items"])
    url = f"https://api.example.test/projects/{sid}/issues?state=all"
    s.call("http_get", url, json.dumps(listing, indent=indent))
    s.say("assistant", f"There are {listing['total']} issues; closing the stale ones.")
    for _ in range(rng.randint(1, 3)):
        listing = mutate(rng, listing)
        s.call("http_get", url, json.dumps(listing, indent=indent))  # a re-fetch: mostly the same lines
    pkg = package(rng)
    s.call("read_file", "package.json", json.dumps(pkg, indent=2))
    s.call("read_file", "package.json", json.dumps(pkg, indent=2))  # an exact re-read (whole-message repeat)
    s.call("read_file", "package.json", json.dumps(mutate(rng, pkg), indent=2))  # after an edit
    records = [issue(rng, 500 + k) for k in range(rng.randint(3, 6))]
    s.call("http_get", f"https://api.example.test/projects/{sid}/issues?compact=1", json.dumps(records))
    s.call("http_get", f"https://api.example.test/projects/{sid}/issues?compact=1",
           json.dumps(mutate(rng, records), indent=indent))
    s.say("user", "Which issues changed state between the first and the last fetch?")
    return {"model": "auto", "messages": s.messages, "tools": TOOLS}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--sessions", type=int, default=12)
    a = ap.parse_args(argv)
    rng = random.Random(14_08)
    lines = [json.dumps(build(rng, k), ensure_ascii=False, separators=(",", ":")) for k in range(a.sessions)]
    a.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} requests, {a.out.stat().st_size:,} bytes to {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
