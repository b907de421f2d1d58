"""In-flight request joining: identical concurrent requests share one upstream call.

The key is the whole canonical body itself (sorted keys, so every parameter counts, ``stream``
included: a streaming and a non-streaming twin never share an answer) with the session header
(it can change the pinned model): exact, so no two different requests can ever share an answer,
and hashed once by the dict (cheaper than a digest of a 60 KB agent request). A :class:`Flight` is produced by one task
and watched by any number of subscribers; each subscriber renders the shared frames itself
(its own debug headers). When the last subscriber goes away before the answer is complete
the producing task is cancelled, so a client disconnect cancels the upstream call — but
never while another client is still waiting for the same answer.

Only *in-flight* requests are joined; a finished answer is not replayed (no response cache:
a stale answer is worse than a second call).

Two ways to produce: :meth:`InFlight.start` runs the producer in a task of its own (streams:
the leader relays frames while they are produced); :meth:`InFlight.lead` + :meth:`InFlight.run`
let the first request produce in its own task (non-streamed answers: no task, no wake-up and
no extra loop turn per request, the common case of a request nobody else asked). Then the
"last one out cancels" rule cancels the leader's own task, which the chat handler ends
quietly when its client is gone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Hashable
from typing import Any

import orjson


def request_key(body: Any, session_header: bytes | None, canon: bytes | None = None) -> Hashable:
    """The in-flight key of a request; ``canon``: its canonical JSON when the caller has it already
    (``validate.validate_chat`` returns it)."""
    if canon is None:
        canon = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    return canon, session_header or b""


class Subscriber:
    """One client watching a flight: woken on every new frame, on completion and on disconnect."""

    __slots__ = ("wake", "gone")

    def __init__(self) -> None:
        self.wake = asyncio.Event()
        self.gone = False


class Flight:
    """One upstream call and everything it produced so far."""

    __slots__ = ("key", "frames", "done", "result", "error", "task", "subscribers", "_registry", "joined",
                 "request_id")

    def __init__(self, key: Hashable, registry: "InFlight") -> None:
        self.key = key
        self.frames: list[Any] = []
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None
        self.task: asyncio.Task | None = None
        self.subscribers: list[Subscriber] = []
        self._registry = registry
        self.joined = 0  # how many requests joined an existing flight (for tests and /health)
        self.request_id: str | None = None  # the leader's: x-request-id of every joined response too

    # producer side -----------------------------------------------------------------------
    def push(self, frame: Any) -> None:
        self.frames.append(frame)
        for s in self.subscribers:
            s.wake.set()

    def finish(self, result: Any = None, error: BaseException | None = None) -> None:
        if self.done:
            return
        self.done = True
        self.result = result
        self.error = error
        self._registry._forget(self)
        for s in self.subscribers:
            s.wake.set()

    # subscriber side ---------------------------------------------------------------------
    def subscribe(self) -> Subscriber:
        s = Subscriber()
        self.subscribers.append(s)
        return s

    def leave(self, sub: Subscriber) -> None:
        """A subscriber is gone (answered or disconnected). The last one out cancels the call."""
        sub.gone = True
        sub.wake.set()
        try:
            self.subscribers.remove(sub)
        except ValueError:
            pass
        if not self.subscribers and not self.done and self.task is not None:
            self.task.cancel()
            self._registry._forget(self)


class InFlight:
    """key -> running Flight. ``start`` joins a running flight or starts a new one."""

    def __init__(self) -> None:
        self._flights: dict[Hashable, Flight] = {}
        self.joined_total = 0

    def __len__(self) -> int:
        return len(self._flights)

    def start(self, key: Hashable, produce: Callable[[Flight], Coroutine[Any, Any, Any]]) -> tuple[Flight, Subscriber, bool]:
        """(flight, this request's subscription, True if this request started it); a new flight's
        producer runs in a task of its own."""
        f, sub, leader = self.lead(key)
        if leader:
            f.task = asyncio.get_running_loop().create_task(self.run(f, produce))
        return f, sub, leader

    def lead(self, key: Hashable) -> tuple[Flight, Subscriber, bool]:
        """Join the running flight of ``key``, or register a new one that the calling task
        produces itself with :meth:`run` (then True). The calling task is the one cancelled
        when every subscriber has gone."""
        f = self._flights.get(key)
        if f is not None and not f.done:
            f.joined += 1
            self.joined_total += 1
            return f, f.subscribe(), False
        f = Flight(key, self)
        self._flights[key] = f
        f.task = asyncio.current_task()
        return f, f.subscribe(), True

    async def run(self, f: Flight, produce: Callable[[Flight], Coroutine[Any, Any, Any]]) -> None:
        """Produce ``f``: its result or error reaches every subscriber; a cancellation is re-raised."""
        try:
            result = await produce(f)
        except asyncio.CancelledError:
            f.finish(error=asyncio.CancelledError())
            raise
        except BaseException as exc:  # handed to every subscriber, rendered as an error
            f.finish(error=exc)
        else:
            f.finish(result=result)

    def _forget(self, f: Flight) -> None:
        if self._flights.get(f.key) is f:
            del self._flights[f.key]
