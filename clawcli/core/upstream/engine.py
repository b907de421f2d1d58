"""The upstream engine: walk a routing decision's chain against the x402 gateway.

One :class:`Engine` per process (``claw ask`` makes one, ``claw serve`` makes one at startup).
It owns one keep-alive ``httpx.AsyncClient``, the per-model cooldowns and the per-session
cost budgets, so every request of the process shares them. Per request:

1. plan: route (or take the caller's Decision), move cooling models to the back, apply the
   session cost cap (graceful: cheaper models with a notice; strict: refuse) and ``max_cost``;
2. per model: send; on 402 sign through the payer (policy first) and resend once; classify
   any failure (``classify.py``); a 429 is retried once after 200 ms, then the model cools
   down; a billing failure stops paying and jumps to the free model with a notice; a plain bad
   request and a policy refusal go back to the caller; everything else tries the next model;
3. streaming: chunks are held back until the answer has visibly started (so an empty answer
   or a token loop still falls back), then relayed as they arrive, never retried after that;
4. exactly one usage record per request, whatever happened (cancelled included).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Self

import httpx

from clawcli import __version__
from clawcli.core.catalog import Catalog
from clawcli.core.config import Settings
from clawcli.core.errors import (
    AllAttemptsFailed,
    BadRequestError,
    ClawError,
    PaymentError,
    PolicyRefusal,
)
from clawcli.core.paths import Paths
from clawcli.core.upstream import classify as C
from clawcli.core.upstream._plan import plan_request
from clawcli.core.upstream._request import (
    Open,
    Req,
    build_result,
    dumps,
    has_content,
    retry_after,
    short,
    usage_record,
)
from clawcli.core.upstream._stream import (
    Accumulator,
    chunks_to_completion,
    completion_to_chunks,
)
from clawcli.core.upstream.state import (
    OVERLOAD_COOLDOWN,
    RATE_LIMIT_COOLDOWN,
    Cooldowns,
    SessionBudgets,
)
from clawcli.core.upstream.types import (
    Attempt,
    CostCapExceeded,
    EngineEvent,
    EngineResult,
    GatewayUnreachable,
    StreamInterrupted,
)
from clawcli.core.usage.log import UsageLog, new_request_id


@dataclass(frozen=True)
class Timeouts:
    connect: float = 10.0
    attempt: float = 60.0  # per model attempt, until the answer starts reaching the caller
    reasoning_attempt: float = 180.0  # the same for reasoning models
    idle: float = 60.0  # max silence between two reads (streams included)
    total: float = 300.0  # the whole chain walk
    retry_delay: float = 0.2  # before the single 429 retry
    hold_chars: int = 48  # stream: non-blank characters held back before relaying starts
    wallet_empty_memory: float = 30.0  # after "insufficient funds", go straight to the free model


class _Failed(Exception):
    """An attempt failed in a way that moves the chain on (internal control flow)."""

    def __init__(self, attempt: Attempt, retry_after: float | None = None, wallet_empty: bool = False):
        self.attempt = attempt
        self.retry_after = retry_after
        self.wallet_empty = wallet_empty


class Engine:
    """Routes, pays, falls back and logs. See ARCHITECTURE.md "Engine" for the contract."""

    def __init__(
        self,
        settings: Settings,
        paths: Paths,
        *,
        catalog: Catalog | None = None,
        payer: Any = None,
        usage_log: UsageLog | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        chain: str = "base",
        timeouts: Timeouts | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self.paths = paths
        self.catalog = catalog or Catalog.load(paths.catalog_cache)
        self.payer = payer
        self.usage_log = usage_log if usage_log is not None else UsageLog(paths.logs_dir)
        self.base_url = settings.gateway_for(chain)
        self.url = self.base_url + "/v1/chat/completions"
        self._url = httpx.URL(self.url)  # parsed once, not per request
        self.t = timeouts or Timeouts()
        self._clock = clock
        self._sleep = sleep
        self.cooldowns = Cooldowns(clock)
        self.budgets = SessionBudgets(clock=clock)
        self._wallet_empty_until = 0.0
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(connect=self.t.connect, read=self.t.idle, write=self.t.idle, pool=self.t.connect),
            limits=httpx.Limits(max_connections=256, max_keepalive_connections=64, keepalive_expiry=60),
            headers={"user-agent": f"clawcli/{__version__}"},
        )
        self._exclude = self._resolve_exclude(settings.exclude)

    def _resolve_exclude(self, names: list[str]) -> frozenset[str]:
        """Excluded catalog ids: an alias (``gpt-120b``) must exclude the model it names too,
        or the billing fallback would still answer with an excluded free model."""
        out = set(names)
        for n in names:
            try:
                out.add(self.catalog.resolve(n))
            except ClawError:
                pass  # the router reports an unknown id in the exclude list, clearly
        return frozenset(out)

    # lifecycle -----------------------------------------------------------------------------------
    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @property
    def wallet_empty(self) -> bool:
        return self._clock() < self._wallet_empty_until

    # public API ----------------------------------------------------------------------------------
    async def complete(self, request: dict[str, Any], *, source: str, session_id: str | None = None,
                       decision: Any = None, max_cost: float | None = None,
                       compression: Any = None) -> EngineResult:
        """Answer ``request`` without streaming. Raises ClawError subclasses on failure."""
        result = None
        async for ev in self._run(request, source, session_id, decision, max_cost, streaming=False,
                                  compression=compression):
            if ev.type == "done":
                result = ev.data
        assert result is not None
        return result

    def stream(self, request: dict[str, Any], *, source: str, session_id: str | None = None,
               decision: Any = None, max_cost: float | None = None,
               compression: Any = None) -> AsyncIterator[EngineEvent]:
        """Answer ``request`` as events: decision, notice*, chunk*, done(EngineResult)."""
        return self._run(request, source, session_id, decision, max_cost, streaming=True, compression=compression)

    # the chain walk ------------------------------------------------------------------------------
    async def _run(self, request: dict[str, Any], source: str, session_id: str | None, decision: Any,
                   max_cost: float | None, *, streaming: bool, compression: Any = None) -> AsyncIterator[EngineEvent]:
        r = Req(rid=new_request_id(), source=source, session_id=session_id, t0=self._clock(), max_cost=max_cost)
        if compression is None and decision is None:
            # nobody compressed this request yet: do it before routing and payment (callers that
            # route themselves compress first and pass `compression`, the stats, for the usage log)
            from clawcli.core.compression import compress_request

            request, compression = compress_request(request, self.settings.compress)
        r.compression = compression
        opened: Open | None = None
        relay = None
        try:
            r.plan = plan_request(self, request, decision, session_id, max_cost)
            r.notices.extend(r.plan.notices)
            yield EngineEvent("decision", r.plan.decision)
            for n in r.plan.notices:
                yield EngineEvent("notice", n)
            opened = await self._walk(request, r, streaming)
            for n in r.notices[len(r.plan.notices):]:
                yield EngineEvent("notice", n)
            if streaming:
                relay = self._relay(opened, r)
                async for chunk in relay:
                    yield EngineEvent("chunk", chunk)
            result = self._finish(r, opened, streaming)
            self._log(r, "ok", None, opened.attempt.model, result=result)
            yield EngineEvent("done", result)
        except (asyncio.CancelledError, GeneratorExit, KeyboardInterrupt):
            self._log(r, "error", C.CANCELLED, self._unfinished(r, opened, C.CANCELLED))
            raise
        except StreamInterrupted as exc:
            self._log(r, "error", exc.error_class, self._unfinished(r, opened, exc.error_class))
            raise
        except PolicyRefusal:
            self._log(r, "blocked", C.POLICY)
            raise
        except BadRequestError:
            self._log(r, "error", C.BAD_REQUEST)
            raise
        except AllAttemptsFailed:
            last = r.attempts[-1].error_class if r.attempts else None
            self._log(r, "error", last)
            raise
        except ClawError as exc:
            if r.plan is None:  # refused while planning: still log the tier and estimate it had
                r.plan = getattr(exc, "plan", None)
            self._log(r, "blocked" if exc.code == "cost_cap_exceeded" else "error",
                      C.COST_CAP if exc.code == "cost_cap_exceeded" else exc.code)
            raise
        finally:
            if relay is not None:
                await relay.aclose()
            if opened is not None and opened.response is not None:
                await opened.response.aclose()

    async def _walk(self, request: dict[str, Any], r: Req, streaming: bool) -> Open:
        plan = r.plan
        assert plan is not None
        chain = plan.chain
        deadline = r.t0 + self.t.total
        i = 0
        while i < len(chain):
            model = chain[i]
            if self._clock() >= deadline:
                r.attempts.append(Attempt(model, None, C.NETWORK, 0, reason=f"total timeout {self.t.total:g}s"))
                break
            retried = False
            while True:
                try:
                    return await self._attempt(model, request, r, streaming, deadline)
                except _Failed as f:
                    a = f.attempt
                    r.attempts.append(a)
                    if a.error_class == C.RATE_LIMITED and not retried and self._clock() + self.t.retry_delay < deadline:
                        retried = True
                        await self._sleep(self.t.retry_delay)
                        continue
                    self._after_failure(model, f, r)
                    break
            last = r.attempts[-1]
            if last.error_class == C.NETWORK and last.reason.startswith("cannot connect"):
                # the gateway itself is down: every other model would fail the same way
                raise GatewayUnreachable(self.base_url, last.reason, [a.to_dict() for a in r.attempts])
            if last.error_class == C.BILLING:
                free = self.catalog.free_model
                if plan.free_allowed and model != free:
                    # stop paying: whatever comes next would be billed the same way
                    r.notices.append(self._billing_notice(model, last, self.wallet_empty))
                    chain = chain[: i + 1] + [free]
                elif self.wallet_empty:
                    break  # no free model allowed and nothing can be paid for
            i += 1
        attempts = [a.to_dict() for a in r.attempts]
        summary = "; ".join(a.describe() for a in r.attempts) or "no model to try"
        raise AllAttemptsFailed(
            f"all {len({a.model for a in r.attempts})} models failed: {summary}",
            attempts,
            hint="see the attempt list; `claw stats` shows failure rates per model",
        )

    def _after_failure(self, model: str, f: _Failed, r: Req) -> None:
        cls = f.attempt.error_class
        if cls == C.RATE_LIMITED:
            self.cooldowns.mark(model, f.retry_after if f.retry_after else RATE_LIMIT_COOLDOWN, "rate_limited")
        elif cls == C.OVERLOADED:
            self.cooldowns.mark(model, f.retry_after if f.retry_after else OVERLOAD_COOLDOWN, "overloaded")
        if f.wallet_empty:
            self._wallet_empty_until = self._clock() + self.t.wallet_empty_memory

    def _billing_notice(self, model: str, a: Attempt, wallet_empty: bool) -> str:
        free = self.catalog.free_model
        if wallet_empty:
            return (f"notice: wallet balance too low to pay for {model}; answering with the free model {free} "
                    "(fund the wallet: `claw wallet fund`)")
        return f"notice: billing error from {model} ({a.reason or a.status}); answering with the free model {free}"

    # one attempt ---------------------------------------------------------------------------------
    def _attempt_timeout(self, model: str) -> float:
        m = self.catalog.get(model)
        return self.t.reasoning_attempt if (m is not None and m.reasoning) else self.t.attempt

    async def _attempt(self, model: str, request: dict[str, Any], r: Req, streaming: bool,
                       deadline: float) -> Open:
        a = Attempt(model)
        t0 = self._clock()
        budget = min(self._attempt_timeout(model), deadline - t0)
        resp: httpx.Response | None = None
        body = dict(request)
        body["model"] = model
        body["stream"] = streaming
        if not streaming:
            body.pop("stream_options", None)
        content = dumps(body)
        headers = {"content-type": "application/json",
                   "accept": "text/event-stream" if streaming else "application/json"}
        try:
            async with asyncio.timeout(budget):
                resp = await self._send(content, headers)
                if resp.status_code == 402:
                    resp = await self._pay_and_resend(resp, a, content, headers, model, r)
                a.status = resp.status_code
                if not 200 <= resp.status_code < 300:
                    text = (await resp.aread()).decode("utf-8", "replace")
                    raise self._http_failure(a, resp, text)
                opened = await self._read_answer(resp, a, model, streaming)
                if opened.response is None:
                    await resp.aclose()
                a.ms = self._ms(t0)
                return opened
        except _Failed as f:
            f.attempt.ms = self._ms(t0)
            if resp is not None:
                await resp.aclose()
            raise
        except TimeoutError:
            a.error_class, a.reason, a.ms = C.NETWORK, f"timed out after {budget:.3g}s", self._ms(t0)
            if resp is not None:
                await resp.aclose()
            raise _Failed(a) from None
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:  # (aiohttp's transport reports refusals as the latter)
            a.error_class, a.ms = C.NETWORK, self._ms(t0)
            a.reason = f"cannot connect to {self.base_url}: {short(exc)}"
            raise _Failed(a) from None
        except httpx.TimeoutException as exc:
            a.error_class, a.reason, a.ms = C.NETWORK, f"timeout ({type(exc).__name__})", self._ms(t0)
            if resp is not None:
                await resp.aclose()
            raise _Failed(a) from None
        except (httpx.TransportError, httpx.DecodingError) as exc:
            a.error_class, a.reason, a.ms = C.NETWORK, f"connection lost: {short(exc)}", self._ms(t0)
            if resp is not None:
                await resp.aclose()
            raise _Failed(a) from None
        except BaseException:
            a.ms = self._ms(t0)
            if resp is not None:
                await resp.aclose()
            if a.error_class in (C.POLICY, C.BAD_REQUEST, C.COST_CAP):
                r.attempts.append(a)
            raise

    async def _send(self, content: bytes, headers: dict[str, str], extra: dict[str, str] | None = None) -> httpx.Response:
        if extra:
            headers = {**headers, **extra}
        req = self._client.build_request("POST", self._url, content=content, headers=headers)
        return await self._client.send(req, stream=True)

    async def _pay_and_resend(self, resp: httpx.Response, a: Attempt, content: bytes, headers: dict[str, str],
                              model: str, r: Req) -> httpx.Response:
        """The x402 round trip of one attempt: at most one settled payment, one re-sign on a
        payment-level rejection before settlement (DESIGN.md §6)."""
        from clawcli.core.upstream import _pay

        text = (await resp.aread()).decode("utf-8", "replace")
        await resp.aclose()
        if self.payer is None:
            a.status, a.error_class, a.reason = 402, C.BILLING, "payment required and no wallet configured"
            raise _Failed(a, wallet_empty=True)
        try:
            required = _pay.parse_required(resp)
        except PaymentError:
            # a 402 without a usable x402 challenge is a provider billing error
            a.status, a.error_class, a.reason = 402, C.BILLING, C.error_message(402, text)
            raise _Failed(a)
        for sign_round in (1, 2):
            try:
                signed = await _pay.sign(self.payer, required, model)
            except PolicyRefusal:
                a.status, a.error_class = 402, C.POLICY
                raise
            except PaymentError as exc:
                a.status, a.error_class, a.reason = 402, C.BILLING, exc.message
                raise _Failed(a, wallet_empty=_pay.is_balance_error(exc)) from None
            quoted = float(signed.amount_usd)
            over = self._over_limit(r, quoted)
            if over:  # the gateway's quote, not our estimate, is what would be paid: check it too
                self.payer.released(signed, over)
                a.status, a.error_class, a.reason = 402, C.COST_CAP, over
                if self.settings.cap_mode == "strict" or r.max_cost is not None and quoted > r.max_cost:
                    raise CostCapExceeded(over, spent=self.budgets.spent(r.session_id),
                                          cap=self.settings.max_cost_per_run or r.max_cost or 0.0)
                raise _Failed(a)
            self.budgets.add(r.session_id, quoted)  # reserved now, so concurrent requests see it
            try:
                paid = await self._send(content, headers, _pay.headers_of(signed))
            except BaseException:
                self.budgets.refund(r.session_id, quoted)
                raise
            if paid.status_code == 402:
                try:
                    ptext = (await paid.aread()).decode("utf-8", "replace")
                finally:
                    await paid.aclose()
                self.budgets.refund(r.session_id, quoted)
                settlement = _pay.settlement_of(self.payer, signed, paid.headers, rejected=True, reason=ptext)
                if settlement is not None:  # the gateway says it did settle: count it, never re-sign
                    self._count(r, a, settlement)
                elif sign_round == 1 and C.is_payment_level_rejection(ptext):
                    try:  # the rejection carries a fresh quote: sign that one
                        required = _pay.parse_required(paid)
                    except PaymentError:
                        pass
                    continue
                a.status, a.error_class, a.reason = 402, C.BILLING, C.error_message(402, ptext)
                raise _Failed(a, wallet_empty=C.is_insufficient_funds(ptext))
            self.budgets.refund(r.session_id, quoted)  # replaced by what actually settled, if anything
            try:
                if 200 <= paid.status_code < 300:
                    settlement = _pay.settlement_of(self.payer, signed, paid.headers)
                    if settlement is not None:
                        self._count(r, a, settlement)
                else:
                    _pay.release(self.payer, signed, f"HTTP {paid.status_code}")
            except BaseException:
                await paid.aclose()
                raise
            return paid
        raise AssertionError("unreachable")

    def _over_limit(self, r: Req, amount: float) -> str | None:
        """Why paying ``amount`` now would break --max-cost or the session cap, else None."""
        # --max-cost bounds the whole request: attempts already paid for (an answer that broke
        # off before reaching the caller, then a fallback) count against it too
        if r.max_cost is not None and r.cost + amount > r.max_cost + 1e-12:
            if r.cost > 0:
                return (f"already paid ${r.cost:.6f} for failed attempts and the gateway quotes ${amount:.6f}: "
                        f"above --max-cost ${r.max_cost:.6f}")
            return f"the gateway quotes ${amount:.6f}, above --max-cost ${r.max_cost:.6f}"
        cap = self.settings.max_cost_per_run
        if cap is not None and r.session_id:
            spent = self.budgets.spent(r.session_id)
            if spent + amount > cap + 1e-12:
                return (f"session cost cap ${cap:.4f}: spent ${spent:.6f}, the gateway quotes ${amount:.6f}"
                        " for this call")
        return None

    def _count(self, r: Req, a: Attempt, settlement: Any) -> None:
        amount = float(settlement.amount_usd)
        a.paid = True
        r.cost += amount
        r.settlement = settlement
        self.budgets.add(r.session_id, amount)

    def _http_failure(self, a: Attempt, resp: httpx.Response, text: str) -> Exception:
        cls = C.classify_error(resp.status_code, text)
        a.reason = C.error_message(resp.status_code, text)
        if cls is None:
            a.error_class = C.BAD_REQUEST
            return BadRequestError(f"the gateway rejected the request ({resp.status_code}): {a.reason}",
                                   "check the request parameters; no model was charged")
        a.error_class = cls
        return _Failed(a, retry_after=retry_after(resp.headers.get("retry-after")))

    async def _read_answer(self, resp: httpx.Response, a: Attempt, model: str, streaming: bool) -> Open:
        acc = Accumulator()
        ctype = resp.headers.get("content-type", "")
        if "text/event-stream" in ctype:
            from httpx_sse import EventSource

            events = EventSource(resp).aiter_sse()
            held: list[dict[str, Any]] = []
            async for sse in events:
                data = sse.data
                if not data or data.startswith(":"):
                    continue
                if data.strip() == "[DONE]":
                    break
                chunk = C.parse_json(data)
                if not isinstance(chunk, dict):
                    continue
                if chunk.get("error") or chunk.get("type") == "api_error":
                    problem = C.completion_problem(chunk)
                    a.error_class, a.reason = problem if problem else (C.DEGRADED, "error event in the stream")
                    raise _Failed(a)
                acc.add(chunk)
                held.append(chunk)
                if streaming and (acc.has_tool_calls or acc.n_chars >= self.t.hold_chars):
                    reason = C.loop_reason(acc.content, strict=True) if not acc.has_tool_calls else None
                    if reason:
                        a.error_class, a.reason = C.DEGRADED, reason
                        raise _Failed(a)
                    return Open(a, acc, held, response=resp, events=events)
            reason = C.degraded_reason(acc.content, has_tool_calls=acc.has_tool_calls)
            if reason:
                a.error_class, a.reason = C.DEGRADED, reason
                raise _Failed(a)
            return Open(a, acc, held, completion=chunks_to_completion(acc, model))
        raw = await resp.aread()
        payload = C.parse_json(raw)
        problem = C.completion_problem(payload)
        if problem:
            a.error_class, a.reason = problem
            raise _Failed(a)
        chunks = completion_to_chunks(payload, model)
        for ch in chunks:
            acc.add(ch)
        return Open(a, acc, chunks, completion=payload)

    async def _relay(self, opened: Open, r: Req) -> AsyncIterator[dict[str, Any]]:
        """Yield the held-back chunks, then the rest of the stream as it arrives (no retry now)."""
        for chunk in opened.held:
            if r.ttft is None and has_content(chunk):
                r.ttft = self._clock()
            yield chunk
        if opened.response is None:
            return
        try:
            async for sse in opened.events:
                data = sse.data
                if not data:
                    continue
                if data.strip() == "[DONE]":
                    break
                chunk = C.parse_json(data)
                if not isinstance(chunk, dict):
                    continue
                if chunk.get("error"):
                    raise StreamInterrupted(
                        f"{opened.attempt.model} failed mid-answer: {C.error_message(None, data)}",
                        C.classify_error(500, data) or C.SERVER_ERROR,
                        "the partial answer above is incomplete; no retry after the answer started")
                opened.acc.add(chunk)
                yield chunk
        except (httpx.TransportError, httpx.DecodingError) as exc:
            raise StreamInterrupted(
                f"the gateway connection was lost mid-answer ({short(exc)})", C.NETWORK,
                "the partial answer above is incomplete; no retry after the answer started") from None
        finally:
            resp, opened.response = opened.response, None
            if resp is not None:
                await resp.aclose()
            if opened.events is not None:
                await opened.events.aclose()

    # results and the usage record ----------------------------------------------------------------
    @staticmethod
    def _unfinished(r: Req, opened: Open | None, error_class: str) -> str | None:
        """The model of an answer that started but never finished, its attempt added to ``r``.

        That attempt may be paid: without it the log line would show no model and no attempt
        next to a settled cost, and `claw stats` would charge the money to "unknown".
        """
        if opened is None:
            return None
        a = opened.attempt
        if not any(x is a for x in r.attempts):
            a.error_class = a.error_class or error_class
            r.attempts.append(a)
        return a.model

    def _finish(self, r: Req, opened: Open, streaming: bool) -> EngineResult:
        return build_result(r, opened, streaming, self._clock())

    def _log(self, r: Req, status: str, error_class: str | None, model: str | None = None,
             result: EngineResult | None = None) -> None:
        if r.logged:
            return
        r.logged = True
        self.usage_log.append(usage_record(r, status, error_class, model, result, self._clock()))

    def _ms(self, t0: float) -> int:
        return int((self._clock() - t0) * 1000)
