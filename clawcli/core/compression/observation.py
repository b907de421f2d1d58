"""Layer 6 (aggressive): stale, long tool results reduced to what matters.

A tool result is *stale* when the agent has already acted on it: it is not among the results the
model has not answered yet (those after the last assistant message) and not one of the two most
recent results. Fresh results are never reduced: the model is working with them right now.

A stale result over ``MIN_CHARS`` keeps its head and tail, every line that carries signal (errors,
tracebacks, assertion lines, pytest/pip status and summary lines, ``def``/``class`` outline lines of
source code), kept verbatim with their indentation, and says how much was cut and how to get it
back. JSON results keep their top-level scalar fields and the shape of the rest. A result that
contains a code fence is left alone (fences are never touched).
"""

from __future__ import annotations

import json
from bisect import bisect_right

from clawcli.core.compression._text import Context

MIN_CHARS = 1500
HEAD = 8
TAIL = 8
MAX_KEY_LINES = 40
KEEP_RECENT = 2

# Signal words (matched case-insensitively anywhere in a line) and line starts worth keeping. Found
# with str.find over the lower-cased text (C loops), not a regex per line: this layer must stay cheap.
_KEYWORDS = (
    "error", "exception", "traceback", "failed", "failure", "fatal", "warning", "denied", "refused",
    "timed out", "timeout", "not found", "no such file", "assert", "passed", "succeeded",
    "successfully", "exit code", "exit status", "return code",
)
_LINE_STARTS = ("e ", "failed", "error", "passed", "===", "--- ")
_OUTLINE = ("def ", "class ", "async def ", "function ", "fn ", "func ", "interface ", "struct ", "impl ")


def _key_lines(text: str, first: int, last: int) -> list[int]:
    """Indices of lines in [first, last) that carry signal (at most MAX_KEY_LINES, in order)."""
    low = text.lower()
    starts = [0]
    pos = low.find("\n")
    while pos >= 0:
        starts.append(pos + 1)
        pos = low.find("\n", pos + 1)
    found: set[int] = set()

    def line_of(offset: int) -> int:
        return bisect_right(starts, offset) - 1

    for kw in _KEYWORDS:
        pos = low.find(kw, starts[first] if first < len(starts) else len(low))
        hits = 0
        while pos >= 0 and hits < MAX_KEY_LINES:
            k = line_of(pos)
            if k >= last:
                break
            found.add(k)
            hits += 1
            pos = low.find("\n", pos)
            if pos < 0:
                break
            pos = low.find(kw, pos)
    for k in range(first, min(last, len(starts))):
        s = starts[k]
        head = low[s:s + 12]
        if head.startswith(_LINE_STARTS) or head.lstrip().startswith(_OUTLINE):
            found.add(k)
    return sorted(found)[:MAX_KEY_LINES]


def _note(kept: int, total: int, chars: int) -> str:
    return (f"[clawcli: earlier tool output reduced: {total - kept} of {total} lines "
            f"({chars:,} chars) cut; errors, status lines, outline, head and tail kept. "
            "Re-run the tool if the full output is needed.]")


def reduce_lines(text: str) -> str | None:
    lines = text.split("\n")
    n = len(lines)
    if n <= HEAD + TAIL + 4:
        return None
    keep = set(range(HEAD)) | set(range(n - TAIL, n))
    keep.update(k for k in _key_lines(text, HEAD, n - TAIL) if lines[k].strip())
    out: list[str] = []
    gap = 0
    for k in range(n):
        if k in keep:
            if gap:
                out.append(f"[... {gap} lines cut ...]")
                gap = 0
            line = lines[k]
            out.append(line if len(line) <= 400 else line[:300] + f" [... {len(line) - 300} chars cut]")
        else:
            gap += 1
    cut = n - len(keep)
    return _note(len(keep), n, len(text)) + "\n" + "\n".join(out) if cut > 0 else None


def _shape(v) -> str:
    if isinstance(v, dict):
        return "{…%d keys: %s}" % (len(v), ", ".join(list(map(str, v))[:8]) + (", …" if len(v) > 8 else ""))
    if isinstance(v, list):
        return "[…%d items]" % len(v)
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= 120 else s[:100] + '…"'


def reduce_json(text: str) -> str | None:
    s = text.strip()
    if not s or s[0] not in "{[":
        return None
    try:
        obj = json.loads(s)
    except (ValueError, RecursionError):
        return None
    if isinstance(obj, list):
        head = [_shape(x) if not isinstance(x, dict) else
                "{" + ", ".join(f"{k}: {_shape(v)}" for k, v in list(x.items())[:8]) + "}" for x in obj[:3]]
        body = f"JSON array of {len(obj)} items; first {len(head)}:\n" + "\n".join(head)
    elif isinstance(obj, dict):
        body = "JSON object:\n" + "\n".join(f"{k}: {_shape(v)}" for k, v in list(obj.items())[:40])
    else:
        return None
    return (f"[clawcli: earlier JSON tool output ({len(text):,} chars) reduced to its top-level "
            "fields; re-run the tool if the full output is needed.]\n" + body)


def _reduce(text: str) -> str | None:
    if "```" in text or "~~~" in text:
        return None
    out = reduce_json(text)
    if out is None:
        out = reduce_lines(text)
    if out is None or len(out) > 0.7 * len(text):
        return None
    return out


def stale_tool_results(messages: list, ctx: Context) -> list[int]:
    tools = [i for i, m in enumerate(messages) if isinstance(m, dict) and m.get("role") == "tool"]
    last_assistant = max((i for i, m in enumerate(messages)
                          if isinstance(m, dict) and m.get("role") == "assistant"), default=-1)
    recent = set(tools[-KEEP_RECENT:])
    return [i for i in tools if i < last_assistant and i not in recent and i not in ctx.protected]


def observation(messages: list, ctx: Context) -> list:
    out = list(messages)
    for i in stale_tool_results(messages, ctx):
        m = messages[i]
        content = m.get("content")
        if isinstance(content, str) and len(content) > MIN_CHARS:
            new = _reduce(content)
            if new is not None:
                out[i] = {**m, "content": new}
    return out
