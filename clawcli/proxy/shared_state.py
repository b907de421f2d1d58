"""Several `claw serve` on one wallet (``--state redis://...``): shared session pins, the engine's shared
cooldowns and budgets, and what /health shows about the shared state.

An agent whose requests are balanced across several proxies keeps its pin: each change of a
session's tier or pinned model is applied locally (the store stays an in-process dict, no await
on the hot path) and sent through :class:`~clawcli.core.state.shared.SharedState`, which stores
it in Redis with the session TTL and publishes it to the other instances.
"""

from __future__ import annotations

import json
from typing import Any

from clawcli.core.router.types import TIER_RANK
from clawcli.core.state.shared import SharedState
from clawcli.proxy.sessions import Session, SessionStore


class SharedSessionStore(SessionStore):
    def __init__(self, shared: SharedState, **kw: Any) -> None:
        super().__init__(**kw)
        self._shared = shared
        shared.on("pin", self._remote, self._load)

    def _state(self, key: str | None) -> tuple[str, str | None] | None:
        s = self._items.get(key) if key is not None else None
        return None if s is None else (s.tier, s.model)

    def _publish(self, key: str | None, before: tuple[str, str | None] | None, always: bool = False) -> None:
        after = self._state(key)
        if key is None or after is None or (after == before and not always):
            return
        value = {"tier": after[0], "model": after[1]}
        self._shared.emit("pin", key, value, (
            "SET", self._shared.prefix + "pin:" + key, json.dumps(value), "EX", int(self.ttl)))

    def apply(self, key: str | None, decision: Any, **kw: Any) -> Any:
        before = self._state(key)
        out = super().apply(key, decision, **kw)
        self._publish(key, before)
        return out

    def record(self, key: str | None, decision: Any, answered_model: str | None) -> None:
        before = self._state(key)
        super().record(key, decision, answered_model)
        self._publish(key, before, always=True)  # also refreshes the TTL everywhere

    def _remote(self, key: str, value: Any) -> None:
        tier, model = str(value["tier"]), value.get("model")
        now = self.clock()
        s = self._items.get(key)
        if s is None:
            self._put(key, Session(tier=tier, model=model, last_used=now))
            return
        if TIER_RANK.get(tier, 0) >= TIER_RANK.get(s.tier, 0):
            s.tier = tier
        if model:
            s.model = model
        s.last_used = now

    async def _load(self, client: Any) -> None:
        from clawcli.core.state.shared import scan_values

        prefix = self._shared.prefix + "pin:"
        async for key, raw in scan_values(client, prefix):
            try:
                self._remote(key, json.loads(raw))
            except (ValueError, KeyError, TypeError):
                continue


def share_state(state: Any, address: str) -> dict[str, Any]:
    """With ``--state redis://...``: put the proxy's session pins, and the engine's cooldowns and
    session budgets (returned as Engine kwargs), on the shared Redis of ``address``'s wallet."""
    from clawcli.core.state import safe_url
    from clawcli.core.state.shared import (
        SharedCooldowns,
        SharedSessionBudgets,
        SharedState,
    )

    url = state.settings.state_url.strip()
    shared = SharedState(url, address=address, display_url=safe_url(url))
    state.shared = shared
    state.sessions = SharedSessionStore(shared)
    return {"cooldowns": SharedCooldowns(shared), "budgets": SharedSessionBudgets(shared)}


async def state_health(state: Any) -> dict[str, Any]:
    """/health?full=true's "state": the backend, and the wallet's spend as the ledger sees it
    (with Redis: every instance's, summed), the cooldowns this instance routes around."""
    import asyncio

    from clawcli.core.state import safe_url

    url = (state.settings.state_url or "").strip()
    out: dict[str, Any] = {"backend": "redis" if url else "local"}
    if url:
        out["url"] = safe_url(url)
        if state.shared is not None:
            out.update(state.shared.describe())
    ledger = getattr(getattr(getattr(state, "engine", None), "payer", None), "ledger", None)
    if ledger is not None:
        try:
            totals = await asyncio.wait_for(asyncio.to_thread(ledger.totals), 8.0)
            out["spend"] = totals.to_dict()
        except Exception as exc:  # noqa: BLE001 - /health reports, never fails
            out["spendError"] = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
    cooldowns = getattr(getattr(state, "engine", None), "cooldowns", None)
    if cooldowns is not None:
        out["cooldowns"] = cooldowns.snapshot()
    return out
