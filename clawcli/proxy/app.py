"""The ASGI app of `claw serve`: auth, the chat fast path, and Starlette for the rest.

    state = ProxyState(settings, paths, catalog, token=...)
    app = create_app(state)          # uvicorn.run(app) or clawcli.proxy.server.serve(...)

The outermost layer is a plain ASGI callable: it runs the browser-proofing checks of
:mod:`clawcli.proxy.guard` (Host, Origin, Content-Type, preflights, header sizes), checks the
bearer token (when one is set) and sends ``POST /v1/chat/completions`` straight to :class:`~clawcli.proxy.chat.ChatHandler`,
skipping Starlette's middleware stack on the hot path. Everything else (``/v1/models``,
``/health``, ``/stats``, 404/405 in OpenAI shape, lifespan) is a small Starlette app.
"""

from __future__ import annotations

import contextlib
import hmac
from typing import Any

from clawcli.proxy.chat import ChatHandler
from clawcli.core.usage.log import new_request_id
from clawcli.proxy.guard import Guard, GuardRefusal, cors_headers
from clawcli.proxy.headers import SCOPE_REQUEST_ID, with_request_id
from clawcli.proxy.responses import error_body, send_error
from clawcli.proxy.state import ProxyState

CHAT_PATHS = frozenset(("/v1/chat/completions", "/chat/completions"))


class ProxyApp:
    def __init__(self, state: ProxyState, guard: Guard | None = None) -> None:
        from starlette.applications import Starlette

        from clawcli.proxy.routes import json_response, make_routes

        self.state = state
        self.chat = ChatHandler(state)
        self.guard = guard if guard is not None else Guard()
        self._token = state.token.encode() if state.token else None

        async def not_found(request: Any, exc: Any) -> Any:
            return json_response(error_body(f"no route for {request.url.path}", "invalid_request_error",
                                            "not_found"), 404)

        async def not_allowed(request: Any, exc: Any) -> Any:
            return json_response(error_body(f"{request.method} is not allowed on {request.url.path}",
                                            "invalid_request_error", "method_not_allowed"), 405)

        @contextlib.asynccontextmanager
        async def lifespan(app: Any):
            await state.start()
            _tune_gc()
            try:
                yield
            finally:
                await state.close()

        self.starlette = Starlette(routes=make_routes(state), lifespan=lifespan,
                                   exception_handlers={404: not_found, 405: not_allowed})

    def _authorized(self, scope: dict[str, Any]) -> bool:
        for k, v in scope["headers"]:
            if k == b"authorization":
                scheme, _, cred = v.partition(b" ")
                return scheme.lower() == b"bearer" and hmac.compare_digest(cred.strip(), self._token)
        return False

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            # every response carries x-request-id (the chat handler's is the usage log's requestId)
            scope[SCOPE_REQUEST_ID] = rid = new_request_id()
            send = with_request_id(send, scope, rid)
            try:
                cors_origin = self.guard.check(scope)
            except GuardRefusal as exc:
                await self.guard.refuse(send, exc)
                return
            if cors_origin is not None:  # a page the user allowed with --allow-origin
                extra = cors_headers(cors_origin, scope)
                if scope["method"] == "OPTIONS":
                    await send({"type": "http.response.start", "status": 204, "headers": extra})
                    await send({"type": "http.response.body", "body": b""})
                    return
                send = _with_headers(send, extra)
            if self._token is not None and not self._authorized(scope):
                await send_error(send, 401, "missing or wrong bearer token (Authorization: Bearer <token>)",
                                 "authentication_error", "invalid_api_key", [(b"www-authenticate", b"Bearer")])
                return
            if scope["path"] in CHAT_PATHS:
                if scope["method"] == "POST":
                    await self.chat(scope, receive, send)
                else:
                    await send_error(send, 405, "use POST for chat completions", "invalid_request_error",
                                     "method_not_allowed", [(b"allow", b"POST")])
                return
        await self.starlette(scope, receive, send)


def _with_headers(send: Any, extra: list[tuple[bytes, bytes]]) -> Any:
    async def wrapped(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", ()), *extra]}
        await send(message)

    return wrapped


def _tune_gc() -> None:
    """Fewer, cheaper collections on the hot path: everything loaded at startup (catalog,
    router tables, libraries) is frozen out of the collector's scans, and the young
    generation is collected less often (per-request garbage is freed by refcounting anyway)."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 50)


def create_app(state: ProxyState, guard: Guard | None = None) -> ProxyApp:
    """``guard``: the browser-proofing policy (default: loopback Hosts and Origins only)."""
    return ProxyApp(state, guard)
