"""Small encoders and parsers for what goes over the wire to the gateway."""

from __future__ import annotations

import json
import time
from typing import Any

import orjson


def dumps(obj: Any) -> bytes:
    """A request body as compact JSON bytes (orjson; the stdlib for what orjson refuses)."""
    try:
        return orjson.dumps(obj)
    except TypeError:
        return json.dumps(obj, separators=(",", ":"), default=str).encode()


def retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date), else None."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def short(exc: BaseException) -> str:
    """An exception as one short line for an attempt's reason."""
    text = str(exc) or type(exc).__name__
    return " ".join(text.split())[:160]
