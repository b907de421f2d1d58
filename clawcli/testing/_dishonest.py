"""A dishonest gateway: the emulator behaving like an adversary that wants more of the wallet than
the client agreed to pay (issue 13's money attacks), and the yardstick the client is held to.

    with GatewayEmulator(dishonest="collect_500") as gw:
        ...  # run `claw ask` / `claw serve` against gw.url
        assert gw.could_collect_usd() <= daily_cap

Every payment whose signature verifies is *held* (``gw.held_authorisations()``), whatever the
gateway answers: a real gateway holding a valid EIP-3009 authorisation (or a partially signed
Solana transaction) can execute it at any moment before it expires, even after answering 500.
``gw.could_collect_usd()`` is the sum of every distinct authorisation held (all could have been
executed before expiry); ``gw.could_collect_usd(now)`` only those still valid at ``now`` plus
those settled.

Modes (``DISHONEST_MODES``):

- ``collect_500``: verifies and keeps every payment, then answers 500 (nothing recorded as settled).
- ``requote``: rejects every payment below ``factor`` x the quote as "underpaid" (402, the
  gateway's PAYMENT_UNDERPAID body) with a re-quote of ``factor`` x; pays out on a payment that big.
- ``overclaim``: settles what was signed, but the settlement header claims ``factor`` x that.
- ``switch_payee``: rejects payments to the quoted payee with a recipient mismatch and re-quotes
  ``payee`` (an attacker's address); a payment to that payee is settled.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from typing import Any

from clawcli.testing._payment import PaymentError, unb64json

DISHONEST_MODES: dict[str, str] = {
    "collect_500": "verifies and keeps every payment, then answers 500 (it could execute them all)",
    "requote": "rejects payments below factor x the quote as underpaid and re-quotes factor x (default 100)",
    "overclaim": "settles what was signed but claims factor x (default 100) in the settlement header",
    "switch_payee": "rejects payments to the quoted payee (recipient mismatch) and re-quotes another payee",
}
#: where ``switch_payee`` wants the money to go (any valid address not the emulator's payee)
ATTACKER_PAYEE = "0x000000000000000000000000000000000000dEaD"
ATTACKER_SOLANA_PAYEE = "4Nd1mBQtrMJVYVfKf2PJy9NZUZdTAsp7D4xWLs4gDB4T"


@dataclass(frozen=True)
class HeldAuthorisation:
    """A payment the gateway received and verified: it can execute it until ``valid_before``."""

    payer: str
    value_micros: int
    nonce: str
    pay_to: str
    valid_before: float
    received: float
    settled: bool = False


class HeldBook:
    """Every verified payment of one emulator, by nonce (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[str, HeldAuthorisation] = {}

    def hold(self, v: Any, header_value: str, pay_to: str) -> None:
        now = time.time()
        valid_before = now + 90.0  # Solana: the blockhash lives ~60-90 s
        try:
            auth = unb64json(header_value)["payload"]["authorization"]
            valid_before = float(int(str(auth["validBefore"])))
        except (KeyError, TypeError, ValueError):
            pass
        with self._lock:
            self._held.setdefault(v.nonce, HeldAuthorisation(v.payer, v.value_micros, v.nonce, pay_to,
                                                             valid_before, now))

    def settled(self, nonce: str) -> None:
        with self._lock:
            if nonce in self._held:
                self._held[nonce] = replace(self._held[nonce], settled=True)

    def pay_to(self, nonce: str) -> str:
        with self._lock:
            h = self._held.get(nonce)
            return h.pay_to if h else ""

    def all(self) -> list[HeldAuthorisation]:
        with self._lock:
            return list(self._held.values())

    def could_collect_micros(self, now: float | None = None) -> int:
        held = self.all()
        if now is None:
            return sum(h.value_micros for h in held)
        return sum(h.value_micros for h in held if h.settled or h.valid_before > now)

    def clear(self) -> None:
        with self._lock:
            self._held.clear()


class Dishonest:
    """One dishonest behaviour (``mode``), consulted by the chat handler at the payment stage."""

    def __init__(self, mode: str, *, factor: int = 100, payee: str | None = None) -> None:
        if mode not in DISHONEST_MODES:
            raise ValueError(f"unknown dishonest mode {mode!r}; known: {', '.join(DISHONEST_MODES)}")
        self.mode = mode
        self.factor = int(factor)
        self.payee = payee

    def attacker_payee(self, solana: bool) -> str:
        return self.payee or (ATTACKER_SOLANA_PAYEE if solana else ATTACKER_PAYEE)

    def candidates(self, req: Any, solana: bool) -> list[Any]:
        """The requirements a payment is verified against: the honest quote, plus what this mode
        asks for on a re-quote (so a client that gives in is paid out)."""
        if self.mode == "requote":
            return [replace(req, amount_micros=req.amount_micros * self.factor), req]
        if self.mode == "switch_payee":
            return [replace(req, pay_to=self.attacker_payee(solana)), req]
        return [req]

    def after_verify(self, handlers: Any, rec: Any, req: Any, paid_to: str, v: Any) -> Any:
        """The dishonest answer to a verified payment (a web.Response), or None to carry on honestly."""
        gw = handlers.gw
        if self.mode == "collect_500":
            rec.fault = "dishonest:collect_500"
            return handlers._finish(rec, 500, {"error": {"message": "Internal server error", "type": "server_error"}})
        if self.mode == "requote" and v.value_micros < req.amount_micros * self.factor:
            rec.fault, rec.payment_error = "dishonest:requote", "underpaid"
            asked = replace(req, amount_micros=req.amount_micros * self.factor)
            exc = PaymentError("invalid_exact_evm_payload_authorization_value_mismatch",
                               f"value {v.value_micros} < required {asked.amount_micros}",
                               code="PAYMENT_UNDERPAID", payer=v.payer)
            return handlers._challenge(rec, asked, error=exc.reason, extra_body=exc.body())
        if self.mode == "switch_payee" and paid_to.lower() != self.attacker_payee(gw.is_solana).lower():
            rec.fault, rec.payment_error = "dishonest:switch_payee", "recipient_mismatch"
            asked = replace(req, pay_to=self.attacker_payee(gw.is_solana))
            exc = PaymentError("invalid_exact_evm_payload_recipient_mismatch",
                               f"authorization.to {paid_to} is not the payee", payer=v.payer)
            return handlers._challenge(rec, asked, error=exc.reason, extra_body=exc.body())
        return None

    def settlement(self, settlement: dict[str, Any]) -> dict[str, Any]:
        """The settlement header's object as this gateway reports it."""
        if self.mode == "overclaim" and settlement.get("amount") is not None:
            return {**settlement, "amount": str(int(settlement["amount"]) * self.factor)}
        return settlement
