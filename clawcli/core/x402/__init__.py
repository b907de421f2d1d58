"""x402 payments as a client: EVM ``exact`` (EIP-3009 via EIP-712) and SVM ``exact`` on Solana
(a partially signed v0 transaction, ``svm.py``; ``wallet_payer.payer_from_settings`` gives a
``SolanaPayer`` when the wallet's payment chain is solana).

The engine drives a payment explicitly (ARCHITECTURE.md "Payments")::

    required = parse_payment_required(response_402)
    signed = payer.sign(required, model="openai/gpt-5.4")   # policy + ledger + signature
    ... resend with signed.headers ...
    payer.settled(signed, response.headers)  or  payer.rejected(signed, reason)

(``clawcli/core/upstream`` is the one client of this flow). Importing this package does not import
eth-account or httpx.
"""

from typing import Any

from clawcli.core.x402.ledger import SpendLedger, Totals
from clawcli.core.x402.payer import Payer, SignedPayment
from clawcli.core.x402.policy import SpendPolicy, format_usd, usd_to_atomic
from clawcli.core.x402.protocol import (
    PAYMENT_REQUIRED,
    PAYMENT_RESPONSE,
    PAYMENT_SIGNATURE,
    X_PAYMENT,
    X_PAYMENT_RESPONSE,
    PaymentRequired,
    Requirement,
    Settlement,
    decode_settlement,
    parse_payment_required,
    parse_payment_required_parts,
    rejection_reason,
)

__all__ = [
    "PAYMENT_REQUIRED",
    "PAYMENT_RESPONSE",
    "PAYMENT_SIGNATURE",
    "X_PAYMENT",
    "X_PAYMENT_RESPONSE",
    "Payer",
    "PaymentRequired",
    "Requirement",
    "Settlement",
    "SignedPayment",
    "SolanaPayer",
    "SpendLedger",
    "SpendPolicy",
    "Totals",
    "decode_settlement",
    "format_usd",
    "parse_payment_required",
    "parse_payment_required_parts",
    "rejection_reason",
    "usd_to_atomic",
]


def __getattr__(name: str) -> Any:
    if name == "SolanaPayer":
        from clawcli.core.x402._svm_payer import SolanaPayer

        return SolanaPayer
    raise AttributeError(name)
