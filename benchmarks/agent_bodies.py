"""Agent request bodies for ``proxy_compare.py --body``, built from committed data (deterministic).

    python benchmarks/agent_bodies.py /tmp/bodies
    python benchmarks/proxy_compare.py --before REV --instructions --no-timed --requests 40 \\
        --body /tmp/bodies/long_conversation.json
    python benchmarks/proxy_compare.py ... --body /tmp/bodies/midloop_paste.json --vary-last

- ``long_conversation.json``: OpenClaw's system prompt and tools around a 33-message coding
  conversation from the compression corpus (16 tool calls and their results, 125 KB), then a
  user turn: what an agent resends on every request of a long session.
- ``midloop_paste.json``: the OpenClaw multi-turn envelope whose ask is a pasted 5.5 KB file,
  followed by an assistant tool call and its result; with ``--vary-last`` each request brings a
  new tool result and the same ask, as the requests of one agent turn do.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build() -> dict[str, dict]:
    corpus = [json.loads(line) for line in (ROOT / "benchmarks/data/compress-corpus.jsonl").read_text().splitlines()
              if line.strip()]
    corpus.sort(key=lambda r: len(json.dumps(r)))
    envelope = json.loads((ROOT / "tests/fixtures/agent_requests/openclaw_multi_turn.json").read_text())["body"]
    system = envelope["messages"][0]

    long_body = dict(envelope)
    long_body["messages"] = [system] + [m for m in corpus[-3]["messages"] if m["role"] != "system"]
    if long_body["messages"][-1]["role"] != "user":
        long_body["messages"].append({"role": "user", "content": "continue"})

    paste = next(m["content"] for r in corpus for m in r["messages"]
                 if m["role"] == "tool" and isinstance(m.get("content"), str) and 4500 < len(m["content"]) < 6000)
    mid = dict(envelope)
    mid["messages"] = list(envelope["messages"][:-1]) + [
        {"role": "user", "content": "Here is the log:\n" + paste},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "read", "arguments": '{"path": "src/app.py"}'}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "def main():\n    return 42\n"},
    ]
    return {"long_conversation.json": long_body, "midloop_paste.json": mid}


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else ".")
    out.mkdir(parents=True, exist_ok=True)
    for name, body in build().items():
        (out / name).write_text(json.dumps({"body": body}), "utf-8")
        print(out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
