"""The usage log: writer (``log``), reader and aggregation (``reader``, ``aggregate``)."""

from clawcli.core.usage.aggregate import Aggregator, aggregate_stats, render_markdown
from clawcli.core.usage.log import FIELDS, SCHEMA, UsageLog, make_record, new_request_id
from clawcli.core.usage.reader import ReadCounts, iter_records, log_files, parse_when
from clawcli.core.usage.sessions import session_spend

__all__ = [
    "FIELDS", "SCHEMA", "UsageLog", "make_record", "new_request_id",
    "Aggregator", "ReadCounts", "aggregate_stats", "iter_records", "log_files", "parse_when",
    "render_markdown", "session_spend",
]
