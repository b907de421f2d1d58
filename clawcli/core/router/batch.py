"""Route a JSONL batch: ``{"id", "prompt"}`` or ``{"id", "messages", ...}`` per line in, one
decision object per line out (the ``--json`` shape with the input ``id`` echoed).

It is how the router is evaluated and benchmarked, so it has no per-line start-up cost, and a
large batch is split across worker processes (classification is CPU-bound and the GIL would
serialise threads). Output comes back in input order. A bad line fails the whole batch with
its line number (nothing is half-written), or, with ``errors=[]`` (what `claw route --batch`
does), becomes an error record ``{"id", "line", "error", "code", "hint"}`` in its place and the
batch goes on.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from clawcli.core.catalog import Catalog
from clawcli.core.errors import ClawError

#: below this many lines a worker pool costs more than it saves
PARALLEL_MIN_LINES = 3000
_CHUNK = 1500


def request_from_line(obj: Any, lineno: int) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise ClawError(f"line {lineno}: expected a JSON object", 'use {"id": ..., "prompt": "..."}')
    if "messages" in obj:
        return obj
    prompt = obj.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise ClawError(f"line {lineno}: no prompt", 'each line needs a non-empty "prompt" or a "messages" list')
    req: dict[str, Any] = {"messages": [{"role": "user", "content": prompt}]}
    if obj.get("system"):
        req["messages"].insert(0, {"role": "system", "content": str(obj["system"])})
    for k in ("model", "max_tokens", "tools"):
        if k in obj:
            req[k] = obj[k]
    return req


def _route_lines(
    lines: Iterable[tuple[int, bytes]],
    catalog: Catalog,
    profile: str | None,
    default_profile: str,
    exclude: tuple[str, ...],
    baseline: str,
    keep_going: bool = False,
) -> list[bytes] | tuple[str, str | None]:
    """Decisions for ``lines``; on the first bad line, ``(message, hint)`` instead (or, with
    ``keep_going``, an error record for it)."""
    import orjson

    from clawcli.core.router import route

    out: list[bytes] = []
    for lineno, line in lines:
        obj = None
        try:
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise ClawError(f"line {lineno}: invalid JSON ({exc})", "one JSON object per line") from None
            req = request_from_line(obj, lineno)
            p = profile if profile is not None else (None if req.get("model") else default_profile)
            try:
                d = route(req, profile=p, catalog=catalog, exclude=exclude, baseline_model=baseline).to_dict()
            except ClawError as exc:
                raise ClawError(f"line {lineno}: {exc.message}", exc.hint) from None
        except ClawError as exc:
            if keep_going:
                out.append(error_record(obj, lineno, exc))
                continue
            # returned, not raised: exceptions with custom __init__ do not survive pickling
            return (exc.message, exc.hint)
        if "messages" not in obj:
            d.pop("ask", None)  # a bare prompt is its own ask: do not echo it on every line
        if "id" in obj:
            d = {"id": obj["id"], **d}
        out.append(orjson.dumps(d))
    return out


def error_record(obj: Any, lineno: int, exc: ClawError) -> bytes:
    """The output line of a bad input line: its id (when it had one), line number and the error."""
    import orjson

    rec: dict[str, Any] = {}
    if isinstance(obj, dict) and "id" in obj:
        rec["id"] = obj["id"]
    rec.update(line=lineno, error=exc.message, code=exc.code)
    if exc.hint:
        rec["hint"] = exc.hint
    return orjson.dumps(rec)


_WORKER_ARGS: tuple = ()


def _init_worker(args: tuple) -> None:
    global _WORKER_ARGS  # per worker process, set once by the pool initializer
    _WORKER_ARGS = args


def _work(chunk: list[tuple[int, bytes]]) -> list[bytes] | tuple[str, str | None]:
    return _route_lines(chunk, *_WORKER_ARGS)


def route_jsonl(
    data: bytes,
    *,
    catalog: Catalog,
    profile: str | None = None,
    default_profile: str = "auto",
    exclude: Iterable[str] = (),
    baseline_model: str = "anthropic/claude-opus-4.6",
    jobs: int | None = None,
    errors: list[int] | None = None,
) -> list[bytes]:
    """One JSON decision (bytes) per non-empty input line. Raises ClawError naming a bad line,
    unless ``errors`` is a list: then a bad line gets an error record and its number is appended.

    ``jobs``: worker processes (None = one per CPU for large batches, 1 = in-process).
    """
    # split on "\n" only: str.splitlines() would also break lines at U+2028, \x0c, ... inside strings
    lines = [(n, line) for n, line in enumerate(data.split(b"\n"), 1) if line.strip()]
    args = (catalog, profile, default_profile, tuple(exclude), baseline_model, errors is not None)
    if jobs is None:
        jobs = min(os.cpu_count() or 1, 8) if len(lines) >= PARALLEL_MIN_LINES else 1
    if jobs <= 1 or len(lines) < 2:
        res = _route_lines(lines, *args)
        if isinstance(res, tuple):
            raise ClawError(*res)
        _note_errors(res, lines, errors)
        return res

    import multiprocessing

    chunks = [lines[i: i + _CHUNK] for i in range(0, len(lines), _CHUNK)]
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    out: list[bytes] = []
    with ctx.Pool(jobs, initializer=_init_worker, initargs=(args,)) as pool:
        for res in pool.imap(_work, chunks):
            if isinstance(res, tuple):
                raise ClawError(*res)
            out.extend(res)
    _note_errors(out, lines, errors)
    return out


def _note_errors(out: list[bytes], lines: list[tuple[int, bytes]], errors: list[int] | None) -> None:
    """Append the line numbers whose output is an error record (a decision always has a tier)."""
    if errors is None:
        return
    import orjson

    for (lineno, _), rec in zip(lines, out):
        if b'"error":' in rec:
            obj = orjson.loads(rec)
            if "error" in obj and "tier" not in obj:
                errors.append(lineno)
