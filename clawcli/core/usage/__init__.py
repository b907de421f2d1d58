"""The usage log: writer (``log``), reader and aggregation (``reader``, ``aggregate``)."""

from clawcli.core.usage.log import FIELDS, SCHEMA, UsageLog, make_record, new_request_id

__all__ = ["FIELDS", "SCHEMA", "UsageLog", "make_record", "new_request_id"]
