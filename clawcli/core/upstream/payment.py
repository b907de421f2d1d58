"""Paying for one attempt: the x402 round trip after a 402 (DESIGN.md §6), or the payment sent
with the first request when a remembered quote covers it (pre-authorisation, ``preauth.py``).

At most one settled payment per attempt; one re-sign when the gateway rejects a payment before
settling it (a fresh quote comes with the rejection; a rejected pre-authorisation is not counted
as that re-sign). Every signature goes through the payer, whose spend policy and ledger come
first; the quote is checked against ``--max-cost`` and the session cap before the signed payment
is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clawcli.core.config import Settings
from clawcli.core.errors import PaymentError, PolicyRefusal
from clawcli.core.upstream import _pay
from clawcli.core.upstream import classify as errors
from clawcli.core.upstream.gateway_client import GatewayClient, GatewayResponse
from clawcli.core.upstream.preauth import (
    CachedQuote,
    QuoteCache,
    quote_ceiling,
    size_bucket,
)
from clawcli.core.upstream.request_state import AttemptFailed, RequestState
from clawcli.core.upstream.state import SessionBudgets
from clawcli.core.upstream.types import Attempt, CostCapExceeded

#: sign rounds per attempt: the first quote, then once more on a payment-level rejection
SIGN_ROUNDS = 2


class Payments:
    """Signs, sends and books the paid requests of attempts. One per engine.

    ``quotes`` (None: pre-authorisation off, ``--no-preauth``) remembers the last paid quote so
    the next request of the same model and size is sent with its payment (``preauth.py``).
    """

    def __init__(self, payer: Any, settings: Settings, budgets: SessionBudgets, client: GatewayClient,
                 quotes: QuoteCache | None = None) -> None:
        self.payer = payer
        self.settings = settings
        self.budgets = budgets
        self.client = client
        self.quotes = quotes

    async def send(self, body: bytes, headers: Mapping[str, str], model: str, attempt: Attempt,
                   state: RequestState) -> GatewayResponse:
        """POST one attempt and pay for it as needed; returns the first response that is not a 402
        (or raises AttemptFailed / PolicyRefusal / CostCapExceeded)."""
        # (the hot path of a request that needs no payment: no estimate, no bound, no lookup)
        estimate = state.plan.estimate(model) if (self.payer is not None and state.plan is not None) else None
        bucket = size_bucket(estimate) if (self.quotes is not None and estimate is not None) else None
        cached = self._usable_quote(model, bucket, estimate)
        if cached is None:
            resp = await self.client.post(body, headers)
            if resp.status != 402:
                return resp
            challenge_body = await resp.read()
            await resp.close()
            required = self._challenge(resp.headers, challenge_body, attempt)
        # quote sanity: never sign far above the request's own estimate (issue 13)
        bound = _pay.quote_bound(self.settings, estimate)
        if cached is not None:  # pre-authorised: the payment goes with the first request
            paid = await self._pay(cached.required, body, headers, model, attempt, state, bound)
            if not isinstance(paid, _Rejected):
                return paid.response
            # the quote changed (or the gateway wants more): forget it, pay the new one as usual
            self.quotes.drop(model, bucket)  # type: ignore[union-attr]
            required = self._challenge(paid.headers, paid.body, attempt)
        for sign_round in range(1, SIGN_ROUNDS + 1):
            paid = await self._pay(required, body, headers, model, attempt, state, bound)
            if not isinstance(paid, _Rejected):
                if self.quotes is not None and bucket is not None and 200 <= paid.status < 300:
                    self.quotes.put(model, bucket, required, paid.signed)
                return paid.response
            if sign_round < SIGN_ROUNDS and errors.is_payment_level_rejection(paid.text):
                try:  # the rejection carries a fresh quote: sign that one
                    required = _pay.parse_required(paid.headers, paid.body)
                except PaymentError:
                    pass
                # ...but never for more than the rejected signature, nor to another payee (a 100x
                # "underpaid" re-quote was re-signed: 10 requests paid $1.50 instead of $0.015)
                bound = _pay.resign_bound(bound, paid.signed)
                continue
            attempt.status, attempt.error_class = 402, errors.BILLING
            attempt.reason = errors.error_message(402, paid.text)
            raise AttemptFailed(attempt, wallet_empty=errors.is_insufficient_funds(paid.text))
        raise AssertionError("unreachable: the last sign round always returns or raises")

    def _usable_quote(self, model: str, bucket: int | None, estimate: float | None) -> CachedQuote | None:
        """A remembered quote this request may be pre-authorised for, else None."""
        if self.quotes is None or bucket is None or estimate is None:
            return None
        cached = self.quotes.get(model, bucket)
        if cached is None or cached.amount_usd > quote_ceiling(self.settings, estimate) + 1e-12:
            return None
        return cached

    def _challenge(self, headers: Mapping[str, str], body: bytes, attempt: Attempt) -> Any:
        """The quote of a 402, or AttemptFailed (billing) when it cannot be paid at all."""
        if self.payer is None:
            attempt.status, attempt.error_class = 402, errors.BILLING
            attempt.reason = "payment required and no wallet configured"
            raise AttemptFailed(attempt, wallet_empty=True)
        try:
            return _pay.parse_required(headers, body)
        except PaymentError:
            # a 402 without a usable x402 challenge is a provider billing error
            attempt.status, attempt.error_class = 402, errors.BILLING
            attempt.reason = errors.error_message(402, body.decode("utf-8", "replace"))
            raise AttemptFailed(attempt) from None

    async def _pay(self, required: Any, body: bytes, headers: Mapping[str, str], model: str, attempt: Attempt,
                   state: RequestState, bound: Any = None) -> _Paid | _Rejected:
        """Sign ``required`` (policy, ledger, caps), send the paid request and book its outcome.
        A 402 to the payment comes back as _Rejected (unless it reports a settlement: then the
        money is counted and the attempt fails, never re-signed)."""
        signed = await self._sign(required, attempt, model, bound)
        quoted = float(signed.amount_usd)
        self._check_limits(signed, quoted, attempt, state)
        self.budgets.add(state.session_id, quoted)  # reserved now, so concurrent requests see it
        state.sent_attempt = attempt  # a cancel before the answer still logs who the payment went to
        try:
            paid = await self.client.post(body, {**headers, **_pay.headers_of(signed)})
        finally:
            self.budgets.refund(state.session_id, quoted)  # replaced by what settled, if anything
        if paid.status != 402:
            await self._book(paid, signed, attempt, state)
            return _Paid(paid, signed)
        try:
            rejection_body = await paid.read()
        finally:
            await paid.close()
        rejected = _Rejected(paid.headers, rejection_body, signed)
        settlement = _pay.settlement_of(self.payer, signed, paid.headers, rejected=True, reason=rejected.text)
        if settlement is not None:  # the gateway says it did settle: count it, never re-sign
            self.count(state, attempt, settlement)
            attempt.status, attempt.error_class = 402, errors.BILLING
            attempt.reason = errors.error_message(402, rejected.text)
            raise AttemptFailed(attempt, wallet_empty=errors.is_insufficient_funds(rejected.text))
        return rejected

    async def _sign(self, required: Any, attempt: Attempt, model: str, bound: Any = None) -> Any:
        try:
            return await _pay.sign(self.payer, required, model, bound)
        except PolicyRefusal:
            attempt.status, attempt.error_class = 402, errors.POLICY
            raise
        except PaymentError as exc:
            attempt.status, attempt.error_class, attempt.reason = 402, errors.BILLING, exc.message
            if exc.code == "state_unavailable":  # the shared ledger (Redis) is away: fail closed, no fallback
                raise
            raise AttemptFailed(attempt, wallet_empty=_pay.is_balance_error(exc)) from None

    def _check_limits(self, signed: Any, quoted: float, attempt: Attempt, state: RequestState) -> None:
        """The gateway's quote, not our estimate, is what would be paid: check it against the caps
        before sending (a refused quote is released: it was never sent)."""
        over = self.over_limit(state, quoted)
        if not over:
            return
        self.payer.released(signed, over)
        attempt.status, attempt.error_class, attempt.reason = 402, errors.COST_CAP, over
        if self.settings.cap_mode == "strict" or state.max_cost is not None and quoted > state.max_cost:
            raise CostCapExceeded(over, spent=self.budgets.spent(state.session_id),
                                  cap=self.settings.max_cost_per_run or state.max_cost or 0.0)
        raise AttemptFailed(attempt)

    async def _book(self, paid: GatewayResponse, signed: Any, attempt: Attempt, state: RequestState) -> None:
        """Record what a non-402 answer to a signed payment settled (or release it on an error)."""
        try:
            if 200 <= paid.status < 300:
                settlement = _pay.settlement_of(self.payer, signed, paid.headers)
                if settlement is not None:
                    self.count(state, attempt, settlement)
            else:
                _pay.release(self.payer, signed, f"HTTP {paid.status}")
        except BaseException:
            await paid.close()
            raise

    def over_limit(self, state: RequestState, amount: float) -> str | None:
        """Why paying ``amount`` now would break --max-cost or the session cap, else None."""
        # --max-cost bounds the whole request: attempts already paid for (an answer that broke
        # off before reaching the caller, then a fallback) count against it too
        if state.max_cost is not None and state.cost + amount > state.max_cost + 1e-12:
            if state.cost > 0:
                return (f"already paid ${state.cost:.6f} for failed attempts and the gateway quotes "
                        f"${amount:.6f}: above --max-cost ${state.max_cost:.6f}")
            return f"the gateway quotes ${amount:.6f}, above --max-cost ${state.max_cost:.6f}"
        cap = self.settings.max_cost_per_run
        if cap is not None and state.session_id:
            spent = self.budgets.spent(state.session_id)
            if spent + amount > cap + 1e-12:
                return (f"session cost cap ${cap:.4f}: spent ${spent:.6f}, the gateway quotes ${amount:.6f}"
                        " for this call")
        return None

    def count(self, state: RequestState, attempt: Attempt, settlement: Any) -> None:
        """A settled payment: the attempt is paid, the request and its session spent it."""
        amount = float(settlement.amount_usd)
        claimed = getattr(settlement, "claimed_usd", None)
        if claimed is not None:  # recorded is what we signed and what settled; the claim is kept aside
            state.notices.append(f"notice: the gateway claims ${claimed:.6f} for a payment signed for ${amount:.6f}; "
                                 f"recorded ${amount:.6f} (an authorisation cannot move more than it says)")
        state.gateway_claimed += amount if claimed is None else claimed
        attempt.paid = True
        state.paid_attempt = attempt  # a cancel before the answer is read still logs who was paid
        state.cost += amount
        state.settlement = settlement
        self.budgets.add(state.session_id, amount)


class _Paid:
    """A paid request's answer (any status but 402) and the payment it carried."""

    __slots__ = ("response", "signed", "status")

    def __init__(self, response: GatewayResponse, signed: Any) -> None:
        self.response = response
        self.signed = signed
        self.status = response.status


class _Rejected:
    """A 402 to a signed payment: its headers and body (a fresh quote may be inside)."""

    __slots__ = ("body", "headers", "signed", "text")

    def __init__(self, headers: Mapping[str, str], body: bytes, signed: Any) -> None:
        self.headers = headers
        self.body = body
        self.signed = signed
        self.text = body.decode("utf-8", "replace")
