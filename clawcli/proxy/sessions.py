"""Session pinning: the tier never goes down within a session, the model stays pinned.

A session is the ``x-session-id`` header or, without one, a hash of the conversation's first
real user message and system prompt (``derive_session_id``: every turn of one chat maps to the
same id). Sessions are kept per routing
table (an ``eco`` and a ``premium`` conversation never share a pin) and expire after 30 minutes
without a request. The store is in memory, per process, and passed explicitly (no globals).

Rules (DESIGN.md §8):
- a routed tier below the session's tier is raised to the session's tier;
- the pinned model is tried first unless a higher tier was routed (then the new tier's
  primary wins) or the pinned model cannot serve this request (tools / images);
- after an answer, the model that actually answered becomes the pin (a failure forces a
  change); the tier pin is never lowered by a fallback.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from clawcli.core.memo import BoundedMemo, by_text
from clawcli.core.messages import content_text
from clawcli.core.router.ask import clean_user_text, runtime_session_id
from clawcli.core.router.types import TIER_RANK

TTL_SECONDS = 30 * 60
MAX_SESSIONS = 10_000  # memory bound (~1.5 MB): beyond it the least recently used session is dropped
_SWEEP_EVERY = 60.0


@dataclass(slots=True)
class Session:
    tier: str
    model: str | None
    last_used: float
    requests: int = 0


def derive_session_id(request: Mapping[str, Any]) -> str | None:
    """A stable id for a conversation sent without ``x-session-id`` (16 hex chars); None without
    a user message.

    Every turn of a chat resends its first user message and system prompt, so their hash names
    the conversation. The first *real* user message is used, cleaned like the router's ask
    (OpenClaw's internal-context messages skipped, its ``[timestamp]`` prefix and ``Runtime:``
    trailer stripped), plus the system prompt up to OpenClaw's per-turn dynamic section, plus
    the ``sessionId=`` OpenClaw writes in that trailer: two OpenClaw conversations that both
    start with "hi" are two sessions, and two scripts with different system prompts sending the
    same question do not share a pin or a cap (identical one-shot requests still do: send
    ``x-session-id`` to keep them apart).
    """
    first: str | None = None
    system: list[bytes] = []
    for m in request.get("messages") or ():
        if type(m) is not dict and not isinstance(m, Mapping):  # the type test spares the ABC check
            continue
        role = m.get("role")
        if role in ("system", "developer") and first is None:
            system.append(_system_bytes(content_text(m.get("content"))))
        elif role == "user" and first is None:
            raw = content_text(m.get("content"))
            text, _ = clean_user_text(raw)
            if text:
                first = text + "\x00" + (runtime_session_id(raw) or "")
                break
    if first is None:
        return None
    # every request of a conversation hashes the same things: remember the id when that is long
    # (the big system parts are remembered bytes objects whose hash Python keeps, so the key costs
    # one short hash); a short conversation start is hashed faster than it is remembered
    big = system and len(first) <= _ID_MEMO_CHARS and sum(map(len, system)) >= _SYSTEM_MEMO_MIN
    key = (first, *system) if big else None
    sid = _IDS.get(key) if key is not None else None
    if sid is not None:
        return sid
    h = hashlib.sha256(first.encode("utf-8", "surrogatepass"))
    for part in system:
        h.update(b"\x00")
        h.update(part)
    sid = h.hexdigest()[:16]
    if key is not None:
        _IDS.put(key, sid)
    return sid


# OpenClaw ends its system prompt with a section rebuilt every turn (date, time zone ...)
_OPENCLAW_DYNAMIC = "<!-- openclaw:attempt:DYNAMIC -->"
# Agent system prompts run to ~50 KB and this runs on every proxied request: encoding and hashing
# all of it cost ~90 us. Its length plus both ends name a conversation just as well (a workspace
# or tool change moves the length or an end), for ~10 us.
_SYSTEM_SAMPLE = 4096
# Pure memoisation of the two steps above, bounded: a big system prompt's hashed bytes (each
# request parses a new copy of it: the key is its length and both ends, a hit is confirmed by
# comparing the whole text), and a conversation's id (first message of at most _ID_MEMO_CHARS).
_SYSTEM_MEMO_MIN = 4096
_ID_MEMO_CHARS = 4096
_SYSTEMS = BoundedMemo(256)
_IDS = BoundedMemo(256)


def _system_bytes(text: str) -> bytes:
    """What of a system prompt names the conversation, as the bytes hashed."""
    if len(text) < _SYSTEM_MEMO_MIN:
        return _stable_bytes(text)
    return by_text(_SYSTEMS, text, _stable_bytes)


def _stable_bytes(text: str) -> bytes:
    return _system_stable_part(text).encode("utf-8", "surrogatepass")


def _system_stable_part(text: str) -> str:
    i = text.rfind(_OPENCLAW_DYNAMIC)  # the dynamic section is the last one: search from the end
    stable = text if i < 0 else text[:i]
    if len(stable) <= 2 * _SYSTEM_SAMPLE:
        return stable
    return f"{len(stable)}\x00{stable[:_SYSTEM_SAMPLE]}\x00{stable[-_SYSTEM_SAMPLE:]}"


class SessionStore:
    def __init__(self, ttl: float = TTL_SECONDS, clock: Callable[[], float] = time.monotonic,
                 max_sessions: int = MAX_SESSIONS) -> None:
        self.ttl = ttl
        self.max_sessions = max_sessions
        self.clock = clock
        self._items: dict[str, Session] = {}
        self._last_sweep = clock()

    def __len__(self) -> int:
        return len(self._items)

    def _sweep(self, now: float) -> None:
        if now - self._last_sweep < _SWEEP_EVERY:
            return
        self._last_sweep = now
        dead = [k for k, s in self._items.items() if now - s.last_used > self.ttl]
        for k in dead:
            del self._items[k]

    def get(self, key: str) -> Session | None:
        now = self.clock()
        self._sweep(now)
        s = self._items.pop(key, None)
        if s is None:
            return None
        if now - s.last_used > self.ttl:
            return None
        self._items[key] = s  # re-insert: dict order is least recently used first
        return s

    def _put(self, key: str, s: Session) -> None:
        self._items[key] = s
        while len(self._items) > self.max_sessions:
            del self._items[next(iter(self._items))]

    def apply(self, key: str | None, decision: Any, *, catalog: Any, features: Any,
              exclude: frozenset[str] = frozenset()) -> Any:
        """The decision to use for this request, given the session's pin (may be ``decision``)."""
        if key is None or getattr(decision, "explicit", False):
            return decision
        s = self.get(key)
        if s is None:
            self._put(key, Session(tier=decision.tier, model=None, last_used=self.clock()))
            return decision
        s.last_used = self.clock()
        routed_rank = TIER_RANK.get(decision.tier, 0)
        pinned_rank = TIER_RANK.get(s.tier, 0)
        if routed_rank > pinned_rank:  # a harder turn: move the session up, new tier's primary
            s.tier = decision.tier
            s.model = None
            return decision
        if routed_rank < pinned_rank:
            decision = raise_tier(decision, s.tier, catalog=catalog, features=features, exclude=exclude)
        if s.model and s.model != decision.model and _can_serve(catalog.get(s.model), features):
            decision = pin_model(decision, s.model, catalog=catalog)
        return decision

    def record(self, key: str | None, decision: Any, answered_model: str | None) -> None:
        """Remember who answered (the new pin) after a successful answer."""
        if key is None or getattr(decision, "explicit", False) or not answered_model:
            return
        s = self.get(key)
        now = self.clock()
        if s is None:
            self._put(key, Session(tier=decision.tier, model=answered_model, last_used=now, requests=1))
            return
        if TIER_RANK.get(decision.tier, 0) >= TIER_RANK.get(s.tier, 0):
            s.tier = decision.tier
        s.model = answered_model
        s.last_used = now
        s.requests += 1


def _can_serve(model: Any, features: Any) -> bool:
    if model is None:
        return False
    if features.has_tools and not model.tools:
        return False
    if features.has_images and not model.vision:
        return False
    return True


def raise_tier(decision: Any, tier: str, *, catalog: Any, features: Any,
               exclude: frozenset[str] = frozenset()) -> Any:
    """The same request routed at a higher ``tier`` of the same table (filters re-applied)."""
    from clawcli.core.router import select

    table = catalog.profiles.get(decision.profile) or catalog.profiles.get("auto")
    notes = list(decision.reasons) + [f"session pinned at {tier}: tier not lowered from {decision.tier}"]
    chain = select.build_chain(
        catalog, table, tier, needed_tokens=features.input_tokens + features.max_tokens,
        exclude=exclude,
        has_tools=features.has_tools, has_images=features.has_images, notes=notes,
    )
    return _with_chain(decision, chain, catalog, tier=tier, reasons=notes)


def pin_model(decision: Any, model: str, *, catalog: Any) -> Any:
    chain = [model] + [m for m in decision.chain if m != model]
    notes = list(decision.reasons) + [f"session pinned to {model}"]
    return _with_chain(decision, chain, catalog, reasons=notes)


def _with_chain(decision: Any, chain: list[str], catalog: Any, **changes: Any) -> Any:
    from clawcli.core.router import select

    m = catalog.get(chain[0])
    cost = select.estimate_cost(m, decision.input_tokens, decision.max_tokens)
    return dataclasses.replace(
        decision, chain=chain, model=chain[0], estimated_cost=cost,
        savings=select.savings(cost, decision.baseline_cost), **changes,
    )
