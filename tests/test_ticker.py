"""The coarse deadlines of core/ticker.py: what the attempt time limit, the disconnect watch and the
request-head limits of `claw serve` rely on."""

from __future__ import annotations

import asyncio

import pytest

from clawcli.core.ticker import Ticker


async def test_a_timeout_ends_a_slow_await_with_timeout_error_within_a_tick() -> None:
    ticker = Ticker(interval=0.02)
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    with pytest.raises(TimeoutError):
        async with ticker.timeout(0.1):
            await asyncio.sleep(5)
    assert 0.1 <= loop.time() - t0 < 1.0
    assert len(ticker) == 0


async def test_a_fast_block_leaves_nothing_pending_and_is_not_cancelled() -> None:
    ticker = Ticker(interval=0.02)
    async with ticker.timeout(0.05) as t:
        await asyncio.sleep(0)
    assert not t.expired and len(ticker) == 0
    await asyncio.sleep(0.1)  # the deadline would have passed: nothing fires after the block
    assert asyncio.current_task().cancelling() == 0


async def test_a_cancellation_from_elsewhere_is_not_turned_into_a_timeout() -> None:
    ticker = Ticker(interval=0.02)

    async def work() -> None:
        async with ticker.timeout(10):
            await asyncio.sleep(5)

    task = asyncio.ensure_future(work())
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_callbacks_fire_once_when_due_and_never_once_cancelled() -> None:
    ticker = Ticker(interval=0.01)
    loop = asyncio.get_running_loop()
    fired: list[str] = []
    ticker.at(loop.time() + 0.03, lambda: fired.append("due"))
    gone = ticker.at(loop.time() + 0.03, lambda: fired.append("cancelled"))
    ticker.at(loop.time() + 10, lambda: fired.append("later"))
    ticker.cancel(gone)
    await asyncio.sleep(0.15)
    assert fired == ["due"] and len(ticker) == 1


def test_a_ticker_moves_to_a_new_event_loop() -> None:
    ticker = Ticker(interval=0.01)
    fired: list[int] = []

    async def once(n: int) -> None:
        loop = asyncio.get_running_loop()
        ticker.at(loop.time() + 0.02, lambda: fired.append(n))
        ticker.at(loop.time() + 60, lambda: fired.append(-n))  # still pending when this loop closes
        await asyncio.sleep(0.1)

    asyncio.run(once(1))
    asyncio.run(once(2))  # a pending deadline of the closed loop must not stop this one
    assert fired == [1, 2]
