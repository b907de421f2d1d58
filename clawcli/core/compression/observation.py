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
from itertools import accumulate
from operator import add

from clawcli.core.compression._text import Context

MIN_CHARS = 1500
HEAD = 8
TAIL = 8
MAX_KEY_LINES = 40
KEEP_RECENT = 2

# Signal words (matched case-insensitively anywhere in a line) and line starts worth keeping. Found
# with str.find over the lower-cased text (C loops), not a regex per line: this layer must stay cheap.
_ERRORS = (
    "error", "exception", "traceback", "failed", "failure", "fatal", "denied", "refused", "timed out",
    "timeout", "not found", "no such file", "assert",
)
_STATUS = ("warning", "passed", "succeeded", "successfully", "exit code", "exit status", "return code")
_ERROR_STARTS = ("e ", "failed", "error")
_STATUS_STARTS = ("===", "--- ")
_OUTLINE = ("def ", "class ", "async def ", "function ", "fn ", "func ", "interface ", "struct ", "impl ")


def _key_lines(text: str, lines: list[str], first: int, last: int) -> list[int]:
    """Indices of lines in [first, last) that carry signal (at most MAX_KEY_LINES, in order)."""
    low = text.lower()
    # offset of every line start, computed by C iterators (a Python loop per line costs more)
    # (of the lower-cased text: lower() may change a line's length, never the line count)
    low_lines = low.split("\n") if len(low) != len(text) else lines
    starts = list(map(add, accumulate(map(len, low_lines), initial=0), range(len(low_lines) + 1)))
    lo = starts[first] if first < len(starts) else len(low)
    hi = starts[last] if last < len(starts) else len(low)
    found: list[int] = []  # in priority order: errors, then status lines, then the outline
    seen: set[int] = set()

    def scan(needle: str, at_line_start: bool = False, outline: bool = False) -> None:
        """Lines holding ``needle`` (a "\n"-prefixed needle: lines starting with it)."""
        hits = 0
        pos = low.find(needle, max(0, lo - 1) if at_line_start else lo, hi)
        while pos >= 0 and hits < MAX_KEY_LINES:
            k = bisect_right(starts, pos) - 1
            if outline:
                prefix = low[starts[k]:pos].strip()
                ok = prefix in ("", "async", "export", "pub", "export async")
            else:
                ok = True
            line = k + 1 if needle[0] == "\n" else k
            if ok and first <= line < last:
                found.append(line)
                seen.add(line)
                hits += 1
            nl = low.find("\n", pos + 1)
            if nl < 0:
                break
            pos = low.find(needle, nl if needle[0] == "\n" else nl + 1, hi)

    needles = ([(kw, False, False) for kw in _ERRORS] + [("\n" + st, True, False) for st in _ERROR_STARTS]
               + [(kw, False, False) for kw in _STATUS] + [("\n" + st, True, False) for st in _STATUS_STARTS]
               + [(kw, False, True) for kw in _OUTLINE])
    for needle, at_start, outline in needles:
        if len(seen) >= MAX_KEY_LINES:  # enough signal of a higher priority already
            break
        scan(needle, at_line_start=at_start, outline=outline)
    return sorted(list(dict.fromkeys(found))[:MAX_KEY_LINES])


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
    keep.update(k for k in _key_lines(text, lines, HEAD, n - TAIL) if lines[k].strip())
    # a gap of one or two lines costs more as a marker than as text: keep such lines
    for k in sorted(keep):
        if k + 3 in keep or k + 2 in keep:
            keep.update(range(k + 1, min(k + 3, n)))
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
    referenced = ctx.notes.get("referenced", set())  # a later message points at its lines: keep them
    return [i for i in tools if i < last_assistant and i not in recent and i not in ctx.protected
            and i not in referenced]


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
