"""Fault injection: what can go wrong between a client and the gateway, per model, N times or forever.

Every fault kind answers the way real providers answer *through the gateway* (reference/proxy.md §4,
DESIGN.md §7): the exact status codes and body shapes a classifier has to recognise, including the
awkward ones (Z.ai's billing and auth codes arrive as HTTP 429; MiniMax's 520 has a bare
``api_error`` body; a 402 billing error carries no x402 challenge).

A fault fires at one of three stages of a request:

- ``before_payment`` (opt-in via ``before_payment=True``; error kinds, ``drop`` and ``slow`` only): on
  the unpaid request, instead of the 402 (``slow`` delays it, then the 402 follows).
- ``payment``: the payment kinds, only on a request that carries a payment.
- ``upstream`` (default for everything else): after the payment verified, where a provider would
  answer. Error answers are *not* settled (no charge, nonce not consumed); 200 answers (degraded
  content, slow, disconnect mid-stream) are settled, as the real gateway charges for them.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from typing import Any

#: kind -> one-line description (also the list ``python -m clawcli.testing --list-faults`` prints)
FAULT_KINDS: dict[str, str] = {
    # HTTP errors, as providers send them via the gateway
    "429": "rate limited (params: retry_after seconds -> Retry-After header)",
    "529": "overloaded, Anthropic style 529",
    "500": "internal server error",
    "502": "bad gateway (upstream returned an invalid response)",
    "503": "service unavailable, no overload text (a plain server error)",
    "503_overloaded": "503 whose text says the model is overloaded",
    "401": "upstream authentication failed",
    "403": "forbidden (no access to the model)",
    "402_billing": "402 with a provider billing text and no x402 challenge",
    "minimax_520": 'MiniMax HTTP 520 {"type":"api_error","message":"unknown error, 520 (1000)"}',
    "zai_1311": "Z.ai code 1311 (model not on the subscription plan: billing), HTTP 429",
    "zai_1113": "Z.ai code 1113 (insufficient balance / wrong endpoint: auth), HTTP 429",
    "400_context": "400 provider-format error: context_length_exceeded",
    "413": "413 request too large",
    "400": "plain 400 bad request (the client's fault, not the provider's)",
    "status": "any status (params: status, body (dict or str), headers)",
    # degraded 200s (settled)
    "empty": "200 with empty content",
    "whitespace": "200 with whitespace-only content",
    "single_char": "200 with a single character (params: char)",
    "token_loop": "200 with one token repeated (params: token, repeat)",
    "line_loop": "200 with one line repeated (params: line, repeat)",
    "error_200": "200 whose JSON is an error object (overloaded placeholder), no choices",
    "content": "200 with the given content (params: text)",
    "tool_call": "200 answering with a tool call to the request's first tool (params: name, arguments)",
    "stream_error": "streamed: some content, then an SSE error event and [DONE] (params: after_chunks); "
                    "JSON: like error_200",
    "sse_comments": "': keep-alive' SSE comments before every event (JSON: leading blank lines)",
    "no_role": "streamed: no chunk carries delta.role (JSON: the message has no role)",
    "truncate": "streamed: the stream ends cleanly after some chunks, without finish_reason or [DONE] "
                "(params: after_chunks, default 2); JSON: a body cut in half",
    # timing and transport
    "slow": "delay before the response headers (params: delay seconds, default 2)",
    "slow_stream": "delay between streamed chunks (params: chunk_delay seconds, default 0.5)",
    "disconnect": "close the connection mid-body after some chunks (params: after_chunks, default 1)",
    "drop": "close the connection before any response (a network error, not settled)",
    # payment
    "payment_rejected": "402 'Payment verification failed' for a valid payment (params: reason)",
    "settlement_failed": "402 'Payment settlement failed' with PAYMENT-RESPONSE success=false",
    "insufficient_funds": "402 'Payment verification failed' with insufficient_funds",
}

PAYMENT_KINDS = frozenset({"payment_rejected", "settlement_failed", "insufficient_funds"})
#: kinds whose answer is an HTTP error (never settled)
ERROR_KINDS = frozenset(
    {"429", "529", "500", "502", "503", "503_overloaded", "401", "403", "402_billing", "minimax_520",
     "zai_1311", "zai_1113", "400_context", "413", "400", "status"}
)
#: kinds that change the 200 content
CONTENT_KINDS = frozenset({"empty", "whitespace", "single_char", "token_loop", "line_loop", "content"})


@dataclass
class Fault:
    model: str  # a model id, or "*" for every model
    kind: str
    times: int | None  # remaining firings; None = permanent
    params: dict[str, Any] = field(default_factory=dict)
    before_payment: bool = False
    fired: int = 0

    @property
    def stage(self) -> str:
        if self.kind in PAYMENT_KINDS:
            return "payment"
        return "before_payment" if self.before_payment else "upstream"

    @property
    def active(self) -> bool:
        return self.times is None or self.times > 0


class FaultBook:
    """Thread-safe list of injected faults; the first active match for (model, stage) fires."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        if fault.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {fault.kind!r}; known: {', '.join(FAULT_KINDS)}")
        if fault.before_payment and fault.kind not in ERROR_KINDS | {"drop", "slow"}:
            raise ValueError("before_payment=True only makes sense for error kinds, 'drop' and 'slow'")
        if fault.times is not None and fault.times < 1:
            raise ValueError("times must be >= 1, or None for a permanent fault")
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, model: str, stage: str) -> Fault | None:
        with self._lock:
            for f in self._faults:
                if f.active and f.stage == stage and f.model in (model, "*"):
                    f.fired += 1
                    if f.times is not None:
                        f.times -= 1
                    return f
        return None

    def clear(self, model: str | None = None) -> None:
        with self._lock:
            self._faults = [f for f in self._faults if model is not None and f.model != model]

    def list(self) -> list[Fault]:
        with self._lock:
            return [f for f in self._faults if f.active]


def error_response(fault: Fault, model: str, context_window: int, prompt_tokens: int) -> tuple[int, Any, dict[str, str]]:
    """(status, body, extra headers) for an error-kind fault. ``body`` is a dict (JSON) or str."""
    p = fault.params
    k = fault.kind
    headers: dict[str, str] = {}
    if k == "429":
        if p.get("retry_after") is not None:
            headers["Retry-After"] = str(p["retry_after"])
        return 429, {"error": {"message": f"Rate limit exceeded for {model}. Please retry after a short wait.",
                               "type": "rate_limit_error", "code": "rate_limit_exceeded"}}, headers
    if k == "529":
        return 529, {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}, headers
    if k == "500":
        return 500, {"error": {"message": "Internal server error", "type": "server_error"}}, headers
    if k == "502":
        return 502, {"error": {"message": "Bad gateway: upstream provider returned an invalid response",
                               "type": "server_error"}}, headers
    if k == "503":
        return 503, {"error": {"message": "Service unavailable", "type": "server_error"}}, headers
    if k == "503_overloaded":
        return 503, {"error": {"message": f"The model {model} is currently overloaded with other requests. "
                                          "Please try again later.", "type": "server_error",
                               "code": "overloaded"}}, headers
    if k == "401":
        return 401, {"error": {"message": "Authentication failed: invalid API key for the upstream provider",
                               "type": "authentication_error"}}, headers
    if k == "403":
        return 403, {"error": {"message": f"Forbidden: this account does not have access to {model}",
                               "type": "permission_error"}}, headers
    if k == "402_billing":
        return 402, {"error": {"message": "Your credit balance is too low to access this model. "
                                          "Please go to Plans & Billing to upgrade or purchase credits.",
                               "type": "billing_error"}}, headers
    if k == "minimax_520":
        return 520, {"type": "api_error", "message": "unknown error, 520 (1000)"}, headers
    if k == "zai_1311":
        name = model.split("/", 1)[-1].upper()
        return int(p.get("status", 429)), {"error": {
            "code": "1311", "message": f"Your current subscription plan does not yet include access to {name}"}}, headers
    if k == "zai_1113":
        return int(p.get("status", 429)), {"error": {
            "code": "1113", "message": "Insufficient balance or no resource package. Please recharge."}}, headers
    if k == "400_context":
        asked = max(prompt_tokens, context_window + 1)
        return 400, {"error": {
            "message": f"This model's maximum context length is {context_window} tokens. However, your messages "
                       f"resulted in {asked} tokens. Please reduce the length of the messages.",
            "type": "invalid_request_error", "param": "messages", "code": "context_length_exceeded"}}, headers
    if k == "413":
        return 413, {"error": {"message": "Request too large: payload too large for this model",
                               "type": "invalid_request_error"}}, headers
    if k == "400":
        return 400, {"error": {"message": "Invalid value for 'temperature': expected a number between 0 and 2.",
                               "type": "invalid_request_error", "param": "temperature"}}, headers
    if k == "status":
        headers.update({str(a): str(b) for a, b in (p.get("headers") or {}).items()})
        return int(p.get("status", 500)), p.get("body", {"error": {"message": "injected error"}}), headers
    raise ValueError(f"{k!r} is not an error fault")


def degraded_content(fault: Fault) -> str:
    """The assistant content of a content-kind fault."""
    p = fault.params
    k = fault.kind
    if k == "empty":
        return ""
    if k == "whitespace":
        return p.get("text", "  \n\t  \n")
    if k == "single_char":
        return str(p.get("char", "."))[:1]
    if k == "token_loop":
        token = str(p.get("token", "the"))
        return " ".join([token] * int(p.get("repeat", 200)))
    if k == "line_loop":
        line = str(p.get("line", "I will now answer the question."))
        return "\n".join([line] * int(p.get("repeat", 24)))
    if k == "content":
        return str(p.get("text", ""))
    raise ValueError(f"{k!r} is not a content fault")


STREAM_ERROR_BODY = {"error": {"message": "Upstream provider error: connection reset by peer",
                                "type": "server_error", "code": 502}}

ERROR_200_BODY = {"error": {"message": "The AI service is temporarily overloaded. Please try again in a moment.",
                            "type": "server_error", "code": "overloaded"}}


def tool_call_for(request: dict[str, Any], params: dict[str, Any]) -> dict[str, Any] | None:
    """An OpenAI tool call to the request's first function tool, with arguments fitting its schema."""
    import json

    tools = [t for t in request.get("tools") or [] if isinstance(t, dict)]
    if not tools and "name" not in params:
        return None
    fn = (tools[0].get("function") or {}) if tools else {}
    name = params.get("name") or fn.get("name") or "tool"
    args = params.get("arguments")
    if args is None:
        args = {}
        schema = fn.get("parameters") or {}
        props = schema.get("properties") or {}
        for key in schema.get("required") or list(props)[:1]:
            t = (props.get(key) or {}).get("type", "string")
            args[key] = {"integer": 1, "number": 1.5, "boolean": True, "array": [], "object": {}}.get(t, "Paris")
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]  # not hash(): that changes per process
    return {"id": f"call_emu_{digest}", "type": "function",
            "function": {"name": name, "arguments": args if isinstance(args, str) else json.dumps(args)}}
