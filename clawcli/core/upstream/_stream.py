"""Helpers for chat-completion chunks: accumulate a streamed answer, and turn a non-streamed
completion into the chunks a stream would have carried (so callers see one shape)."""

from __future__ import annotations

import time
from typing import Any


class Accumulator:
    """Builds the answer out of ``chat.completion.chunk`` dicts as they pass through."""

    __slots__ = ("created", "finish_reason", "id", "n_chars", "parts", "tool_calls", "usage")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.tool_calls: dict[int, dict[str, Any]] = {}
        self.finish_reason: str | None = None
        self.usage: dict[str, Any] = {}
        self.id: str | None = None
        self.created: int | None = None
        self.n_chars = 0  # non-blank characters of content seen so far

    def add(self, chunk: dict[str, Any]) -> str:
        """Fold one chunk in; returns the content text it carried ('' if none)."""
        # (every chunk of every stream: the usual one, a content delta, takes the fewest steps)
        if self.id is None:
            self.id = chunk.get("id")
            self.created = chunk.get("created")
        usage = chunk.get("usage")
        if usage is not None and isinstance(usage, dict):
            self.usage = usage
        choices = chunk.get("choices")
        if not choices:
            return ""
        text = ""
        for choice in choices:
            if not isinstance(choice, dict) or choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta") or choice.get("message") or {}
            if isinstance(delta, dict):
                c = delta.get("content")
                if c and isinstance(c, str):
                    text += c
                calls = delta.get("tool_calls")
                if calls:
                    for tc in calls:
                        if isinstance(tc, dict):
                            slot = self.tool_calls.setdefault(int(tc.get("index", 0) or 0), {})
                            _merge_tool_call(slot, tc)
                call = delta.get("function_call")
                if call:
                    self.tool_calls.setdefault(0, {}).update(call)
            finish = choice.get("finish_reason")
            if finish:
                self.finish_reason = finish
        if text:
            self.parts.append(text)
            self.n_chars += len(text.strip())
        return text

    @property
    def content(self) -> str:
        return "".join(self.parts)

    @property
    def has_tool_calls(self) -> bool:
        return bool(self.tool_calls)

    def tool_call_list(self) -> list[dict[str, Any]] | None:
        return [self.tool_calls[i] for i in sorted(self.tool_calls)] if self.tool_calls else None


def _merge_tool_call(slot: dict[str, Any], delta: dict[str, Any]) -> None:
    for k, v in delta.items():
        if k == "function" and isinstance(v, dict):
            fn = slot.setdefault("function", {})
            for fk, fv in v.items():
                if fk == "arguments" and isinstance(fv, str):
                    fn["arguments"] = fn.get("arguments", "") + fv
                elif fv is not None:
                    fn[fk] = fv
        elif k != "index" and v is not None:
            slot[k] = v


def completion_to_chunks(payload: dict[str, Any], model: str) -> list[dict[str, Any]]:
    """A non-streamed ``chat.completion`` as the chunks of an equivalent stream."""
    cid = payload.get("id") or "chatcmpl-clawcli"
    created = payload.get("created") or int(time.time())
    choice = (payload.get("choices") or [{}])[0]
    msg = choice.get("message") or {}
    delta: dict[str, Any] = {"role": msg.get("role", "assistant"), "content": msg.get("content") or ""}
    if msg.get("tool_calls"):
        delta["tool_calls"] = [dict(tc, index=i) for i, tc in enumerate(msg["tool_calls"])]
    if msg.get("reasoning_content"):
        delta["reasoning_content"] = msg["reasoning_content"]
    base = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": payload.get("model") or model}
    first = dict(base, choices=[{"index": 0, "delta": delta, "finish_reason": None}])
    last = dict(base, choices=[{"index": 0, "delta": {}, "finish_reason": choice.get("finish_reason") or "stop"}])
    if payload.get("usage"):
        last["usage"] = payload["usage"]
    return [first, last]


def accumulate_completion(payload: dict[str, Any]) -> Accumulator:
    """The Accumulator of a non-streamed ``chat.completion``: the same state as adding the chunks
    of :func:`completion_to_chunks`, without building them (the proxy's per-request path)."""
    acc = Accumulator()
    acc.id = payload.get("id") or "chatcmpl-clawcli"
    acc.created = payload.get("created") or int(time.time())
    choice = (payload.get("choices") or [{}])[0]
    msg = choice.get("message") or {}
    content = msg.get("content")
    if isinstance(content, str) and content:
        acc.parts.append(content)
        acc.n_chars = len(content.strip())
    for i, tc in enumerate(msg.get("tool_calls") or ()):
        _merge_tool_call(acc.tool_calls.setdefault(i, {}), dict(tc, index=i))
    acc.finish_reason = choice.get("finish_reason") or "stop"
    usage = payload.get("usage")
    if usage and isinstance(usage, dict):
        acc.usage = usage
    return acc


def chunks_to_completion(acc: Accumulator, model: str) -> dict[str, Any]:
    """The ``chat.completion`` a streamed answer adds up to."""
    message: dict[str, Any] = {"role": "assistant", "content": acc.content}
    tcs = acc.tool_call_list()
    if tcs:
        message["tool_calls"] = tcs
    out: dict[str, Any] = {
        "id": acc.id or "chatcmpl-clawcli",
        "object": "chat.completion",
        "created": acc.created or int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": acc.finish_reason or "stop"}],
    }
    if acc.usage:
        out["usage"] = acc.usage
    return out
