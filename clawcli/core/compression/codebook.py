"""The codebook layers (aggressive mode): text replaced by short codes, each code explained once.

4. ``paths``      directory prefixes repeated in tool output (``/usr/lib/python3.11/site-packages``)
                  become ``$Pxx`` (at most 9); a path keeps its last segments (``$P4k/httpx/_api.py``).
5. ``dictionary`` a shipped list of long phrases frequent in agent traffic (tracebacks, pytest, pip,
                  ``ls -l`` modes) with *fixed* codes ``$S01``.. (the same phrase always has the
                  same code, so a provider's prompt cache sees a stable legend); used only where a
                  phrase repeats enough to pay for its legend line.
7. ``codebook``   whole lines (indentation kept outside the code) repeated within this conversation
                  become ``$Kxxx`` (at most 99).

Path and codebook ids are derived from a hash of what they stand for (``stable_ids``), so a code
means the same thing in every call of a conversation and the legend lists codes in sorted order:
compressed history stays byte-stable between calls as long as the chosen set does not change.

Every code used is listed once in a legend message (see ``pipeline.legend_message``). Codes have a
fixed width so no code is a prefix of another, and a sigil is picked that appears nowhere in the
original conversation (``$``, else ``§``, else ``¤``), so ``expand`` is an exact inverse.
Nothing inside a code fence, and no protected message, is ever encoded. Neither are the
pipeline's own ``[clawcli: ...]`` notes (dedup back-references, observation summaries): a
reference that became a code would hide what it points at behind the legend, and a whole-message
reference that repeats (the third copy of a tool result) would otherwise be coded like any line.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from functools import lru_cache

from clawcli.core.compression._text import (
    Context,
    editable,
    map_outside_fences,
    map_text,
    split_fences_cached,
)
from clawcli.core.messages import estimate_tokens, message_text

SIGILS = ("$", "§", "¤")


def pick_sigil(ctx: Context, letter: str) -> str | None:
    """A sigil s such that s+letter occurs nowhere in the original conversation (None: none free)."""
    for s in SIGILS:
        if s + letter not in ctx.all_text:
            return s
    return None


_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def stable_ids(texts: list[str], width: int) -> dict[str, str]:
    """A fixed-width base-36 id per text, derived from its CRC32 (collisions probe the next id).

    The same prefix or line gets the same code in every request of a conversation, so an
    encoded message, and the legend, stay byte-identical from one call to the next (providers'
    prompt caches keep working) instead of being renumbered whenever the ranking shifts.
    """
    space = 36 ** width
    used: set[int] = set()
    out: dict[str, str] = {}
    for t in sorted(texts):
        n = zlib.crc32(t.encode("utf-8", "surrogatepass")) % space
        while n in used:
            n = (n + 1) % space
        used.add(n)
        digits = []
        for _ in range(width):
            n, r = divmod(n, 36)
            digits.append(_B36[r])
        out[t] = "".join(reversed(digits))
    return out


_NOTE = "[clawcli:"  # how every note the pipeline writes into a message starts


def _encodable(messages: list, ctx: Context):
    """Indices of the messages the codebook layers may change: editable, and not a whole-message
    dedup back-reference (``ctx.notes["dedup"]``; its text is the pipeline's, not the user's)."""
    refs = ctx.notes.get("dedup", {})
    return (i for i in editable(messages, ctx) if i not in refs)


def _apply(messages: list, ctx: Context, fn) -> list:
    out = list(messages)
    for i in _encodable(messages, ctx):
        out[i] = map_text(messages[i], lambda t: map_outside_fences(t, fn, ctx))
    return out


def _segments(messages: list, ctx: Context):
    """The encodable text outside fences, one string per message (for counting)."""
    for i in _encodable(messages, ctx):
        t = message_text(messages[i])
        if t:
            if "```" not in t and "~~~" not in t:
                yield t
            else:
                yield "".join(s for k, s in split_fences_cached(t, ctx) if k == "text")


@lru_cache(maxsize=256)
def _cost(text: str) -> float:
    return estimate_tokens(text)


# ---------------------------------------------------------------- layer 4: paths
# absolute paths only (they carry the long, repeated prefixes); the pattern starts with a literal
# "/" so the regex engine can skip ahead. A match preceded by a path char (a URL) is ignored.
_PATH = re.compile(r"/(?:[\w.@+-]+/){2,}(?=[\w.@+-])")
_PATH_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:~$§¤-@+")


def _path_dirs(seg: str):
    for m in _PATH.finditer(seg):
        if m.start() == 0 or seg[m.start() - 1] not in _PATH_CHARS:
            yield m.group()
MAX_PATH_CODES = 9


def paths(messages: list, ctx: Context) -> list:
    dirs: Counter[str] = Counter()
    for seg in _segments(messages, ctx):
        if "/" in seg:
            dirs.update(_path_dirs(seg))
    if sum(dirs.values()) < 4:
        return messages
    sigil = pick_sigil(ctx, "P")
    if sigil is None:
        return messages
    # candidate prefixes: every directory prefix of >= 2 segments, ending with "/"
    members: dict[str, list[str]] = {}
    for d in dirs:
        for k, ch in enumerate(d):
            if ch == "/" and k + 1 >= 8 and d[:k].strip("./").count("/") >= 1:
                members.setdefault(d[:k + 1], []).append(d)
    covered = {d: 0 for d in dirs}  # chars of d already replaced by a chosen prefix
    chosen: list[str] = []
    code_len = 5  # "$Pxx/" replaces the prefix incl. its slash
    while len(chosen) < MAX_PATH_CODES and members:
        best, best_gain = None, 0
        for c, ds in members.items():
            lc = len(c)
            gain = -(lc + 8)  # its legend line
            for d in ds:
                cov = covered[d]
                if lc > cov:
                    gain += dirs[d] * (lc - max(cov, code_len))
            if gain > best_gain:
                best, best_gain = c, gain
        if best is None or best_gain < 24:
            break
        chosen.append(best)
        for d in members.pop(best):
            covered[d] = max(covered[d], len(best))
    if not chosen:
        return messages
    longest_first = sorted(chosen, key=len, reverse=True)
    ids = stable_ids(chosen, 2)
    codes = {p: f"{sigil}P{ids[p]}/" for p in chosen}

    def sub(m: re.Match) -> str:
        d = m.group()
        if m.start() and m.string[m.start() - 1] in _PATH_CHARS:
            return d
        for p in longest_first:
            if d.startswith(p):
                return codes[p] + d[len(p):]
        return d

    def fn(seg: str) -> str:
        return _PATH.sub(sub, seg) if "/" in seg else seg

    out = _apply(messages, ctx, fn)
    ctx.notes.setdefault("legend", {})["paths"] = sorted((codes[p][:-1], p.rstrip("/")) for p in chosen)
    return out


# ---------------------------------------------------------------- layer 5: static dictionary
# Fixed codes: append new phrases at the end, never renumber (legends stay cache-stable).
PHRASES: tuple[str, ...] = (
    "Traceback (most recent call last):",
    "During handling of the above exception, another exception occurred:",
    "The above exception was the direct cause of the following exception:",
    "Requirement already satisfied: ",
    "Installing collected packages: ",
    "short test summary info",
    "cachedir: .pytest_cache",
    "ModuleNotFoundError: No module named ",
    "FileNotFoundError: [Errno 2] No such file or directory: ",
    "PermissionError: [Errno 13] Permission denied: ",
    "drwxr-xr-x ",
    "-rw-r--r-- ",
    "-rwxr-xr-x ",
    "lrwxrwxrwx ",
    "Your branch is up to date with ",
    "Changes not staged for commit:",
    "(use \"git add <file>...\" to update what will be committed)",
    "(use \"git restore <file>...\" to discard changes in working directory)",
    "no changes added to commit (use \"git add\" and/or \"git commit -a\")",
    "nothing to commit, working tree clean",
    "Process completed with exit code ",
    "No such file or directory",
    "if __name__ == \"__main__\":",
    "from __future__ import annotations",
    "@pytest.mark.parametrize(",
    "-- Docs: https://docs.pytest.org/en/stable/how-to/capture-warnings.html",
    "\"type\": \"string\"",
    "\"type\": \"object\"",
    "\"properties\": {",
)


def dictionary(messages: list, ctx: Context) -> list:
    sigil = pick_sigil(ctx, "S")
    if sigil is None:
        return messages
    joined = "\x00".join(_segments(messages, ctx))
    used: list[tuple[str, str]] = []
    for n, phrase in enumerate(PHRASES, 1):
        count = joined.count(phrase)
        if count < 2:
            continue
        code = f"{sigil}S{n:02d}"
        per_use = _cost(phrase) - _cost(code)
        legend = _cost(phrase) + _cost(code) + 2
        if per_use * count - legend > 2:
            used.append((code, phrase))
    if not used:
        return messages
    ordered = sorted(used, key=lambda cp: len(cp[1]), reverse=True)  # longest phrase first

    def fn(seg: str) -> str:
        # str.replace per phrase (C loops); no phrase contains a sigil, so codes never re-match
        for code, phrase in ordered:
            if phrase in seg:
                seg = seg.replace(phrase, code)
        return seg

    out = _apply(messages, ctx, fn)
    ctx.notes.setdefault("legend", {})["dictionary"] = used
    return out


# ---------------------------------------------------------------- layer 7: dynamic codebook
MAX_DYNAMIC_CODES = 99
_MIN_LINE = 24


def codebook(messages: list, ctx: Context) -> list:
    counts: Counter[str] = Counter()
    for seg in _segments(messages, ctx):
        counts.update(seg.split("\n"))  # whole lines, indentation included (C-speed counting)
    by_body: dict[str, list[str]] = {}  # the same line at different indentations shares a code
    for line, n in counts.items():
        if n >= 2 and len(line) >= _MIN_LINE:
            body = line.strip()
            if len(body) >= _MIN_LINE and not body.startswith(_NOTE):  # block refs, observation notes
                by_body.setdefault(body, []).append(line)
    repeated = [(body, lines, sum(counts[x] for x in lines)) for body, lines in by_body.items()]
    repeated = [r for r in repeated if r[2] >= 2]
    if not repeated:
        return messages
    sigil = pick_sigil(ctx, "K")
    if sigil is None:
        return messages
    code_tokens = estimate_tokens(f"{sigil}K01")
    scored = []
    for body, lines, n in repeated:
        t = estimate_tokens(body)
        gain = n * (t - code_tokens) - (t + code_tokens + 2)
        if gain > 3:
            scored.append((gain, body, lines))
    if not scored:
        return messages
    scored.sort(reverse=True)
    chosen = scored[:MAX_DYNAMIC_CODES]
    # the indentation (and trailing text position) stays, only the body is coded
    table: dict[str, str] = {}
    legend: list[tuple[str, str]] = []
    ids = stable_ids([body for _, body, _ in chosen], 3)
    for _, body, lines in chosen:
        code = f"{sigil}K{ids[body]}"
        legend.append((code, body))
        for line in lines:
            start = line.index(body)
            table[line] = line[:start] + code + line[start + len(body):]

    def fn(seg: str) -> str:
        lines = seg.split("\n")
        new = [table.get(line, line) for line in lines]
        return seg if new == lines else "\n".join(new)

    out = _apply(messages, ctx, fn)
    ctx.notes.setdefault("legend", {})["codebook"] = sorted(legend)
    return out


# ---------------------------------------------------------------- decoding
def expand(text: str, legend: dict[str, str]) -> str:
    """Replace every code in ``text`` by its meaning (the exact inverse of the layers above)."""
    if not legend:
        return text
    pattern = re.compile("|".join(re.escape(c) for c in sorted(legend, key=len, reverse=True)))
    for _ in range(4):  # a codebook line may itself hold a path or dictionary code: expand to a fixpoint
        new = pattern.sub(lambda m: legend[m.group()], text)
        if new == text:
            break
        text = new
    return text
