"""Session spend read back from the usage log: what each ``sessionId`` has paid, so a per-session
cap (``max_cost_per_run``) survives a new process (`claw ask` in a shell loop) and a restart of
`claw serve`. One definition for both: the records of today's and yesterday's UTC log files,
``cost`` summed per session (the settled amount: never more than what was signed).

    spent = session_spend(paths.logs_dir)                       # {session id: USD}, every session
    one = session_spend(paths.logs_dir, {"sess-1"}).get("sess-1", 0.0)
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection
from pathlib import Path

from clawcli.core.usage.reader import iter_records, log_files


def session_spend(logs_dir: Path, session_ids: Collection[str] | None = None, *,
                  now: dt.datetime | None = None) -> dict[str, float]:
    """USD paid per session id in the usage logs of today and yesterday (UTC); only the sessions
    in ``session_ids`` when given. Unreadable lines are skipped (the reader counts them)."""
    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    since = dt.datetime(now.year, now.month, now.day, tzinfo=dt.timezone.utc) - dt.timedelta(days=1)
    wanted = set(session_ids) if session_ids is not None else None
    spent: dict[str, float] = {}
    for _day, rec in iter_records(log_files(Path(logs_dir), since), since):
        sid = rec.get("sessionId")
        if not isinstance(sid, str) or not sid or (wanted is not None and sid not in wanted):
            continue
        cost = rec.get("cost")
        if type(cost) not in (int, float) or not (0 < cost < math.inf):
            continue
        spent[sid] = spent.get(sid, 0.0) + float(cost)
    return spent
