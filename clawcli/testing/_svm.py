"""The seller and facilitator side of the x402 SVM ``exact`` scheme, and the Solana RPC it needs.

Written independently of ``clawcli.core.x402.svm`` on purpose (the emulator is the yardstick): it
decodes the partially signed v0 transaction with solders and checks what a facilitator checks
(reference/x402-wallet.md §2.4): the instruction layout (compute limit, compute price <= 5 lamports,
TransferChecked, then only Memo/Lighthouse extras), the fee payer (ours, first account, in no
instruction, not the authority), the mint, the decimals, the destination ATA of ``payTo``, the
exact amount, the requirement's memo, the payer's ed25519 signature, and that the blockhash is one
this RPC issued less than ``blockhash_ttl`` seconds ago. Settling co-signs as the fee payer: the
settlement's ``transaction`` is that signature (base58), the transaction's real on-chain id.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from clawcli.testing._payment import (
    USDC_SOLANA_MINT,
    PaymentError,
    QuoteDocuments,
    b58encode,
    check_scheme_network,
    decode_payload,
    settlement_record,
)

SOLANA_NETWORK = "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp"
SOLANA_DEVNET_NETWORK = "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1"
USDC_SOLANA_DEVNET_MINT = "4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU"
#: CAIP-2 id -> (v1 name, USDC mint)
SVM_NETWORKS: dict[str, tuple[str, str]] = {
    SOLANA_NETWORK: ("solana", USDC_SOLANA_MINT),
    SOLANA_DEVNET_NETWORK: ("solana-devnet", USDC_SOLANA_DEVNET_MINT),
}
#: a fixed payee (pubkey of sha256("clawcli-emulator-solana-payee") as an ed25519 seed)
DEFAULT_SOLANA_PAYEE = "H7nM3sVq7ruGxgVpmNTTgcfiz5Zu1czGjGHZaanJmKwk"

TOKEN_PROGRAM = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
TOKEN_2022_PROGRAM = "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb"
ATA_PROGRAM = "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL"
COMPUTE_BUDGET_PROGRAM = "ComputeBudget111111111111111111111111111111"
MEMO_PROGRAM = "MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr"
LIGHTHOUSE_PROGRAM = "L2TExMFKdjpN9kozasaurPirfHy9P8sbXoAN1qA3S95"
#: facilitators refuse a compute-unit price above 5 lamports (5,000,000 micro-lamports)
MAX_COMPUTE_UNIT_PRICE = 5_000_000

# x402 SVM error reasons (x402 python/x402/mechanisms/svm/constants.py)
ERR_DECODE = "invalid_exact_svm_payload_transaction_could_not_be_decoded"
ERR_INSTRUCTIONS = "invalid_exact_svm_payload_transaction_instructions_length"
ERR_COMPUTE_LIMIT = "invalid_exact_svm_payload_transaction_instructions_compute_limit_instruction"
ERR_COMPUTE_PRICE = "invalid_exact_svm_payload_transaction_instructions_compute_price_instruction"
ERR_COMPUTE_PRICE_HIGH = "invalid_exact_svm_payload_transaction_instructions_compute_price_instruction_too_high"
ERR_NO_TRANSFER = "invalid_exact_svm_payload_no_transfer_instruction"
ERR_MINT = "invalid_exact_svm_payload_mint_mismatch"
ERR_RECIPIENT = "invalid_exact_svm_payload_recipient_mismatch"
ERR_AMOUNT = "invalid_exact_svm_payload_amount_insufficient"
ERR_FEE_PAYER_MISSING = "invalid_exact_svm_payload_missing_fee_payer"
ERR_FEE_PAYER_NOT_MANAGED = "fee_payer_not_managed_by_facilitator"
ERR_FEE_PAYER_TRANSFERRING = "invalid_exact_svm_payload_transaction_fee_payer_transferring_funds"
ERR_UNKNOWN_INSTRUCTION = "invalid_exact_svm_payload_unknown_fourth_instruction"
ERR_SIGNATURE = "invalid_exact_svm_payload_transaction_signature"
ERR_SIMULATION = "transaction_simulation_failed"


def _pk(s: str) -> Any:
    from solders.pubkey import Pubkey

    return Pubkey.from_string(s)


def ata(owner: str, mint: str, token_program: str = TOKEN_PROGRAM) -> str:
    """Associated token account of ``owner`` for ``mint``."""
    from solders.pubkey import Pubkey

    pda, _ = Pubkey.find_program_address([bytes(_pk(owner)), bytes(_pk(token_program)), bytes(_pk(mint))],
                                         _pk(ATA_PROGRAM))
    return str(pda)


def is_solana_address(s: str) -> bool:
    try:
        _pk(s)
        return True
    except (ValueError, TypeError):
        return False


@dataclass(frozen=True)
class SvmRequirement(QuoteDocuments):
    """One Solana payment requirement (duck-types ``_payment.Requirement`` for the handlers)."""

    amount_micros: int
    pay_to: str
    resource_url: str
    fee_payer: str
    network: str = SOLANA_NETWORK
    max_timeout_seconds: int = 300
    memo: str | None = None
    description: str = "LLM chat completion"

    @property
    def v1_network(self) -> str:
        return SVM_NETWORKS[self.network][0]

    @property
    def asset(self) -> str:
        return SVM_NETWORKS[self.network][1]

    @property
    def extra(self) -> dict[str, str]:
        out = {"feePayer": self.fee_payer}
        if self.memo is not None:
            out["memo"] = self.memo
        return out


@dataclass
class SvmVerified:
    """A Solana payment that passed every check; ``nonce`` is the payer's signature (replay key)."""

    payer: str
    value_micros: int
    nonce: str
    network: str
    x402_version: int
    transaction: Any = field(repr=False, default=None)  # the decoded VersionedTransaction
    facilitator: SvmFacilitator | None = field(repr=False, default=None)

    def settlement(self, success: bool = True, error_reason: str | None = None) -> dict[str, Any]:
        tx = self.facilitator.cosign(self.transaction) if (success and self.facilitator) else ""
        return settlement_record(self, tx, SVM_NETWORKS[self.network][0], success, error_reason)


class SvmFacilitator:
    """The emulator's Solana state: the fee-payer key, issued blockhashes, and verification."""

    def __init__(self, blockhash_ttl: float = 90.0, memo: str | None = None) -> None:
        self.blockhash_ttl = blockhash_ttl
        self.memo = memo  # put into every requirement's extra.memo when set
        self._seed = hashlib.sha256(b"clawcli-emulator-facilitator" + secrets.token_bytes(16)).digest()
        self._keypair: Any = None
        self._blockhashes: dict[str, float] = {}
        self._lock = threading.Lock()

    @property
    def keypair(self) -> Any:
        if self._keypair is None:
            from solders.keypair import Keypair

            self._keypair = Keypair.from_seed(self._seed)
        return self._keypair

    @property
    def fee_payer(self) -> str:
        return str(self.keypair.pubkey())

    def issue_blockhash(self) -> str:
        h = b58encode(secrets.token_bytes(32))
        with self._lock:
            self._blockhashes[h] = time.monotonic()
        return h

    def expire_blockhashes(self) -> None:
        """Make every blockhash issued so far stale (a payment signed with one gets rejected)."""
        with self._lock:
            self._blockhashes.clear()

    def _fresh(self, h: str) -> bool:
        with self._lock:
            t = self._blockhashes.get(h)
        return t is not None and time.monotonic() - t < self.blockhash_ttl

    def cosign(self, tx: Any) -> str:
        """Sign as fee payer (what the facilitator submits); the signature is the transaction id."""
        from solders.message import to_bytes_versioned

        return str(self.keypair.sign_message(to_bytes_versioned(tx.message)))

    # --- verification -------------------------------------------------------------------------
    def verify(self, header_value: str, required: SvmRequirement, *, x402_version: int) -> SvmVerified:
        payload = decode_payload(header_value, x402_version)
        if x402_version == 2:
            accepted = payload.get("accepted")
            if not isinstance(accepted, dict):
                raise PaymentError("invalid_payload", "v2 payload has no 'accepted' requirement")
            scheme, network = accepted.get("scheme"), accepted.get("network")
            if accepted.get("asset") != required.asset:
                raise PaymentError("invalid_payment_requirements", f"asset {accepted.get('asset')!r} is not USDC")
            if accepted.get("payTo") != required.pay_to:
                raise PaymentError(ERR_RECIPIENT, f"accepted.payTo {accepted.get('payTo')!r} is not the payee")
            if (accepted.get("extra") or {}).get("feePayer") != required.fee_payer:
                raise PaymentError(ERR_FEE_PAYER_NOT_MANAGED, "accepted.extra.feePayer is not this facilitator")
            expected_network = required.network
        else:
            scheme, network = payload.get("scheme"), payload.get("network")
            expected_network = required.v1_network
        check_scheme_network(scheme, network, expected_network)
        inner = payload.get("payload")
        if not isinstance(inner, dict) or not isinstance(inner.get("transaction"), str):
            raise PaymentError("invalid_payload", "payload.transaction is missing")
        tx = self._decode(inner["transaction"])
        payer, amount, sig = self._check_transaction(tx, required)
        return SvmVerified(payer=payer, value_micros=amount, nonce=sig, network=required.network,
                           x402_version=x402_version, transaction=tx, facilitator=self)

    @staticmethod
    def _decode(b64: str) -> Any:
        from solders.message import MessageV0
        from solders.transaction import VersionedTransaction

        try:
            tx = VersionedTransaction.from_bytes(base64.b64decode(b64, validate=True))
        except Exception:
            raise PaymentError(ERR_DECODE, "payload.transaction is not a serialized versioned transaction") from None
        if not isinstance(tx.message, MessageV0):
            raise PaymentError(ERR_DECODE, "the payment must be a v0 transaction")
        if list(tx.message.address_table_lookups):
            raise PaymentError("invalid_payload", "address lookup tables are not allowed in a payment")
        return tx

    def _check_transaction(self, tx: Any, required: SvmRequirement) -> tuple[str, int, str]:
        from solders.message import to_bytes_versioned

        msg = tx.message
        keys = [str(k) for k in msg.account_keys]
        n_signers = msg.header.num_required_signatures
        if not keys or keys[0] != self.fee_payer:
            raise PaymentError(ERR_FEE_PAYER_NOT_MANAGED, f"fee payer {keys[0] if keys else None} is not this facilitator")
        ixs = list(msg.instructions)
        if not 3 <= len(ixs) <= 6:
            raise PaymentError(ERR_INSTRUCTIONS, f"{len(ixs)} instructions; expected 3 to 6")

        def program(ix: Any) -> str:
            return keys[ix.program_id_index]

        for ix in ixs:  # the fee payer must not lend itself to any instruction
            if any(keys[i] == self.fee_payer for i in bytes(ix.accounts)):
                raise PaymentError(ERR_FEE_PAYER_TRANSFERRING, "the fee payer appears in an instruction's accounts")
        limit, price, transfer = ixs[0], ixs[1], ixs[2]
        d = bytes(limit.data)
        if program(limit) != COMPUTE_BUDGET_PROGRAM or len(d) != 5 or d[0] != 2:
            raise PaymentError(ERR_COMPUTE_LIMIT, "instruction 1 is not SetComputeUnitLimit")
        d = bytes(price.data)
        if program(price) != COMPUTE_BUDGET_PROGRAM or len(d) != 9 or d[0] != 3:
            raise PaymentError(ERR_COMPUTE_PRICE, "instruction 2 is not SetComputeUnitPrice")
        if int.from_bytes(d[1:9], "little") > MAX_COMPUTE_UNIT_PRICE:
            raise PaymentError(ERR_COMPUTE_PRICE_HIGH, "compute unit price above 5 lamports")
        token_program = program(transfer)
        d = bytes(transfer.data)
        acc = bytes(transfer.accounts)
        if token_program not in (TOKEN_PROGRAM, TOKEN_2022_PROGRAM) or len(d) != 10 or d[0] != 12 or len(acc) < 4:
            raise PaymentError(ERR_NO_TRANSFER, "instruction 3 is not an SPL TransferChecked")
        source, mint, dest, authority = (keys[i] for i in acc[:4])
        amount, decimals = int.from_bytes(d[1:9], "little"), d[9]
        if authority == self.fee_payer:
            raise PaymentError(ERR_FEE_PAYER_TRANSFERRING, "the fee payer is the transfer authority")
        payer = authority
        if mint != required.asset:
            raise PaymentError(ERR_MINT, f"mint {mint} is not {required.asset}", payer=payer)
        if decimals != 6:
            raise PaymentError(ERR_MINT, f"TransferChecked decimals {decimals}; USDC has 6", payer=payer)
        if dest != ata(required.pay_to, required.asset, token_program):
            raise PaymentError(ERR_RECIPIENT, f"destination {dest} is not the payee's token account", payer=payer)
        if source != ata(authority, required.asset, token_program):
            raise PaymentError("invalid_payload", f"source {source} is not the payer's token account", payer=payer)
        if amount < required.amount_micros:
            raise PaymentError(ERR_AMOUNT, f"amount {amount} < required {required.amount_micros}",
                               code="PAYMENT_UNDERPAID", payer=payer)
        if amount != required.amount_micros:
            raise PaymentError("invalid_payload", f"amount {amount} is not exactly {required.amount_micros}", payer=payer)
        memos = []
        for ix in ixs[3:]:
            if program(ix) == MEMO_PROGRAM:
                memos.append(bytes(ix.data))
            elif program(ix) != LIGHTHOUSE_PROGRAM:
                raise PaymentError(ERR_UNKNOWN_INSTRUCTION, f"unexpected instruction for program {program(ix)}",
                                   payer=payer)
        if required.memo is not None and required.memo.encode() not in memos:
            raise PaymentError("invalid_payload", "the transaction lacks the requirement's memo", payer=payer)
        # signatures: every signer but the fee payer (index 0, filled in when we settle) must have signed
        try:
            signer_index = keys.index(authority)
        except ValueError:  # pragma: no cover - authority came from keys
            signer_index = -1
        if not 0 < signer_index < n_signers:
            raise PaymentError(ERR_SIGNATURE, "the transfer authority is not a signer", payer=payer)
        data = to_bytes_versioned(msg)
        sigs = list(tx.signatures)
        if len(sigs) != n_signers:
            raise PaymentError(ERR_SIGNATURE, "wrong number of signatures", payer=payer)
        for i in range(1, n_signers):
            if not sigs[i].verify(msg.account_keys[i], data):
                raise PaymentError(ERR_SIGNATURE, f"the signature of {keys[i]} does not verify", payer=payer)
        if not self._fresh(str(msg.recent_blockhash)):
            raise PaymentError(ERR_SIMULATION, "Blockhash not found", payer=payer, nonce=str(sigs[signer_index]))
        return payer, amount, str(sigs[signer_index])


# --- JSON-RPC ---------------------------------------------------------------------------------------


def _mint_account(encoding: str) -> dict[str, Any]:
    if encoding == "jsonParsed":
        data: Any = {"program": "spl-token", "space": 82, "parsed": {"type": "mint", "info": {
            "decimals": 6, "freezeAuthority": None, "isInitialized": True, "mintAuthority": None,
            "supply": "1000000000000000"}}}
    else:
        raw = bytearray(82)  # COption<Pubkey> authority (none), u64 supply, u8 decimals, bool initialized, ...
        raw[36:44] = (10**15).to_bytes(8, "little")
        raw[44] = 6
        raw[45] = 1
        data = [base64.b64encode(bytes(raw)).decode(), "base64"]
    return {"data": data, "executable": False, "lamports": 1461600, "owner": TOKEN_PROGRAM,
            "rentEpoch": 18446744073709551615, "space": 82}


def solana_rpc_call(call: Any, gw: Any) -> dict[str, Any] | None:
    """The SVM methods of the emulator's Solana RPC; None for methods left to ``_rpc.solana_call``."""
    if not isinstance(call, dict):
        return None
    rid, method, params = call.get("id"), call.get("method"), call.get("params") or []
    context = {"apiVersion": "2.2.0", "slot": 1}
    if method == "getLatestBlockhash":
        value = {"blockhash": gw.svm.issue_blockhash(), "lastValidBlockHeight": 150}
        return {"jsonrpc": "2.0", "id": rid, "result": {"context": context, "value": value}}
    if method == "getAccountInfo":
        address = str(params[0]) if params else ""
        opts = params[1] if len(params) > 1 and isinstance(params[1], dict) else {}
        encoding = str(opts.get("encoding", "base64"))
        value = _mint_account(encoding) if address in (USDC_SOLANA_MINT, USDC_SOLANA_DEVNET_MINT) else None
        return {"jsonrpc": "2.0", "id": rid, "result": {"context": context, "value": value}}
    return None
