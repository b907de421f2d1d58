"""The usage log: writer (``log``), reader and aggregation (``reader``, ``aggregate``).

The names below load their submodule on first use (PEP 562): writing a record on `claw ask`'s
request path needs ``log`` only, not the stats aggregation.
"""

from __future__ import annotations

import importlib
from typing import Any

_SOURCES = {
    "Aggregator": "aggregate", "aggregate_stats": "aggregate", "render_markdown": "aggregate",
    "FIELDS": "log", "SCHEMA": "log", "UsageLog": "log", "make_record": "log", "new_request_id": "log",
    "ReadCounts": "reader", "iter_records": "reader", "log_files": "reader", "parse_when": "reader",
    "session_spend": "sessions",
}

__all__ = [
    "FIELDS", "SCHEMA", "UsageLog", "make_record", "new_request_id",
    "Aggregator", "ReadCounts", "aggregate_stats", "iter_records", "log_files", "parse_when",
    "render_markdown", "session_spend",
]


def __getattr__(name: str) -> Any:
    module = _SOURCES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_SOURCES))
