"""The safe layers remember their result per text (compression/safe.py): never a wrong hit.

An agent resends its earlier messages on every turn, so whitespace and JSON results are kept per
text, keyed by its length and both ends; these texts share that key and differ in the middle.
"""

from __future__ import annotations

import json

from clawcli.core.compression import compress_request
from clawcli.core.compression import safe

HEAD, TAIL = "h" * 100, "t" * 100


def _req(*tool_texts: str) -> dict:
    msgs: list[dict] = [{"role": "system", "content": "agent"}, {"role": "user", "content": "go"}]
    for n, text in enumerate(tool_texts):
        msgs.append({"role": "assistant", "content": None,
                     "tool_calls": [{"id": f"c{n}", "type": "function", "function": {"name": "run", "arguments": "{}"}}]})
        msgs.append({"role": "tool", "tool_call_id": f"c{n}", "content": text})
    msgs.append({"role": "user", "content": "next"})
    return {"model": "auto", "messages": msgs}


def _fresh(text: str) -> str:
    return "".join(list(text))  # an equal text, another object (as each request parses anew)


def test_whitespace_results_are_remembered_and_never_mixed_up():
    clean = HEAD + "\n" + "a line\n" * 40 + TAIL
    dirty = HEAD + "\n" + "a line\n" * 20 + "a lin \n" + "a line\n" * 19 + TAIL  # same length and ends
    assert len(clean) == len(dirty)
    expect = safe._ws_text(dirty)
    assert expect != dirty
    for texts in ((clean, dirty), (dirty, clean), (clean, dirty)):
        new, _ = compress_request(_req(*map(_fresh, texts)), "safe", layers=["whitespace"], min_chars=0)
        assert [m["content"] for m in new["messages"][3:6:2]] == [expect if t == dirty else t for t in texts]
    assert any(v[0] == dirty for v in safe._ws_remembered.memo.values())


def test_json_results_are_remembered_and_never_mixed_up():
    a = json.dumps({"k": HEAD, "n": [1, 2, 3], "z": TAIL}, indent=2)
    b = a.replace("[", "{", 1).replace("]", "}", 1)  # same length and ends, no longer JSON
    assert len(a) == len(b) and a[:64] == b[:64] and a[-64:] == b[-64:]
    for texts in ((a, b), (b, a), (a, b)):
        new, _ = compress_request(_req(*map(_fresh, texts)), "safe", layers=["json"], min_chars=0)
        for m, t in zip(new["messages"][3:6:2], texts):
            # a is minified; b, no longer JSON, is left as it is (not given a's result)
            assert m["content"] == (json.dumps(json.loads(a), separators=(",", ":")) if t == a else b)
    assert any(v[0] == b for v in safe._json_tool_remembered.memo.values())  # the last one asked
