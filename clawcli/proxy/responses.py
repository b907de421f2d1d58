"""OpenAI-shaped JSON bodies and errors, and the ClawError -> HTTP status mapping.

Every error the proxy returns has the OpenAI shape ``{"error": {"message", "type", "code"}}``
so SDK clients surface it verbatim. Bodies are serialised with orjson (the hot path).

Errors are chosen for what a client will do with them (issue 14): the OpenAI SDKs retry 429
and 5xx twice by default unless ``x-should-retry: false``, and one retry of "all attempts
failed" is a whole new walk of the fallback chain, so that header goes on every error a retry
cannot fix; ``retry-after`` goes where waiting helps. Running out of money is a plain 402 with
``type: "insufficient_quota"`` (what OpenClaw and the SDKs recognise as billing, not an outage),
the same type and words inside a stream; a session cost cap that ran out is a 429
``cost_cap_exceeded``.
"""

from __future__ import annotations

from typing import Any

import orjson

from clawcli.core import errors as E

JSON_CT = (b"content-type", b"application/json")


def dumps(obj: Any) -> bytes:
    return orjson.dumps(obj, default=str)


def error_body(message: str, type_: str, code: str | None = None, **extra: Any) -> dict[str, Any]:
    err: dict[str, Any] = {"message": message, "type": type_, "code": code or type_}
    err.update({k: v for k, v in extra.items() if v is not None})
    return {"error": err}


def _message(exc: E.ClawError) -> str:
    return f"{exc.message} ({exc.hint})" if exc.hint else exc.message


def _code(exc: BaseException, default: str) -> str:
    return str(getattr(exc, "code", None) or default)


#: a stream that ended without finish_reason and [DONE] after the answer started reaching the client
TRUNCATED = "upstream_stream_truncated"
BILLING_WORDS = "insufficient balance (payment required)"
FUND_HINT = "fund the wallet: `claw wallet fund` shows the address and what to send (USDC)"
NO_RETRY = [(b"x-should-retry", b"false")]
_RATE_CLASSES = frozenset({"rate_limited", "overloaded"})


def _last_class(exc: BaseException) -> str | None:
    attempts = getattr(exc, "attempts", None) or []
    last = attempts[-1] if attempts else None
    return last.get("errorClass") if isinstance(last, dict) else None


def billing_body(detail: str) -> dict[str, Any]:
    """The insufficient-funds error, the same words and type in a 402 and inside a stream."""
    return error_body(f"{BILLING_WORDS}: {detail}; {FUND_HINT}", "insufficient_quota", "insufficient_quota")


def error_response(exc: BaseException) -> tuple[int, dict[str, Any], list[tuple[bytes, bytes]]]:
    """(HTTP status, OpenAI error body, retry headers) for an exception raised serving a chat request."""
    status, body = error_for_exception(exc)
    code = body["error"].get("code")
    if code in ("dedup_origin_cancelled", "shutting_down"):
        return status, body, [(b"x-should-retry", b"true"), (b"retry-after", b"1")]
    if code == "state_unavailable":
        return status, body, [(b"retry-after", b"5")]
    if code == "all_rate_limited":
        after = getattr(exc, "retry_after", None)
        return status, body, [(b"retry-after", str(max(1, int(-(-after // 1)))).encode())] if after else []
    from clawcli.core.upstream.types import GatewayUnreachable

    if isinstance(exc, GatewayUnreachable):  # one attempt, not a chain walk: a later retry is cheap
        return status, body, [(b"retry-after", b"5")]
    if status >= 400 and status != 429 or code == "cost_cap_exceeded":
        return status, body, list(NO_RETRY)
    return status, body, []


def error_for_exception(exc: BaseException) -> tuple[int, dict[str, Any]]:
    """(HTTP status, OpenAI error body) for any exception raised while serving a chat request."""
    import asyncio

    if isinstance(exc, asyncio.CancelledError):  # a joined request whose original went away
        return 503, error_body("the original request was cancelled; please retry", "proxy_error",
                               "dedup_origin_cancelled")
    if not isinstance(exc, E.ClawError):
        return 500, error_body(f"proxy error: {type(exc).__name__}: {exc}", "proxy_error")
    code = _code(exc, "claw_error")
    msg = _message(exc)
    if code in ("cost_cap_exceeded", "budget_exhausted") or "cost_cap" in code:
        return 429, error_body(msg, "cost_cap_exceeded", code)
    if getattr(exc, "error_class", None) == TRUNCATED:  # inside a stream (the 200 was sent)
        return 502, error_body(msg, "upstream_error", TRUNCATED)
    if isinstance(exc, E.UnknownModelError):
        return 400, error_body(msg, "invalid_request_error", "model_not_found", param="model",
                               suggestions=exc.suggestions or None)
    if isinstance(exc, (E.RouterError, E.UsageError, E.CatalogError)):
        return 400, error_body(msg, "invalid_request_error", code, param=getattr(exc, "param", None))
    if isinstance(exc, E.BadRequestError):
        status = int(getattr(exc, "status", 0) or 400)
        return (status if 400 <= status < 500 else 400), error_body(msg, "invalid_request_error", code)
    if code == "state_unavailable":  # the shared spend ledger (--state redis://) is away: nothing signed
        return 503, error_body(msg, "service_unavailable", code)
    if isinstance(exc, E.PolicyRefusal):
        return 402, error_body(msg, "payment_refused", code)
    if isinstance(exc, E.PaymentError):
        if "insufficient" in exc.message.lower() or "balance" in exc.message.lower():
            return 402, billing_body(exc.message)
        return 402, error_body(msg, "payment_error", code)
    if isinstance(exc, E.AllAttemptsFailed):
        last = _last_class(exc)  # the reason the walk ended decides what the client is told
        if last == "billing":
            out = billing_body(exc.message)
            out["error"]["attempts"] = exc.attempts
            return 402, out
        if last == "cost_cap":  # graceful cap: nothing cheaper fitted either
            return 429, error_body(msg, "cost_cap_exceeded", "cost_cap_exceeded", attempts=exc.attempts)
        classes = {a.get("errorClass") for a in exc.attempts if isinstance(a, dict)}
        if classes and classes <= _RATE_CLASSES:
            return 429, error_body(msg, "rate_limit_error", "all_rate_limited", attempts=exc.attempts)
        return 502, error_body(msg, "upstream_error", code, attempts=exc.attempts)
    if isinstance(exc, (E.UpstreamError, E.NetworkError)):
        return 502, error_body(msg, "upstream_error", code)
    if isinstance(exc, E.WalletError):
        return 503, error_body(msg, "wallet_error", code)
    return 500, error_body(msg, "proxy_error", code)


async def send_json(send: Any, status: int, obj: Any, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """Send a complete JSON response on a raw ASGI ``send``."""
    body = obj if isinstance(obj, bytes) else dumps(obj)
    hdrs = [JSON_CT, (b"content-length", str(len(body)).encode())]
    if headers:
        hdrs.extend(headers)
    await send({"type": "http.response.start", "status": status, "headers": hdrs})
    await send({"type": "http.response.body", "body": body})


def cap_headers(status: int) -> list[tuple[bytes, bytes]] | None:
    return [(b"x-clawrouter-cost-cap-exceeded", b"1")] if status == 429 else None


async def send_exception(send: Any, exc: BaseException, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    status, body, retry = error_response(exc)
    extra = retry + (headers or [])
    if body["error"].get("type") == "cost_cap_exceeded":
        extra += cap_headers(429) or []
    await send_json(send, status, body, extra)


async def send_error(send: Any, status: int, message: str, type_: str, code: str | None = None,
                     headers: list[tuple[bytes, bytes]] | None = None) -> None:
    await send_json(send, status, error_body(message, type_, code), headers)
