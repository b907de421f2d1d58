"""OpenAI-shaped JSON bodies and errors, and the ClawError -> HTTP status mapping.

Every error the proxy returns has the OpenAI shape ``{"error": {"message", "type", "code"}}``
so SDK clients surface it verbatim. Bodies are serialised with orjson (the hot path).
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
    if isinstance(exc, E.UnknownModelError):
        return 400, error_body(msg, "invalid_request_error", "model_not_found", param="model",
                               suggestions=exc.suggestions or None)
    if isinstance(exc, (E.RouterError, E.UsageError, E.CatalogError)):
        return 400, error_body(msg, "invalid_request_error", code)
    if isinstance(exc, E.BadRequestError):
        status = int(getattr(exc, "status", 0) or 400)
        return (status if 400 <= status < 500 else 400), error_body(msg, "invalid_request_error", code)
    if code == "state_unavailable":  # the shared spend ledger (--state redis://) is away: nothing signed
        return 503, error_body(msg, "service_unavailable", code)
    if isinstance(exc, E.PolicyRefusal):
        return 402, error_body(msg, "payment_refused", code)
    if isinstance(exc, E.PaymentError):
        return 402, error_body(msg, "payment_error", code)
    if isinstance(exc, E.AllAttemptsFailed):
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
    status, body = error_for_exception(exc)
    await send_json(send, status, body, (cap_headers(status) or []) + (headers or []))


async def send_error(send: Any, status: int, message: str, type_: str, code: str | None = None,
                     headers: list[tuple[bytes, bytes]] | None = None) -> None:
    await send_json(send, status, error_body(message, type_, code), headers)
