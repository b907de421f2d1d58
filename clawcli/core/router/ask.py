"""Finding the ask: which text of an agent's chat request is the user's actual request.

Agent clients do not send a bare prompt. OpenClaw, for instance, sends a ~47 KB system prompt,
the user's words wrapped as ``[Sun 2026-12-06 19:27 UTC] <words>\\n\\nRuntime: agent=main | ...``
and then a *last* user message that is only framework data
(``<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>> ... <<<END_OPENCLAW_INTERNAL_CONTEXT>>>``); mid-loop the
last message is a tool result or an assistant tool call. Routing on "the last user message"
then scores framework text, not the task. This layer, run once per request, returns the latest
*real* user ask and says what it skipped, so ``claw route --explain`` can show it:

- injected blocks (OpenClaw's internal context, and the same kind of block from other clients,
  see ``INJECTED_BLOCKS``) are cut out; a message left empty by that is skipped;
- a leading timestamp ``[Sun 2026-12-06 19:27 UTC] `` and a trailing ``Runtime: agent=...``
  line are stripped;
- tool results (``tool``/``function`` messages, user messages made only of ``tool_result``
  parts) and assistant turns are never the ask: mid-loop, the ask is the task the user gave.

The system prompt is never the ask (it is read elsewhere only for the token estimate and for
structured-output hints). The text returned is bounded by ``READ_LIMIT`` (head and tail of a
longer ask), so a huge paste costs the classifier no more than its read limit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from clawcli.core.memo import BoundedMemo
from clawcli.core.messages import content_text

# The classifier reads at most this many characters of the ask (head + tail); what lies beyond
# only counts through the token estimate. Larger than the cue-matching window in ``_features``
# so the shape features (length, pasted material) still see a long paste as long.
READ_LIMIT = 12_000
_READ_TAIL = READ_LIMIT // 4

# (begin marker, end marker, what it is): framework data injected into user turns.
# The blocks are cut wherever they appear, even from a message the user typed: OpenClaw's real
# internal context is its own LAST user message of one text part, but telling that apart buys
# nothing. A user who types the marker can only hide their own ask (it routes lower: cheaper, never
# a higher spend), and an unterminated block running to the end of the message is cut the same way
# as a real one (tests/test_router_ask.py::test_a_typed_marker_only_hides_the_users_own_ask).
INJECTED_BLOCKS: tuple[tuple[str, str, str], ...] = (
    ("<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>", "<<<END_OPENCLAW_INTERNAL_CONTEXT>>>", "OpenClaw internal context"),
    ("<system-reminder>", "</system-reminder>", "system reminder"),
    ("<environment_details>", "</environment_details>", "environment details"),
)
# "[Sun 2026-12-06 19:27 UTC] " (OpenClaw's envelope timestamp; weekday and zone optional)
_TIMESTAMP_RE = re.compile(
    r"\A\s*\[(?:[A-Z][a-z]{2} )?\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?(?: ?[A-Z]{1,5}|[+-]\d{2}:?\d{2})?\]\s*"
)
# "\n\nRuntime: agent=main | session=... | host=..." to the end of the message
_TRAILER_RE = re.compile(r"\n\s*Runtime: agent=[^\n]*(?:\n[^\n]*)*\Z")
_TOOL_ROLES = frozenset(("tool", "function", "ipython"))
_LOOP_ROLES = _TOOL_ROLES | {"assistant"}
_TOOL_PARTS = frozenset(("tool_result", "function_call_output"))


@dataclass(frozen=True, slots=True)
class Ask:
    """The text read as the ask, where it came from and what was skipped to find it."""

    text: str  # bounded by READ_LIMIT
    index: int | None = None  # position of the message in ``messages`` (None: no user text)
    mid_loop: bool = False  # the request ends in a tool result or an assistant tool call
    skipped: tuple[str, ...] = ()  # human-readable notes, latest message first
    chars: int = 0  # length of the ask before the READ_LIMIT bound

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "messageIndex": self.index, "midLoop": self.mid_loop,
                "skipped": list(self.skipped), "chars": self.chars}


def _cut_blocks(text: str, begin: str, end: str) -> tuple[str, int]:
    """``text`` without every ``begin ... end`` block (an unterminated one runs to the end), and
    how many were cut. Two ``str.find`` calls per block: the lazy regex this replaces
    (``begin.*?(?:end|\\Z)``) tried the end marker at every character of the block."""
    parts: list[str] = []
    pos = n = 0
    while True:
        i = text.find(begin, pos)
        if i < 0:
            break
        parts.append(text[pos:i])
        n += 1
        j = text.find(end, i + len(begin))
        if j < 0:
            pos = len(text)
            break
        pos = j + len(end)
    if not n:
        return text, 0
    parts.append(text[pos:])
    return "".join(parts), n


# The same message texts are cleaned several times per proxied request (the local-command check,
# the session id, the router's ask), and an agent resends its earlier turns on every request.
# Keyed by the identity of the (immutable) text, which the entry keeps alive, so an id is never
# reused while remembered: pure memoisation, a hit returns what the computation would. Bounded:
# at most 32 texts of at most _CLEAN_MEMO_CHARS characters each.
_CLEAN_MEMO = BoundedMemo(32)  # id(text) -> (text, cleaned, cut)
_CLEAN_MEMO_CHARS = 64 * 1024


def clean_user_text(text: str) -> tuple[str, list[str]]:
    """``text`` without injected blocks, timestamp prefix and runtime trailer, and what was cut."""
    global _LAST_CLEAN
    last = _LAST_CLEAN
    if last[0] is text:
        return last[1], list(last[2])
    hit = _CLEAN_MEMO.get(id(text))
    if hit is not None and hit[0] is text:
        return hit[1], list(hit[2])
    raw = text
    out, cut = _clean(text)
    if len(raw) <= _CLEAN_MEMO_CHARS:
        entry = (raw, out, tuple(cut))
        # the last text cleaned is asked for again by the next walker of the same request
        _LAST_CLEAN = entry
        # a short text with nothing to cut is cleaned faster than it is remembered for longer
        if cut or len(raw) > 1024:
            _CLEAN_MEMO.put(id(raw), entry)
    return out, cut


_LAST_CLEAN: tuple[str | None, str, tuple[str, ...]] = (None, "", ())


def _clean(text: str) -> tuple[str, list[str]]:
    cut: list[str] = []
    for begin, end, label in INJECTED_BLOCKS:
        if begin in text:
            text, n = _cut_blocks(text, begin, end)
            if n:
                cut.append(label if n == 1 else f"{label} x{n}")
    if text.startswith("[") or text[:1].isspace():
        m = _TIMESTAMP_RE.match(text)
        if m:
            text = text[m.end():]
            cut.append("timestamp prefix")
    if "Runtime: agent=" in text:
        m = _TRAILER_RE.search(text)
        if m:
            text = text[: m.start()]
            cut.append("runtime trailer")
    return text.strip(), cut


_SESSION_FIELD_RE = re.compile(r"\bsessionId=([^\s|]+)")


def runtime_session_id(text: str) -> str | None:
    """The ``sessionId=`` of an OpenClaw runtime trailer in ``text``, if there is one."""
    if "Runtime: agent=" not in text:
        return None
    m = _TRAILER_RE.search(text)
    if m is None:
        return None
    f = _SESSION_FIELD_RE.search(m.group(0))
    return f.group(1) if f else None


def _bounded(text: str) -> str:
    if len(text) <= READ_LIMIT:
        return text
    return text[: READ_LIMIT - _READ_TAIL] + "\n" + text[-_READ_TAIL:]


def _is_tool_result(content: Any) -> bool:
    return isinstance(content, list) and bool(content) and all(
        (type(p) is dict or isinstance(p, Mapping)) and p.get("type") in _TOOL_PARTS for p in content)


def _ends_mid_loop(last: Mapping[str, Any]) -> bool:
    role = last.get("role")
    if role in _TOOL_ROLES:
        return True
    if role == "assistant" and (last.get("tool_calls") or last.get("function_call")):
        return True
    return role == "user" and _is_tool_result(last.get("content"))


def find_ask(messages: Sequence[Any]) -> Ask:
    """The latest real user ask in ``messages`` (an OpenAI chat ``messages`` list).

    Walks back from the end; returns at the first user message with text left after cleaning.
    Without one, the ask is empty (the classifier then sees an empty prompt: SIMPLE).
    """
    last = messages[-1] if messages else None
    if type(last) is dict and last.get("role") == "user":
        content = last.get("content")
        if type(content) is str:
            # the common request ends in the user's own words: the loop below, for its first message
            text, cut = clean_user_text(content)
            if text:
                notes = (f"message {len(messages) - 1} (user): cut " + ", ".join(cut),) if cut else ()
                return Ask(text if len(text) <= READ_LIMIT else _bounded(text), len(messages) - 1, False, notes,
                           len(text))
    skipped: list[str] = []
    mid_loop: bool | None = None  # decided by the last message that is not injected context
    tool_results = assistant_turns = 0
    for i in range(len(messages) - 1, -1, -1):
        m = messages[i]
        if type(m) is not dict and not isinstance(m, Mapping):  # the type test spares the ABC check
            continue
        role = m.get("role")
        if role == "user":
            content = m.get("content")
            if type(content) is not str and _is_tool_result(content):
                tool_results += 1
                mid_loop = True if mid_loop is None else mid_loop
                continue
            raw = content_text(content)
            text, cut = clean_user_text(raw)
            if not text:
                # OpenClaw puts its internal context after the tool result: it does not end the loop
                skipped.append(f"message {i} (user): only " + (", ".join(cut) if cut else "no text"))
                continue
            if cut:
                skipped.append(f"message {i} (user): cut " + ", ".join(cut))
            notes = tuple(_summary(skipped, tool_results, assistant_turns)) if (
                skipped or tool_results or assistant_turns) else ()
            return Ask(text if len(text) <= READ_LIMIT else _bounded(text), i, bool(mid_loop), notes, len(text))
        if mid_loop is None and role in _LOOP_ROLES:
            mid_loop = _ends_mid_loop(m)
        if role in _TOOL_ROLES:
            tool_results += 1
        elif role == "assistant":
            assistant_turns += 1
        # system / developer: never the ask
    return Ask("", None, bool(mid_loop), tuple(_summary(skipped, tool_results, assistant_turns)), 0)


def _summary(skipped: list[str], tool_results: int, assistant_turns: int) -> list[str]:
    out = list(skipped)
    if tool_results:
        out.append(f"{tool_results} tool result{'s' if tool_results > 1 else ''} after the ask")
    if assistant_turns:
        out.append(f"{assistant_turns} assistant turn{'s' if assistant_turns > 1 else ''} after the ask")
    return out
