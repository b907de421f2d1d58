"""The ``x-clawrouter-*`` response headers and the matching SSE debug comment.

Header values must be ASCII (HTTP/1.1 field values are Latin-1 at best, and the router's
reasons can quote CJK keywords). Anything outside printable ASCII is percent-encoded
(UTF-8), so the information survives and nothing breaks: the predecessor crashed with a 502
*after* paying when a Chinese keyword reached a header.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

_SAFE = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) != "%")
MAX_REASONING = 400


def ascii_safe(value: Any, limit: int = MAX_REASONING) -> str:
    s = str(value)
    if not (s.isascii() and s.isprintable()):
        s = quote(s, safe=_SAFE)  # percent-encoded UTF-8 ("%" itself encoded, so it decodes back)
    return s[:limit]


def debug_enabled(raw_header: bytes | None) -> bool:
    """Routing info is on unless the request says ``x-clawrouter-debug: false`` (or 0/off/no)."""
    if raw_header is None:
        return True
    return raw_header.strip().lower() not in (b"false", b"0", b"off", b"no")


def reasoning_text(decision: Any) -> str:
    """A short, human-readable why: score, the dimensions that fired (with matched terms), notes."""
    parts = [f"score={decision.score:.2f}"]
    # the five strongest signals that fired, the strongest first (ties in the router's order);
    # on every answer, so each contribution is computed once and only the fired ones are sorted
    strongest = []
    for i, d in enumerate(getattr(decision, "dimensions", ()) or ()):
        c = abs(d.contribution)
        if c >= 1e-9:
            strongest.append((-c, i, d))
    strongest.sort()
    fired = []
    for _c, _i, d in strongest[:5]:
        label = d.name
        if d.matched:
            label += "[" + ",".join(d.matched[:3]) + "]"
        fired.append(label)
    if fired:
        parts.append(" ".join(fired))
    parts.extend(getattr(decision, "reasons", ()) or ())
    return " | ".join(parts)


def decision_headers(decision: Any, *, model: str | None = None, cost: float | None = None,
                     savings: float | None = None, reasoning: bytes | None = None) -> list[tuple[bytes, bytes]]:
    """Header pairs for one answer. ``model``/``cost``/``savings`` override the routed estimate
    once the engine knows who answered and what it cost. ``reasoning``: the encoded
    ``x-clawrouter-reasoning`` of the same decision when the caller has it already (a stream
    shows the decision up to three times)."""
    # names pre-encoded; the numbers are formatted as ASCII already (built once per answer, but
    # on every answer: ~2x cheaper than encoding and checking all eight values)
    return [
        (b"x-clawrouter-profile", ascii_safe(decision.profile).encode()),
        (b"x-clawrouter-tier", ascii_safe(decision.tier).encode()),
        (b"x-clawrouter-model", ascii_safe(model or decision.model).encode()),
        (b"x-clawrouter-confidence", b"%.2f" % decision.confidence),
        (b"x-clawrouter-reasoning", reasoning or ascii_safe(reasoning_text(decision)).encode()),
        (b"x-clawrouter-agentic-score", b"%.2f" % getattr(decision, "agentic_score", 0.0)),
        (b"x-clawrouter-cost", b"%.6f" % ((decision.estimated_cost if cost is None else cost) or 0.0)),
        (b"x-clawrouter-savings", b"%d%%" % round(100 * (decision.savings if savings is None else savings))),
    ]


def debug_comment(decision: Any, *, model: str | None = None, cost: float | None = None,
                  savings: float | None = None, headers: list[tuple[bytes, bytes]] | None = None,
                  reasoning: bytes | None = None) -> bytes:
    """``: x-clawrouter-debug k=v ...`` as one SSE comment line (ASCII, no newlines); ``headers``:
    the decision_headers() already built for the same figures."""
    if headers is None:
        headers = decision_headers(decision, model=model, cost=cost, savings=savings, reasoning=reasoning)
    fields = b" ".join([k[13:] + b"=" + v for k, v in headers])  # "x-clawrouter-" dropped; ASCII throughout
    return b": x-clawrouter-debug " + fields.replace(b"\n", b" ") + b"\n\n"


#: ASGI scope keys the proxy sets for one request
SCOPE_REQUEST_ID = "clawcli.request_id"  # the id in x-request-id (and the usage log when it answers)
SCOPE_STATUS = "clawcli.status"  # the HTTP status sent, once the response started
SCOPE_LOGGED = "clawcli.logged"  # the request reached the engine (its usage record is its log line)


def with_request_id(send: Any, scope: dict[str, Any], request_id: str) -> Any:
    """``send`` that adds ``x-request-id`` to a response that does not carry one yet (the chat
    handler sets its flight's id itself) and remembers the status for the request log.

    A plain function returning ``send``'s awaitable (``await wrapped(msg)`` works the same): no
    coroutine of its own on each of the two sends of every response."""
    rid = request_id.encode()

    def wrapped(message: dict[str, Any]) -> Any:
        if message["type"] == "http.response.start":
            scope[SCOPE_STATUS] = message["status"]
            headers = message.get("headers") or []
            for k, _ in headers:
                if k == b"x-request-id":
                    break
            else:
                message = {**message, "headers": [*headers, (b"x-request-id", rid)]}
        return send(message)

    return wrapped


def reasoning_of(headers: list[tuple[bytes, bytes]]) -> bytes | None:
    """The encoded reasoning value inside decision_headers() output (None if absent)."""
    for k, v in headers:
        if k == b"x-clawrouter-reasoning":
            return v
    return None


def request_id_header(flight: Any) -> list[tuple[bytes, bytes]]:
    """``x-request-id`` of a flight's answer: the id its usage record has (joined requests too)."""
    rid = getattr(flight, "request_id", None)
    return [(b"x-request-id", rid.encode())] if rid else []
