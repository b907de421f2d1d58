"""Process-wide engine state: per-model cooldowns, per-session cost budgets, the wallet-empty memory.

Both are plain objects owned by one :class:`~clawcli.core.upstream.engine.Engine` (no module
globals), shared by every request that engine serves. The clock is injectable for tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

#: cooldown lengths in seconds (DESIGN.md §7)
RATE_LIMIT_COOLDOWN = 60.0
OVERLOAD_COOLDOWN = 15.0
#: a Retry-After longer than this is taken as this (a gateway bug must not bench a model all day)
MAX_COOLDOWN = 900.0


class Cooldowns:
    """Models that failed with 429/overloaded recently; later chains try them last."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._until: dict[str, float] = {}
        self._why: dict[str, str] = {}
        self._clock = clock

    def mark(self, model: str, seconds: float, why: str = "") -> None:
        seconds = max(0.0, min(float(seconds), MAX_COOLDOWN))
        until = self._clock() + seconds
        if until > self._until.get(model, 0.0):
            self._until[model] = until
            self._why[model] = why

    def remaining(self, model: str) -> float:
        until = self._until.get(model)
        if until is None:
            return 0.0
        left = until - self._clock()
        if left <= 0:
            self._until.pop(model, None)
            self._why.pop(model, None)
            return 0.0
        return left

    def cooling(self, model: str) -> bool:
        return self.remaining(model) > 0

    def order(self, chain: Iterable[str]) -> list[str]:
        """``chain`` with cooling models moved to the back (order otherwise kept; none removed)."""
        chain = list(chain)
        if not self._until:
            return chain
        warm = [m for m in chain if not self.cooling(m)]
        if len(warm) == len(chain):
            return chain
        cold = [m for m in chain if m not in warm]
        cold.sort(key=self.remaining)  # the one that recovers first goes first
        return warm + cold

    def snapshot(self) -> dict[str, dict[str, float | str]]:
        """{model: {remaining, why}} for /health and tests."""
        return {m: {"remaining": round(self.remaining(m), 3), "why": self._why.get(m, "")}
                for m in list(self._until) if self.remaining(m) > 0}


class SessionBudgets:
    """Settled spend per session id, for ``maxCostPerRun``. Idle sessions expire (30 min)."""

    def __init__(self, ttl: float = 1800.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._spent: dict[str, float] = {}
        self._seen: dict[str, float] = {}
        self._ttl = ttl
        self._clock = clock

    def spent(self, session_id: str | None) -> float:
        if not session_id:
            return 0.0
        self._expire()
        return self._spent.get(session_id, 0.0)

    def add(self, session_id: str | None, amount: float) -> float:
        if not session_id:
            return 0.0
        self._seen[session_id] = self._clock()
        self._spent[session_id] = self._spent.get(session_id, 0.0) + max(0.0, amount)
        return self._spent[session_id]

    def refund(self, session_id: str | None, amount: float) -> None:
        """Undo a reservation (the payment was not made)."""
        if session_id and session_id in self._spent:
            self._spent[session_id] = max(0.0, self._spent[session_id] - max(0.0, amount))

    def seed(self, session_id: str, amount: float) -> None:
        """Start a session at ``amount`` already spent (e.g. read back from the usage log)."""
        if amount > self._spent.get(session_id, 0.0):
            self._spent[session_id] = amount
        self._seen[session_id] = self._clock()

    def _expire(self) -> None:
        if len(self._seen) < 64:  # cheap: only sweep when there is something to sweep
            return
        now = self._clock()
        for sid, t in list(self._seen.items()):
            if now - t > self._ttl:
                self._seen.pop(sid, None)
                self._spent.pop(sid, None)


class WalletEmptyMemory:
    """After "insufficient funds", paid models are skipped for ``seconds`` (straight to the free model)."""

    def __init__(self, seconds: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._seconds = seconds
        self._until = 0.0
        self._clock = clock

    def mark_empty(self) -> None:
        self._until = self._clock() + self._seconds

    @property
    def empty(self) -> bool:
        return self._clock() < self._until
