"""``POST /v1/chat/completions``: parse, route, pin, join, call the engine, render.

Order: body (10 MB limit) -> JSON -> ``messages`` -> local chat commands -> in-flight key and
session id (on the client's own request) -> session memory + compression -> ``route()`` ->
session pin / tier floor -> join or start the flight -> ``Engine.complete()``/``stream()``.

A raw ASGI handler (no Request/Response objects) because this is the hot path: the body is
read once, parsed once with orjson, routed once, and the answer is written with two ``send``
calls. Streaming answers go through :mod:`clawcli.proxy.sse`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Any

import orjson

from clawcli.core.compression import compress_request
from clawcli.core.errors import UsageError
from clawcli.core.router import extract_features, route
from clawcli.proxy import commands, sse
from clawcli.proxy.dedup import Flight, Subscriber, request_key
from clawcli.proxy.headers import (
    SCOPE_LOGGED,
    SCOPE_REQUEST_ID,
    SCOPE_STATUS,
    debug_enabled,
    decision_headers,
    request_id_header,
)
from clawcli.proxy.responses import error_body, send_error, send_exception, send_json
from clawcli.proxy.sessions import derive_session_id
from clawcli.proxy.state import ProxyState
from clawcli.proxy.validate import InvalidRequest, validate_chat


#: seconds before a request starts watching for its client going away (see _handle)
WATCH_AFTER = 0.05


class BodyTooLarge(Exception):
    pass


class ClientGone(Exception):
    """The client disconnected before its request body was complete."""


async def read_body(scope: Mapping[str, Any], receive: Any, limit: int) -> bytes:
    """The whole request body, or BodyTooLarge as soon as it is known to exceed ``limit``."""
    for k, v in scope["headers"]:
        if k == b"content-length":
            try:
                if int(v) > limit:
                    raise BodyTooLarge
            except ValueError:
                pass
            break
    chunks: list[bytes] = []
    size = 0
    while True:
        msg = await receive()
        if msg["type"] == "http.disconnect":
            raise ClientGone
        chunk = msg.get("body", b"")
        if chunk:
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge
            chunks.append(chunk)
        if not msg.get("more_body"):
            break
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _header(scope: Mapping[str, Any], name: bytes) -> bytes | None:
    for k, v in scope["headers"]:
        if k == name:
            return v
    return None


class ChatHandler:
    """The chat-completions endpoint, bound to one :class:`ProxyState`."""

    def __init__(self, state: ProxyState) -> None:
        self.state = state

    async def __call__(self, scope: Mapping[str, Any], receive: Any, send: Any) -> None:
        st = self.state
        st.requests_total += 1
        st.requests_active += 1
        try:
            await self._handle(scope, receive, send)
        finally:
            st.requests_active -= 1
            # refused before the engine (no usage record): still one line and a metric
            if not scope.get(SCOPE_LOGGED) and (scope.get(SCOPE_STATUS) or 0) >= 400:
                st.observer.rejected(scope[SCOPE_STATUS], str(scope.get(SCOPE_REQUEST_ID) or "-"))

    async def _handle(self, scope: Mapping[str, Any], receive: Any, send: Any) -> None:
        st = self.state
        try:
            raw = await read_body(scope, receive, st.max_body_bytes)
        except ClientGone:
            return
        except BodyTooLarge:
            mb = st.max_body_bytes // (1024 * 1024)
            await send_error(send, 413, f"request body is larger than {mb} MB", "invalid_request_error",
                             "request_too_large")
            return
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            await send_error(send, 400, f"request body is not valid JSON: {exc}", "invalid_request_error",
                             "invalid_json")
            return
        if not isinstance(body, dict):
            await send_error(send, 400, "request body must be a JSON object", "invalid_request_error",
                             "invalid_json")
            return
        try:  # before anything is paid, re-serialised (request_key) or rewritten
            canon = validate_chat(body)
        except InvalidRequest as exc:
            await send_json(send, 400, error_body(exc.message, "invalid_request_error", exc.code, param=exc.param))
            return
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            await send_error(send, 400, "'messages' is required: a non-empty list of chat messages",
                             "invalid_request_error", "missing_messages")
            return
        stream = body.get("stream")
        if stream is not None and not isinstance(stream, bool):
            # "yes" used to mean "not streaming" silently; OpenAI rejects it too
            await send_error(send, 400, f"'stream' must be true or false, not {stream!r}",
                             "invalid_request_error", "invalid_stream")
            return
        stream = stream is True
        debug = debug_enabled(_header(scope, b"x-clawrouter-debug"))

        local = commands.match(messages)
        if local is not None:
            scope[SCOPE_LOGGED] = True  # answered locally: neither a rejection nor an upstream call
            await commands.answer(st, local, body, stream, send)
            return

        session_header = _header(scope, b"x-session-id")
        # the client's request, before any rewriting, identifies both the flight and the session
        key = request_key(body, session_header, canon)
        session_id = session_header.decode("latin-1") if session_header else derive_session_id(body)
        try:
            body, extra, cstats = self._prepare(body, scope, session_header)
            decision, features = self._route(body)
            pin_key = f"{session_id}|{decision.profile}" if session_id else None
            decision = st.sessions.apply(pin_key, decision, catalog=st.catalog, features=features,
                                         exclude=st.exclude)
        except Exception as exc:  # ClawError: 400 and friends; anything else: a 500 in OpenAI shape
            await send_exception(send, exc)
            return

        journal_id = session_header.decode("latin-1") if (session_header and st.journal is not None) else None
        rid = str(scope.get(SCOPE_REQUEST_ID) or "") or None
        if stream:
            produce = self._stream_producer(body, decision, session_id, pin_key, journal_id, cstats, rid)
        else:
            produce = self._complete_producer(body, decision, session_id, pin_key, journal_id, cstats, rid)
        scope[SCOPE_LOGGED] = True  # the engine writes this request's usage record (its log line)
        if stream:
            flight, sub, leader = st.inflight.start(key, produce)
        else:  # the first request produces the answer in its own task; twins join it
            flight, sub, leader = st.inflight.lead(key)
        # Watch for a client disconnect only once the answer takes longer than WATCH_AFTER: a
        # deadline on the ticker is far cheaper than a task (or a timer), and most answers from a
        # fast upstream never need one.
        loop = asyncio.get_running_loop()
        watcher: list[asyncio.Task] = []

        def arm() -> None:
            if not sub.gone and not flight.done:
                watcher.append(loop.create_task(_watch_disconnect(receive, flight, sub)))

        ticker = st.ticker
        watch = ticker.at(loop.time() + WATCH_AFTER, arm)
        try:
            if stream:
                await sse.relay(st, flight, sub, decision, debug, send, extra)
            elif leader:
                await self._produce_and_reply(flight, sub, produce, decision, debug, send, extra)
            else:
                await self._reply(flight, sub, decision, debug, send, extra)
        finally:
            ticker.cancel(watch)
            for w in watcher:
                w.cancel()
            if not sub.gone:
                flight.leave(sub)

    # rewriting: session memory, compression (before routing: the decision sees the result) --
    def _prepare(self, body: dict[str, Any], scope: Mapping[str, Any],
                 session_header: bytes | None) -> tuple[dict[str, Any], list[tuple[bytes, bytes]], Any]:
        st = self.state
        extra: list[tuple[bytes, bytes]] = []
        cstats = None  # CompressionStats, for the usage log (compressMode, compressedChars, ...)
        if st.journal is not None and session_header:
            sid = session_header.decode("latin-1")
            st.journal.observe(sid, body["messages"])
            body, injected = st.journal.inject(sid, body)
            if injected:
                extra.append((b"x-clawcli-journal", b"injected"))
        raw_mode = _header(scope, b"x-clawcli-compress")
        mode = raw_mode.decode("latin-1").strip().lower() if raw_mode else st.settings.compress
        if mode not in ("off", "safe", "aggressive"):
            raise UsageError(f"unknown compress mode {mode!r} (x-clawcli-compress)", "use off, safe or aggressive")
        body, cstats = compress_request(body, mode)  # "off" too (a no-op): the usage log records the mode
        if cstats.applied:
            extra.extend((k.encode(), v.encode()) for k, v in cstats.headers().items())
        return body, extra, cstats

    # routing --------------------------------------------------------------------------
    def _route(self, body: dict[str, Any]) -> tuple[Any, Any]:
        st = self.state
        features = extract_features(body)
        model = body.get("model")
        profile = None if isinstance(model, str) and model.strip() else st.settings.profile
        decision = route(body, profile=profile, catalog=st.catalog, exclude=st.exclude,
                         baseline_model=st.settings.baseline_model, features=features)
        return decision, features

    # producers (run once per flight, shared by every joined request) ----------------------
    def _complete_producer(self, body: dict[str, Any], decision: Any, session_id: str | None, pin_key: str | None,
                           journal_id: str | None, cstats: Any = None, rid: str | None = None):
        st = self.state

        async def produce(flight: Flight) -> Any:
            flight.request_id = rid
            result = await st.engine.complete(body, source="serve", session_id=session_id, decision=decision,
                                              compression=cstats, request_id=rid)
            st.sessions.record(pin_key, decision, result.model)
            _remember(st, journal_id, result)
            return result

        return produce

    def _stream_producer(self, body: dict[str, Any], decision: Any, session_id: str | None, pin_key: str | None,
                         journal_id: str | None, cstats: Any = None, rid: str | None = None):
        st = self.state

        async def produce(flight: Flight) -> Any:
            flight.request_id = rid
            result = None
            agen = st.engine.stream(body, source="serve", session_id=session_id, decision=decision,
                                    compression=cstats, request_id=rid)
            try:
                async for ev in agen:
                    if ev.type == "done":
                        result = ev.data
                    else:
                        flight.push(ev)
            finally:
                aclose = getattr(agen, "aclose", None)
                if aclose is not None:
                    await aclose()
            if result is not None:
                st.sessions.record(pin_key, decision, result.model)
                _remember(st, journal_id, result)
            return result

        return produce

    # rendering ------------------------------------------------------------------------
    async def _produce_and_reply(self, flight: Flight, sub: Subscriber, produce: Any, decision: Any, debug: bool,
                                 send: Any, extra: list[tuple[bytes, bytes]]) -> None:
        try:
            await self.state.inflight.run(flight, produce)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if sub.gone and task is not None and task.cancelling() == 1:
                # cancelled because the client went away and nobody else waits for this answer
                # (Flight.leave): the request is over, not the server
                task.uncancel()
                return
            await _shutting_down(send)
            return
        if not sub.gone:
            await self._render(flight, decision, debug, send, extra)

    async def _reply(self, flight: Flight, sub: Subscriber, decision: Any, debug: bool, send: Any,
                     extra: list[tuple[bytes, bytes]]) -> None:
        try:
            while not flight.done:
                await sub.wake.wait()
                sub.wake.clear()
                if sub.gone:
                    return
        except asyncio.CancelledError:
            await _shutting_down(send)
            return
        await self._render(flight, decision, debug, send, extra)

    async def _render(self, flight: Flight, decision: Any, debug: bool, send: Any,
                      extra: list[tuple[bytes, bytes]]) -> None:
        if flight.error is not None:
            await send_exception(send, flight.error, request_id_header(flight))
            return
        result = flight.result
        response = completion_body(result)
        headers = decision_headers(result.decision or decision, model=result.model, cost=result.cost,
                                   savings=result.savings) if debug else []
        headers.extend(extra)
        headers.extend(request_id_header(flight))
        if result.notices:
            from clawcli.proxy.headers import ascii_safe

            headers.append((b"x-clawrouter-notice", ascii_safe(" | ".join(result.notices)).encode()))
        await send_json(send, 200, response, headers)


async def _shutting_down(send: Any) -> None:
    """uvicorn cancels what is still running 10 s after SIGTERM: answer in OpenAI shape (not
    uvicorn's plain-text 500 and a traceback on stderr) so the client can retry."""
    with contextlib.suppress(Exception):
        await send_error(send, 503, "claw serve is shutting down: the request did not finish within "
                         "the grace period (retry it)", "server_error", "shutting_down")


def _remember(state: ProxyState, journal_id: str | None, result: Any) -> None:
    """Feed the answer to the session journal (x-session-id sessions only)."""
    if journal_id is None:
        return
    msg = None
    resp = result.response
    if isinstance(resp, dict) and resp.get("choices"):
        msg = (resp["choices"][0] or {}).get("message")
    state.journal.record_response(journal_id, msg or result.content)


def completion_body(result: Any) -> dict[str, Any]:
    """The chat.completion to return: the upstream's, with the answering model and any notice."""
    resp = result.response
    if not isinstance(resp, dict):
        resp = {
            "id": f"chatcmpl-{result.request_id}",
            "object": "chat.completion",
            "created": 0,
            "model": result.model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": result.content,
                                                 **({"tool_calls": result.tool_calls} if result.tool_calls else {})},
                         "finish_reason": result.finish_reason or "stop"}],
            "usage": result.usage or {},
        }
    else:
        resp = dict(resp)
        resp["model"] = result.model
        choices = resp.get("choices")
        if isinstance(choices, list) and any(isinstance(c, dict) and isinstance(c.get("message"), dict)
                                             and not c["message"].get("role") for c in choices):
            # an upstream message without a role: SDK helpers expect "assistant" (issue 14 §2)
            resp["choices"] = [dict(c, message={"role": "assistant", **c["message"]})
                               if isinstance(c, dict) and isinstance(c.get("message"), dict)
                               and not c["message"].get("role") else c for c in choices]
    if result.notices:
        notice = "".join(f"> {n}\n\n" for n in result.notices)
        choices = resp.get("choices")
        if isinstance(choices, list) and choices and isinstance(choices[0], dict):
            msg = choices[0].get("message")
            # a tool-call turn (content null) stays untouched: the notice is in a header then
            if isinstance(msg, dict) and isinstance(msg.get("content"), str):
                choices = list(choices)
                choices[0] = dict(choices[0], message=dict(msg, content=notice + msg["content"]))
                resp["choices"] = choices
    return resp


async def _watch_disconnect(receive: Any, flight: Flight, sub: Subscriber) -> None:
    """Wait for the client to go away; then leave the flight (the last one out cancels it)."""
    while True:
        msg = await receive()
        if msg["type"] == "http.disconnect":
            break
    if not sub.gone:
        flight.leave(sub)
