"""Failure classification (DESIGN.md §7) and degraded-200 detection.

Pure functions over a status code and a body; no I/O. The engine calls them once per failed
attempt, so they are written to be cheap: regexes are compiled once, JSON is parsed at most once.

Classes (``errorClass`` in attempts and usage records):

    auth          401/403, Z.ai 1113                         -> next model
    billing       402, billing text, Z.ai 1311              -> stop paying, free model if allowed
    rate_limited  429                                        -> retry once after 200 ms, cooldown, next
    overloaded    529, 503 with overloaded text              -> 15 s cooldown, next model
    server_error  5xx, 520, MiniMax ``api_error`` 520 body   -> next model
    config        400/404/413/422 with a provider-format error -> next model
    network       connect error, timeout, cut connection     -> next model
    degraded      a 200 that is not a usable answer          -> next model
    None          a plain bad request (our caller's fault)  -> back to the caller, chain not burned
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import orjson

AUTH = "auth"
BILLING = "billing"
RATE_LIMITED = "rate_limited"
OVERLOADED = "overloaded"
SERVER_ERROR = "server_error"
CONFIG = "config"
NETWORK = "network"
DEGRADED = "degraded"
#: not failures of the model: the request was refused before or while it ran
POLICY = "policy"
COST_CAP = "cost_cap"
CANCELLED = "cancelled"
BAD_REQUEST = "bad_request"
#: the upstream ended a stream (cleanly) before finish_reason and [DONE]: half an answer
TRUNCATED = "upstream_stream_truncated"

CLASSES = (AUTH, BILLING, RATE_LIMITED, OVERLOADED, SERVER_ERROR, CONFIG, NETWORK, DEGRADED)

_I = re.IGNORECASE
_BILLING_TEXT = re.compile(
    r"billing|insufficient[\s_-]*(?:balance|funds|credit)|out of credit|payment.{0,20}required"
    r"|payment.{0,40}(?:verification|settlement).{0,20}failed|credits? (?:exhausted|depleted)",
    _I,
)
_OVERLOAD_TEXT = re.compile(r"overload|capacity|too.{0,4}many.{0,4}request", _I)
_QUOTA_TEXT = re.compile(r"plan.{0,20}limit|quota.{0,20}exceeded|subscription|allowance", _I)
# Errors a provider (not our caller) produced: the request itself is fine, the model is not.
# From ClawRouter's PROVIDER_ERROR_PATTERNS (reference/proxy.md §4.4), word-bounded where it matters.
_PROVIDER_TEXT = re.compile(
    r"billing|insufficient.{0,20}balance|\bcredits\b|quota.{0,20}exceeded|rate.{0,4}limit"
    r"|model.{0,20}unavailable|model.{0,20}not.{0,20}(?:available|found|supported|allowed)"
    r"|service.{0,20}unavailable|capacity|overloaded|temporarily.{0,20}unavailable"
    r"|api.{0,4}key.{0,20}invalid|authentication.{0,20}failed|request too large"
    r"|request.{0,20}size.{0,20}exceeds|payload too large|payment.{0,20}verification.{0,20}failed"
    r"|unknown.{0,4}model|invalid.{0,4}model|no such model|does not exist|context.{0,20}length",
    _I,
)
#: the text of a gateway's "overloaded" placeholder answer, casefolded (substring tests: a
#: case-insensitive regex alternation cost ~4 us per answer, the proxy checks every answer)
_PLACEHOLDER_PHRASES = ("service is temporarily overloaded", "please try again in a moment")
_LOOP_PHRASES = ("the boxed is the response.", "the response is the text.", "the final answer is the boxed.")
#: in every pair of _LOOP_PHRASES (the first two both hold it): text without it has fewer than two
_LOOP_HINT = "the response"
# a unit of 1..10 characters repeated back to back at least 8 more times
_REPEAT_UNIT = re.compile(r"(.{1,10}?)\1{7,}", re.DOTALL)

# Z.ai business codes (https://docs.z.ai): 1311 = model not on your plan, 1113 = wrong endpoint / key
ZAI_BILLING_CODES = frozenset({"1311"})
ZAI_AUTH_CODES = frozenset({"1113"})


def parse_json(text: str | bytes | None) -> Any:
    """The parsed JSON, or None. orjson first (every chunk of every stream comes through here);
    the stdlib for what orjson refuses (NaN, integers beyond 64 bits)."""
    if not text:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError):
        return None


def error_fields(payload: Any) -> tuple[str, str, str]:
    """(code, type, message) of an error body in any of the shapes providers use.

    Handles ``{"error": {"code", "type", "message"}}``, ``{"error": "text", "code": ...}``,
    MiniMax's flat ``{"type": "api_error", "message": ...}`` and Z.ai's ``{"code": 1311, "msg"}``.
    """
    if not isinstance(payload, dict):
        return "", "", ""
    err = payload.get("error")
    src = err if isinstance(err, dict) else payload
    code = src.get("code", payload.get("code"))
    typ = src.get("type", payload.get("type"))
    msg = src.get("message") or src.get("msg") or (err if isinstance(err, str) else None)
    if msg is None:
        msg = payload.get("message") or payload.get("msg") or payload.get("detail")
    if msg is not None and not isinstance(msg, str):
        msg = json.dumps(msg)
    return (
        "" if code is None else str(code),
        "" if typ is None else str(typ),
        msg or "",
    )


def error_message(status: int | None, body: str, limit: int = 200) -> str:
    """A short human message for a failed response body (no raw HTML dumps)."""
    code, _typ, msg = error_fields(parse_json(body))
    text = msg or (body.strip() if body and not body.lstrip().startswith("<") else "")
    text = " ".join(text.split())
    if code and code not in text:
        text = f"{text} (code {code})" if text else f"code {code}"
    if not text:
        text = f"HTTP {status}" if status else "no response"
    return text[:limit]


def _zai_code(code: str, body: str) -> str | None:
    if code in ZAI_BILLING_CODES or code in ZAI_AUTH_CODES:
        return code
    m = re.search(r'"code"\s*:\s*"?(1311|1113)\b', body)
    return m.group(1) if m else None


def classify_error(status: int, body: str = "") -> str | None:
    """The failure class of a non-200 response, or None for a plain bad request.

    ``body`` is the response text (may be empty). See the module docstring for the table.
    """
    payload = parse_json(body)
    code, typ, msg = error_fields(payload)
    text = f"{msg} {typ} {code}" if payload is not None else body
    z = _zai_code(code, body or "")
    if z in ZAI_BILLING_CODES:
        return BILLING
    if z in ZAI_AUTH_CODES:
        return AUTH
    if status in (401, 403):
        if status == 403 and _QUOTA_TEXT.search(text):
            return BILLING
        return AUTH
    if status == 402:
        return BILLING
    if status == 429:
        return RATE_LIMITED
    if status == 529:
        return OVERLOADED
    if typ == "api_error" and ("520" in msg or status == 520):  # MiniMax's relayed Cloudflare 520
        return SERVER_ERROR
    if status == 503 and _OVERLOAD_TEXT.search(text):
        return OVERLOADED
    if status >= 500:
        return SERVER_ERROR
    if status == 408:
        return NETWORK
    if status in (400, 404, 409, 413, 422):
        if _BILLING_TEXT.search(text):
            return BILLING
        if _PROVIDER_TEXT.search(text):
            return CONFIG
        return None
    return None


def is_payment_level_rejection(body: str) -> bool:
    """A paid 402 rejected *before* settlement for a reason a fresh signature can fix.

    (DESIGN.md §6: underpaid, replay, stale/expired — never insufficient funds, never settlement.)
    """
    low = (body or "").lower()
    if "settlement" in low or "insufficient" in low:
        return False
    return any(k in low for k in ("payment_underpaid", "payment_replay", "already used", "expired",
                                  "below quoted price", "blockhash not found", "stale blockhash",
                                  "invalid_payment", "payment_invalid", "invalid signature",
                                  "verification failed"))


def is_insufficient_funds(body: str) -> bool:
    return bool(re.search(r"insufficient[\s_-]*(?:funds|balance)", body or "", _I))


# ---------------------------------------------------------------------------------------------
# degraded 200s


def _longest_periodic_run(items: list[Any], max_period: int, enough: float = float("inf")) -> int:
    """Length of the longest stretch of ``items`` that repeats a block of <= max_period items
    back to back (``a b a b a b`` -> 6), or 0; stops early once ``enough`` is reached."""
    best = 0
    n = len(items)
    for p in range(1, min(max_period, n // 3) + 1):
        run = 0
        for i in range(p, n):
            if items[i] == items[i - p]:
                run += 1
                if run + p > best:
                    best = run + p
                    if best >= enough:
                        return best
            else:
                run = 0
    return best


def loop_reason(text: str, *, strict: bool = False) -> str | None:
    """'repeated-token loop' / 'repeated-line loop' when ``text`` is mostly a loop, else None.

    A loop is one short block (<= 8 lines, <= 8 tokens or <= 10 characters) repeated back to
    back over at least half of the text (``strict``, for a stream prefix still held back: 80%).
    Repetition that is not back to back (JSON objects with the same keys, a table) is not a loop.
    Cheap on normal text (the proxy runs it on every answer): the expensive scans only run when
    a count says a loop is possible.
    """
    t = text.strip()
    if len(t) < 16:
        return None
    return _loop_reason(t, 0.8 if strict else 0.5, t.lower())


def _loop_reason(t: str, need: float, low: str) -> str | None:
    """loop_reason's scans over ``t`` (stripped, 16 characters or more; ``low`` is ``t.lower()``)."""
    # two of the phrases: every pair holds one of the first two, and both contain _LOOP_HINT
    if _LOOP_HINT in low and sum(1 for p in _LOOP_PHRASES if p in low) >= 2:
        return "repeated-line loop"
    lines = t.splitlines()
    if len(lines) >= 8:  # (blank lines only drop out below: fewer lines never reach 8)
        lines = [ln.strip() for ln in lines if ln.strip()]
        if len(lines) >= 8:
            top = Counter(lines).most_common(1)[0][1]
            if (top >= 3 and len(set(lines)) / len(lines) <= 0.45
                    and _longest_periodic_run(lines, 8, need * len(lines)) >= need * len(lines)):
                return "repeated-line loop"
    toks = t.split()
    # a block of <= 8 tokens covering `need` of them makes its commonest token >= need/8 of all;
    # and every position inside a repeat is a token seen before: an ordinary sentence, whose
    # tokens are nearly all distinct, skips the scan (the proxy checks every answer)
    n = len(toks)
    # the cheap count first (a set), the commonest token only when there are enough repeats
    if (n >= 8 and n - len(set(toks)) >= max(8, need * n) - min(8, n // 3)
            and max(Counter(toks).values()) * 8 >= need * n):
        run = _longest_periodic_run(toks, 8, max(8, need * n))
        if run >= 8 and run >= need * n:
            return "repeated-token loop"
    if len(t) >= 32 and len(t) > 16 * max(1, len(toks)):
        # long runs without whitespace (CJK, "abcabcabc..."): a loop runs to the end, so the tail tells
        tail = t[-1024:]
        if Counter(tail).most_common(1)[0][1] * 10 >= need * len(tail):
            best = max((m.end() - m.start() for m in _REPEAT_UNIT.finditer(tail) if m.group(1).strip()),
                       default=0)
            if best >= 32 and best >= need * min(len(t), len(tail)):
                return "repeated-token loop"
    return None


def degraded_reason(content: str | None, *, has_tool_calls: bool = False) -> str | None:
    """Why an assistant message is not a usable answer, or None when it is."""
    if has_tool_calls:
        return None
    t = (content or "").strip()
    if not t:
        return "empty response"
    if len(t) == 1 and not t.isalnum():
        # "4" or "B" can be the whole right answer (arithmetic, multiple choice): only a lone
        # punctuation mark or symbol ("." "�" "…") is a broken reply worth paying another model for
        return "single-character response"
    low = None
    if len(t) < 400:
        folded = t.casefold()
        if _PLACEHOLDER_PHRASES[0] in folded or _PLACEHOLDER_PHRASES[1] in folded:
            return "overloaded placeholder"
        if t.isascii():  # (O(1)) ASCII casefolds as it lowercases: loop_reason's lower() is this one
            low = folded
    if len(t) < 16:  # loop_reason's own floor (t is stripped already)
        return None
    return _loop_reason(t, 0.5, t.lower() if low is None else low)


def completion_problem(payload: Any) -> tuple[str, str] | None:
    """(class, reason) when a 200 chat completion is not a usable answer, else None.

    An error object inside a 200 is classified like the error it carries (a MiniMax
    ``api_error`` 520 is a server_error); an unusable message is ``degraded``.
    """
    if not isinstance(payload, dict):
        return DEGRADED, "response is not a JSON object"
    if payload.get("error") or (payload.get("type") == "api_error"):
        code, typ, msg = error_fields(payload)
        status = int(code) if code.isdigit() and 400 <= int(code) < 600 else 0
        cls = classify_error(status, json.dumps(payload)) if status else None
        if typ == "api_error" and "520" in msg:
            cls = SERVER_ERROR
        reason = "error in a 200: " + (" ".join((msg or typ or code or "error").split())[:160])
        return cls or DEGRADED, reason
    choices = payload.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return DEGRADED, "no choices in the response"
    msg = choices[0].get("message") or {}
    if not isinstance(msg, dict):
        return DEGRADED, "malformed message"
    content = msg.get("content")
    if isinstance(content, list):  # content parts
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
    reason = degraded_reason(content if isinstance(content, str) else None,
                             has_tool_calls=bool(msg.get("tool_calls") or msg.get("function_call")))
    return (DEGRADED, reason) if reason else None
