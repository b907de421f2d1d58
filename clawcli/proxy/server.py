"""Run the proxy: bind (one clear error when the port is taken), serve, shut down gracefully.

SIGINT/SIGTERM: stop accepting, let in-flight requests finish (up to 10 s), close the engine,
return normally (exit 0). uvicorn re-raises the captured signal after a graceful shutdown,
which would turn a clean stop into "killed by SIGTERM"; :class:`_Server` does not.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import socket
import sys
from collections.abc import Callable
from typing import Any

from clawcli.core.errors import ClawError, UsageError

GRACEFUL_SECONDS = 10


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> None:
    if not is_loopback(host) and not token:
        raise UsageError(
            f"binding to {host} exposes your wallet to the network: it requires --token",
            "pass --token SECRET (clients then send Authorization: Bearer SECRET), or bind 127.0.0.1",
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

    return _Server


def uvicorn_config(app: Any, *, log_level: str = "warning") -> Any:
    import uvicorn

    try:
        import uvloop  # noqa: F401

        loop = "uvloop"
    except ImportError:  # pragma: no cover
        loop = "asyncio"
    try:
        import httptools  # noqa: F401

        http = "httptools"
    except ImportError:  # pragma: no cover
        http = "h11"
    return uvicorn.Config(app, loop=loop, http=http, lifespan="on", access_log=False, log_level=log_level,
                          timeout_graceful_shutdown=GRACEFUL_SECONDS, server_header=False,
                          timeout_keep_alive=75, proxy_headers=False)


def serve(state: Any, host: str, port: int, *, on_ready: Callable[[str, int], None] | None = None,
          log_level: str = "warning") -> None:
    """Block serving ``state`` on host:port until SIGINT/SIGTERM; returns after a clean shutdown."""
    from clawcli.proxy.app import create_app

    check_bind(host, state.token)
    sock = bind_socket(host, port)
    try:
        state.prepare()
    except BaseException:
        sock.close()
        raise
    actual_port = sock.getsockname()[1]
    server = _server_class()(uvicorn_config(create_app(state), log_level=log_level))
    if on_ready is not None:
        server.on_ready = lambda: on_ready(host, actual_port)
    try:
        server.run(sockets=[sock])
    finally:
        with contextlib.suppress(OSError):
            sock.close()
    if not server.started:
        raise ClawError("the proxy failed to start", "rerun with --debug for details")
    sys.stderr.flush()
