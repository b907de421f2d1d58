"""Cooldowns, session budgets and session pins mirrored through a real Redis (two instances in one
event loop): changes reach the other instance, a late (restarted) instance loads what is stored,
and a Redis restart is survived without restarting the instances."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace

import pytest

from clawcli.core.state.shared import SharedCooldowns, SharedSessionBudgets, SharedState
from clawcli.proxy.shared_state import SharedSessionStore

WALLET = "0x" + "ab" * 20


async def until(cond, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        await asyncio.sleep(0.01)
    return cond()


class Instance:
    def __init__(self, url: str, address: str = WALLET) -> None:
        self.shared = SharedState(url, address=address)
        self.cooldowns = SharedCooldowns(self.shared)
        self.budgets = SharedSessionBudgets(self.shared)
        self.sessions = SharedSessionStore(self.shared)

    async def __aenter__(self) -> Instance:
        await self.shared.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.shared.close()


def decision(tier: str, model: str) -> SimpleNamespace:
    return SimpleNamespace(tier=tier, model=model, explicit=False)


def run(coro):
    return asyncio.run(coro)


def test_cooldowns_budgets_and_pins_reach_the_other_instance(redis_url: str) -> None:
    async def main() -> None:
        async with Instance(redis_url) as a, Instance(redis_url) as b:
            a.cooldowns.mark("openai/gpt-5.4", 60, "rate_limited")
            assert await until(lambda: b.cooldowns.cooling("openai/gpt-5.4"))
            assert b.cooldowns.order(["openai/gpt-5.4", "x/y"]) == ["x/y", "openai/gpt-5.4"]
            assert 55 < b.cooldowns.remaining("openai/gpt-5.4") <= 60
            assert b.cooldowns.snapshot()["openai/gpt-5.4"]["why"] == "rate_limited"

            a.budgets.add("s1", 0.25)
            b.budgets.add("s1", 0.10)
            b.budgets.refund("s1", 0.05)
            assert await until(lambda: abs(a.budgets.spent("s1") - 0.30) < 1e-9)
            assert abs(b.budgets.spent("s1") - 0.30) < 1e-9

            a.sessions.record("agent-1", decision("COMPLEX", "anthropic/claude-sonnet-4.6"),
                              "anthropic/claude-sonnet-4.6")
            assert await until(lambda: b.sessions.get("agent-1") is not None)
            s = b.sessions.get("agent-1")
            assert (s.tier, s.model) == ("COMPLEX", "anthropic/claude-sonnet-4.6")
            # each applies only the other's changes: b got a's cooldown, budget and pin; a got b's two budget changes
            assert b.shared.received >= 3 and a.shared.received == 2

    run(main())


def test_a_restarted_instance_loads_what_is_stored(redis_url: str) -> None:
    async def main() -> None:
        async with Instance(redis_url) as a:
            a.cooldowns.mark("m/cold", 120, "overloaded")
            a.budgets.add("s2", 0.4)
            a.sessions.record("agent-2", decision("REASONING", "m/pinned"), "m/pinned")
        async with Instance(redis_url) as late:  # started after the changes: loads them on start
            assert late.cooldowns.cooling("m/cold")
            assert abs(late.budgets.spent("s2") - 0.4) < 1e-9
            assert late.sessions.get("agent-2").model == "m/pinned"
        async with Instance(redis_url, address="0x" + "99" * 20) as other_wallet:  # namespaced per wallet
            assert not other_wallet.cooldowns.cooling("m/cold") and other_wallet.sessions.get("agent-2") is None

    run(main())


def test_closing_waits_for_the_batch_being_written(redis_url: str, monkeypatch) -> None:
    """A change made just before shutdown reaches Redis even when the writer already took it off
    the queue and Redis is slow to answer (close() used to wait only for an empty queue)."""
    from redis.asyncio.client import Pipeline

    real_execute = Pipeline.execute

    async def slow_execute(self, *args, **kwargs):
        await asyncio.sleep(0.2)  # a loaded Redis
        return await real_execute(self, *args, **kwargs)

    async def main() -> None:
        async with Instance(redis_url) as a:
            monkeypatch.setattr(Pipeline, "execute", slow_execute)
            a.cooldowns.mark("m/last-words", 120, "overloaded")
        monkeypatch.setattr(Pipeline, "execute", real_execute)
        async with Instance(redis_url) as late:
            assert late.cooldowns.cooling("m/last-words")

    run(main())


def test_a_redis_restart_is_survived_without_restarting_the_instances(redis_server, redis_url: str) -> None:
    async def main() -> None:
        async with Instance(redis_url) as a, Instance(redis_url) as b:
            assert a.shared.connected and b.shared.connected
            port = redis_server.port
            redis_server.stop()
            a.cooldowns.mark("m/while-down", 60)  # local at once, even without Redis
            assert a.cooldowns.cooling("m/while-down")
            assert await until(lambda: not b.shared.connected)
            redis_server.start(port=port)
            assert await until(lambda: a.shared.connected and b.shared.connected, timeout=15)
            a.cooldowns.mark("m/after", 60)
            assert await until(lambda: b.cooldowns.cooling("m/after"))

    run(main())


@pytest.mark.parametrize("bad", ["not json", '{"src": "x", "k": "cool", "key": "m"}'])
def test_a_foreign_message_on_the_channel_is_ignored(redis_url: str, bad: str) -> None:
    async def main() -> None:
        async with Instance(redis_url) as a, Instance(redis_url) as b:
            import redis.asyncio as aioredis

            client = aioredis.Redis.from_url(redis_url)
            await client.publish(a.shared.channel, bad)
            await client.aclose()
            b.cooldowns.mark("m/next", 60)  # published after the bad one: once a has it, a has read both
            assert await until(lambda: a.cooldowns.cooling("m/next"))
            assert a.shared.connected and not a.cooldowns.cooling("m")

    run(main())


def test_a_change_made_in_a_worker_thread_is_shared_too(redis_url: str) -> None:
    async def main() -> None:
        async with Instance(redis_url) as a, Instance(redis_url) as b:
            await asyncio.to_thread(a.budgets.add, "s3", 0.2)  # e.g. bookkeeping next to a signature
            assert await until(lambda: abs(b.budgets.spent("s3") - 0.2) < 1e-9)

    run(main())
