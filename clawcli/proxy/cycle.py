"""uvicorn's request/response cycle with one socket write per response instead of two.

uvicorn's ``RequestResponseCycle.send`` writes the status line and headers to the transport when
the app sends ``http.response.start`` and the body when it sends ``http.response.body``: two
``send()`` syscalls on the loopback socket for every answer, the first of them the most
expensive line of the whole proxy under load (a py-spy profile at c=16: ~21% of the serve
process' samples, the body write ~4.5%). The ``send`` of :func:`install` holds the head instead and
writes it together with the first body message; every ASGI app sends that message right after
the start (our ``send_json``, Starlette's ``Response``, the SSE relay's first comment), so a
complete answer leaves in one write. A stream is not delayed: its head, if no body message came
along by the end of the event-loop turn (an app that awaits something between the two
messages), is written then, and every body message after the first is written at once, as
before. A response with a ``content-length`` header waits for its first body message
unconditionally: its app knows the body already (it sent its length), and a client can do
nothing with such a head before the body anyway.

The bytes on the wire are uvicorn's, byte for byte: the same status line, the header lines in
the same order (names lower-cased), the same ``connection: close`` / ``transfer-encoding:
chunked`` additions, the same chunk framing. The header checks refuse the bytes uvicorn's two
regular expressions refuse (each is a single character class: the sets are derived from them),
once over all names and once over all values instead of two searches per header.

:func:`install` gives each new uvicorn cycle this ``send`` (an instance attribute, which
``run_asgi`` hands to the app) in ``server.bounded_protocol``'s ``on_headers_complete``, before
the cycle's task first runs. Not a subclass swapped in with ``__class__``: that turns the
cycle's inline attribute values into a dict and costs more in uvicorn's own attribute reads
(~20k instructions per request) than the write saves. One difference remains, on a path
that is broken anyway: an app that fails (or returns) between the two messages of a
content-length response gets its connection closed with the head still held, so the client
sees no head rather than a head without its body.
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.http.httptools_impl import (
    HEADER_RE,
    HEADER_VALUE_RE,
    STATUS_LINE,
    RequestResponseCycle,
)


#: the bytes uvicorn's two header patterns refuse, derived from them (each is one character class):
#: deleting them with bytes.translate finds what a search finds, for a fraction of the cost
_BAD_NAME = bytes(b for b in range(256) if HEADER_RE.search(bytes((b,))))
_BAD_VALUE = bytes(b for b in range(256) if HEADER_VALUE_RE.search(bytes((b,))))
#: the names uvicorn's send looks at (a tuple: == per item, as uvicorn compares)
_FRAMING = (b"content-length", b"transfer-encoding", b"connection")


def install(cycle: RequestResponseCycle, call_soon: Any) -> None:
    """Give uvicorn's fresh ``cycle`` the coalescing ``send``; ``call_soon``: its loop's."""
    head: bytes | None = None  # the status line and headers, until the first body message

    def flush_head() -> None:
        """End of the loop turn in which the head was built: write it if no body came along."""
        nonlocal head
        if head is not None:
            out, head = head, None
            if not cycle.disconnected and not cycle.transport.is_closing():
                cycle.transport.write(out)

    async def send(message: Any) -> None:
        nonlocal head
        if cycle.flow.write_paused and not cycle.disconnected:
            await cycle.flow.drain()  # pragma: no cover - a client that stopped reading
        if cycle.disconnected:
            return
        if not cycle.response_started:
            if message["type"] != "http.response.start":
                raise RuntimeError(f"Expected ASGI message 'http.response.start', but got '{message['type']}'.")
            if cycle.access_log:  # pragma: no cover - `claw serve` runs without uvicorn's access log
                await RequestResponseCycle.send(cycle, message)
                return
            cycle.response_started = True
            cycle.waiting_for_100_continue = False
            status_code = message["status"]
            headers = cycle.default_headers + list(message.get("headers", []))
            names = b"".join([name for name, _ in headers])
            if len(names.translate(None, _BAD_NAME)) != len(names):
                raise RuntimeError("Invalid HTTP header name.")
            values = b"".join([value for _, value in headers])
            if len(values.translate(None, _BAD_VALUE)) != len(values):
                raise RuntimeError("Invalid HTTP header value.")
            if not names.islower():  # uvicorn lower-cases every name; ours and Starlette's are already
                headers = [(name.lower(), value) for name, value in headers]
            has_connection_close = False
            for name, value in headers:
                if name not in _FRAMING:
                    continue
                if name == b"content-length" and cycle.chunked_encoding is None:
                    cycle.expected_content_length = int(value.decode())
                    cycle.chunked_encoding = False
                elif name == b"transfer-encoding" and value.lower() == b"chunked":
                    cycle.expected_content_length = 0
                    cycle.chunked_encoding = True
                elif name == b"connection":
                    connection = [token.lower().strip() for token in value.split(b",")]
                    if b"close" in connection:
                        cycle.keep_alive = False
                        has_connection_close = True
            head = STATUS_LINE[status_code]
            if headers:
                head += b"\r\n".join([name + b": " + value for name, value in headers]) + b"\r\n"
            if not cycle.keep_alive and not has_connection_close:
                head += b"connection: close\r\n"
            if cycle.chunked_encoding is None and cycle.scope["method"] != "HEAD" and status_code not in (204, 304):
                cycle.chunked_encoding = True
                head += b"transfer-encoding: chunked\r\n"
            head += b"\r\n"
            if cycle.chunked_encoding is not False:  # a stream (or no body): out by the end of this loop turn
                call_soon(flush_head)
            # with a content-length the app has its body already and sends it next: no timer (~10k
            # instructions a response, the cost of a call_soon and the loop turn it takes)
            return

        if cycle.response_complete:
            raise RuntimeError(f"Unexpected ASGI message '{message['type']}' sent, after response already completed.")
        if message["type"] != "http.response.body":
            flush_head()  # what uvicorn had written by now
            raise RuntimeError(f"Expected ASGI message 'http.response.body', but got '{message['type']}'.")
        body = message.get("body", b"")
        more_body = message.get("more_body", False)
        out, head = head, None
        if cycle.scope["method"] == "HEAD":
            cycle.expected_content_length = 0
        elif cycle.chunked_encoding:
            if body:
                chunk = b"%x\r\n%b\r\n" % (len(body), body)
                if not more_body:
                    chunk += b"0\r\n\r\n"
            else:
                chunk = b"" if more_body else b"0\r\n\r\n"
            out = chunk if out is None else out + chunk
        else:
            num_bytes = len(body)
            if num_bytes > cycle.expected_content_length:
                if out is not None:
                    cycle.transport.write(out)
                raise RuntimeError("Response content longer than Content-Length")
            cycle.expected_content_length -= num_bytes
            out = body if out is None else out + body
        if out is not None:
            cycle.transport.write(out)
        if not more_body:
            if cycle.expected_content_length != 0:
                raise RuntimeError("Response content shorter than Content-Length")
            cycle.response_complete = True
            # this closure refers to the cycle and the cycle to it: unhooked, a finished cycle is
            # freed at once, as uvicorn's is, instead of waiting as garbage for the collector (whose
            # passes over thousands of them stalled one request in ~100 for 10-20 ms)
            del cycle.send
            cycle.message_event.set()
            if not cycle.keep_alive:
                cycle.transport.close()
            cycle.on_response()

    cycle.send = send  # type: ignore[method-assign]
