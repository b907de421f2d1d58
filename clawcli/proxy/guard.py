"""Who may talk to `claw serve`: the browser-proofing checks run on every request, before auth.

A web page the user visits can send requests to 127.0.0.1 without any permission: "simple"
requests (``text/plain``, forms, ``no-cors`` fetches) go out without a CORS preflight, and a
DNS-rebound page (``attacker.com`` re-resolved to 127.0.0.1) even reads the answers. Neither
kind looks like an API client, so the proxy refuses what only a browser would send:

- ``Host`` must name this machine's loopback (``localhost``, ``127.x.x.x``, ``[::1]``), the
  address the proxy is bound to, or a name the user allowed (``--allow-host``) -> else 421.
  Only the name is compared, not the port: ``ssh -L 9000:localhost:8402`` and container port
  maps change the port, and a rebinding page can only ever send its *own* name.
- ``Origin`` (sent by browsers, never by SDKs or curl) must be a loopback origin or one the
  user allowed (``--allow-origin``); ``Sec-Fetch-Site: cross-site`` is refused too -> 403.
- ``POST`` needs ``Content-Type: application/json`` -> else 415. A browser cannot send that
  content type cross-origin without a preflight, and preflights are refused:
- ``OPTIONS`` (CORS and Private-Network-Access preflights) -> 403, unless the origin is in
  ``--allow-origin``; then it is answered and the real request gets CORS headers.
- The request's headers are bounded: 32 KB in all, ``x-session-id`` 256 bytes -> else 431.
- ``Host``, ``Origin`` and ``Content-Type`` sent twice -> 400 (which one counts would be ambiguous).

Every refusal is an OpenAI-shaped JSON error, so an SDK shows its message verbatim.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from clawcli.proxy.responses import send_error

MAX_HEADER_BYTES = 32 * 1024
MAX_SESSION_ID_BYTES = 256
LOOPBACK_NAMES = frozenset(("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"))
_LOOPBACK_CACHE_SIZE = 64
_SINGLE = {b"host": 0, b"origin": 1, b"content-type": 2}  # headers that must not repeat (index in check())


class GuardRefusal(Exception):
    """One refusal: HTTP status, OpenAI error code, message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def split_host(value: str) -> tuple[str, str | None]:
    """``"[::1]:8402"`` -> ``("::1", "8402")``; ``"Example.COM"`` -> ``("example.com", None)``."""
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return value, None
        rest = value[end + 1:]
        return value[1:end], (rest[1:] if rest.startswith(":") else None)
    name, sep, port = value.rpartition(":")
    if sep and ":" not in name:  # one colon: name:port; several: a bare IPv6 literal
        return name, port
    return value, None


def is_loopback_name(name: str) -> bool:
    name = name.rstrip(".")
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):  # *.localhost never leaves the machine (RFC 6761)
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _origin_host(origin: str) -> str | None:
    """The host name of an ``Origin`` value (``scheme://host[:port]``), or None if it has none."""
    scheme, sep, rest = origin.partition("://")
    if not sep or scheme not in ("http", "https") or not rest:
        return None
    return split_host(rest)[0]


def normalise_origin(origin: str) -> str:
    return origin.strip().rstrip("/").lower()


def check_allowed_origin(value: str) -> str | None:
    """Why an ``--allow-origin`` value can never equal a browser's ``Origin``, or None if it can.
    Browsers send exactly ``scheme://host[:port]``: a bare name, a path or ``*`` would be accepted
    and silently match nothing (or, for ``*``, everything)."""
    from urllib.parse import urlsplit

    norm = normalise_origin(value)
    if norm == "*":
        return "'*' would let every web page spend from the wallet; list each origin you trust"
    try:
        parts = urlsplit(norm)
        port = parts.port  # raises ValueError on a port outside 0-65535 or not a number
    except ValueError:
        return "it is not a valid origin"
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "an origin starts with http:// or https:// and names a host"
    if any(ch.isspace() for ch in norm):
        return "an origin has no spaces"
    if parts.path or parts.query or parts.fragment or "?" in norm or "#" in norm:
        return "an origin has no path, query or fragment"
    if parts.username is not None or not parts.hostname or port == 0:
        return "an origin is scheme://host[:port] (no user name, a host, a port from 1 to 65535)"
    return None


@dataclass
class Guard:
    """The checks, configured once per server. ``allow_hosts``: extra Host names (``"*"`` turns the
    Host check off, for a reverse proxy that sets its own); ``allow_origins``: exact origins
    (``https://app.example``) that may call the proxy from a browser, with CORS."""

    allow_hosts: Iterable[str] = ()
    allow_origins: Iterable[str] = ()
    hosts: frozenset[str] = field(init=False)
    any_host: bool = field(init=False)
    origins: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        names = {split_host(h)[0] for h in self.allow_hosts if h.strip()}
        self.any_host = "*" in names
        self.hosts = frozenset(names - {"*"})
        self.origins = frozenset(normalise_origin(o) for o in self.allow_origins if o.strip())
        self._host_ok: dict[bytes, bool] = {}

    # the individual decisions ---------------------------------------------------------------
    def host_allowed(self, raw: bytes | None, server: Any) -> bool:
        if raw is None:  # HTTP/1.0 without Host: not a browser (browsers always send one)
            return True
        if self.any_host:
            return True
        cached = self._host_ok.get(raw)
        if cached is not None:
            return cached
        name = split_host(raw.decode("latin-1"))[0].rstrip(".")
        ok = is_loopback_name(name) or name in self.hosts or self._is_bound_address(name, server)
        if len(self._host_ok) < _LOOPBACK_CACHE_SIZE:  # bounded: an attacker can send any number of names
            self._host_ok[raw] = ok
        return ok

    @staticmethod
    def _is_bound_address(name: str, server: Any) -> bool:
        """An IP-literal Host equal to the address the request arrived on (a LAN bind with --token).
        An IP literal cannot be rebound: the browser's origin is then that address itself."""
        if not server or not server[0]:
            return False
        try:
            return ipaddress.ip_address(name) == ipaddress.ip_address(server[0])
        except ValueError:
            return False

    def origin_allowed(self, origin: str) -> bool:
        norm = normalise_origin(origin)
        if norm in self.origins:
            return True
        host = _origin_host(norm)
        return host is not None and is_loopback_name(host)

    # the whole check ---------------------------------------------------------------------------
    def check(self, scope: dict[str, Any]) -> str | None:
        """Raise GuardRefusal, or return the request's allowed non-loopback Origin (CORS headers
        go on its answer) or None."""
        host = origin = fetch_site = ctype = None
        size = 0
        for k, v in scope["headers"]:
            size += len(k) + len(v)
            if k in _SINGLE and (host, origin, ctype)[_SINGLE[k]] is not None:
                # two values: the checks below would see one, the app or a proxy in front the other
                raise GuardRefusal(400, "duplicate_header", f"the {k.decode()} header is sent twice; send it once")
            if k == b"host":
                host = v
            elif k == b"origin":
                origin = v
            elif k == b"sec-fetch-site":
                fetch_site = v
            elif k == b"content-type":
                ctype = v
            elif k == b"x-session-id" and len(v) > MAX_SESSION_ID_BYTES:
                raise GuardRefusal(431, "session_id_too_long",
                                   f"x-session-id is {len(v)} bytes; at most {MAX_SESSION_ID_BYTES} are accepted")
        if size > MAX_HEADER_BYTES:
            raise GuardRefusal(431, "headers_too_large",
                               f"request headers are {size} bytes; at most {MAX_HEADER_BYTES} are accepted")
        if not self.host_allowed(host, scope.get("server")):
            shown = host.decode("latin-1")[:100] if host else ""
            raise GuardRefusal(421, "host_not_allowed",
                               f"Host '{shown}' is not this proxy (DNS rebinding?): claw serve answers "
                               "requests for localhost/127.0.0.1 only; start it with --allow-host NAME to add a name")
        o = origin.decode("latin-1") if origin is not None else None
        cors_origin = o if o is not None and normalise_origin(o) in self.origins else None
        method = scope["method"]
        if method == "OPTIONS" and cors_origin is None:
            raise GuardRefusal(403, "preflight_refused",
                               "CORS preflight refused: claw serve does not answer web pages "
                               "(start it with --allow-origin ORIGIN to allow one you trust)")
        if o is not None and cors_origin is None and not self.origin_allowed(o):
            raise GuardRefusal(403, "origin_not_allowed",
                               f"requests from web pages are refused (Origin '{o[:100]}'); "
                               "start claw serve with --allow-origin ORIGIN to allow a page you trust")
        if cors_origin is None and fetch_site is not None and fetch_site.strip().lower() == b"cross-site":
            raise GuardRefusal(403, "cross_site_request", "cross-site requests from web pages are refused "
                               "(Sec-Fetch-Site: cross-site); start claw serve with --allow-origin ORIGIN to allow one")
        if method == "POST" and not _is_json(ctype):
            shown = ctype.decode("latin-1")[:100] if ctype else "none"
            raise GuardRefusal(415, "unsupported_media_type",
                               f"POST bodies must be sent with Content-Type: application/json (got {shown})")
        return cors_origin

    async def refuse(self, send: Any, exc: GuardRefusal) -> None:
        await send_error(send, exc.status, exc.message, "invalid_request_error", exc.code,
                         [(b"connection", b"close")] if exc.status in (421, 431) else None)


def _is_json(ctype: bytes | None) -> bool:
    if not ctype:
        return False
    media = ctype.split(b";", 1)[0].strip().lower()
    return media == b"application/json"


def cors_headers(origin: str, scope: dict[str, Any]) -> list[tuple[bytes, bytes]]:
    """Headers for an allowed origin: on the preflight answer and on the real response."""
    out = [(b"access-control-allow-origin", origin.encode("latin-1")), (b"vary", b"Origin")]
    if scope["method"] == "OPTIONS":
        requested = b"authorization, content-type"
        pna = False
        for k, v in scope["headers"]:
            if k == b"access-control-request-headers":
                requested = v
            elif k == b"access-control-request-private-network":
                pna = v.strip().lower() == b"true"
        out += [(b"access-control-allow-methods", b"GET, POST, OPTIONS"),
                (b"access-control-allow-headers", requested), (b"access-control-max-age", b"600")]
        if pna:
            out.append((b"access-control-allow-private-network", b"true"))
    return out
