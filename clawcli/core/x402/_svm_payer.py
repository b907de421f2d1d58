"""The payer on Solana: the same policy, ledger and bookkeeping as ``Payer``, an SVM signature.

``payer_from_settings`` (wallet_payer.py) returns a ``SolanaPayer`` when the wallet's active chain is solana, so
``claw ask``, ``claw serve`` and ``claw bench`` pay on Solana without knowing it. The spend policy
then allows only Solana networks (the active chain is the only one we pay on), and every signature
goes through the same per-request check and the same reserve-then-settle ledger as on Base.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from clawcli.core.errors import PaymentError
from clawcli.core.wallet.constants import USDC_DECIMALS, EvmNetwork
from clawcli.core.x402 import svm
from clawcli.core.x402.ledger import SpendLedger
from clawcli.core.x402.payer import Payer, SignedPayment
from clawcli.core.x402.policy import QuoteBound, SpendPolicy
from clawcli.core.x402.protocol import PaymentRequired


class SolanaPayer(Payer):
    """Signs x402 SVM ``exact`` payments with the wallet's Solana key (SLIP-10 m/44'/501'/0'/0')."""

    def __init__(
        self,
        solana_seed: bytes,
        *,
        policy: SpendPolicy,
        ledger: SpendLedger,
        rpc_url: str,
        evm_key: str = "",
        clock: Callable[[], float] = time.time,
        rpc_timeout: float = 10.0,
        rpc_transport: Any = None,
    ) -> None:
        super().__init__(evm_key, policy=policy, ledger=ledger, clock=clock)
        if len(solana_seed) != 32:
            raise PaymentError("the Solana key must be a 32-byte ed25519 seed")
        self._seed = solana_seed
        self.rpc_url = rpc_url
        self.rpc_timeout = rpc_timeout
        self.rpc_transport = rpc_transport
        # mint facts (program, decimals) never change: remembered per process. Signed payments
        # and blockhashes are never remembered (they expire in 60-90 s).
        self._mints: dict[str, svm.MintInfo] = {}
        self._mint_lock = threading.Lock()
        self._sol_address: str | None = None
        self._client: Any = None  # one keep-alive RPC client per payer (a new one costs ~30 ms)

    def __repr__(self) -> str:  # never show the key
        return f"SolanaPayer(address={self.address!r})"

    @property
    def address(self) -> str:
        if self._sol_address is None:
            svm.require_solders()
            self._sol_address = svm.solana_address_of_seed(self._seed)
        return self._sol_address

    def _rpc_client(self) -> Any:
        with self._mint_lock:
            if self._client is None:
                import httpx

                self._client = httpx.Client(timeout=self.rpc_timeout, transport=self.rpc_transport)
            return self._client

    def sign(self, required: PaymentRequired, *, model: str | None = None,
             bound: QuoteBound | None = None) -> SignedPayment:
        """Pick a payable Solana requirement, pass the policy, reserve, build and partially sign.

        Raises PolicyRefusal (nothing signed, nothing reserved, nothing sent anywhere) or
        PaymentError (solders missing, no feePayer, RPC unreachable: the reservation is released).
        """
        req, net = self.policy.select(required, model=model, bound=bound)
        if isinstance(net, EvmNetwork):  # only when a policy allows both chains
            return super().sign(required, model=model, bound=bound)
        svm.require_solders()
        fee_payer = req.extra.get("feePayer")
        if not isinstance(fee_payer, str) or not fee_payer:
            raise PaymentError("the gateway's Solana payment requirement has no extra.feePayer",
                               "the SVM exact scheme needs the facilitator as fee payer; nothing was signed")
        memo = svm.memo_for(req.extra)
        now = int(self.clock())
        valid_before = now + svm.BLOCKHASH_TTL_S
        rid = self._reserve(req, payee=req.pay_to, model=model, valid_before=valid_before)
        try:
            blockhash, mint = svm.fetch_chain_state(
                self.rpc_url, req.asset, known_mint=self._mints.get(req.asset), client=self._rpc_client(),
            )
            if mint.decimals != USDC_DECIMALS:
                raise PaymentError(
                    f"the USDC mint {req.asset} reports {mint.decimals} decimals on {self.rpc_url}, not 6; "
                    "refusing to sign", "check CLAWCLI_SOLANA_RPC_URL")
            with self._mint_lock:
                self._mints[req.asset] = mint
            tx = svm.build_transaction(
                self._seed, pay_to=req.pay_to, mint=req.asset, amount=req.amount, fee_payer=fee_payer,
                blockhash=blockhash, memo=memo, decimals=mint.decimals, token_program=mint.program,
            )
        except PaymentError:
            self.ledger.release(rid, "not signed")
            raise
        except Exception as exc:  # noqa: BLE001 - any solders failure: release, one clear error
            self.ledger.release(rid, "signing failed")
            raise PaymentError(f"could not sign the Solana payment: {type(exc).__name__}") from None
        return self._signed_payment(
            required, req, {"transaction": tx.transaction},
            payee=req.pay_to, payer=tx.payer, nonce=tx.signature,
            valid_after=now, valid_before=valid_before, reservation=rid, model=model,
        )


def solana_payer_from_settings(wallet: Any, settings: Any, paths: Any, **kw: Any) -> SolanaPayer:
    """The Solana payer of ``wallet`` (whose chain is solana); fails fast without solders."""
    from clawcli.core.state import ledger_for

    svm.require_solders()
    if wallet.solana_seed is None:
        raise PaymentError("the payment chain is solana but this wallet has no Solana key (no mnemonic)",
                           "import the mnemonic (`claw wallet import --mnemonic -`) or `claw wallet chain base`")
    return SolanaPayer(
        wallet.solana_seed,
        policy=SpendPolicy.from_settings(settings, chain="solana"),
        ledger=ledger_for(settings, paths, address=wallet.solana_address or "", chain="solana"),
        rpc_url=settings.solana_rpc_url,
        evm_key=wallet.evm_key,
        **kw,
    )
