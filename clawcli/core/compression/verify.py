"""Independent checks that a compressed request means what the original meant.

``check_safe`` is what the tests and ``claw bench compress`` run over every corpus request: it
does not reuse the layers' code paths, it re-derives equality from the outside:

- same number of messages; every key but ``content`` identical (tool call ids/names/arguments,
  ``tool_call_id``, ``reasoning_content``, ...); system/developer and the last user message
  byte-identical; non-text content parts (images) identical;
- back-references resolve: a whole-message reference points at an identical earlier message, a
  block reference is replaced by the earlier message's lines before comparing;
- code fences: same sequence; byte-identical, except ``json`` fences, which must parse equal;
- outside fences: the same non-blank lines with the same indentation (trailing whitespace and
  blank-line runs may differ), where a minified JSON line must parse equal to the JSON block it
  replaced (or the whole content, for a JSON tool result).

``check_json_results`` (part of ``check_safe``) asks what a client would: does every tool result
that was JSON still parse, as it is sent, to an equal value? Only a whole-message back-reference
may stand in for one; a block reference inside a JSON result (expanded above for the text check)
leaves text no JSON parser accepts, so it is a problem in safe mode.

``check_invariants`` is the weaker check for aggressive mode (which is lossy by design): the
never-touch list, fences byte-identical, and every code in the text explained by the legend.
"""

from __future__ import annotations

import json
import re

from clawcli.core.compression._text import PROTECTED_ROLES, split_fences
from clawcli.core.messages import is_text_part

_BLOCK_REF = re.compile(r"^\[clawcli: (\d+) lines identical to lines (\d+)-(\d+) of .*, omitted\]$")
_DECODER = json.JSONDecoder()


def _last_user(messages: list) -> int | None:
    return max((i for i, m in enumerate(messages) if isinstance(m, dict) and m.get("role") == "user"), default=None)


def _frame_problems(orig: list, new: list, legend_index: int | None = None) -> list[str]:
    problems: list[str] = []
    if legend_index is not None:
        new = new[:legend_index] + new[legend_index + 1:]
    if len(orig) != len(new):
        return [f"message count {len(orig)} -> {len(new)}"]
    last_user = _last_user(orig)
    for i, (a, b) in enumerate(zip(orig, new)):
        if not isinstance(a, dict):
            if a != b:
                problems.append(f"#{i}: non-dict message changed")
            continue
        ka = {k: v for k, v in a.items() if k != "content"}
        kb = {k: v for k, v in b.items() if k != "content"}
        if ka != kb:
            problems.append(f"#{i}: fields other than content changed")
        if a.get("role") in PROTECTED_ROLES or i == last_user:
            if a.get("content") != b.get("content"):
                problems.append(f"#{i}: protected {a.get('role')} message changed")
        ca, cb = a.get("content"), b.get("content")
        if isinstance(ca, list):
            if not isinstance(cb, list) or len(ca) != len(cb):
                problems.append(f"#{i}: content parts changed")
            else:
                for pa, pb in zip(ca, cb):
                    if not is_text_part(pa) and pa != pb:
                        problems.append(f"#{i}: a non-text part (image) changed")
    return problems


def _fences(text: str) -> tuple[list[tuple[str, str]], str]:
    segs = split_fences(text)
    fences = [(k, s) for k, s in segs if k != "text"]
    outside = "\n".join(s for k, s in segs if k == "text")
    return fences, outside


def _lines(text: str) -> list[str]:
    return [ln.rstrip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if ln.strip()]


def _json_equal(a: str, b: str) -> bool:
    try:
        return json.loads(a) == json.loads(b)
    except ValueError:
        return False


def _same_outside(orig: str, new: str) -> str | None:
    a, b = _lines(orig), _lines(new)
    i = j = 0
    joined = "\n".join(a)
    offsets = []
    pos = 0
    for ln in a:
        offsets.append(pos)
        pos += len(ln) + 1
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            i += 1
            j += 1
            continue
        line = b[j]
        if line[:1] in "{[" and a[i][:1] in "{[" and a[i].lstrip() == a[i]:
            try:
                obj_b = json.loads(line)
                obj_a, end = _DECODER.raw_decode(joined, offsets[i])
            except ValueError:
                return f"line differs: {a[i][:60]!r} vs {line[:60]!r}"
            if obj_a != obj_b:
                return "a JSON block changed value"
            while i < len(a) and offsets[i] < end:
                i += 1
            j += 1
            continue
        return f"line differs: {a[i][:60]!r} vs {line[:60]!r}"
    if i < len(a) or j < len(b):
        return "lines missing or added"
    return None


def _expand_blocks(text: str, orig_messages: list, blocks: list) -> str:
    if not blocks:
        return text
    out = []
    for line in text.split("\n"):
        m = _BLOCK_REF.match(line)
        if m:
            src, start, end, count = blocks.pop(0)
            if int(m.group(1)) != count or int(m.group(2)) != start + 1 or int(m.group(3)) != end:
                raise ValueError("block reference does not match the recorded block")
            out.extend(orig_messages[src]["content"].split("\n")[start:end])
        else:
            out.append(line)
    return "\n".join(out)


def check_json_results(original: dict, compressed: dict, stats) -> list[str]:
    """Tool results that parsed as JSON and, as sent, no longer parse to an equal value
    (whole-message back-references excepted)."""
    problems = []
    orig, new = original.get("messages") or [], compressed.get("messages") or []
    for i, (a, b) in enumerate(zip(orig, new)):
        if not (isinstance(a, dict) and a.get("role") == "tool" and isinstance(a.get("content"), str)):
            continue
        ca = a["content"]
        if ca.lstrip()[:1] not in ("{", "[") or i in stats.dedup:
            continue
        try:
            va = json.loads(ca)
        except ValueError:
            continue  # not JSON to begin with
        cb = b.get("content") if isinstance(b, dict) else None
        try:
            same = isinstance(cb, str) and json.loads(cb) == va
        except ValueError:
            same = False
        if not same:
            problems.append(f"#{i}: a JSON tool result no longer parses to an equal value")
    return problems


def check_safe(original: dict, compressed: dict, stats) -> list[str]:
    """Problems that make ``compressed`` not semantically equal to ``original`` ([] = fine)."""
    orig, new = original.get("messages") or [], compressed.get("messages") or []
    problems = _frame_problems(orig, new)
    if problems:
        return problems
    problems = check_json_results(original, compressed, stats)
    for i, (a, b) in enumerate(zip(orig, new)):
        if not isinstance(a, dict) or a is b:
            continue
        ca, cb = a.get("content"), b.get("content")
        if i in stats.dedup:
            src = stats.dedup[i]
            if orig[src].get("content") != ca or not str(cb).startswith("[clawcli: identical to"):
                problems.append(f"#{i}: dedup reference to #{src} is not an identical message")
            continue
        pairs = []
        if isinstance(ca, str):
            try:
                cb = _expand_blocks(cb, orig, list(stats.dedup_blocks.get(i, [])))
            except (ValueError, IndexError, KeyError) as exc:
                problems.append(f"#{i}: {exc}")
                continue
            pairs.append((ca, cb))
        elif isinstance(ca, list):
            pairs += [(pa["text"], pb.get("text", "")) for pa, pb in zip(ca, cb) if is_text_part(pa)]
        for ta, tb in pairs:
            if ta == tb:
                continue
            if ta.strip()[:1] in "{[" and _json_equal(ta, tb):
                continue
            fa, oa = _fences(ta)
            fb, ob = _fences(tb)
            if len(fa) != len(fb):
                problems.append(f"#{i}: code fences added or removed")
                continue
            for (kind, x), (_, y) in zip(fa, fb):
                if x == y:
                    continue
                if kind == "fence:json":
                    bx = x.split("\n", 1)[1].rsplit("\n", 1)[0]
                    by = y.split("\n", 1)[1].rsplit("\n", 1)[0]
                    if _json_equal(bx, by):
                        continue
                problems.append(f"#{i}: a {kind} code fence changed")
            why = _same_outside(oa, ob)
            if why:
                problems.append(f"#{i}: {why}")
    return problems


_CODE = re.compile(r"[$§¤](?:P[0-9a-z]{2}|S\d\d|K[0-9a-z]{3})")


def check_invariants(original: dict, compressed: dict, stats) -> list[str]:
    """Aggressive mode: the never-touch list holds and every code is in the legend."""
    orig, new = original.get("messages") or [], compressed.get("messages") or []
    problems = _frame_problems(orig, new, stats.legend_index)
    body = [m for k, m in enumerate(new) if k != stats.legend_index]
    for i, (a, b) in enumerate(zip(orig, body)):
        if not isinstance(a, dict) or not isinstance(b.get("content"), str) or not isinstance(a.get("content"), str):
            continue
        fa, _ = _fences(a["content"])
        fb, _ = _fences(b["content"])
        for (kind, x), (_, y) in zip(fa, fb):
            if x != y and not (kind == "fence:json" and _json_equal(
                    x.split("\n", 1)[1].rsplit("\n", 1)[0], y.split("\n", 1)[1].rsplit("\n", 1)[0])):
                problems.append(f"#{i}: a {kind} code fence changed")
        if len(fa) != len(fb) and not b["content"].startswith("[clawcli:"):
            problems.append(f"#{i}: code fences added or removed")
        for code in _CODE.findall(b["content"]):
            if code not in stats.legend:
                problems.append(f"#{i}: code {code} has no legend entry")
    return problems
