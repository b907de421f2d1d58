"""Cooldowns, session budgets and session pins shared by every `claw serve` on one Redis.

The hot path must stay an in-process lookup (no await per request), so each instance keeps its
own in-memory copy and this module keeps the copies in step:

- a change made here (a model put in cooldown, a session's spend, a new pin) is applied locally
  at once and queued; one writer task stores it in Redis (so a restarted instance can load it)
  and PUBLISHes it on the wallet's channel, in order;
- one subscriber task applies the other instances' changes to the local copy (its own are
  skipped by instance id), and reloads everything after a reconnect.

Consistency is eventual (a change reaches the other instances within a round trip): fine for
routing hints and a soft per-session cap. The wallet's hourly/daily caps are NOT here: they are
the spend ledger's atomic Lua scripts (redis_ledger.py). When Redis is away the copies keep
working locally, one warning line is logged, and they resync when it is back.

Keys (prefix ``clawcli:{state:<wallet address>}:``): ``cool`` HASH model -> {until, why} (wall
clock), ``pin:<session>`` JSON with a TTL, ``budget:<session>`` float with a TTL, channel ``events``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections.abc import Callable
from typing import Any

from clawcli.core.upstream.state import Cooldowns, SessionBudgets

log = logging.getLogger("clawcli.state")

QUEUE_MAX = 10_000  # changes waiting for Redis; beyond it the oldest are dropped (Redis away)
RECONNECT_MAX_S = 5.0


def state_prefix(address: str) -> str:
    a = address.lower() if address.startswith("0x") else address
    return f"clawcli:{{state:{a}}}:"


class SharedState:
    """The mirror of one wallet's shared maps; ``start()``/``close()`` inside the serving loop."""

    def __init__(self, url: str, *, address: str, display_url: str | None = None,
                 wall_clock: Callable[[], float] = time.time) -> None:
        from clawcli.core.state.redis_state import require_redis

        require_redis()
        self.url = url
        self.display_url = display_url or url
        self.prefix = state_prefix(address)
        self.channel = self.prefix + "events"
        self.instance = secrets.token_hex(6)
        self.wall = wall_clock
        self._handlers: dict[str, Callable[[str, Any], None]] = {}
        self._loaders: list[Callable[[Any], Any]] = []
        self._queue: asyncio.Queue | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: list[asyncio.Task] = []
        self._client: Any = None
        self.connected = False
        self.last_error: str | None = None
        self.received = 0  # changes applied from other instances (for /health and tests)

    # -- wiring -----------------------------------------------------------------------------
    def on(self, kind: str, handler: Callable[[str, Any], None], loader: Callable[[Any], Any] | None = None) -> None:
        """``handler(key, value)`` applies another instance's change; ``loader(client)`` (async)
        reloads the stored state after (re)connecting."""
        self._handlers[kind] = handler
        if loader is not None:
            self._loaders.append(loader)

    def emit(self, kind: str, key: str, value: Any, store: tuple[str, ...]) -> None:
        """Queue a local change: ``store`` is the Redis command that keeps it, e.g.
        ("SET", key, json, "EX", ttl). No-op outside a running loop (nothing to sync from)."""
        if self._queue is None or self._loop is None:
            return
        item = (kind, key, value, store)
        try:
            here = asyncio.get_running_loop()
        except RuntimeError:
            here = None
        if here is self._loop:
            self._put(item)
        else:  # a worker thread: asyncio.Queue belongs to the serving loop
            self._loop.call_soon_threadsafe(self._put, item)

    def _put(self, item: tuple) -> None:
        assert self._queue is not None
        if self._queue.full():
            self._queue.get_nowait()
            self._queue.task_done()  # dropped, never written: close() must not wait for it
        self._queue.put_nowait(item)

    async def start(self) -> None:
        import redis.asyncio as aioredis

        self._loop = asyncio.get_running_loop()
        self._queue = asyncio.Queue(QUEUE_MAX)
        self._client = aioredis.Redis.from_url(self.url, socket_connect_timeout=2.0, socket_timeout=5.0,
                                               health_check_interval=30)
        ready = asyncio.Event()
        self._tasks = [asyncio.create_task(self._subscriber(ready)), asyncio.create_task(self._writer())]
        try:  # the first sync before serving; a Redis that is down is retried in the background
            await asyncio.wait_for(ready.wait(), 3.0)
        except TimeoutError:
            pass

    async def close(self) -> None:
        if self._queue is not None:  # flush what is queued, and the batch being written (bounded)
            try:  # (an empty queue is not enough: the writer may hold the last batch mid-pipeline)
                await asyncio.wait_for(self._queue.join(), 0.5)
            except TimeoutError:
                log.debug("shared state: stopping with unwritten changes")
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            try:
                await t
            except (asyncio.CancelledError, Exception) as exc:  # noqa: BLE001 - stopping anyway
                log.debug("shared state task ended: %r", exc)
        self._tasks = []
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"connected": self.connected, "instance": self.instance, "received": self.received}
        if self.last_error and not self.connected:
            out["error"] = self.last_error
        return out

    # -- tasks --------------------------------------------------------------------------------
    def _down(self, exc: BaseException) -> None:
        msg = str(exc).strip() or type(exc).__name__
        if self.connected or self.last_error is None:
            log.warning("claw: shared state at %s unreachable (%s); cooldowns and session pins stay "
                        "local until it is back", self.display_url, msg)
        self.connected = False
        self.last_error = msg

    async def _writer(self) -> None:
        assert self._queue is not None
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty() and len(batch) < 256:
                batch.append(self._queue.get_nowait())
            try:
                pipe = self._client.pipeline(transaction=False)
                for kind, key, value, store in batch:
                    for cmd in _commands(store):
                        pipe.execute_command(*cmd)
                    pipe.publish(self.channel, json.dumps({"src": self.instance, "k": kind, "key": key, "v": value}))
                await pipe.execute()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - Redis away: keep serving, resync later
                self._down(exc)
            for _ in batch:
                self._queue.task_done()

    async def _subscriber(self, ready: asyncio.Event) -> None:
        delay = 0.1
        while True:
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                for load in self._loaders:  # after SUBSCRIBE: no change falls between load and stream
                    await load(self._client)
                self.connected, delay = True, 0.1
                ready.set()
                async for msg in pubsub.listen():
                    self._apply(msg.get("data"))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - reconnect with backoff
                self._down(exc)
                ready.set()
            finally:
                try:
                    await pubsub.aclose()
                except Exception as exc:  # noqa: BLE001 - a dead connection
                    log.debug("closing the subscription: %s", exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX_S)

    def _apply(self, data: Any) -> None:
        try:
            msg = json.loads(data)
            if msg.get("src") == self.instance:
                return
            handler = self._handlers.get(msg.get("k"))
            if handler is not None:
                handler(str(msg.get("key")), msg.get("v"))
                self.received += 1
        except (ValueError, TypeError, AttributeError) as exc:  # a foreign message on our channel
            log.debug("ignored a state message: %s", exc)


async def scan_values(client: Any, prefix: str, batch: int = 500) -> Any:
    """(key without ``prefix``, value) of every key under ``prefix``: SCAN pages, one MGET each
    (a restart reloads up to 10,000 sessions in a few round trips, not one per key)."""
    cursor = 0
    while True:
        cursor, keys = await client.scan(cursor, match=prefix + "*", count=batch)
        if keys:
            for k, raw in zip(keys, await client.mget(keys)):
                if raw is not None:
                    yield (k.decode() if isinstance(k, bytes) else str(k))[len(prefix):], raw
        if not cursor:
            return


def _commands(store: tuple) -> list[tuple]:
    """One stored change may need several commands (e.g. INCRBYFLOAT then EXPIRE)."""
    if store and isinstance(store[0], tuple):
        return list(store)
    return [store] if store else []


class SharedCooldowns(Cooldowns):
    """Per-model cooldowns seen by every instance: a model benched by one is tried last by all."""

    def __init__(self, shared: SharedState, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(clock)
        self._shared = shared
        self._key = shared.prefix + "cool"
        shared.on("cool", self._remote, self._load)

    def mark(self, model: str, seconds: float, why: str = "") -> None:
        super().mark(model, seconds, why)
        left = self.remaining(model)
        if left > 0:
            until = self._shared.wall() + left
            value = {"until": until, "why": self._why.get(model, why)}
            self._shared.emit("cool", model, value, ("HSET", self._key, model, json.dumps(value)))

    def _remote(self, model: str, value: Any) -> None:
        left = float(value["until"]) - self._shared.wall()
        if left > 0:
            Cooldowns.mark(self, model, left, str(value.get("why") or ""))

    async def _load(self, client: Any) -> None:
        stored = await client.hgetall(self._key)
        now = self._shared.wall()
        for model, raw in stored.items():
            try:
                value = json.loads(raw)
                if float(value["until"]) <= now:
                    await client.hdel(self._key, model)
                    continue
            except (ValueError, KeyError, TypeError):
                continue
            self._remote(model.decode() if isinstance(model, bytes) else str(model), value)


class SharedSessionBudgets(SessionBudgets):
    """Per-session spend (``maxCostPerRun``) summed over every instance the session's requests hit."""

    def __init__(self, shared: SharedState, ttl: float = 1800.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(ttl=ttl, clock=clock)
        self._shared = shared
        self._ttl_s = int(ttl)
        shared.on("budget", self._remote, self._load)

    def _emit(self, session_id: str, delta: float) -> None:
        key = self._shared.prefix + "budget:" + session_id
        self._shared.emit("budget", session_id, delta,
                          (("INCRBYFLOAT", key, repr(delta)), ("EXPIRE", key, self._ttl_s)))

    def add(self, session_id: str | None, amount: float) -> float:
        total = super().add(session_id, amount)
        if session_id and amount > 0:
            self._emit(session_id, float(amount))
        return total

    def refund(self, session_id: str | None, amount: float) -> None:
        super().refund(session_id, amount)
        if session_id and amount > 0:
            self._emit(session_id, -float(amount))

    def _remote(self, session_id: str, delta: Any) -> None:
        d = float(delta)
        if d >= 0:
            SessionBudgets.add(self, session_id, d)
        else:
            SessionBudgets.refund(self, session_id, -d)

    async def _load(self, client: Any) -> None:
        async for session_id, raw in scan_values(client, self._shared.prefix + "budget:"):
            self.seed(session_id, max(0.0, float(raw)))
