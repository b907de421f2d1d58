"""Walking a plan's chain: try each model until one answers (DESIGN.md §7).

A 429 is retried once after ``retry_delay``, then the model cools down; an overloaded model
cools down; a billing failure stops paying and jumps to the free model with a notice; a gateway
that cannot be reached at all ends the walk at once; everything else tries the next model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from clawcli.core.catalog import Catalog
from clawcli.core.errors import AllAttemptsFailed
from clawcli.core.upstream import classify as errors
from clawcli.core.upstream.attempt import AttemptRunner
from clawcli.core.upstream.request_state import AttemptFailed, OpenAnswer, RequestState
from clawcli.core.upstream.state import (
    OVERLOAD_COOLDOWN,
    RATE_LIMIT_COOLDOWN,
    Cooldowns,
    WalletEmptyMemory,
)
from clawcli.core.upstream.types import Attempt, GatewayUnreachable, Timeouts

#: paid answers that were empty, looping or cut short, per request, before the walk stops paying (issue 13)
MAX_PAID_DEGRADED = 2


class ChainWalker:
    """Walks chains for one engine; the cooldowns and the wallet memory it updates are shared."""

    def __init__(self, attempts: AttemptRunner, catalog: Catalog, cooldowns: Cooldowns,
                 wallet: WalletEmptyMemory, timeouts: Timeouts, clock: Callable[[], float],
                 sleep: Callable[[float], Any], base_url: str) -> None:
        self.attempts = attempts
        self.catalog = catalog
        self.cooldowns = cooldowns
        self.wallet = wallet
        self.timeouts = timeouts
        self.clock = clock
        self.sleep = sleep
        self.base_url = base_url

    async def walk(self, request: dict[str, Any], state: RequestState, streaming: bool) -> OpenAnswer:
        """The first usable answer along the plan's chain; raises AllAttemptsFailed (or a
        caller-side error from the attempt) when none answers."""
        plan = state.plan
        assert plan is not None
        chain = plan.chain
        deadline = state.t0 + self.timeouts.total
        i = 0
        while i < len(chain):
            model = chain[i]
            if self.clock() >= deadline:
                state.attempts.append(Attempt(model, None, errors.NETWORK, 0,
                                              reason=f"total timeout {self.timeouts.total:g}s"))
                break
            answer = await self._try_model(model, request, state, streaming, deadline)
            if answer is not None:
                return answer
            last = state.attempts[-1]
            # a stream cut short before anything reached the client is as unusable as an empty answer
            paid_degraded = [a for a in state.attempts
                             if a.paid and a.error_class in (errors.DEGRADED, errors.TRUNCATED)]
            if len(paid_degraded) >= MAX_PAID_DEGRADED and chain[i + 1:] != [self.catalog.free_model]:
                # a gateway that charges for empty or looping answers would be paid down the whole
                # chain: stop paying; only the free model (never paid) may still answer
                n, models = len(paid_degraded), ", ".join(a.model for a in paid_degraded)
                free = self.catalog.free_model
                if not plan.free_allowed or model == free:
                    raise AllAttemptsFailed(
                        f"stopped after {n} paid answers that were empty, looping or cut short ({models}); "
                        "no further model was paid for this request",
                        [a.to_dict() for a in state.attempts],
                        hint="the gateway charged for unusable answers; retry later or pick another model (-m)",
                    )
                state.notices.append(f"notice: {n} paid answers were empty, looping or cut short ({models}); "
                                     "no further model is paid for this request: "
                                     f"answering with the free model {free}")
                chain = chain[: i + 1] + [free]
            if last.error_class == errors.NETWORK and last.reason.startswith("cannot connect"):
                # the gateway itself is down: every other model would fail the same way
                raise GatewayUnreachable(self.base_url, last.reason, [a.to_dict() for a in state.attempts])
            if last.error_class == errors.BILLING:
                free = self.catalog.free_model
                if plan.free_allowed and model != free:
                    # stop paying: whatever comes next would be billed the same way
                    state.notices.append(self._billing_notice(model, last))
                    chain = chain[: i + 1] + [free]
                elif self.wallet.empty:
                    break  # no free model allowed and nothing can be paid for
            i += 1
        summary = "; ".join(a.describe() for a in state.attempts) or "no model to try"
        failed = AllAttemptsFailed(
            f"all {len({a.model for a in state.attempts})} models failed: {summary}",
            [a.to_dict() for a in state.attempts],
            hint="see the attempt list; `claw stats` shows failure rates per model",
        )
        # when every model is cooling down, the first to be back says when a retry can help
        waits = [self.cooldowns.remaining(m) for m in chain]
        failed.retry_after = min(waits) if waits and all(w > 0 for w in waits) else None  # type: ignore[attr-defined]
        raise failed

    async def _try_model(self, model: str, request: dict[str, Any], state: RequestState, streaming: bool,
                         deadline: float) -> OpenAnswer | None:
        """One model, with the single 429 retry; None when it failed (its attempts recorded)."""
        retried = False
        while True:
            try:
                return await self.attempts.run(model, request, state, streaming, deadline)
            except AttemptFailed as failed:
                state.attempts.append(failed.attempt)
                rate_limited = failed.attempt.error_class == errors.RATE_LIMITED
                if rate_limited and not retried and self.clock() + self.timeouts.retry_delay < deadline:
                    retried = True
                    await self.sleep(self.timeouts.retry_delay)
                    continue
                self._after_failure(model, failed)
                return None

    def _after_failure(self, model: str, failed: AttemptFailed) -> None:
        cls = failed.attempt.error_class
        if cls == errors.RATE_LIMITED:
            self.cooldowns.mark(model, failed.retry_after or RATE_LIMIT_COOLDOWN, "rate_limited")
        elif cls == errors.OVERLOADED:
            self.cooldowns.mark(model, failed.retry_after or OVERLOAD_COOLDOWN, "overloaded")
        if failed.wallet_empty:
            self.wallet.mark_empty()

    def _billing_notice(self, model: str, failed: Attempt) -> str:
        free = self.catalog.free_model
        if self.wallet.empty:
            return (f"notice: wallet balance too low to pay for {model}; answering with the free model {free} "
                    "(fund the wallet: `claw wallet fund`)")
        return f"notice: billing error from {model} ({failed.reason or failed.status}); answering with the free model {free}"
