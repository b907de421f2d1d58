"""Shared helpers of the layers: what may be touched, code fences, copy-on-write text edits.

Never touched by any layer (DESIGN/issue 8): system and developer messages, the last user message,
tool call ids / names / arguments (``tool_calls``, ``tool_call_id``, ``name``), images and any
non-text content part, ``reasoning_content``, and the inside of code fences (only the JSON layer
may re-serialise a fence tagged ``json``). Layers never mutate their input: a changed message is a
new dict, an unchanged one is passed on as the same object (which is also how the pipeline sees
what a layer changed).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from clawcli.core.messages import is_text_part, message_text

PROTECTED_ROLES = frozenset({"system", "developer"})

# a fence opener: up to 3 spaces, 3+ backticks or tildes, an info string (CommonMark)
_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})([^\n]*)$", re.M)


@dataclass
class Context:
    """Per-request facts every layer needs, computed once."""

    protected: frozenset[int]  # message indices no layer may change
    last_user: int | None
    notes: dict = field(default_factory=dict)  # layer -> details (dedup map, legends, ...)
    messages: list = field(default_factory=list)  # the original messages
    _all_text: str | None = None
    fences: dict = field(default_factory=dict)  # text -> split_fences(text), per request

    @property
    def all_text(self) -> str:
        """Every text of the original conversation, joined (to pick collision-free code sigils)."""
        if self._all_text is None:
            self._all_text = "\x00".join(message_text(m) for m in self.messages if isinstance(m, dict))
        return self._all_text


def make_context(messages: list) -> Context:
    last_user = None
    protected = set()
    for i, m in enumerate(messages):
        if not isinstance(m, dict):
            protected.add(i)
            continue
        role = m.get("role")
        if role in PROTECTED_ROLES:
            protected.add(i)
        if role == "user":
            last_user = i
    if last_user is not None:
        protected.add(last_user)
    return Context(protected=frozenset(protected), last_user=last_user, messages=messages)


def split_fences_cached(text: str, ctx: "Context | None") -> list[tuple[str, str]]:
    if ctx is None:
        return split_fences(text)
    segs = ctx.fences.get(text)
    if segs is None:
        segs = ctx.fences[text] = split_fences(text)
    return segs


def split_fences(text: str) -> list[tuple[str, str]]:
    """Split ``text`` into segments: ("text", s), ("fence", whole fence incl. its lines, info).

    Returns a list of (kind, segment) where kind is "text" or the fence info string prefixed with
    "fence:" (e.g. "fence:json"). Joining the segments gives ``text`` back exactly. An unclosed
    fence runs to the end of the text (and is protected like any fence).
    """
    if "```" not in text and "~~~" not in text:
        return [("text", text)]
    out: list[tuple[str, str]] = []
    pos = 0
    n = len(text)
    while pos < n:
        m = _FENCE_OPEN.search(text, pos)
        if not m:
            break
        marker = m.group(1)
        info = m.group(2).strip()
        if marker[0] == "`" and "`" in info:  # not a fence opener (inline code), keep scanning
            pos = m.end()
            continue
        start = m.start()
        close = re.compile(r"^ {0,3}" + re.escape(marker[0]) + "{" + str(len(marker)) + r",}[ \t]*$", re.M)
        body_start = m.end() + 1
        c = close.search(text, body_start) if body_start <= n else None
        end = n if c is None else c.end()
        if start > pos:
            out.append(("text", text[pos:start]))
        out.append(("fence:" + info.split(" ")[0].lower() if info else "fence:", text[start:end]))
        pos = end
    if pos < n:
        out.append(("text", text[pos:]))
    # merge adjacent text pieces produced by skipped openers
    merged: list[tuple[str, str]] = []
    for kind, seg in out:
        if merged and kind == "text" and merged[-1][0] == "text":
            merged[-1] = ("text", merged[-1][1] + seg)
        else:
            merged.append((kind, seg))
    return merged


def map_outside_fences(text: str, fn: Callable[[str], str], ctx: "Context | None" = None) -> str:
    """Apply ``fn`` to the parts of ``text`` outside code fences; fences stay byte-identical."""
    if "```" not in text and "~~~" not in text:
        return fn(text)
    segs = split_fences_cached(text, ctx)
    if len(segs) == 1 and segs[0][0] == "text":
        return fn(text)
    return "".join(fn(s) if k == "text" else s for k, s in segs)


def map_text(msg: dict, fn: Callable[[str], str]) -> dict:
    """Apply ``fn`` to a message's text (string content or text parts); same dict if unchanged."""
    content = msg.get("content")
    if isinstance(content, str):
        new = fn(content)
        return msg if new == content else {**msg, "content": new}
    if isinstance(content, list):
        changed = False
        parts = []
        for part in content:
            if is_text_part(part):
                t = fn(part["text"])
                if t != part["text"]:
                    part = {**part, "text": t}
                    changed = True
            parts.append(part)
        return {**msg, "content": parts} if changed else msg
    return msg


def editable(messages: list, ctx: Context):
    """Indices of the messages a layer may change."""
    return (i for i in range(len(messages)) if i not in ctx.protected)
