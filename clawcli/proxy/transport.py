"""A lean httpx transport over aiohttp for the proxy's hot path.

``httpx_aiohttp.AiohttpTransport`` hands aiohttp the ``httpx.Headers`` object itself; aiohttp
then builds its multidict through httpx's per-item encoding detection, which costs more than
the whole aiohttp round trip on loopback (~130 µs of ~90). This subclass passes the raw
header pairs and reuses one ``ClientTimeout`` per distinct timeout, and is otherwise the same
transport (exception mapping, streaming response body, keep-alive pool), except that a small
non-streaming answer with a known length is read in the transport in one call.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
from aiohttp import ClientTimeout
from httpx_aiohttp import AiohttpTransport
from httpx_aiohttp.transport import AiohttpResponseStream
from httpx_aiohttp.transport import map_aiohttp_exceptions as _library_map

_EXT = {"http_version": b"HTTP/1.1"}


@contextlib.contextmanager
def map_aiohttp_exceptions() -> Iterator[None]:
    """The library's mapping, except that a server closing an open connection is a lost
    connection (httpx.RemoteProtocolError, as plain httpx reports it), not a ConnectTimeout:
    the engine reads connect errors as "the gateway is down" and stops walking the chain,
    while one model's dropped connection must fall back to the next model."""
    from aiohttp import ServerDisconnectedError

    try:
        with _library_map():
            yield
    except httpx.ConnectTimeout as exc:
        if isinstance(exc.__cause__, ServerDisconnectedError):
            raise httpx.RemoteProtocolError(f"server disconnected: {exc}") from exc.__cause__
        raise


class _ResponseStream(AiohttpResponseStream):
    async def __aiter__(self) -> AsyncIterator[bytes]:
        with map_aiohttp_exceptions():
            async for chunk in self._aiohttp_response.content.iter_chunked(self.CHUNK_SIZE):
                yield chunk
_PREREAD_MAX = 1 << 20


class FastAiohttpTransport(AiohttpTransport):
    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self._timeouts: dict[tuple, ClientTimeout] = {}
        self._urls: dict[str, Any] = {}

    def get_client(self) -> Any:
        """The library's session, minus aiohttp's own cookie jar (httpx keeps the cookies)."""
        if self.client is not None:
            return super().get_client()
        import aiohttp

        connector = aiohttp.TCPConnector(
            keepalive_timeout=self.limits.keepalive_expiry, ssl=self.ssl_context,
            limit=self.limits.max_connections or 0,
            local_addr=(self.local_address, 0) if self.local_address else None)
        return aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar(),
                                     auto_decompress=False)

    def _url(self, url: httpx.URL) -> Any:
        """yarl.URL objects per distinct URL (the engine posts to one URL all day)."""
        key = str(url)
        u = self._urls.get(key)
        if u is None:
            from yarl import URL

            if len(self._urls) > 64:
                self._urls.clear()
            u = self._urls[key] = URL(key, encoded=True)
        return u

    def _timeout(self, t: dict[str, Any]) -> ClientTimeout:
        key = (t.get("connect"), t.get("read"), t.get("pool"))
        ct = self._timeouts.get(key)
        if ct is None:
            ct = self._timeouts[key] = ClientTimeout(sock_connect=key[0], sock_read=key[1], connect=key[2])
        return ct

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.proxy is not None:  # the rare configuration: keep the library's full path
            return await super().handle_async_request(request)
        from aiohttp import ClientSession

        if not isinstance(self.client, ClientSession):
            self.client = self.get_client()
        try:
            data: Any = request.content or None
        except httpx.RequestNotRead:
            data = request.stream
            request.headers.pop("transfer-encoding", None)  # aiohttp frames the body itself
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
        with map_aiohttp_exceptions():
            response = await self.client.request(
                method=request.method,
                url=self._url(request.url),
                headers=headers,
                data=data,
                allow_redirects=False,
                auto_decompress=False,
                compress=False,
                timeout=self._timeout(request.extensions.get("timeout", {})),
                server_hostname=request.extensions.get("sni_hostname"),
            ).__aenter__()
        ext = dict(_EXT)
        if response.reason:
            ext["reason_phrase"] = response.reason.encode()
        length = response.content_length
        if length is not None and length <= _PREREAD_MAX and "event-stream" not in response.content_type:
            # a small, complete JSON answer: read it here in one go instead of through two
            # layers of async byte iterators (httpx's aread() then returns it at once)
            with map_aiohttp_exceptions():
                try:
                    body = await response.read()
                finally:
                    response.release()
            return httpx.Response(status_code=response.status, headers=response.raw_headers,
                                  stream=httpx.ByteStream(body), request=request, extensions=ext)
        return httpx.Response(status_code=response.status, headers=response.raw_headers,
                              stream=_ResponseStream(response), request=request, extensions=ext)
