"""The safe layers (1-3): lossless for a reader, never change indentation or code.

1. ``dedup``      a message whose text repeats an earlier one (an agent retry, a re-read file, the
                  same command output twice) becomes a short back-reference. Messages are never
                  removed: tool results must still answer their ``tool_call_id``, and turn order stays.
                  Runs of repeated lines inside a message are referenced only in aggressive mode
                  (``ctx.notes["block_dedup"]``): such a reference breaks JSON and other parseable text.
2. ``whitespace`` CRLF/CR -> LF, trailing spaces/tabs, more than two blank lines in a row, trailing
                  blank lines at the end. Leading indentation and in-line spacing are never touched.
3. ``json``       JSON in tool results (the whole result, or a block starting with a ``{``/``[`` line)
                  and in code fences tagged ``json`` is minified: only whitespace between tokens is
                  removed, so every string, number and key keeps its exact text.
"""

from __future__ import annotations

import json
import re
from itertools import repeat

from clawcli.core.compression._text import Context, map_outside_fences, map_text, split_fences
from clawcli.core.memo import TextMemo, by_text, text_key

DEDUP_MIN_CHARS = 200


def _tool_names(messages: list) -> dict[str, str]:
    names: dict[str, str] = {}
    for m in messages:
        if isinstance(m, dict) and m.get("role") == "assistant":
            for call in m.get("tool_calls") or ():
                try:
                    names[call["id"]] = call["function"]["name"]
                except (KeyError, TypeError):
                    continue
    return names


def dedup_reference(messages: list, dup: int, orig: int, names: dict[str, str]) -> str:
    """The back-reference text that replaces message ``dup`` (a repeat of message ``orig``)."""
    o = messages[orig]
    size = len(o["content"])
    role = o.get("role", "message")
    if role == "tool" and o.get("tool_call_id"):
        cid = o["tool_call_id"]
        what = f"the earlier {names.get(cid, 'tool')} result ({cid})"
    else:
        what = f"the {role} message {dup - orig} messages above"
    return f"[clawcli: identical to {what}: {size:,} chars, repeated content omitted]"


def dedup(messages: list, ctx: Context) -> list:
    """Layer 1: repeats of earlier text become back-references to the first occurrence.

    A whole message that repeats an earlier one (>= 200 chars) becomes one reference line; with
    ``block_dedup`` (aggressive mode), inside a longer message, a run of >= BLOCK_MIN_LINES lines (>= BLOCK_MIN_CHARS) that appears verbatim
    in one earlier message (a file re-read after a small edit, a test re-run whose output differs
    only in its timing line) becomes a reference to those lines. Messages holding a code fence are
    only deduplicated whole (a fence is never cut).
    """
    # earlier texts by length and both ends (each bucket: its distinct texts, first occurrence
    # first): a dict keyed by the text itself would hash all of it, and every request brings a
    # new copy of an agent's ~47 KB system prompt (~280k instructions of hashing per request)
    seen: dict[tuple, list[tuple[str, int]]] = {}
    block_dedup = bool(ctx.notes.get("block_dedup", False))
    out = list(messages)
    names: dict[str, str] | None = None
    refs: dict[int, int] = ctx.notes.setdefault("dedup", {})
    blocks: dict[int, list] = ctx.notes.setdefault("dedup_blocks", {})
    referenced: set[int] = ctx.notes.setdefault("referenced", set())
    shingles: dict[str, tuple[int, int]] = {}  # a line -> its first (message, line)
    lines_of: dict[int, list[str]] = {}
    for i, m in enumerate(messages):
        if not isinstance(m, dict):
            continue
        content = m.get("content")
        if not isinstance(content, str) or len(content) < DEDUP_MIN_CHARS:
            continue
        key = text_key(content)
        bucket = seen.get(key)
        first = None if bucket is None else next((j for text, j in bucket if text == content), None)
        if first is None:
            seen.setdefault(key, []).append((content, i))
        elif i not in ctx.protected:
            if names is None:
                names = _tool_names(messages)
            ref = dedup_reference(messages, i, first, names)
            if len(ref) < len(content):
                out[i] = {**m, "content": ref}
                refs[i] = first
                referenced.add(first)
                continue
        if not block_dedup or "```" in content or "~~~" in content:
            continue
        lines = content.split("\n")
        if len(lines) < BLOCK_MIN_LINES:
            continue
        if i not in ctx.protected and shingles and len(shingles.keys() & set(lines)) >= BLOCK_MIN_LINES:
            new_lines, used = _dedup_blocks(lines, shingles, lines_of)
            if used:
                if names is None:
                    names = _tool_names(messages)
                text = "\n".join(_render_block_ref(x, i, messages, names) if isinstance(x, tuple) else x
                                 for x in new_lines)
                if len(text) < len(content):
                    out[i] = {**m, "content": text}
                    blocks[i] = used
                    referenced.update(src for src, *_ in used)
        lines_of[i] = lines
        # first occurrence of every line, earlier messages first (dict/zip work in C, not per line in Python)
        n = len(lines)
        first_here = dict(zip(reversed(lines), zip(repeat(i, n), range(n - 1, -1, -1))))
        first_here.update(shingles)
        shingles = first_here
    return out


BLOCK_MIN_LINES = 8
BLOCK_MIN_CHARS = 400


def _dedup_blocks(lines: list[str], shingles: dict, lines_of: dict) -> tuple[list, list]:
    """Replace runs of lines seen earlier by (src, start, end, count) placeholders."""
    out: list = []
    used: list[tuple[int, int, int, int]] = []
    j = 0
    n = len(lines)
    while j < n:
        hit = shingles.get(lines[j])
        if hit is not None:
            src, start = hit
            src_lines = lines_of[src]
            length = 0
            while (j + length < n and start + length < len(src_lines)
                   and lines[j + length] == src_lines[start + length]):
                length += 1
            if length >= BLOCK_MIN_LINES and sum(len(x) + 1 for x in lines[j:j + length]) >= BLOCK_MIN_CHARS:
                ref = (src, start, start + length, length)
                out.append(ref)
                used.append(ref)
                j += length
                continue
        out.append(lines[j])
        j += 1
    return out, used


def _render_block_ref(ref: tuple, here: int, messages: list, names: dict[str, str]) -> str:
    src, start, end, count = ref
    o = messages[src]
    if o.get("role") == "tool" and o.get("tool_call_id"):
        cid = o["tool_call_id"]
        what = f"the earlier {names.get(cid, 'tool')} result ({cid})"
    else:
        what = f"the {o.get('role', 'message')} message {here - src} messages above"
    return f"[clawcli: {count} lines identical to lines {start + 1}-{end} of {what}, omitted]"


_CRLF = re.compile(r"\r\n?")
_BLANK_RUN = re.compile(r"\n{4,}")


def _clean_ws(seg: str) -> str:
    if "\r" in seg:
        seg = _CRLF.sub("\n", seg)
    if " \n" in seg or "\t\n" in seg or seg.endswith((" ", "\t")):
        # line by line: a regex anchored at every space is several times slower
        seg = "\n".join([line.rstrip(" \t") for line in seg.split("\n")])
    if "\n\n\n\n" in seg:
        seg = _BLANK_RUN.sub("\n\n\n", seg)  # at most two blank lines in a row (PEP 8 layout survives)
    return seg


def _ws_text(text: str) -> str:
    segs = split_fences(text)
    if len(segs) == 1 and segs[0][0] == "text":
        out = _clean_ws(text)
    else:
        out = "".join(_clean_ws(s) if k == "text" else s for k, s in segs)
    if segs[-1][0] == "text":
        out = out.rstrip("\n")
    return out


# Layers 2 and 3 are pure functions of one text, and an agent resends every earlier message on
# each turn: their results are remembered per text (keyed by length and both ends, a hit confirmed
# by comparing the whole text: memo.by_text), so a conversation's old tool results are not
# scanned and parsed again on every request. A short text is processed faster than remembered.
# Bounded: 512 texts and 1M characters per layer function (a full 200k-token context is ~800k).
MEMO_MIN_CHARS = 256


def _remembered(fn, needle: str = ""):
    """``fn`` remembered per text; a text without ``needle`` is one ``fn`` leaves as it is."""
    memo = TextMemo(512, 1_000_000)

    def run(text: str) -> str:
        if len(text) < MEMO_MIN_CHARS or needle not in text:
            return fn(text)
        return by_text(memo, text, fn)

    run.memo = memo  # type: ignore[attr-defined]  # for the tests
    return run


def _map_editable(messages: list, ctx: Context, tool_fn, other_fn) -> list:
    """``map_text`` over the messages a layer may change (``tool_fn`` for tool results), its
    string case inlined: this runs for every message of every request."""
    out = list(messages)
    protected = ctx.protected
    for i, m in enumerate(messages):
        if i in protected:
            continue
        fn = tool_fn if m.get("role") == "tool" else other_fn
        content = m.get("content")
        if type(content) is str:
            new = fn(content)
            if new != content:
                out[i] = {**m, "content": new}
        else:
            out[i] = map_text(m, fn)
    return out


def whitespace(messages: list, ctx: Context) -> list:
    """Layer 2: line ends and blank-line runs outside code fences; indentation untouched."""
    return _map_editable(messages, ctx, _ws_remembered, _ws_remembered)


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')


def minify_json(text: str, obj=None) -> str:
    """Remove whitespace between JSON tokens; strings (and numbers) keep their exact text.

    Fast path: re-serialise the parsed value (C speed) and accept it only if it differs from the
    original in whitespace alone (so ``1e5``, ``0.10`` or ``\\u00e9`` are never rewritten).
    """
    if obj is not None:
        compact = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
        if "".join(compact.split()) == "".join(text.split()):
            return compact
    parts: list[str] = []
    pos = 0
    for m in _JSON_STRING.finditer(text):
        gap = text[pos:m.start()]
        parts.append("".join(gap.split()) if gap else gap)
        parts.append(m.group())
        pos = m.end()
    parts.append("".join(text[pos:].split()))
    return "".join(parts)


_NOT_JSON = object()


def _parse(text: str):
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # ValueError includes JSONDecodeError and bad unicode
        return _NOT_JSON


def _compact_whole(text: str) -> str | None:
    s = text.strip()
    if len(s) < 2 or (s[0], s[-1]) not in (("{", "}"), ("[", "]")) or "\n" not in s:
        return None
    obj = _parse(s)
    if obj is _NOT_JSON:
        return None
    out = minify_json(s, obj)
    return out if len(out) < len(text) else None


_BLOCK_START = re.compile(r"^[\[{][ \t]*$", re.M)
_DECODER = json.JSONDecoder()


def _compact_blocks(seg: str) -> str:
    """Minify multi-line JSON blocks that start with a lone ``{`` or ``[`` line."""
    if "{\n" not in seg and "[\n" not in seg:
        return seg
    out: list[str] = []
    pos = 0
    for m in _BLOCK_START.finditer(seg):
        if m.start() < pos:
            continue
        try:
            obj, end = _DECODER.raw_decode(seg, m.start())
        except (ValueError, RecursionError):
            continue
        if end < len(seg) and seg[end] not in "\n":  # JSON must end its line
            continue
        out.append(seg[pos:m.start()])
        out.append(minify_json(seg[m.start():end], obj))
        pos = end
    if not out:
        return seg
    out.append(seg[pos:])
    return "".join(out)


def _compact_fence(fence: str) -> str:
    first_nl = fence.find("\n")
    last_nl = fence.rfind("\n")
    if first_nl < 0 or last_nl <= first_nl:
        return fence  # unclosed or empty fence
    body = fence[first_nl + 1:last_nl]
    closing = fence[last_nl + 1:]
    if not closing.strip() or closing.strip()[0] not in "`~":
        return fence  # unclosed fence: the "closing" line is content
    obj = _parse(body) if body.strip() else _NOT_JSON
    if obj is _NOT_JSON:
        return fence
    mini = minify_json(body, obj)
    return fence[:first_nl + 1] + mini + fence[last_nl:] if len(mini) < len(body) else fence


def _json_fences(text: str) -> str:
    if "json" not in text:
        return text
    segs = split_fences(text)
    return "".join(_compact_fence(s) if k == "fence:json" else s for k, s in segs)


def _json_tool(text: str) -> str:
    whole = _compact_whole(text)
    if whole is not None:
        return whole
    text = map_outside_fences(text, _compact_blocks)
    return _json_fences(text)


def json_compact(messages: list, ctx: Context) -> list:
    """Layer 3: minify JSON in tool results and in ```json fences (semantically equal)."""
    return _map_editable(messages, ctx, _json_tool_remembered, _json_fences_remembered)


_ws_remembered = _remembered(_ws_text)
_json_tool_remembered = _remembered(_json_tool)
_json_fences_remembered = _remembered(_json_fences, "json")  # no "json" in it: returned at once
