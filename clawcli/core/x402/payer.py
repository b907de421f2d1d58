"""The payer: policy check, ledger reservation, EIP-712 signature, settlement bookkeeping.

    payer = Payer(evm_key, policy=SpendPolicy.from_settings(settings), ledger=SpendLedger(paths.ledger_file))
    # or payer_from_settings(wallet, settings, paths) (wallet_payer.py): the wallet's active chain
    signed = payer.sign(parse_payment_required(resp402), model="openai/gpt-5.4")
    resp = client.post(url, json=body, headers=signed.headers)
    if resp.status_code == 402: payer.rejected(signed, rejection_reason(resp.headers, resp.content))
    else:                        payer.settled(signed, resp.headers)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from clawcli.core.errors import PaymentError
from clawcli.core.wallet.constants import ATOMIC_PER_USDC
from clawcli.core.x402 import evm
from clawcli.core.x402.ledger import SpendLedger
from clawcli.core.x402.policy import QuoteBound, SpendPolicy
from clawcli.core.x402.protocol import (
    PAYMENT_SIGNATURE,
    X_PAYMENT,
    PaymentRequired,
    Requirement,
    Settlement,
    b64json_encode,
    decode_settlement,
)


@dataclass(frozen=True)
class SignedPayment:
    """A signed authorisation, ready to resend with ``headers``. No secret inside."""

    headers: dict[str, str]
    amount: int  # atomic units
    network: str
    payee: str
    asset: str
    payer: str
    version: int
    nonce: str
    valid_after: int
    valid_before: int
    reservation: str
    model: str | None = None
    requirement: Requirement | None = field(default=None, repr=False)
    payload: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def amount_usd(self) -> float:
        return self.amount / ATOMIC_PER_USDC


class Payer:
    """Signs x402 payments for one EVM key, under a spend policy and a shared ledger."""

    def __init__(
        self,
        private_key: str,
        *,
        policy: SpendPolicy,
        ledger: SpendLedger,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._key = private_key
        self.policy = policy
        self.ledger = ledger
        self.clock = clock
        self._address: str | None = None

    def __repr__(self) -> str:  # never show the key
        return f"Payer(address={self.address!r})"

    @property
    def address(self) -> str:
        if self._address is None:
            from clawcli.core.wallet.keys import evm_address

            self._address = evm_address(self._key)
        return self._address

    def sign(self, required: PaymentRequired, *, model: str | None = None,
             bound: QuoteBound | None = None) -> SignedPayment:
        """Pick a payable requirement, pass the policy (and ``bound``: the request's quote
        tolerance, or a re-sign's limits), reserve in the ledger, sign.

        Raises PolicyRefusal (nothing signed, nothing reserved) or PaymentError.
        """
        req, net = self.policy.select(required, model=model, bound=bound)
        now = int(self.clock())
        timeout = req.max_timeout_seconds or evm.DEFAULT_TIMEOUT_S
        timeout = max(1, min(timeout, evm.MAX_TIMEOUT_S))  # a shorter window only limits exposure
        valid_after = now - evm.VALID_AFTER_SKEW_S
        valid_before = now + timeout
        domain = evm.domain_for(net, req.asset, req.extra)
        payee = evm.checksum(req.pay_to)
        rid = self._reserve(req, payee=payee, model=model, valid_before=valid_before)
        try:
            signature, authorization = evm.sign_authorization(
                self._key, domain=domain, to=payee, value=req.amount,
                valid_after=valid_after, valid_before=valid_before,
            )
        except Exception as exc:
            self.ledger.release(rid, "signing failed")
            raise PaymentError(f"could not sign the payment: {type(exc).__name__}") from None
        return self._signed_payment(
            required, req, {"signature": signature, "authorization": authorization},
            payee=payee, payer=authorization["from"], nonce=authorization["nonce"],
            valid_after=valid_after, valid_before=valid_before, reservation=rid, model=model,
        )

    # -- shared by every chain's sign(): the ledger reservation and the x402 envelope --------

    def _reserve(self, req: Requirement, *, payee: str, model: str | None, valid_before: int) -> str:
        """Reserve ``req.amount`` against the policy's hourly/daily caps (under the ledger's file
        lock); raises PolicyRefusal when a cap would be crossed. Must come before signing."""
        return self.ledger.reserve(
            req.amount,
            hourly_limit=self.policy.hourly_limit,
            daily_limit=self.policy.daily_limit,
            network=req.network,
            payee=payee,
            model=model,
            valid_before=valid_before,
        )

    @staticmethod
    def _signed_payment(
        required: PaymentRequired,
        req: Requirement,
        inner: dict[str, Any],
        *,
        payee: str,
        payer: str,
        nonce: str,
        valid_after: int,
        valid_before: int,
        reservation: str,
        model: str | None,
    ) -> SignedPayment:
        """Wrap a chain's signed ``inner`` payload in the x402 v1/v2 envelope and its header."""
        if required.version >= 2:
            payload: dict[str, Any] = {
                "x402Version": 2,
                "accepted": req.raw,
                "payload": inner,
                "extensions": dict(required.extensions),
            }
            if required.resource is not None:
                payload["resource"] = required.resource
            headers = {PAYMENT_SIGNATURE: b64json_encode(payload)}
        else:
            payload = {"x402Version": 1, "scheme": req.scheme, "network": req.network, "payload": inner}
            headers = {X_PAYMENT: b64json_encode(payload)}
        return SignedPayment(
            headers=headers,
            amount=req.amount,
            network=req.network,
            payee=payee,
            asset=req.asset,
            payer=payer,
            version=required.version,
            nonce=nonce,
            valid_after=valid_after,
            valid_before=valid_before,
            reservation=reservation,
            model=model,
            requirement=req,
            payload=payload,
        )

    def settled(self, signed: SignedPayment, response_headers: Mapping[str, str]) -> Settlement | None:
        """Record a paid request that succeeded; returns the decoded settlement header, if any.

        A success response without a settlement header still counts as spent: the gateway
        served the paid call, so the authorisation must be assumed used. The ledger records what
        we signed (an authorisation moves at most that); a different amount the gateway claims
        is kept beside it (``claimedAmount``) and never counted above the signature.
        """
        try:
            s = decode_settlement(response_headers)
        except PaymentError:
            s = None
        if s is not None and not s.success:
            self.ledger.uncertain(signed.reservation, s.error_reason or "settlement failed")
            return s
        self.ledger.settle(signed.reservation, amount=s.amount if s else None, tx=s.transaction if s else None)
        return s

    def rejected(self, signed: SignedPayment, reason: str, *, settlement_attempted: bool | None = None) -> None:
        """The gateway answered the signed payment with a failure (402 rejection, 5xx, degraded).

        Its word proves nothing: it still holds a valid authorisation, so the amount keeps counting
        against the caps (state ``uncertain`` when settlement was attempted, else ``rejected``).
        ``settlement_attempted=None`` infers it from the reason.
        """
        if settlement_attempted is None:
            settlement_attempted = "settle" in reason.lower()
        if settlement_attempted:
            self.ledger.uncertain(signed.reservation, reason)
        else:
            self.ledger.reject(signed.reservation, reason)

    def released(self, signed: SignedPayment, reason: str = "not sent") -> None:
        """The signed payment was never sent: it stops counting. (Once sent, this is a no-op:
        use ``rejected``.)"""
        self.ledger.release(signed.reservation, reason)
