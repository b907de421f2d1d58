"""Paying for one attempt: the x402 round trip after a 402 (DESIGN.md §6).

At most one settled payment per attempt; one re-sign when the gateway rejects a payment before
settling it (a fresh quote comes with the rejection). Every signature goes through the payer,
whose spend policy and ledger come first; the gateway's quote is checked against ``--max-cost``
and the session cap before the signed payment is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clawcli.core.config import Settings
from clawcli.core.errors import PaymentError, PolicyRefusal
from clawcli.core.upstream import _pay
from clawcli.core.upstream import classify as errors
from clawcli.core.upstream.gateway_client import GatewayClient, GatewayResponse
from clawcli.core.upstream.request_state import AttemptFailed, RequestState
from clawcli.core.upstream.state import SessionBudgets
from clawcli.core.upstream.types import Attempt, CostCapExceeded

#: sign rounds per attempt: the first quote, then once more on a payment-level rejection
SIGN_ROUNDS = 2


class Payments:
    """Signs, sends and books the paid resend of an attempt. One per engine."""

    def __init__(self, payer: Any, settings: Settings, budgets: SessionBudgets, client: GatewayClient) -> None:
        self.payer = payer
        self.settings = settings
        self.budgets = budgets
        self.client = client

    async def pay_and_resend(self, challenge: GatewayResponse, attempt: Attempt, body: bytes,
                             headers: Mapping[str, str], model: str, state: RequestState) -> GatewayResponse:
        """Answer the 402 ``challenge`` by paying its quote; returns the paid response (any status
        but 402), or raises AttemptFailed / PolicyRefusal / CostCapExceeded."""
        challenge_body = await challenge.read()
        await challenge.close()
        challenge_text = challenge_body.decode("utf-8", "replace")
        if self.payer is None:
            attempt.status, attempt.error_class = 402, errors.BILLING
            attempt.reason = "payment required and no wallet configured"
            raise AttemptFailed(attempt, wallet_empty=True)
        try:
            required = _pay.parse_required(challenge.headers, challenge_body)
        except PaymentError:
            # a 402 without a usable x402 challenge is a provider billing error
            attempt.status, attempt.error_class = 402, errors.BILLING
            attempt.reason = errors.error_message(402, challenge_text)
            raise AttemptFailed(attempt) from None
        for sign_round in range(1, SIGN_ROUNDS + 1):
            signed = await self._sign(required, attempt, model)
            quoted = float(signed.amount_usd)
            self._check_limits(signed, quoted, attempt, state)
            self.budgets.add(state.session_id, quoted)  # reserved now, so concurrent requests see it
            try:
                paid = await self.client.post(body, {**headers, **_pay.headers_of(signed)})
            except BaseException:
                self.budgets.refund(state.session_id, quoted)
                raise
            self.budgets.refund(state.session_id, quoted)  # replaced by what settled, if anything
            if paid.status != 402:
                await self._book(paid, signed, attempt, state)
                return paid
            try:
                rejection_body = await paid.read()
            finally:
                await paid.close()
            rejection = rejection_body.decode("utf-8", "replace")
            settlement = _pay.settlement_of(self.payer, signed, paid.headers, rejected=True, reason=rejection)
            if settlement is not None:  # the gateway says it did settle: count it, never re-sign
                self.count(state, attempt, settlement)
            elif sign_round < SIGN_ROUNDS and errors.is_payment_level_rejection(rejection):
                try:  # the rejection carries a fresh quote: sign that one
                    required = _pay.parse_required(paid.headers, rejection_body)
                except PaymentError:
                    pass
                continue
            attempt.status, attempt.error_class = 402, errors.BILLING
            attempt.reason = errors.error_message(402, rejection)
            raise AttemptFailed(attempt, wallet_empty=errors.is_insufficient_funds(rejection))
        raise AssertionError("unreachable: the last sign round always returns or raises")

    async def _sign(self, required: Any, attempt: Attempt, model: str) -> Any:
        try:
            return await _pay.sign(self.payer, required, model)
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
        attempt.paid = True
        state.cost += amount
        state.settlement = settlement
        self.budgets.add(state.session_id, amount)
