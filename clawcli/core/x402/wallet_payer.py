"""The payer of a wallet's active chain: the one constructor `claw ask`, `claw serve` and `claw bench` use.

    payer = payer_from_settings(wallet, settings, paths)   # Payer (Base) or SolanaPayer

It sits above both payers so the imports point one way (payer <- _svm_payer <- wallet_payer).
"""

from __future__ import annotations

from typing import Any

from clawcli.core.x402._svm_payer import SolanaPayer, solana_payer_from_settings
from clawcli.core.state import ledger_for
from clawcli.core.x402.payer import Payer
from clawcli.core.x402.policy import SpendPolicy


def payer_from_settings(wallet: Any, settings: Any, paths: Any, **kw: Any) -> Payer | SolanaPayer:
    """A ``SolanaPayer`` (x402 SVM, needs the solders extra) when the wallet's ``payment-chain``
    is solana, else the EVM ``Payer``; both share the spend policy and the ledger file."""
    if getattr(wallet, "chain", "base") == "solana":
        return solana_payer_from_settings(wallet, settings, paths, **kw)
    return Payer(
        wallet.evm_key,
        policy=SpendPolicy.from_settings(settings),
        ledger=ledger_for(settings, paths, address=wallet.evm_address, chain="base"),
        **kw,
    )
