"""A non-streamed answer is read straight into the engine's accumulator (no chunks built for it):
it must add up exactly as the chunks of the same answer would (content, tool calls, finish
reason, usage), or `claw serve` and `claw ask` would log and return something else."""

from __future__ import annotations

import pytest

from clawcli.core.upstream._stream import Accumulator, accumulate_completion, completion_to_chunks

TOOL = {"id": "call_1", "type": "function", "function": {"name": "ls", "arguments": "{\"path\": \".\"}"}}
ANSWERS = [
    {"id": "chatcmpl-1", "created": 1700000000, "model": "m",
     "choices": [{"index": 0, "message": {"role": "assistant", "content": "  Paris.  "}, "finish_reason": "stop"}],
     "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}},
    {"id": "chatcmpl-2", "created": 1700000001,
     "choices": [{"index": 0, "message": {"role": "assistant", "content": None,
                                          "tool_calls": [TOOL, dict(TOOL, id="call_2")]},
                  "finish_reason": "tool_calls"}]},
    {"choices": [{"message": {"content": "no id, no usage, no finish reason"}}], "usage": {}},
    {"choices": [{"message": {"content": ["parts", "are", "not", "text"]}, "finish_reason": "length"}],
     "usage": [1, 2]},
]


@pytest.mark.parametrize("payload", ANSWERS)
def test_a_completion_adds_up_like_its_chunks(payload) -> None:
    by_chunks = Accumulator()
    for chunk in completion_to_chunks(payload, "m"):
        by_chunks.add(chunk)
    direct = accumulate_completion(payload)
    for slot in ("content", "finish_reason", "usage", "id", "n_chars"):
        assert getattr(direct, slot) == getattr(by_chunks, slot), slot
    assert direct.tool_call_list() == by_chunks.tool_call_list()
    assert direct.has_tool_calls == by_chunks.has_tool_calls
    if payload.get("created"):
        assert direct.created == by_chunks.created
