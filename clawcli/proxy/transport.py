"""The proxy's gateway client: the engine's HTTP seam (``core/upstream/gateway_client.py``)
over one ``aiohttp.ClientSession`` per process.

Why not httpx here: one upstream round trip through httpx (even over aiohttp's transport) costs
~550 µs of CPU against ~240 µs through aiohttp directly, and the proxy makes one per request.
``claw ask`` and the unit tests keep the httpx client of the same seam.

The session is created on first use inside the running loop (aiohttp binds it to the loop),
keeps connections alive (``keepalive``), and skips what a gateway client never needs: no
cookie jar, no redirects, no per-request ``ClientTimeout`` objects.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

import aiohttp
from multidict import CIMultiDict
from yarl import URL

from clawcli.core.upstream.gateway_client import (
    USER_AGENT,
    GatewayConnectError,
    GatewayConnectionLost,
    GatewayTimeout,
    GatewayTransportError,
)

#: a complete JSON answer up to this size is read with the headers (one await, not two layers)
_PREREAD_MAX = 1 << 20


class AiohttpGatewayClient:
    def __init__(self, url: str, *, connect: float = 10.0, idle: float = 60.0, max_connections: int = 256,
                 keepalive: float = 60.0) -> None:
        self._url = URL(url, encoded=True)  # parsed once
        self._timeout = aiohttp.ClientTimeout(total=None, sock_connect=connect, sock_read=idle)
        self._max_connections = max_connections
        self._keepalive = keepalive
        self._session: aiohttp.ClientSession | None = None

    def _new_session(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(limit=self._max_connections, limit_per_host=0,
                                         keepalive_timeout=self._keepalive, ttl_dns_cache=300)
        return aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar(),
                                     timeout=self._timeout, headers={"user-agent": USER_AGENT})

    @staticmethod
    def prepare_headers(headers: Mapping[str, str]) -> CIMultiDict[str]:
        """``headers`` as aiohttp keeps them: the engine prepares its fixed header sets once, and
        aiohttp copies a CIMultiDict as it is instead of converting a dict per request."""
        return CIMultiDict(headers)

    async def post(self, body: bytes, headers: Mapping[str, str]) -> AiohttpResponse:
        session = self._session
        if session is None:
            session = self._session = self._new_session()
        try:
            # the coroutine under session.request(): without the context-manager wrapper, whose
            # extra generator layer every suspension of the request passed through (~10k
            # instructions a request); it has had this signature throughout aiohttp 3.x
            resp = await session._request("POST", self._url, data=body, headers=headers, allow_redirects=False)
            if (resp.content_length is not None and resp.content_length <= _PREREAD_MAX
                    and "event-stream" not in resp.headers.get("content-type", "")):
                await resp.read()  # kept on the response; the connection goes back to the pool at EOF
        except aiohttp.ClientError as exc:
            raise _mapped(exc) from exc
        return AiohttpResponse(resp)

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()


class AiohttpResponse:
    __slots__ = ("_events", "_resp", "headers", "status")

    def __init__(self, resp: aiohttp.ClientResponse) -> None:
        self._resp = resp
        self._events: AsyncIterator[str] | None = None
        self.status = resp.status
        self.headers = resp.headers  # CIMultiDictProxy: case-insensitive

    async def read(self) -> bytes:
        try:
            return await self._resp.read()
        except aiohttp.ClientError as exc:
            raise _mapped(exc) from exc

    def events(self) -> AsyncIterator[str]:
        if self._events is None:
            self._events = _sse_data(self._resp)
        return self._events

    async def close(self) -> None:
        if self._events is not None:
            await self._events.aclose()  # type: ignore[attr-defined]
        self._resp.release()  # back to the pool if the body was read, else the connection is closed


async def _sse_data(resp: aiohttp.ClientResponse) -> AsyncIterator[str]:
    """The ``data`` of each server-sent event (WHATWG rules for the one field the engine reads:
    ``data:`` lines joined by newlines, dispatched on a blank line; comments and other fields
    skipped; CRLF, CR and LF line ends). Hand-written because httpx-sse only decodes httpx
    responses, and it reads whatever bytes arrived at once instead of a line at a time (aiohttp's
    readline costs more than the rest of the relay on a streamed answer)."""
    buf = b""
    try:
        async for piece in resp.content.iter_any():
            buf += piece
            if b"\r" in buf:  # a CR at the very end may be half of a CRLF: keep it for the next piece
                keep = buf.endswith(b"\r")
                buf = buf.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
                if keep:
                    buf = buf[:-1] + b"\r"
            if b"\n\n" not in buf:
                continue
            # every complete event at once (one split, not a find and two copies per event); the
            # last part is the unfinished rest
            blocks = buf.split(b"\n\n")
            buf = blocks.pop()
            for block in blocks:
                if block.startswith(b"data: ") and b"\n" not in block:  # the usual event, inline
                    yield block[6:].decode("utf-8", "replace")
                    continue
                data = _event_data(block)
                if data is not None:
                    yield data
        data = _event_data(buf.rstrip(b"\r\n"))  # a stream that ended without the final blank line
        if data is not None:
            yield data
    except aiohttp.ClientError as exc:
        raise _mapped(exc) from exc


def _event_data(block: bytes) -> str | None:
    if not block:
        return None
    if block.startswith(b"data:") and b"\n" not in block:  # the usual one-line event
        value = block[5:]
        return (value[1:] if value.startswith(b" ") else value).decode("utf-8", "replace")
    lines = [ln[5:] for ln in block.split(b"\n") if ln.startswith(b"data:")]
    if not lines:
        return None
    return b"\n".join(ln[1:] if ln.startswith(b" ") else ln for ln in lines).decode("utf-8", "replace")


def _mapped(exc: aiohttp.ClientError) -> GatewayTransportError:
    """aiohttp's exceptions as the seam's."""
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return GatewayConnectError(_message(exc))
    if isinstance(exc, aiohttp.SocketTimeoutError):
        return GatewayTimeout(_message(exc), "ReadTimeout")
    if isinstance(exc, aiohttp.ServerTimeoutError):
        return GatewayTimeout(_message(exc), type(exc).__name__)
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        # a server closing an open connection is one model's dropped connection (fall back),
        # not a gateway that is down
        return GatewayConnectionLost(f"server disconnected: {_message(exc)}")
    if isinstance(exc, aiohttp.ClientConnectorError):
        return GatewayConnectError(_message(exc))
    return GatewayConnectionLost(_message(exc))


def _message(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def make_gateway_client(url: str, kind: str | None = None, *, connect: float = 10.0, idle: float = 60.0) -> Any:
    """The engine's client on the proxy path. ``kind`` (env ``CLAWCLI_PROXY_TRANSPORT``, for
    benchmarking): ``aiohttp`` (default) or ``httpx`` (the seam's httpx client, httpx's own I/O)."""
    if (kind or "aiohttp").strip().lower() == "httpx":
        from clawcli.core.upstream.gateway_client import HttpxGatewayClient

        return HttpxGatewayClient(url, connect=connect, idle=idle)
    return AiohttpGatewayClient(url, connect=connect, idle=idle)
