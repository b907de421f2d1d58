"""Run the proxy: bind (one clear error when the port is taken), serve, shut down gracefully.

Resource bounds (issue 13): a client has HEAD_TIMEOUT seconds to send a complete request head
(request line + headers) — slow-header ("slowloris") connections are closed, not kept forever;
then BODY_TIMEOUT seconds for its body (a client that stops mid-body is cut off the same way);
a request head larger than MAX_HEAD_BYTES is answered 431 and the connection closed; beyond
MAX_CONNECTIONS open connections (or half the file-descriptor limit) a new one is closed at
once, so the file descriptors and ``/health`` survive a flood. Idle keep-alive connections
close after KEEP_ALIVE seconds.

SIGINT/SIGTERM: stop accepting, let in-flight requests finish (up to 10 s), close the engine,
return normally (exit 0). uvicorn re-raises the captured signal after a graceful shutdown,
which would turn a clean stop into "killed by SIGTERM"; :class:`_Server` does not.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import socket
import sys
from collections.abc import Callable
from typing import Any

from clawcli.core.errors import ClawError, UsageError

GRACEFUL_SECONDS = 10
FORCED_CLOSE_SECONDS = 5  # closing the app after a second Ctrl-C: flushing logs, not waiting on requests
HEAD_TIMEOUT = 10.0
BODY_TIMEOUT = 60.0  # a full 10 MB body at ~1.5 Mbit/s; loopback clients need milliseconds
MAX_HEAD_BYTES = 64 * 1024  # request line + headers; the app refuses more than 32 KB of headers itself
MAX_CONNECTIONS = 1000
KEEP_ALIVE = 75  # OpenClaw and the SDKs reuse connections between turns
MIN_REMOTE_TOKEN = 16


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> None:
    if is_loopback(host):
        return
    if not token:
        raise UsageError(
            f"binding to {host} exposes your wallet to the network: it requires a token",
            "pass --token-file PATH or set CLAWCLI_TOKEN (clients then send Authorization: Bearer TOKEN), "
            "or bind 127.0.0.1",
        )
    if len(token) < MIN_REMOTE_TOKEN:
        raise UsageError(
            f"the token is {len(token)} characters; binding to {host} needs at least {MIN_REMOTE_TOKEN}",
            "generate one: python -c 'import secrets; print(secrets.token_urlsafe(24))' > token.txt",
        )


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening socket, or one ClawError line when the address is taken or invalid."""
    h = host.strip("[]")
    family = socket.AF_INET6 if ":" in h else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT only, not a live listener
        sock.bind((h, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ClawError(f"port {port} on {h} is already in use",
                            f"is another `claw serve` running? try --port {port + 1} (or CLAWCLI_PORT)") from None
        if exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT) or isinstance(exc, socket.gaierror):
            raise ClawError(f"cannot bind {h}:{port}: {exc.strerror or exc}", "use an address of this machine") from None
        if exc.errno == errno.EACCES:
            raise ClawError(f"no permission to bind port {port}", "use a port above 1023") from None
        raise ClawError(f"cannot listen on {h}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def _server_class() -> Any:
    import uvicorn

    class _Server(uvicorn.Server):
        on_ready: Callable[[], None] | None = None

        @contextlib.contextmanager
        def capture_signals(self):  # type: ignore[override]
            import signal
            import threading

            if threading.current_thread() is not threading.main_thread():
                yield
                return
            sigs = (signal.SIGINT, signal.SIGTERM)
            old = {s: signal.signal(s, self.handle_exit) for s in sigs}
            try:
                yield
            finally:
                for s, h in old.items():
                    signal.signal(s, h)
            # deliberately no re-raise: a requested shutdown that completed is a success

        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets=sockets)
            if self.started and self.on_ready is not None:
                self.on_ready()

        async def shutdown(self, sockets: Any = None) -> None:
            await super().shutdown(sockets=sockets)
            # A second Ctrl-C (force exit) makes uvicorn skip the wait for requests and the app's
            # lifespan shutdown: the usage log, sessions and shared state would go unclosed and the
            # lifespan task be cancelled (a CancelledError traceback). Here force exit only cuts the
            # wait: requests still running are cancelled first, as at the end of the grace period
            # (answered 503 / an error event, recorded as cancelled with any payment in flight),
            # and only then is the app, with its gateway client, closed.
            lifespan = self.lifespan
            if self.force_exit and not lifespan.shutdown_event.is_set():
                running = [t for t in self.server_state.tasks if not t.done()]
                for t in running:
                    t.cancel(msg="claw serve: forced shutdown")
                if running:
                    await asyncio.wait(running, timeout=FORCED_CLOSE_SECONDS)
                await asyncio.sleep(0)  # a cancelled stream's producer records on its next turn
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(lifespan.shutdown(), FORCED_CLOSE_SECONDS)

    return _Server


def bounded_protocol(head_timeout: float = HEAD_TIMEOUT, max_head_bytes: int = MAX_HEAD_BYTES,
                     max_connections: int = MAX_CONNECTIONS, body_timeout: float = BODY_TIMEOUT) -> Any:
    """uvicorn's httptools protocol with the bounds of the module docstring (uvicorn itself has no
    timeout for a request head and no cap on connections).

    The head and body limits (and, on a uvicorn of :data:`KNOWN_UVICORN`, the keep-alive limit)
    share one loop timer per connection: a request only notes its deadline (an attribute: the
    head's when it begins, the body's once the head is complete, none while the app answers, the
    idle time once the answer is out), and the timer checks it, re-armed for what is left but never
    for longer than the shortest limit, so that a deadline noted later is never passed unseen.
    uvicorn's own keep-alive timer (armed after every response and cancelled by the next request)
    and a deadline per phase cost ~5k instructions a request; this costs a few attribute writes,
    and a busy connection's timer fires once per shortest limit (10 s)."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    too_large = b'{"error":{"message":"request head too large","type":"invalid_request_error",' \
                b'"code":"headers_too_large"}}'

    class BoundedHttpToolsProtocol(HttpToolsProtocol):
        _deadline: float | None = None  # loop time the request head (or body) must be complete by
        _idle_since: float | None = None  # loop time the last response completed; None: a request is in
        _check: Any = None  # the connection's timer (the limits above and keep-alive)
        _head_bytes = 0
        _head_too_large = False

        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(self.connections) > max_connections:
                transport.close()  # connection_lost() forgets it
                return
            self._deadline = self.loop.time() + head_timeout
            self._check = self.loop.call_later(head_timeout, self._check_limits)

        def connection_lost(self, exc: Exception | None) -> None:
            if self._check is not None:
                self._check.cancel()
                self._check = None
            super().connection_lost(exc)

        def _check_limits(self) -> None:
            now = self.loop.time()
            deadline, since = self._deadline, self._idle_since
            limit = min(head_timeout, body_timeout, self.timeout_keep_alive)
            left = limit if deadline is None else min(limit, deadline - now)
            if since is not None:
                left = min(left, since + self.timeout_keep_alive - now)
            if left > 0:
                self._check = self.loop.call_later(left, self._check_limits)
                return
            self._check = None  # a head or body too slow, or idle too long (uvicorn's keep-alive)
            if not self.transport.is_closing():
                self.transport.close()

        def on_message_begin(self) -> None:  # the next request on a kept-alive connection
            super().on_message_begin()
            self._head_bytes = 0
            if self._deadline is None:  # a new connection's deadline runs from its start
                self._deadline = self.loop.time() + head_timeout

        def on_url(self, url: bytes) -> None:
            self._count_head(len(url))
            super().on_url(url)

        def on_header(self, name: bytes, value: bytes) -> None:
            self._count_head(len(name) + len(value))
            super().on_header(name, value)

        def _count_head(self, n: int) -> None:
            self._head_bytes += n
            if self._head_bytes > max_head_bytes:
                self._head_too_large = True
                raise ValueError("request head too large")  # stops the parser -> send_400_response

        def on_headers_complete(self) -> None:
            self._deadline = self.loop.time() + body_timeout  # now the body's
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            self._deadline = None  # no limit while the app answers
            super().on_message_complete()

        def send_400_response(self, msg: str) -> None:
            if not self._head_too_large:
                super().send_400_response(msg)
                return
            self.transport.write(b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/json\r\n"
                                 b"content-length: " + str(len(too_large)).encode() + b"\r\nconnection: close\r\n\r\n"
                                 + too_large)
            self.transport.close()

    if not uvicorn_internals_known():
        return BoundedHttpToolsProtocol

    from clawcli.proxy.cycle import install

    class FastBoundedHttpToolsProtocol(BoundedHttpToolsProtocol):
        """The same bounds, and less per request, on uvicorn internals read for the versions of
        :data:`KNOWN_UVICORN`: uvicorn's on_url/on_header with the head size counted inline (per
        header), one socket write per response (:mod:`clawcli.proxy.cycle`), the keep-alive limit
        on the connection's timer instead of uvicorn's loop timer per response."""

        def on_url(self, url: bytes) -> None:
            self._head_bytes += len(url)
            if self._head_bytes > max_head_bytes:
                self._head_too_large = True
                raise ValueError("request head too large")  # stops the parser -> send_400_response
            self.url += url

        def on_header(self, name: bytes, value: bytes) -> None:
            self._head_bytes += len(name) + len(value)
            if self._head_bytes > max_head_bytes:
                self._head_too_large = True
                raise ValueError("request head too large")
            name = name.lower()
            value = value.rstrip(b" \t")  # llhttp keeps trailing whitespace (RFC 9110 5.5 excludes it)
            if name == b"expect" and value.lower() == b"100-continue":
                self.expect_100_continue = True
            self.headers.append((name, value))

        def on_headers_complete(self) -> None:
            previous = self.cycle
            super().on_headers_complete()
            if self.cycle is not previous:  # a new request (not an upgrade): one write per response
                install(self.cycle, self.loop.call_soon)

        def on_response_complete(self) -> None:  # uvicorn's, but for the keep-alive timer
            self.server_state.total_requests += 1
            if self.transport.is_closing():
                return
            self._unset_keepalive_if_required()
            self.flow.resume_reading()
            if self.pipeline:  # a pipelined request waits: start it
                cycle, app = self.pipeline.pop()
                self._start_asgi_task(cycle, app)
                return
            self._idle_since = self.loop.time()  # instead of uvicorn's loop timer: _check_limits looks

        def _unset_keepalive_if_required(self) -> None:  # uvicorn calls it on every data_received
            self._idle_since = None
            if self.timeout_keep_alive_task is not None:  # pragma: no cover - only uvicorn's own code arms it
                super()._unset_keepalive_if_required()

    return FastBoundedHttpToolsProtocol


#: uvicorn versions whose internals (RequestResponseCycle.send, HttpToolsProtocol.on_header and
#: on_response_complete) clawcli.proxy.cycle and bounded_protocol's fast class were written against;
#: with any other uvicorn the bounds still hold on uvicorn's own code (tests/test_server_wire.py
#: compares the bytes on the wire with stock uvicorn: run it before adding a version)
KNOWN_UVICORN = ("0.55.",)


def uvicorn_internals_known(version: str | None = None) -> bool:
    if version is None:
        import uvicorn

        version = uvicorn.__version__
    return version.startswith(KNOWN_UVICORN)


def connection_bound(limit: int = MAX_CONNECTIONS) -> int:
    """MAX_CONNECTIONS, or half the process's file-descriptor limit when that is lower (a 1024
    soft limit is common): the rest stays free for the gateway connections, logs and the ledger."""
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    except (ImportError, OSError, ValueError):  # pragma: no cover - not POSIX
        return limit
    if soft == resource.RLIM_INFINITY or soft <= 0:
        return limit
    return max(16, min(limit, soft // 2))


def uvicorn_config(app: Any, *, log_level: str = "warning", head_timeout: float = HEAD_TIMEOUT,
                   max_connections: int | None = None, body_timeout: float = BODY_TIMEOUT) -> Any:
    import uvicorn

    max_connections = connection_bound() if max_connections is None else max_connections

    try:
        import uvloop  # noqa: F401

        loop = "uvloop"
    except ImportError:  # pragma: no cover
        loop = "asyncio"
    try:
        http: Any = bounded_protocol(head_timeout, MAX_HEAD_BYTES, max_connections, body_timeout)
    except ImportError:  # pragma: no cover - uvicorn[standard] brings httptools; h11 bounds the head size only
        http = "h11"
    return uvicorn.Config(app, loop=loop, http=http, lifespan="on", access_log=False, log_level=log_level,
                          timeout_graceful_shutdown=GRACEFUL_SECONDS, server_header=False,
                          timeout_keep_alive=KEEP_ALIVE, proxy_headers=False,
                          h11_max_incomplete_event_size=MAX_HEAD_BYTES)


def serve(state: Any, host: str, port: int, *, on_ready: Callable[[str, int], None] | None = None,
          log_level: str = "warning", guard: Any = None) -> None:
    """Block serving ``state`` on host:port until SIGINT/SIGTERM; returns after a clean shutdown.
    ``guard``: a :class:`clawcli.proxy.guard.Guard` (default: loopback Hosts and Origins only)."""
    from clawcli.proxy.app import create_app

    check_bind(host, state.token)
    sock = bind_socket(host, port)
    try:
        state.prepare()
    except BaseException:
        sock.close()
        raise
    actual_port = sock.getsockname()[1]
    server = _server_class()(uvicorn_config(create_app(state, guard), log_level=log_level))
    if on_ready is not None:
        server.on_ready = lambda: on_ready(host, actual_port)
    try:
        server.run(sockets=[sock])
    finally:
        with contextlib.suppress(OSError):
            sock.close()
    if not server.started:
        raise ClawError("the proxy failed to start", "rerun with --debug for details")
    if sys.stderr is not None:  # None when started without one (`claw serve 2>&-`)
        with contextlib.suppress(OSError, ValueError):  # a closed or broken stderr: nothing to flush
            sys.stderr.flush()
