"""The upstream engine: answer one request by walking its routing decision's chain.

One :class:`Engine` per process (``claw ask`` makes one, ``claw serve`` makes one at startup).
It owns the gateway client (one keep-alive connection pool), the per-model cooldowns, the
per-session cost budgets and the wallet-empty memory, so every request of the process shares
them. Per request (:meth:`Engine._run`):

1. plan (``_plan.py``): route (or take the caller's Decision), cooling models to the back, the
   session cost cap (graceful: cheaper models with a notice; strict: refuse) and ``max_cost``;
2. walk the chain (``fallback.py``): one attempt per model (``attempt.py``), each paying a 402
   through the payer (``payment.py``) and classifying any failure (``classify.py``);
3. streaming (``relay.py``): chunks held back until the answer has visibly started (so an empty
   answer or a token loop still falls back), then relayed as they arrive, never retried;
4. exactly one usage record per request, whatever happened (``records.py``; cancelled included).

Module map (who imports whom, arrows one way): engine -> fallback -> attempt -> payment, relay
-> gateway_client, request_state -> _plan -> state, types.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, Self

from clawcli.core.catalog import Catalog
from clawcli.core.config import Settings
from clawcli.core.errors import (
    AllAttemptsFailed,
    BadRequestError,
    ClawError,
    PolicyRefusal,
)
from clawcli.core.paths import Paths
from clawcli.core.upstream import classify as errors
from clawcli.core.upstream._plan import PlanningContext, plan_request
from clawcli.core.upstream.attempt import AttemptRunner
from clawcli.core.upstream.fallback import ChainWalker
from clawcli.core.upstream.gateway_client import GatewayClient, HttpxGatewayClient
from clawcli.core.upstream.payment import Payments
from clawcli.core.upstream.preauth import QuoteCache
from clawcli.core.upstream.records import build_result, usage_record
from clawcli.core.upstream.relay import relay_stream
from clawcli.core.upstream.request_state import OpenAnswer, RequestState
from clawcli.core.ticker import Ticker
from clawcli.core.upstream.state import Cooldowns, SessionBudgets, WalletEmptyMemory
from clawcli.core.upstream.types import (
    EngineEvent,
    EngineResult,
    StreamInterrupted,
    Timeouts,
)
from clawcli.core.usage.log import UsageLog, new_request_id

__all__ = ["Engine", "Timeouts"]


class Engine:
    """Routes, pays, falls back and logs. See ARCHITECTURE.md "Engine" for the contract.

    ``client_factory(url)`` makes the gateway client (the seam in ``gateway_client.py``; the
    proxy passes its aiohttp one); without it the engine makes an httpx client over
    ``transport`` (None: httpx's own; tests pass an ``httpx.MockTransport``). ``preauth``
    (default ``settings.preauth``; False = ``--no-preauth``): False makes every paid request wait
    for its 402 instead of reusing the last quote.
    """

    def __init__(
        self,
        settings: Settings,
        paths: Paths,
        *,
        catalog: Catalog | None = None,
        payer: Any = None,
        usage_log: UsageLog | None = None,
        transport: Any = None,
        client_factory: Callable[[str], GatewayClient] | None = None,
        chain: str = "base",
        timeouts: Timeouts | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] = asyncio.sleep,
        cooldowns: Cooldowns | None = None,
        budgets: SessionBudgets | None = None,
        preauth: bool | None = None,
        ticker: Ticker | None = None,
    ) -> None:
        self.settings = settings
        self.paths = paths
        self.catalog = catalog or Catalog.load(paths.catalog_cache)
        self.payer = payer
        self.usage_log = usage_log if usage_log is not None else UsageLog(paths.logs_dir)
        self._usage_writer = self.usage_log  # kept: observers may wrap self.usage_log
        self.base_url = settings.gateway_for(chain)
        self.url = self.base_url + "/v1/chat/completions"
        self.t = timeouts or Timeouts()
        self._clock = clock
        # shared through Redis with --state (clawcli/core/state/shared.py); else this process's own
        self.cooldowns = cooldowns if cooldowns is not None else Cooldowns(clock)
        self.budgets = budgets if budgets is not None else SessionBudgets(clock=clock)
        self.wallet = WalletEmptyMemory(self.t.wallet_empty_memory, clock)
        if client_factory is not None:
            self.client: GatewayClient = client_factory(self.url)
        else:
            self.client = HttpxGatewayClient(self.url, transport=transport, connect=self.t.connect, idle=self.t.idle)
        if preauth is None:
            preauth = getattr(settings, "preauth", True)
        self.quotes = QuoteCache(clock=clock) if preauth else None  # --no-preauth: None
        self.payments = Payments(payer, settings, self.budgets, self.client, self.quotes)
        # coarse deadlines for every request of this engine (core/ticker.py); the proxy shares it
        self.ticker = ticker if ticker is not None else Ticker()
        attempts = AttemptRunner(self.client, self.payments, self.catalog, self.t, clock, self.base_url, self.ticker)
        self.walker = ChainWalker(attempts, self.catalog, self.cooldowns, self.wallet, self.t, clock, sleep,
                                  self.base_url)
        self.exclude = self._resolve_exclude(settings.exclude)
        self._contexts: dict[bool, PlanningContext] = {}  # by wallet_empty (_planning_context)

    def _resolve_exclude(self, names: list[str]) -> frozenset[str]:
        """Excluded catalog ids: an alias (``gpt-120b``) must exclude the model it names too,
        or the billing fallback would still answer with an excluded free model."""
        out = set(names)
        for name in names:
            try:
                out.add(self.catalog.resolve(name))
            except ClawError:
                pass  # the router reports an unknown id in the exclude list, clearly
        return frozenset(out)

    # lifecycle -----------------------------------------------------------------------------------
    async def aclose(self) -> None:
        self.flush_usage_log()
        await self.client.aclose()

    def flush_usage_log(self) -> None:
        """Write the usage records still queued (a buffered log, ``claw serve``) now."""
        flush = getattr(self._usage_writer, "flush", None)
        if flush is not None:
            flush()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @property
    def wallet_empty(self) -> bool:
        return self.wallet.empty

    # public API ----------------------------------------------------------------------------------
    async def complete(self, request: dict[str, Any], *, source: str, session_id: str | None = None,
                       decision: Any = None, max_cost: float | None = None,
                       compression: Any = None, request_id: str | None = None) -> EngineResult:
        """Answer ``request`` without streaming. Raises ClawError subclasses on failure.
        ``request_id``: the id for the usage record (the proxy's ``x-request-id``); else a new one.
        (The same steps as :meth:`_run` without its events: a coroutine, not an async generator,
        because this is the proxy's per-request path.)"""
        state, request = self._begin(request, source, session_id, max_cost, compression, decision, request_id)
        opened: OpenAnswer | None = None
        try:
            state.plan = plan_request(self._planning_context(), request, decision, session_id, max_cost)
            state.notices.extend(state.plan.notices)
            opened = await self.walker.walk(request, state, False)
            result = build_result(state, opened, False, self._clock())
            self._log(state, "ok", None, opened.attempt.model, result=result)
            return result
        except BaseException as exc:
            self._log_failure(state, exc, opened)
            raise
        finally:
            if opened is not None and opened.response is not None:
                await opened.response.close()

    def stream(self, request: dict[str, Any], *, source: str, session_id: str | None = None,
               decision: Any = None, max_cost: float | None = None,
               compression: Any = None, request_id: str | None = None) -> AsyncIterator[EngineEvent]:
        """Answer ``request`` as events: decision, notice*, chunk*, done(EngineResult)."""
        return self._run(request, source, session_id, decision, max_cost, streaming=True, compression=compression,
                         request_id=request_id)

    # one request ---------------------------------------------------------------------------------
    def _planning_context(self) -> PlanningContext:
        # one per wallet state, made once (a frozen dataclass costs ~10k instructions to build), and
        # made again if the engine's settings, catalog, exclusions, cooldowns or budgets were replaced
        empty = self.wallet.empty
        ctx = self._contexts.get(empty)
        if (ctx is None or ctx.settings is not self.settings or ctx.catalog is not self.catalog
                or ctx.exclude is not self.exclude or ctx.cooldowns is not self.cooldowns
                or ctx.budgets is not self.budgets):
            ctx = self._contexts[empty] = PlanningContext(self.settings, self.catalog, self.exclude,
                                                          self.cooldowns, self.budgets, empty)
        return ctx

    def _begin(self, request: dict[str, Any], source: str, session_id: str | None, max_cost: float | None,
               compression: Any, decision: Any, request_id: str | None) -> tuple[RequestState, dict[str, Any]]:
        # positionally, in RequestState's field order (keywords cost ~2k instructions a request):
        # request_id, source, session_id, t0, plan, attempts, notices, cost, gateway_claimed,
        # settlement, ttft, logged, max_cost
        state = RequestState(request_id or new_request_id(), source, session_id, self._clock(), None, [], [], 0.0, 0.0,
                             None, None, False, max_cost)
        if compression is None and decision is None:
            # nobody compressed this request yet: do it before routing and payment (callers that
            # route themselves compress first and pass `compression`, the stats, for the usage log)
            from clawcli.core.compression import compress_request

            request, compression = compress_request(request, self.settings.compress)
        state.compression = compression
        return state, request

    async def _run(self, request: dict[str, Any], source: str, session_id: str | None, decision: Any,
                   max_cost: float | None, *, streaming: bool, compression: Any = None,
                   request_id: str | None = None) -> AsyncIterator[EngineEvent]:
        state, request = self._begin(request, source, session_id, max_cost, compression, decision, request_id)
        opened: OpenAnswer | None = None
        relay = None
        try:
            state.plan = plan_request(self._planning_context(), request, decision, session_id, max_cost)
            state.notices.extend(state.plan.notices)
            yield EngineEvent("decision", state.plan.decision)
            for notice in state.plan.notices:
                yield EngineEvent("notice", notice)
            opened = await self.walker.walk(request, state, streaming)
            for notice in state.notices[len(state.plan.notices):]:
                yield EngineEvent("notice", notice)
            if streaming:
                relay = relay_stream(opened, state, self._clock)
                async for chunk in relay:
                    yield EngineEvent("chunk", chunk)
            result = build_result(state, opened, streaming, self._clock())
            self._log(state, "ok", None, opened.attempt.model, result=result)
            yield EngineEvent("done", result)
        except BaseException as exc:
            self._log_failure(state, exc, opened)
            raise
        finally:
            if relay is not None:
                await relay.aclose()
            if opened is not None and opened.response is not None:
                await opened.response.close()

    def _log_failure(self, state: RequestState, exc: BaseException, opened: OpenAnswer | None) -> None:
        """The usage record of a request that ended with ``exc`` (exactly one per request)."""
        if isinstance(exc, (asyncio.CancelledError, GeneratorExit, KeyboardInterrupt)):
            self._log(state, "error", errors.CANCELLED, _unfinished(state, opened, errors.CANCELLED))
        elif isinstance(exc, StreamInterrupted):
            self._log(state, "error", exc.error_class, _unfinished(state, opened, exc.error_class))
        elif isinstance(exc, PolicyRefusal):
            self._log(state, "blocked", errors.POLICY)
        elif isinstance(exc, BadRequestError):
            self._log(state, "error", errors.BAD_REQUEST)
        elif isinstance(exc, AllAttemptsFailed):
            self._log(state, "error", state.attempts[-1].error_class if state.attempts else None)
        elif isinstance(exc, ClawError):
            if state.plan is None:  # refused while planning: still log the tier and estimate it had
                state.plan = getattr(exc, "plan", None)
            capped = exc.code == "cost_cap_exceeded"
            self._log(state, "blocked" if capped else "error", errors.COST_CAP if capped else exc.code)

    def _log(self, state: RequestState, status: str, error_class: str | None, model: str | None = None,
             result: EngineResult | None = None) -> None:
        if state.logged:
            return
        state.logged = True
        self.usage_log.append(usage_record(state, status, error_class, model, result, self._clock()))


def _unfinished(state: RequestState, opened: OpenAnswer | None, error_class: str) -> str | None:
    """The model of an answer that started but never finished, its attempt added to ``state``.

    That attempt may be paid: without it the log line would show no model and no attempt
    next to a settled cost, and `claw stats` would charge the money to "unknown".
    """
    if opened is None:
        # cancelled while a paid attempt was still being read (it settled), or while a signed
        # payment was on its way (the ledger counts it until it is known unspent): log the attempt
        # with its model, or `claw stats` would file a request that paid, or may have, as not sent
        attempt = state.paid_attempt or state.sent_attempt
        if attempt is None or any(x is attempt for x in state.attempts):
            return None
        attempt.error_class = attempt.error_class or error_class
        if not attempt.paid and not attempt.reason:
            attempt.reason = "cancelled after its signed payment was sent (settlement unknown)"
        state.attempts.append(attempt)
        return attempt.model
    attempt = opened.attempt
    if not any(x is attempt for x in state.attempts):
        attempt.error_class = attempt.error_class or error_class
        state.attempts.append(attempt)
    return attempt.model
