"""Deterministic OpenAI-shaped answers: the content, usage counts, a chat.completion and its SSE chunks."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from clawcli.core.messages import content_text, whole_tokens


def last_user_text(body: dict[str, Any]) -> str:
    for m in reversed(body.get("messages") or []):
        if isinstance(m, dict) and m.get("role") == "user":
            return content_text(m.get("content"))
    return ""


def prompt_tokens(body: dict[str, Any]) -> int:
    text = "\n".join(content_text(m.get("content")) for m in body.get("messages") or [] if isinstance(m, dict))
    return whole_tokens(text) + 3 * len(body.get("messages") or [])


def default_reply(model: str, body: dict[str, Any]) -> str:
    """``Hello from <model>. You said: <the last user message, squashed, at most 80 chars>``."""
    said = " ".join(last_user_text(body).split())
    if len(said) > 80:
        said = said[:77] + "..."
    return f"Hello from {model}. You said: {said}" if said else f"Hello from {model}."


def split_chunks(content: str, pieces: int) -> list[str]:
    """Split on word boundaries into at most ``pieces`` non-empty parts that join back to ``content``."""
    if not content:
        return []
    words = re.findall(r"\s*\S+|\s+", content)
    pieces = max(1, min(pieces, len(words)))
    size = -(-len(words) // pieces)
    return ["".join(words[i : i + size]) for i in range(0, len(words), size)]


def _slices(text: str, pieces: int) -> list[str]:
    """``text`` cut into ``pieces`` character slices (JSON arguments split mid-token, as real streams do)."""
    size = max(1, -(-len(text) // pieces))
    return [text[i : i + size] for i in range(0, len(text), size)]


def usage(body: dict[str, Any], content: str, tool_call: dict[str, Any] | None) -> dict[str, int]:
    p = prompt_tokens(body)
    c = whole_tokens(content) + (whole_tokens(tool_call["function"]["arguments"]) + 5 if tool_call else 0)
    return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}


def completion(rid: str, model: str, content: str, tool_call: dict[str, Any] | None, use: dict[str, int]) -> dict:
    message: dict[str, Any] = {"role": "assistant", "content": content if not tool_call else (content or None)}
    if tool_call:
        message["tool_calls"] = [tool_call]
    return {
        "id": rid,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if tool_call else "stop"}],
        "usage": use,
    }


def sse(obj: Any) -> bytes:
    return b"data: " + (obj if isinstance(obj, str) else json.dumps(obj, separators=(",", ":"))).encode() + b"\n\n"


def stream_events(
    rid: str, model: str, content: str, tool_call: dict[str, Any] | None, use: dict[str, int], pieces: int,
    *, role: bool = True,
) -> list[bytes]:
    """The SSE events of a streamed answer: role, content pieces, tool call, finish + usage, [DONE].

    A tool call arrives the way OpenAI streams it: a first delta with ``index``, ``id``, ``type``,
    the name and empty arguments, then the arguments in several pieces that carry only ``index``.
    ``role=False``: no chunk carries ``delta.role`` (several providers behind gateways do that).
    """
    created = int(time.time())

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> bytes:
        obj = {"id": rid, "object": "chat.completion.chunk", "created": created, "model": model,
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
        return sse(obj)

    out = [chunk({"role": "assistant", "content": ""})] if role else []
    out += [chunk({"content": piece}) for piece in split_chunks(content, pieces)]
    if tool_call:
        fn = tool_call["function"]
        out.append(chunk({"tool_calls": [{"index": 0, "id": tool_call["id"], "type": "function",
                                          "function": {"name": fn["name"], "arguments": ""}}]}))
        out += [chunk({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]})
                for piece in _slices(fn["arguments"], max(2, pieces))]
    out.append(chunk({}, "tool_calls" if tool_call else "stop", usage=use))
    out.append(sse("[DONE]"))
    return out
