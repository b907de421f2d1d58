"""SVM ``exact`` scheme (reference/x402-wallet.md §2.4): a partially signed v0 Solana transaction.

The transaction the facilitator expects, instruction by instruction:

1. ComputeBudget SetComputeUnitLimit(20,000)
2. ComputeBudget SetComputeUnitPrice(1 micro-lamport)
3. SPL Token TransferChecked: the payer's USDC ATA -> the payee's USDC ATA, exactly ``amount``,
   decimals 6, authority = the payer
4. Memo: ``extra.memo`` when the requirement carries one, else 16 random bytes as 32 hex chars
   (keeps two otherwise identical payments distinct)

The fee payer is ``extra.feePayer`` (the facilitator, who co-signs and submits), the lifetime a
recent blockhash from the Solana RPC; we sign as the token authority only and leave the fee payer's
signature slot empty. The payload is ``{"transaction": base64(wire transaction)}``. A blockhash
lives 60-90 s, so a signed payment is never cached or reused: every 402 gets a fresh one.

solders is an optional extra (``pip install 'clawcli[solana]'``) imported inside the functions;
``require_solders()`` turns its absence into one actionable line.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from typing import Any

from clawcli.core.errors import PaymentError
from clawcli.core.wallet.constants import USDC_DECIMALS

INSTALL_HINT = "pip install 'clawcli[solana]'"

TOKEN_PROGRAM = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
TOKEN_2022_PROGRAM = "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb"
ASSOCIATED_TOKEN_PROGRAM = "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL"
COMPUTE_BUDGET_PROGRAM = "ComputeBudget111111111111111111111111111111"
MEMO_PROGRAM = "MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr"

COMPUTE_UNIT_LIMIT = 20_000
COMPUTE_UNIT_PRICE_MICROLAMPORTS = 1
MAX_MEMO_BYTES = 256
#: TransferChecked's instruction discriminator in the SPL Token program
TRANSFER_CHECKED = 12
#: how long a signed payment can be expected to stay valid (blockhash lifetime, upper end)
BLOCKHASH_TTL_S = 90
#: the length of an SPL mint account and the offset of its ``decimals`` byte
MINT_ACCOUNT_LEN = 82
MINT_DECIMALS_OFFSET = 44


def solders_available() -> bool:
    try:
        import solders  # noqa: F401
    except ImportError:
        return False
    return True


def require_solders() -> None:
    """Raise PaymentError (one line, with the install command) when solders is missing."""
    if not solders_available():
        raise PaymentError(
            f"paying on Solana needs the optional solders package: {INSTALL_HINT}",
            f"install it with {INSTALL_HINT}, or pay on Base with `claw wallet chain base`",
        )


def _pubkey(value: Any, what: str) -> Any:
    from solders.pubkey import Pubkey

    try:
        return Pubkey.from_string(str(value))
    except (ValueError, TypeError):
        raise PaymentError(f"invalid Solana address {value!r} for {what} in the payment requirements") from None


def associated_token_address(owner: str, mint: str, token_program: str = TOKEN_PROGRAM) -> str:
    """The ATA of ``owner`` for ``mint`` (PDA of [owner, token program, mint] under the ATA program)."""
    from solders.pubkey import Pubkey

    pda, _bump = Pubkey.find_program_address(
        [bytes(_pubkey(owner, "owner")), bytes(Pubkey.from_string(token_program)), bytes(_pubkey(mint, "asset"))],
        Pubkey.from_string(ASSOCIATED_TOKEN_PROGRAM),
    )
    return str(pda)


def solana_address_of_seed(seed: bytes) -> str:
    from solders.keypair import Keypair

    return str(Keypair.from_seed(seed).pubkey())


# -- RPC ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MintInfo:
    program: str
    decimals: int


def _rpc(client: Any, url: str, payload: Any) -> Any:
    import httpx

    try:
        resp = client.post(url, json=payload)
    except httpx.HTTPError as exc:
        raise PaymentError(
            f"could not reach the Solana RPC {url}: {type(exc).__name__}",
            "check CLAWCLI_SOLANA_RPC_URL and your connection; nothing was signed",
        ) from None
    if resp.status_code != 200:
        raise PaymentError(f"the Solana RPC {url} answered HTTP {resp.status_code}",
                           "try again, or set CLAWCLI_SOLANA_RPC_URL to another node; nothing was signed")
    try:
        return resp.json()
    except ValueError:
        raise PaymentError(f"the Solana RPC {url} did not answer JSON") from None


def _result(answer: Any, what: str, url: str) -> Any:
    if not isinstance(answer, dict) or "result" not in answer:
        err = answer.get("error") if isinstance(answer, dict) else None
        msg = err.get("message") if isinstance(err, dict) else None
        raise PaymentError(f"the Solana RPC {url} failed {what}: {msg or 'no result'}",
                           "try again, or set CLAWCLI_SOLANA_RPC_URL to another node; nothing was signed")
    return answer["result"]


def parse_mint(account: Any, mint: str) -> MintInfo:
    """Owner program and decimals of a mint from ``getAccountInfo`` (base64 or jsonParsed)."""
    if not isinstance(account, dict):
        raise PaymentError(
            f"the token mint {mint} does not exist on this Solana RPC",
            "is CLAWCLI_SOLANA_RPC_URL a node of the network the gateway asks for (mainnet vs devnet)?",
        )
    owner = str(account.get("owner", ""))
    if owner not in (TOKEN_PROGRAM, TOKEN_2022_PROGRAM):
        raise PaymentError(f"the asset {mint} was not created by a known token program (owner {owner})")
    data = account.get("data")
    decimals: Any = None
    if isinstance(data, list) and data and data[-1] == "base64":
        raw = base64.b64decode(data[0])
        if len(raw) >= MINT_ACCOUNT_LEN:
            decimals = raw[MINT_DECIMALS_OFFSET]
    elif isinstance(data, dict):
        decimals = ((data.get("parsed") or {}).get("info") or {}).get("decimals")
    if not isinstance(decimals, int):
        raise PaymentError(f"could not read the decimals of the token mint {mint} from the Solana RPC")
    return MintInfo(program=owner, decimals=decimals)


def fetch_chain_state(url: str, mint: str, *, known_mint: MintInfo | None = None, timeout: float = 10.0,
                      transport: Any = None, client: Any = None) -> tuple[str, MintInfo]:
    """``(latest blockhash, mint info)`` in one round trip (a JSON-RPC batch when the mint is new).

    Pass a long-lived ``httpx.Client`` as ``client`` where payments repeat: creating one costs ~30 ms.
    """
    import contextlib

    import httpx

    blockhash_call = {"jsonrpc": "2.0", "id": 1, "method": "getLatestBlockhash",
                      "params": [{"commitment": "confirmed"}]}
    owned = client is None
    if owned:
        client = httpx.Client(timeout=timeout, transport=transport)
    with client if owned else contextlib.nullcontext(client):
        if known_mint is not None:
            answers = [_rpc(client, url, blockhash_call)]
        else:
            mint_call = {"jsonrpc": "2.0", "id": 2, "method": "getAccountInfo",
                         "params": [mint, {"encoding": "base64", "commitment": "confirmed"}]}
            answers = _rpc(client, url, [blockhash_call, mint_call])
            if not isinstance(answers, list):  # a node that refuses batches: ask one at a time
                answers = [_rpc(client, url, blockhash_call), _rpc(client, url, mint_call)]
            answers = sorted((a for a in answers if isinstance(a, dict)), key=lambda a: a.get("id") or 0)
        if not answers:
            raise PaymentError(f"the Solana RPC {url} sent an empty answer")
        value = _result(answers[0], "getLatestBlockhash", url)
        blockhash = (value.get("value") or {}).get("blockhash") if isinstance(value, dict) else None
        if not isinstance(blockhash, str) or not blockhash:
            raise PaymentError(f"the Solana RPC {url} sent no blockhash")
        if known_mint is not None:
            return blockhash, known_mint
        if len(answers) < 2:
            raise PaymentError(f"the Solana RPC {url} did not answer getAccountInfo")
        info = _result(answers[1], "getAccountInfo", url)
        return blockhash, parse_mint(info.get("value") if isinstance(info, dict) else None, mint)


# -- the transaction ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedTransaction:
    """A partially signed payment transaction; no secret inside."""

    transaction: str  # base64 wire transaction (what goes into the payload)
    signature: str  # base58: the payer's signature (our replay-unique id for it)
    payer: str
    fee_payer: str
    source: str  # the payer's ATA
    destination: str  # the payee's ATA
    blockhash: str
    memo: str


def memo_for(extra: dict[str, Any]) -> str:
    """The seller's ``extra.memo`` (UTF-8, at most 256 bytes), else 32 random hex characters."""
    memo = extra.get("memo")
    if memo is None or memo == "":
        return secrets.token_hex(16)
    if not isinstance(memo, str):
        raise PaymentError("the payment requirement's extra.memo is not a string")
    if len(memo.encode("utf-8")) > MAX_MEMO_BYTES:
        raise PaymentError(f"the payment requirement's extra.memo is longer than {MAX_MEMO_BYTES} bytes")
    return memo


def build_transaction(
    seed: bytes,
    *,
    pay_to: str,
    mint: str,
    amount: int,
    fee_payer: str,
    blockhash: str,
    memo: str,
    decimals: int = USDC_DECIMALS,
    token_program: str = TOKEN_PROGRAM,
) -> SignedTransaction:
    """Build the four-instruction v0 transaction and sign it as the token authority only."""
    from solders.compute_budget import set_compute_unit_limit, set_compute_unit_price
    from solders.hash import Hash
    from solders.instruction import AccountMeta, Instruction
    from solders.keypair import Keypair
    from solders.message import MessageV0, to_bytes_versioned
    from solders.pubkey import Pubkey
    from solders.signature import Signature
    from solders.transaction import VersionedTransaction

    if not 0 < amount < 2**64:
        raise PaymentError(f"refusing a Solana transfer of {amount} units")
    keypair = Keypair.from_seed(seed)
    owner = keypair.pubkey()
    fee = _pubkey(fee_payer, "extra.feePayer")
    if fee == owner:
        # we would be paying the network fee *and* signing as fee payer: not the scheme
        raise PaymentError("the payment requirement names our own wallet as the fee payer; refusing to sign")
    mint_key = _pubkey(mint, "asset")
    program = Pubkey.from_string(token_program)
    source = Pubkey.from_string(associated_token_address(str(owner), mint, token_program))
    destination = Pubkey.from_string(associated_token_address(pay_to, mint, token_program))
    try:
        recent = Hash.from_string(blockhash)
    except ValueError:
        raise PaymentError(f"the Solana RPC sent an invalid blockhash {blockhash!r}") from None
    transfer = Instruction(
        program,
        bytes([TRANSFER_CHECKED]) + int(amount).to_bytes(8, "little") + bytes([decimals]),
        [
            AccountMeta(source, is_signer=False, is_writable=True),
            AccountMeta(mint_key, is_signer=False, is_writable=False),
            AccountMeta(destination, is_signer=False, is_writable=True),
            AccountMeta(owner, is_signer=True, is_writable=False),
        ],
    )
    memo_ix = Instruction(Pubkey.from_string(MEMO_PROGRAM), memo.encode("utf-8"), [])
    instructions = [
        set_compute_unit_limit(COMPUTE_UNIT_LIMIT),
        set_compute_unit_price(COMPUTE_UNIT_PRICE_MICROLAMPORTS),
        transfer,
        memo_ix,
    ]
    message = MessageV0.try_compile(fee, instructions, [], recent)
    signers = list(message.account_keys)[: message.header.num_required_signatures]
    ours = keypair.sign_message(to_bytes_versioned(message))
    # the fee payer's slot stays all zeros: the facilitator signs it when it submits
    signatures = [ours if key == owner else Signature.default() for key in signers]
    tx = VersionedTransaction.populate(message, signatures)
    return SignedTransaction(
        transaction=base64.b64encode(bytes(tx)).decode("ascii"),
        signature=str(ours),
        payer=str(owner),
        fee_payer=str(fee),
        source=str(source),
        destination=str(destination),
        blockhash=blockhash,
        memo=memo,
    )


def settlement_signed_by_fee_payer(transaction_b64: str, tx_signature: str, fee_payer: str) -> bool:
    """Whether ``tx_signature`` (a settlement's ``transaction``) is the fee payer's signature over our
    message, i.e. the on-chain id of exactly the transaction we signed."""
    from solders.message import to_bytes_versioned
    from solders.signature import Signature
    from solders.transaction import VersionedTransaction

    try:
        tx = VersionedTransaction.from_bytes(base64.b64decode(transaction_b64))
        sig = Signature.from_string(tx_signature)
        return sig.verify(_pubkey(fee_payer, "feePayer"), to_bytes_versioned(tx.message))
    except (ValueError, TypeError, PaymentError):
        return False
