"""The engine's HTTP seam: POST a chat request to the gateway, read the answer or its events.

The engine sees only :class:`GatewayClient` / :class:`GatewayResponse` and the three transport
errors below, never a library's own types, so the same chain walk runs over

* :class:`HttpxGatewayClient` — httpx (``claw ask``'s one-shot calls; unit tests pass an
  ``httpx.MockTransport``), and
* ``clawcli.proxy.transport.AiohttpGatewayClient`` — one aiohttp session per process, the
  proxy's hot path.

A client owns its connection pool; ``aclose()`` releases it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol

from clawcli import __version__

USER_AGENT = f"clawcli/{__version__}"


class GatewayTransportError(Exception):
    """The request or its answer failed below HTTP. ``str()`` is the library's own message."""


class GatewayConnectError(GatewayTransportError):
    """No connection could be made: the gateway itself is down (the chain walk stops)."""


class GatewayTimeout(GatewayTransportError):
    """A connect/read/write/pool timeout; ``kind`` names which (``ReadTimeout``...)."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


class GatewayConnectionLost(GatewayTransportError):
    """An open connection broke (closed by the server, cut, or a body that cannot be decoded)."""


class GatewayResponse(Protocol):
    status: int
    headers: Mapping[str, str]  # case-insensitive lookups

    async def read(self) -> bytes:
        """The whole body (once); transport errors are raised as GatewayTransportError."""

    def events(self) -> AsyncIterator[str]:
        """The ``data`` field of each server-sent event, as it arrives (one iterator per response)."""

    async def close(self) -> None:
        """Release the connection (idempotent)."""


class GatewayClient(Protocol):
    async def post(self, body: bytes, headers: Mapping[str, str]) -> GatewayResponse:
        """POST ``body`` to the chat-completions URL; returns once the status and headers arrived."""

    async def aclose(self) -> None: ...


def _message(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


class HttpxGatewayClient:
    """The seam over one keep-alive ``httpx.AsyncClient`` (``transport`` None: httpx's own)."""

    def __init__(self, url: str, *, transport: Any = None, connect: float = 10.0, idle: float = 60.0) -> None:
        import httpx

        self._httpx = httpx
        self._url = httpx.URL(url)  # parsed once, not per request
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(connect=connect, read=idle, write=idle, pool=connect),
            limits=httpx.Limits(max_connections=256, max_keepalive_connections=64, keepalive_expiry=60),
            headers={"user-agent": USER_AGENT},
        )

    async def post(self, body: bytes, headers: Mapping[str, str]) -> _HttpxResponse:
        req = self._client.build_request("POST", self._url, content=body, headers=headers)
        with _mapped_errors(self._httpx):
            resp = await self._client.send(req, stream=True)
        return _HttpxResponse(resp, self._httpx)

    async def aclose(self) -> None:
        await self._client.aclose()


class _mapped_errors:
    """httpx's exceptions as the seam's (a context manager: cheaper than contextlib's)."""

    __slots__ = ("_httpx",)

    def __init__(self, httpx: Any) -> None:
        self._httpx = httpx

    def __enter__(self) -> None:
        return None

    def __exit__(self, etype: object, exc: BaseException | None, tb: object) -> bool:
        if exc is None:
            return False
        h = self._httpx
        if isinstance(exc, h.ConnectError | h.ConnectTimeout):
            raise GatewayConnectError(_message(exc)) from exc
        if isinstance(exc, h.TimeoutException):
            raise GatewayTimeout(_message(exc), type(exc).__name__) from exc
        if isinstance(exc, h.TransportError | h.DecodingError):
            raise GatewayConnectionLost(_message(exc)) from exc
        return False


class _HttpxResponse:
    __slots__ = ("_events", "_httpx", "_resp", "headers", "status")

    def __init__(self, resp: Any, httpx: Any) -> None:
        self._resp = resp
        self._httpx = httpx
        self._events: AsyncIterator[str] | None = None
        self.status: int = resp.status_code
        self.headers = resp.headers

    async def read(self) -> bytes:
        with _mapped_errors(self._httpx):
            return await self._resp.aread()

    def events(self) -> AsyncIterator[str]:
        if self._events is None:
            self._events = self._iter_events()
        return self._events

    async def _iter_events(self) -> AsyncIterator[str]:
        from httpx_sse import EventSource

        with _mapped_errors(self._httpx):
            async for sse in EventSource(self._resp).aiter_sse():
                yield sse.data

    async def close(self) -> None:
        await self._resp.aclose()
        if self._events is not None:
            await self._events.aclose()  # type: ignore[attr-defined]
