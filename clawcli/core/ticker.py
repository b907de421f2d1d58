"""Coarse deadlines without a timer per request: one tick every ``interval`` seconds while any
deadline is pending, none when idle.

A proxied request used to arm four event-loop timers (the attempt's time limit, the delay
before watching for a client disconnect, the request-head and the request-body limits), each
one allocated, inserted into the loop's heap and cancelled again a millisecond later when the
answer came back: ~15 us of a ~350 us request. A :class:`Ticker` keeps deadlines in a dict
(register and cancel are a dict insert and a pop) and checks them on one periodic callback.
The price is precision: a deadline fires up to ``interval`` late, which none of these limits
(seconds to minutes, the disconnect watch 50 ms) minds.

    ticker = Ticker()                       # one per event loop user (engine, server)
    token = ticker.at(loop.time() + 10, callback)
    ticker.cancel(token)                    # before it fires: never called
    async with ticker.timeout(60):          # like asyncio.timeout(): TimeoutError when it expires
        ...

A Ticker binds to the running loop on first use and rebinds (dropping what was pending for the
old loop, which can no longer run) when used from another loop, as test suites do.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import TracebackType
from typing import Any

#: seconds between checks while deadlines are pending
TICK = 0.05


class Ticker:
    __slots__ = ("_handle", "_items", "_loop", "_next", "interval")

    def __init__(self, interval: float = TICK) -> None:
        self.interval = interval
        self._items: dict[int, tuple[float, Callable[[], Any]]] = {}
        self._next = 0
        self._handle: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __len__(self) -> int:
        return len(self._items)

    def loop(self) -> asyncio.AbstractEventLoop:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop, self._handle = loop, None
            self._items.clear()
        return loop

    def at(self, when: float, callback: Callable[[], Any]) -> int:
        """Call ``callback()`` once the loop's clock reaches ``when`` (up to one interval later);
        returns the token for :meth:`cancel`."""
        return self._add(self.loop(), when, callback)

    def _add(self, loop: asyncio.AbstractEventLoop, when: float, callback: Callable[[], Any]) -> int:
        self._next += 1
        self._items[self._next] = (when, callback)
        if self._handle is None:
            self._handle = loop.call_later(self.interval, self._tick)
        return self._next

    def cancel(self, token: int) -> None:
        self._items.pop(token, None)

    def timeout(self, delay: float) -> Timeout:
        return Timeout(self, delay)

    def _tick(self) -> None:
        loop = self._loop
        assert loop is not None
        now = loop.time()
        due = [(token, cb) for token, (when, cb) in self._items.items() if when <= now]
        for token, cb in due:
            del self._items[token]
            try:
                cb()
            except Exception as exc:  # one broken callback must not stop the others
                loop.call_exception_handler({"message": "ticker callback failed", "exception": exc})
        self._handle = loop.call_later(self.interval, self._tick) if self._items else None


class Timeout:
    """``async with ticker.timeout(delay)``: cancels the task when the deadline passes and turns
    that cancellation into TimeoutError on the way out (asyncio.timeout's contract: a
    cancellation from anywhere else is left alone)."""

    __slots__ = ("_cancelling", "_delay", "_expired", "_task", "_ticker", "_token")

    def __init__(self, ticker: Ticker, delay: float) -> None:
        self._ticker = ticker
        self._delay = delay
        self._expired = False
        self._token = 0

    async def __aenter__(self) -> Timeout:
        # the loop looked up once: in CPython 3.11 every get_running_loop() is a getpid() syscall
        loop = self._ticker.loop()
        task = asyncio.current_task(loop)
        if task is None:
            raise RuntimeError("Timeout should be used inside a task")
        self._task = task
        self._cancelling = task.cancelling()
        self._token = self._ticker._add(loop, loop.time() + self._delay, self._expire)
        return self

    def _expire(self) -> None:
        self._expired = True
        self._task.cancel()

    @property
    def expired(self) -> bool:
        return self._expired

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self._ticker.cancel(self._token)
        if self._expired and self._task.uncancel() <= self._cancelling and exc_type is asyncio.CancelledError:
            raise TimeoutError from exc
