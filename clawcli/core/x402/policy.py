"""The pre-sign spend policy: which of a 402's payment options we may pay, and how much.

Checked before every signature (the wallet is the last line of defence against a runaway
agent): scheme ``exact``; network Base (plus Base Sepolia when ``testnet``); asset USDC of
that network; payee on ``allowed_payees`` when that list is set; amount at most
``max_per_request``. The hourly/daily caps are enforced by the spend ledger under its file
lock (see ledger.py), because they depend on what every other claw process has signed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from clawcli.core.errors import PolicyRefusal
from clawcli.core.wallet.constants import (
    ATOMIC_PER_USDC,
    BASE,
    BASE_SEPOLIA,
    SOLANA_DEVNET,
    SOLANA_MAINNET,
    EvmNetwork,
    SolanaNetwork,
    evm_network,
    solana_network_of,
)
from clawcli.core.x402.protocol import PaymentRequired, Requirement


def usd_to_atomic(usd: float | Decimal | str | None) -> int | None:
    if usd is None:
        return None
    return int((Decimal(str(usd)) * ATOMIC_PER_USDC).to_integral_value(rounding=ROUND_DOWN))


def format_usd(atomic: int) -> str:
    """$0.50, $0.0012, $12.00: at least cents, more digits only when they matter."""
    d = Decimal(atomic) / ATOMIC_PER_USDC
    s = f"{d:.6f}".rstrip("0")
    whole, _, frac = s.partition(".")
    return f"${whole}.{frac.ljust(2, '0')}"


def refusal(message: str, hint: str, *, cap: str, amount: int | None = None,
            limit: int | None = None, **extra: Any) -> PolicyRefusal:
    """A PolicyRefusal carrying machine-readable facts (cap name, amounts in atomic units)."""
    exc = PolicyRefusal(message, hint)
    exc.cap = cap  # type: ignore[attr-defined]
    exc.amount = amount  # type: ignore[attr-defined]
    exc.limit = limit  # type: ignore[attr-defined]
    for k, v in extra.items():
        setattr(exc, k, v)
    return exc


@dataclass(frozen=True)
class QuoteBound:
    """The most one signature may be for, on top of the policy: the request's own estimate with
    its tolerance, and on a re-sign the first signature's amount and payee (an attempt is never
    re-signed for more, or to someone else). ``why`` and ``hint`` make the refusal message."""

    max_amount: int | None = None
    why: str = ""
    hint: str = ""
    pay_to: str | None = None

    def resign(self, first_amount: int, first_payee: str) -> QuoteBound:
        """The bound of the re-sign after a rejection of a payment of ``first_amount`` to ``first_payee``."""
        cap = first_amount if self.max_amount is None else min(first_amount, self.max_amount)
        return QuoteBound(cap, f"the {format_usd(first_amount)} first signed for this attempt "
                          "(an attempt is never re-signed for a higher amount or to another payee)",
                          "the gateway rejected a signed payment and asked for more; nothing more was signed",
                          first_payee)


def quote_bound(settings: Any, estimate_usd: float | None) -> QuoteBound | None:
    """The quote tolerance of a request estimated at ``estimate_usd``: ``quote_tolerance`` x the
    estimate + ``quote_tolerance_usd`` (None when the tolerance is off or there is no estimate)."""
    tolerance = getattr(settings, "quote_tolerance", None)
    if tolerance is None or estimate_usd is None:
        return None
    slack = float(getattr(settings, "quote_tolerance_usd", 0.0) or 0.0)
    ceiling = Decimal(str(estimate_usd)) * Decimal(str(tolerance)) + Decimal(str(slack))
    atomic = int((ceiling * ATOMIC_PER_USDC).to_integral_value(rounding=ROUND_DOWN))
    return QuoteBound(
        atomic,
        f"{float(tolerance):g}x the request's estimate ({format_usd(usd_to_atomic(estimate_usd) or 0)}) "
        f"+ ${slack:g} = {format_usd(atomic)}",
        f"a quote far above the catalog price is refused; if the price really changed, raise the tolerance "
        f"with `claw wallet limits --quote-tolerance {max(10, float(tolerance) * 3):g}` (or `off`)",
    )


@dataclass(frozen=True)
class SpendPolicy:
    """Limits in atomic USDC units; ``None`` means "no limit"."""

    max_per_request: int | None = usd_to_atomic("0.50")
    hourly_limit: int | None = None
    daily_limit: int | None = None
    networks: tuple[EvmNetwork, ...] = (BASE,)
    allowed_payees: frozenset[str] = frozenset()
    #: Solana networks we may pay on (only when the active payment chain is solana)
    solana_networks: tuple[SolanaNetwork, ...] = ()

    @classmethod
    def from_settings(cls, settings: Any, chain: str = "base") -> SpendPolicy:
        # we pay only on the active chain: the user chose where the money comes from
        solana = chain == "solana"
        evm = (BASE, BASE_SEPOLIA) if settings.testnet else (BASE,)
        sol = (SOLANA_MAINNET, SOLANA_DEVNET) if settings.testnet else (SOLANA_MAINNET,)
        return cls(
            max_per_request=usd_to_atomic(settings.max_per_request),
            hourly_limit=usd_to_atomic(settings.hourly_limit),
            daily_limit=usd_to_atomic(settings.daily_limit),
            networks=() if solana else evm,
            solana_networks=sol if solana else (),
            allowed_payees=frozenset(p.strip().lower() for p in settings.allowed_payees if p.strip()),
        )

    # -- choosing a requirement -----------------------------------------------------------
    def _why_not(self, req: Requirement) -> tuple[str, str, str] | None:
        """(cap, message, hint) when ``req`` is not payable, None when it is."""
        if req.scheme != "exact":
            return ("scheme", f"refusing payment scheme {req.scheme!r}: only 'exact' is supported",
                    "the gateway must offer the exact scheme")
        if req.network.lower().startswith("solana"):
            return self._why_not_solana(req)
        if not self.networks:
            return ("network", f"refusing to pay on {req.network}: the payment chain is solana",
                    "to pay on Base, switch with `claw wallet chain base`")
        net = evm_network(req.network)
        if net is None or net not in self.networks:
            allowed = ", ".join(f"{n.caip2} ({n.label})" for n in self.networks)
            hint = ("Base Sepolia is allowed with `testnet = true` in config.toml or CLAWCLI_TESTNET=1"
                    if net is BASE_SEPOLIA else "clawcli only pays on Base")
            return ("network", f"refusing to pay on network {req.network!r}: allowed are {allowed}", hint)
        if req.asset.lower() != net.usdc.lower():
            return ("asset", f"refusing to pay with asset {req.asset!r}: only USDC ({net.usdc}) is allowed "
                    f"on {net.label}", "clawcli only pays in USDC")
        if self.allowed_payees and req.pay_to.lower() not in self.allowed_payees:
            return ("payee", f"refusing to pay {req.pay_to}: not in allowed_payees",
                    f"add it with `claw wallet limits --payee {req.pay_to}` (or remove the allowlist)")
        if req.amount <= 0:
            return ("amount", f"refusing a payment requirement of {req.amount} units", "a paid call costs > 0")
        return None

    def _why_not_solana(self, req: Requirement) -> tuple[str, str, str] | None:
        net = solana_network_of(req.network)
        if not self.solana_networks:
            return ("network", f"refusing to pay on {req.network}: the payment chain is base "
                    "(Solana payments need the solana chain)", "switch with `claw wallet chain solana`")
        if net is None or net not in self.solana_networks:
            allowed = ", ".join(f"{n.caip2} ({n.label})" for n in self.solana_networks)
            hint = ("Solana devnet is allowed with `testnet = true` in config.toml or CLAWCLI_TESTNET=1"
                    if net is SOLANA_DEVNET else "clawcli only pays on Solana mainnet")
            return ("network", f"refusing to pay on network {req.network!r}: allowed are {allowed}", hint)
        if req.asset != net.usdc_mint:  # base58 is case-sensitive: compare exactly
            return ("asset", f"refusing to pay with asset {req.asset!r}: only USDC ({net.usdc_mint}) is allowed "
                    f"on {net.label}", "clawcli only pays in USDC")
        if self.allowed_payees and req.pay_to.lower() not in self.allowed_payees:
            return ("payee", f"refusing to pay {req.pay_to}: not in allowed_payees",
                    f"add it with `claw wallet limits --payee {req.pay_to}` (or remove the allowlist)")
        if req.amount <= 0:
            return ("amount", f"refusing a payment requirement of {req.amount} units", "a paid call costs > 0")
        return None

    def select(self, required: PaymentRequired, *, model: str | None = None,
               bound: QuoteBound | None = None) -> tuple[Requirement, EvmNetwork | SolanaNetwork]:
        """The cheapest payable requirement, checked against ``bound`` (the request's quote
        tolerance, or a re-sign's limits), then the per-request cap.

        Raises PolicyRefusal (naming the first reason) when none may be paid.
        """
        payable: list[Requirement] = []
        first_reason: tuple[str, str, str] | None = None
        for req in required.accepts:
            why = self._why_not(req)
            if why is None:
                payable.append(req)
            elif first_reason is None:
                first_reason = why
        if not payable:
            assert first_reason is not None
            cap, msg, hint = first_reason
            raise refusal(msg, hint, cap=cap)
        req = min(payable, key=lambda r: r.amount)
        # the bound first: a gateway re-quoting 100x must be named as such, not answered with
        # "raise the per-request cap to $1.48" (which invites the user to let it overcharge)
        self.check_bound(req, bound, model=model)
        self.check_per_request(req.amount, model=model)
        net = evm_network(req.network) or solana_network_of(req.network)
        assert net is not None
        return req, net

    def check_bound(self, req: Requirement, bound: QuoteBound | None, *, model: str | None = None) -> None:
        """Refuse ``req`` when it is above ``bound`` (or, on a re-sign, pays someone else)."""
        if bound is None:
            return
        what = f" for {model}" if model else ""
        if bound.pay_to is not None and req.pay_to.lower() != bound.pay_to.lower():
            raise refusal(
                f"refusing to re-sign{what}: the gateway switched the payee from {bound.pay_to} to {req.pay_to} "
                "after rejecting a signed payment", bound.hint or "nothing more was signed",
                cap="resign", amount=req.amount)
        if bound.max_amount is not None and req.amount > bound.max_amount:
            raise refusal(
                f"refusing to sign {format_usd(req.amount)}{what}: the gateway's quote is above {bound.why}",
                bound.hint, cap="quote", amount=req.amount, limit=bound.max_amount)

    def check_per_request(self, amount: int, *, model: str | None = None) -> None:
        if self.max_per_request is not None and amount > self.max_per_request:
            what = f" for {model}" if model else ""
            raise refusal(
                f"refusing to sign {format_usd(amount)}{what}: above the per-request cap of "
                f"{format_usd(self.max_per_request)}",
                f"raise it with `claw wallet limits --per-request {_suggest(amount)}` "
                "(or CLAWCLI_MAX_PER_REQUEST)",
                cap="per_request", amount=amount, limit=self.max_per_request,
            )


def _suggest(amount: int) -> str:
    d = (Decimal(amount) / ATOMIC_PER_USDC).quantize(Decimal("0.01"), rounding="ROUND_UP")
    return f"{d:.2f}"

