"""scripts/capture_agent_requests.py: trimming keeps every structure and marker, drops vendor prose."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("capture", REPO / "scripts" / "capture_agent_requests.py")
capture = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(capture)

SYSTEM = ("<!-- openclaw:attempt:STABLE -->\nYou are a personal assistant running inside OpenClaw.\n## Tooling\n"
          "- read: Read file contents (max 2000 lines).\n<!-- /openclaw:attempt:STABLE -->")
USER = ("[Sun 2026-12-06 21:04 UTC] Say hello.\n\nRuntime: agent=main | session=agent:main:s1 | sessionId=s1 | "
        "host=my-laptop | repo=/home/alice/project | os=Linux 6.1 (x64) | node=v24.22.3 | shell=bash")
INTERNAL = "<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>\nActive exec sessions: none\n<<<END_OPENCLAW_INTERNAL_CONTEXT>>>"


def test_filler_keeps_size_layout_and_markers_but_not_the_words():
    out = capture.filler(SYSTEM)
    assert len(out) == len(SYSTEM) and out.count("\n") == SYSTEM.count("\n")
    assert out.startswith("<!-- openclaw:attempt:STABLE -->\n") and out.endswith("<!-- /openclaw:attempt:STABLE -->")
    assert "\n## " in out and " 2000 " in out and "\n- " in out
    assert "assistant" not in out and "OpenClaw" not in out and "Read file" not in out


def test_trim_keeps_the_ask_and_envelope_and_hides_the_machine():
    body = {"model": "auto", "stream": True, "tools": [{"type": "function", "function": {
        "name": "read", "description": "Read file contents.", "parameters": {"type": "object", "properties": {
            "path": {"type": "string", "description": "Path to read."}}}}}],
        "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": USER},
                     {"role": "user", "content": [{"type": "text", "text": INTERNAL}]}]}
    out = capture.trim(body)
    user = out["messages"][1]["content"]
    assert user.startswith("[Sun 2026-12-06 19:27 UTC] Say hello.\n\nRuntime: agent=main | ")
    assert "sessionId=s1" in user and "my-laptop" not in user and "alice" not in user
    assert "host=capture-host" in user and "repo=capture-repo" in user
    internal = out["messages"][2]["content"][0]["text"]
    assert internal.startswith("<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>") and internal.endswith(
        "<<<END_OPENCLAW_INTERNAL_CONTEXT>>>") and "exec" not in internal and len(internal) == len(INTERNAL)
    fn = out["tools"][0]["function"]
    assert fn["name"] == "read" and "Read" not in fn["description"] and len(fn["description"]) == len("Read file contents.")
    assert fn["parameters"]["properties"]["path"]["type"] == "string"
    assert json.dumps(body)  # the input is not modified in place
    assert body["messages"][0]["content"] == SYSTEM
