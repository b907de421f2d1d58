"""Server-sent events for streaming answers: headers at once, heartbeats, chunks as they come.

The 200 and the SSE headers go out before any payment or upstream work, then ``: heartbeat``
comments every 2 s while nothing else arrives (agent clients with ~10 s timeouts would
otherwise retry and pay twice). Engine chunks are written as soon as the flight receives
them, each ``send`` flushed by uvicorn, shaped like OpenAI's (:class:`ChunkShaper`: one id, a
role in every choice's first chunk, a finish_reason before the end). An error after the stream
started is a final ``data: {"error": ...}`` event; every stream ends with ``data: [DONE]``. Under a
strict session cost cap the headers wait for the answer's first chunk, so the cap is always a 429.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import orjson

from clawcli.proxy.dedup import Flight, Subscriber
from clawcli.proxy.headers import debug_comment, decision_headers, reasoning_of, request_id_header
from clawcli.proxy.responses import error_for_exception, send_exception

# no `connection: keep-alive`: HTTP/1.1 keeps the connection by default, and to a client that
# asked `Connection: close` the server adds its own `connection: close` (two contradicting headers)
SSE_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache, no-transform"),
    (b"x-accel-buffering", b"no"),
]
HEARTBEAT = b": heartbeat\n\n"
DONE = b"data: [DONE]\n\n"


def data(obj: Any) -> bytes:
    return b"data: " + orjson.dumps(obj, default=str) + b"\n\n"


class ChunkShaper:
    """Makes every chunk of one stream look like OpenAI's, whatever the upstream sent.

    - one ``id`` for the whole stream (claw's own notice chunks included), from the request id;
    - the first chunk of every choice carries ``delta.role = "assistant"`` (several upstreams
      omit it, and the OpenAI Node SDK's ``.stream()``/``runTools`` then throw "missing role");
    - a choice that never got a ``finish_reason`` before a clean end gets a closing chunk.
    Chunks are shared by every request joined to the flight; the changes are idempotent.
    """

    __slots__ = ("finished", "id", "model", "created", "roles", "tools")

    def __init__(self, stream_id: str | None) -> None:
        self.id = stream_id
        self.roles: set[int] = set()
        self.finished: set[int] = set()
        self.tools: set[int] = set()
        self.model: Any = None
        self.created: Any = None

    def chunk(self, c: dict[str, Any]) -> dict[str, Any]:
        if self.id is None:
            self.id = c.get("id") or "chatcmpl-clawcli"
        if c.get("id") != self.id:
            c["id"] = self.id
        if self.model is None:
            self.model, self.created = c.get("model"), c.get("created")
        for ch in c.get("choices") or ():
            if not isinstance(ch, dict):
                continue
            idx = ch.get("index", 0)
            delta = ch.get("delta")
            if idx not in self.roles:
                self.roles.add(idx)
                if not isinstance(delta, dict):
                    ch["delta"] = delta = {"role": "assistant"}
                elif not delta.get("role"):
                    ch["delta"] = delta = {"role": "assistant", **delta}
            if isinstance(delta, dict) and delta.get("tool_calls"):
                self.tools.add(idx)
            if ch.get("finish_reason"):
                self.finished.add(idx)
        return c

    def notice(self, text: str, model: str) -> dict[str, Any]:
        return self.chunk({
            "id": self.id, "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "delta": {"content": f"> {text}\n\n"}, "finish_reason": None}],
        })

    def closing(self) -> list[dict[str, Any]]:
        """Finish chunks for the choices the upstream left open (it sent [DONE] without them)."""
        open_ = sorted(self.roles - self.finished)
        if not open_:
            return []
        return [{"id": self.id, "object": "chat.completion.chunk", "created": self.created or int(time.time()),
                 "model": self.model, "choices": [{"index": i, "delta": {},
                                                   "finish_reason": "tool_calls" if i in self.tools else "stop"}
                                                  for i in open_]}]


async def start(send: Any, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": SSE_HEADERS + (extra or [])})


async def body(send: Any, payload: bytes, more: bool = True) -> None:
    await send({"type": "http.response.body", "body": payload, "more_body": more})


_SHUTDOWN = "claw serve is shutting down: the request did not finish within the grace period (retry it)"


async def relay(state: Any, flight: Flight, sub: Subscriber, decision: Any, debug: bool, send: Any,
                extra: list[tuple[bytes, bytes]] | None = None) -> None:
    """Write one subscriber's view of a streaming flight."""
    started: list[bool] = []
    try:
        await _relay(state, flight, sub, decision, debug, send, extra, started)
    except asyncio.CancelledError:
        # uvicorn cancels what still runs 10 s after SIGTERM: end the stream the documented way
        # (a final error event and [DONE], or an OpenAI-shaped 503 before the headers) instead
        # of a truncated body and a traceback on stderr
        from clawcli.proxy.responses import error_body, send_error

        with contextlib.suppress(Exception):
            if started:
                await body(send, data(error_body(_SHUTDOWN, "server_error", "shutting_down")) + DONE, more=False)
            else:
                await send_error(send, 503, _SHUTDOWN, "server_error", "shutting_down")


def _hold_for_answer(state: Any) -> bool:
    """Under a strict session cost cap the headers wait for the answer itself: the cap can still
    refuse when the gateway quotes (or a concurrent request of the session paid first), and that
    refusal must be a real 429, never an error inside a 200 stream."""
    s = state.settings
    return s.cap_mode == "strict" and s.max_cost_per_run is not None


async def _relay(state: Any, flight: Flight, sub: Subscriber, decision: Any, debug: bool, send: Any,
                 extra: list[tuple[bytes, bytes]] | None, started: list[bool]) -> None:
    # The engine plans before its first event (no I/O: routing, cooldowns, the cost cap), so
    # waiting for that event still sends the headers at once — and a refusal (strict cost cap,
    # bad request) can still be a real HTTP status instead of an error inside a 200 stream.
    # Under a strict cap, wait for the first chunk of the answer (see _hold_for_answer).
    hold = _hold_for_answer(state)

    def ready() -> bool:
        if flight.done:
            return True
        if hold:
            return any(ev.type == "chunk" for ev in flight.frames)
        return bool(flight.frames)

    while not ready():
        await sub.wake.wait()
        sub.wake.clear()
        if sub.gone:
            return
    if flight.error is not None and not any(ev.type == "chunk" for ev in flight.frames):
        await send_exception(send, flight.error, request_id_header(flight))
        return
    first = flight.frames[0]
    if getattr(first, "type", None) == "decision" and first.data is not None:
        decision = first.data
    shown = decision_headers(decision) if debug else []
    await start(send, shown + (extra or []) + request_id_header(flight))
    started.append(True)
    await body(send, debug_comment(decision, headers=shown) if debug else HEARTBEAT)
    # the closing comment of the same decision reuses its reasoning (built once per stream)
    why = (decision, reasoning_of(shown)) if debug else None
    shaper = ChunkShaper(f"chatcmpl-{flight.request_id}" if flight.request_id else None)
    loop = asyncio.get_running_loop()
    ticker = state.ticker
    i = 0
    while True:
        if i < len(flight.frames):
            out = []
            for ev in flight.frames[i:]:
                if ev.type == "chunk":
                    out.append(data(shaper.chunk(ev.data)))
                elif ev.type == "notice":
                    out.append(data(shaper.notice(str(ev.data), decision.model)))
            i = len(flight.frames)
            if flight.done:  # the rest of the answer and the end of the stream in one write
                out.append(_tail(flight, shaper, decision, debug, why))
                await body(send, b"".join(out), more=False)
                return
            if out:
                await body(send, b"".join(out))
            continue
        if flight.done or sub.gone:
            break
        # a deadline on the server's ticker, not a loop timer per wait (up to one tick late)
        beat = ticker.at(loop.time() + state.heartbeat_seconds, sub.wake.set)
        await sub.wake.wait()
        ticker.cancel(beat)
        sub.wake.clear()
        if sub.gone:
            return
        if i >= len(flight.frames) and not flight.done:
            await body(send, HEARTBEAT)
    if sub.gone:
        return
    await body(send, _tail(flight, shaper, decision, debug, why), more=False)


def _tail(flight: Flight, shaper: ChunkShaper, decision: Any, debug: bool, why: Any = None) -> bytes:
    """The end of a finished flight's stream: its error event, or the closing chunks the upstream
    left out and the final debug comment; then ``[DONE]``."""
    tail = []
    if flight.error is not None:
        _status, err = error_for_exception(flight.error)
        tail.append(data(err))
    else:
        tail.extend(data(c) for c in shaper.closing())
        if debug and flight.result is not None:
            r = flight.result
            shown = r.decision or decision
            reasoning = why[1] if why is not None and why[0] is shown else None
            tail.append(debug_comment(shown, model=r.model, cost=r.cost, savings=r.savings, reasoning=reasoning))
    tail.append(DONE)
    return b"".join(tail)
