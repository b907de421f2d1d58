"""Message sizes as compression counts them: characters and estimated tokens, as sent.

The text rule and the token estimate are the code base's one implementation
(``clawcli.core.messages``); this adds what a message costs on top of its text (role and
separators, tool calls, reasoning, images).
"""

from __future__ import annotations

import json

from clawcli.core.messages import IMAGE_PART_TYPES, estimate_tokens, part_text
from clawcli.core.messages import remembered_estimate as _tokens  # the same float, remembered per text

__all__ = ["estimate_tokens", "message_chars", "message_size", "messages_size"]

_IMAGE_TOKENS = 85.0  # a low-detail image; compression never touches images anyway
_MESSAGE_OVERHEAD = 4.0  # role and separators, as chat formats add them


def _calls_size(msg: dict, tokens: bool = True) -> tuple[int, float]:
    """Tool calls as sent: name and arguments (ids and JSON framing add a constant per call)."""
    calls = msg.get("tool_calls") or ()
    if msg.get("function_call"):
        calls = list(calls) + [{"function": msg["function_call"]}]
    chars, toks = 0, 0.0
    for call in calls:
        fn = call.get("function") if isinstance(call, dict) else None
        if not isinstance(fn, dict):
            continue
        name, args = str(fn.get("name") or ""), fn.get("arguments")
        args = args if isinstance(args, str) else json.dumps(args)
        chars += len(name) + len(args)
        if tokens:
            toks += 12 + _tokens(name) + _tokens(args)
    return chars, toks


def message_size(msg: dict) -> tuple[int, float]:
    """(chars, estimated tokens) of one message as it is sent: content, tool calls, reasoning."""
    chars = 0
    tokens = _MESSAGE_OVERHEAD
    content = msg.get("content")
    if isinstance(content, str):
        chars += len(content)
        tokens += _tokens(content)
    elif isinstance(content, list):
        for part in content:
            t = part_text(part)
            if t:
                chars += len(t)
                tokens += _tokens(t)
            elif isinstance(part, dict) and part.get("type") in IMAGE_PART_TYPES:
                tokens += _IMAGE_TOKENS
    c, t = _calls_size(msg)
    chars += c
    tokens += t
    rc = msg.get("reasoning_content")
    if isinstance(rc, str):
        chars += len(rc)
        tokens += _tokens(rc)
    return chars, tokens


def message_chars(msg: dict) -> int:
    """Characters of one message as sent (cheap: no token estimate)."""
    content = msg.get("content")
    if isinstance(content, str):
        chars = len(content)
    elif isinstance(content, list):
        chars = sum(len(part_text(p)) for p in content)
    else:
        chars = 0
    if msg.get("tool_calls") or msg.get("function_call"):
        chars += _calls_size(msg, tokens=False)[0]
    rc = msg.get("reasoning_content")
    if isinstance(rc, str):
        chars += len(rc)
    return chars


def messages_size(messages: list) -> tuple[int, float]:
    chars, tokens = 0, 0.0
    for m in messages:
        if isinstance(m, dict):
            c, t = message_size(m)
            chars += c
            tokens += t
    return chars, tokens
