"""Reading an answer: the hold-back before an answer counts as started, then the stream relay.

A streamed answer's chunks are held back until it has visibly started (``hold_chars`` non-blank
characters or a tool call), so an empty answer, an error event or a token loop still moves the
chain on to the next model. After that the chunks are relayed as they arrive and a failure is
a :class:`StreamInterrupted` (never retried: the caller already has part of the answer).

A stream that ends without ``[DONE]`` and without a ``finish_reason`` was cut short, however
cleanly the connection closed (issue 14 §1): before anything reached the caller that is a failed
attempt (the next model answers), after it a ``StreamInterrupted`` with the error class
``upstream_stream_truncated`` (the caller gets an error event, the attempt is logged failed).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson

from clawcli.core.upstream import classify as errors
from clawcli.core.upstream._stream import (
    Accumulator,
    accumulate_completion,
    chunks_to_completion,
    completion_to_chunks,
)
from clawcli.core.upstream.gateway_client import GatewayResponse, GatewayTransportError
from clawcli.core.upstream.request_state import AttemptFailed, OpenAnswer, RequestState
from clawcli.core.upstream.types import Attempt, StreamInterrupted
from clawcli.core.upstream.wire import short

_NO_RETRY_HINT = "the partial answer above is incomplete; no retry after the answer started"


async def read_answer(resp: GatewayResponse, attempt: Attempt, model: str, streaming: bool,
                      hold_chars: int) -> OpenAnswer:
    """A 2xx answer read far enough to know it is usable; raises AttemptFailed when it is not."""
    if "text/event-stream" in resp.headers.get("content-type", ""):
        return await _read_events(resp, attempt, Accumulator(), model, streaming, hold_chars)
    payload = errors.parse_json(await resp.read())
    problem = errors.completion_problem(payload)
    if problem:
        attempt.error_class, attempt.reason = problem
        raise AttemptFailed(attempt)
    if not streaming:  # nothing will be relayed: no chunks to build
        return OpenAnswer(attempt, accumulate_completion(payload), [], completion=payload)
    acc = Accumulator()
    chunks = completion_to_chunks(payload, model)
    for chunk in chunks:
        acc.add(chunk)
    return OpenAnswer(attempt, acc, chunks, completion=payload)


async def _read_events(resp: GatewayResponse, attempt: Attempt, acc: Accumulator, model: str,
                       streaming: bool, hold_chars: int) -> OpenAnswer:
    events = resp.events()
    held: list[dict[str, Any]] = []
    ended = False
    async for data in events:
        chunk = _event_chunk(data)
        if chunk is _END:
            ended = True
            break
        if chunk is None:
            continue
        if chunk.get("error") or chunk.get("type") == "api_error":
            problem = errors.completion_problem(chunk)
            attempt.error_class, attempt.reason = problem if problem else (errors.DEGRADED, "error event in the stream")
            raise AttemptFailed(attempt)
        acc.add(chunk)
        held.append(chunk)
        if streaming and (acc.tool_calls or acc.n_chars >= hold_chars):
            loop = errors.loop_reason(acc.content, strict=True) if not acc.tool_calls else None
            if loop:
                attempt.error_class, attempt.reason = errors.DEGRADED, loop
                raise AttemptFailed(attempt)
            return OpenAnswer(attempt, acc, held, response=resp, events=events)
    if not ended and acc.finish_reason is None:
        attempt.error_class, attempt.reason = errors.TRUNCATED, _truncated_reason(acc)
        raise AttemptFailed(attempt)
    degraded = errors.degraded_reason(acc.content, has_tool_calls=acc.has_tool_calls)
    if degraded:
        attempt.error_class, attempt.reason = errors.DEGRADED, degraded
        raise AttemptFailed(attempt)
    return OpenAnswer(attempt, acc, held, completion=chunks_to_completion(acc, model))


_END: Any = {}  # the [DONE] sentinel (identity-compared; typed as a chunk for the callers)


def _event_chunk(data: str) -> dict[str, Any] | None:
    """One SSE data field as a chunk dict; ``_END`` for ``[DONE]``; None for anything else.
    (Once per event of every stream: a chunk starts with "{", so it is neither stripped nor
    compared, and orjson is called here; ``parse_json`` only for what orjson refuses.)"""
    if not data:
        return None
    if data[0] != "{" and data.strip() == "[DONE]":
        return _END
    try:
        chunk = orjson.loads(data)
    except orjson.JSONDecodeError:
        chunk = errors.parse_json(data)
    return chunk if isinstance(chunk, dict) else None


def _truncated_reason(acc: Any) -> str:
    return (f"the stream ended after {len(acc.content)} characters without finish_reason or [DONE] "
            "(cut short upstream)")


def has_content(chunk: dict[str, Any]) -> bool:
    for choice in chunk.get("choices") or ():
        delta = choice.get("delta") or {}
        if delta.get("content") or delta.get("tool_calls"):
            return True
    return False


async def relay_stream(opened: OpenAnswer, state: RequestState,
                       clock: Callable[[], float]) -> AsyncIterator[dict[str, Any]]:
    """Yield the held-back chunks, then the rest of the stream as it arrives (no retry now)."""
    for chunk in opened.held:
        if state.ttft is None and has_content(chunk):
            state.ttft = clock()
        yield chunk
    if opened.response is None or opened.events is None:
        return
    ended = False
    try:
        async for data in opened.events:
            chunk = _event_chunk(data)
            if chunk is _END:
                ended = True
                break
            if chunk is None:
                continue
            if chunk.get("error"):
                raise StreamInterrupted(
                    f"{opened.attempt.model} failed mid-answer: {errors.error_message(None, data)}",
                    errors.classify_error(500, data) or errors.SERVER_ERROR, _NO_RETRY_HINT)
            opened.acc.add(chunk)
            yield chunk
        if not ended and opened.acc.finish_reason is None:
            raise StreamInterrupted(f"{opened.attempt.model} stopped mid-answer: {_truncated_reason(opened.acc)}",
                                    errors.TRUNCATED, _NO_RETRY_HINT)
    except GatewayTransportError as exc:
        raise StreamInterrupted(f"the gateway connection was lost mid-answer ({short(exc)})", errors.NETWORK,
                                _NO_RETRY_HINT) from None
    finally:
        resp, opened.response = opened.response, None
        if resp is not None:
            await resp.close()
