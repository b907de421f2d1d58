"""The SVM exact-scheme transaction, checked byte by byte against the scheme (reference §2.4) with a
wire-format parser, PDA derivation and ed25519 verification written here independently of solders."""

from __future__ import annotations

import base64
import hashlib

import pytest

pytest.importorskip("solders")

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from clawcli.core.errors import PaymentError
from clawcli.core.x402 import svm

# reference §1.1 vector: "abandon" x23 + "art" -> m/44'/501'/0'/0'
SEED = bytes.fromhex("7c139e1a603ca04f5f7cff194e1bb6f6d1b9098470ea90695ab628488a9f921b")
ADDRESS = "3Cy3YNTFywCmxoxt8n7UH6hg6dLo5uACowX3CFceaSnx"
MINT = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"
PAYEE = "H7nM3sVq7ruGxgVpmNTTgcfiz5Zu1czGjGHZaanJmKwk"
FEE_PAYER = "2wKupLR9q6wXYppw8Gr2NvWxKBUqm4PPJKkQfoxHDBg4"
BLOCKHASH = "EkSnNWid2cvwEVnVx9aBqawnmiCNiDgp3gUdkDPTKN1N"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58d(s: str) -> bytes:
    n = 0
    for ch in s:
        n = n * 58 + _B58.index(ch)
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return b"\0" * (len(s) - len(s.lstrip("1"))) + raw


def b58e(data: bytes) -> str:
    n, out = int.from_bytes(data, "big"), ""
    while n:
        n, r = divmod(n, 58)
        out = _B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


_P = 2**255 - 19
_D = -121665 * pow(121666, _P - 2, _P) % _P


def on_curve(point: bytes) -> bool:
    """Whether 32 bytes decompress to an ed25519 point: x^2 = (y^2-1)/(d y^2+1) must be a square."""
    y = int.from_bytes(point, "little") & ((1 << 255) - 1)
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P) % _P
    return x2 == 0 or pow(x2, (_P - 1) // 2, _P) == 1


def pda(seeds: list[bytes], program: str) -> str:
    """find_program_address, from the definition: the first off-curve sha256 with bump 255 down."""
    for bump in range(255, -1, -1):
        h = hashlib.sha256(b"".join(seeds) + bytes([bump]) + b58d(program) + b"ProgramDerivedAddress").digest()
        if not on_curve(h):
            return b58e(h)
    raise AssertionError("no PDA")


def ata(owner: str) -> str:
    return pda([b58d(owner), b58d(svm.TOKEN_PROGRAM), b58d(MINT)], svm.ASSOCIATED_TOKEN_PROGRAM)


def shortvec(buf: bytes, i: int) -> tuple[int, int]:
    n = shift = 0
    while True:
        b = buf[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, i


def parse(wire: bytes) -> dict:
    """A v0 wire transaction, parsed by hand."""
    n_sigs, i = shortvec(wire, 0)
    sigs = [wire[i + 64 * k: i + 64 * (k + 1)] for k in range(n_sigs)]
    i += 64 * n_sigs
    message = wire[i:]
    assert message[0] == 0x80, "not a v0 message"
    header = tuple(message[1:4])
    j = 4
    n_keys, j = shortvec(message, j)
    keys = [b58e(message[j + 32 * k: j + 32 * (k + 1)]) for k in range(n_keys)]
    j += 32 * n_keys
    blockhash = b58e(message[j:j + 32])
    j += 32
    n_ix, j = shortvec(message, j)
    ixs = []
    for _ in range(n_ix):
        prog = message[j]
        j += 1
        n_acc, j = shortvec(message, j)
        accs = list(message[j:j + n_acc])
        j += n_acc
        n_data, j = shortvec(message, j)
        ixs.append({"program": keys[prog], "accounts": [keys[a] for a in accs], "data": message[j:j + n_data]})
        j += n_data
    n_lookups, j = shortvec(message, j)
    assert j == len(message)
    return {"sigs": sigs, "message": message, "header": header, "keys": keys, "blockhash": blockhash,
            "ixs": ixs, "lookups": n_lookups}


def build(**kw):
    args = dict(pay_to=PAYEE, mint=MINT, amount=12_345, fee_payer=FEE_PAYER, blockhash=BLOCKHASH, memo="abc")
    args.update(kw)
    return svm.build_transaction(SEED, **args)


def test_transaction_layout_matches_the_scheme() -> None:
    signed = build(memo="req-42 \u2713")
    tx = parse(base64.b64decode(signed.transaction))
    # v0, fee payer first, two signers (facilitator + us), no lookup tables, our blockhash
    assert tx["keys"][0] == FEE_PAYER and tx["header"][0] == 2 and tx["keys"][1] == ADDRESS
    assert tx["lookups"] == 0 and tx["blockhash"] == BLOCKHASH
    limit, price, transfer, memo = tx["ixs"]
    assert limit["program"] == svm.COMPUTE_BUDGET_PROGRAM and limit["accounts"] == []
    assert limit["data"] == bytes([2]) + (20_000).to_bytes(4, "little")
    assert price["program"] == svm.COMPUTE_BUDGET_PROGRAM
    assert price["data"] == bytes([3]) + (1).to_bytes(8, "little")
    assert transfer["program"] == "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
    assert transfer["data"] == bytes([12]) + (12_345).to_bytes(8, "little") + bytes([6])
    assert transfer["accounts"] == [ata(ADDRESS), MINT, ata(PAYEE), ADDRESS]
    assert (signed.source, signed.destination) == (ata(ADDRESS), ata(PAYEE))
    assert memo["program"] == "MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr" and memo["accounts"] == []
    assert memo["data"] == "req-42 \u2713".encode()
    # the fee payer lends itself to no instruction
    assert all(FEE_PAYER not in ix["accounts"] for ix in tx["ixs"])


def test_partially_signed_by_the_payer_only() -> None:
    signed = build()
    tx = parse(base64.b64decode(signed.transaction))
    assert tx["sigs"][0] == bytes(64)  # the facilitator's slot stays empty
    VerifyKey(b58d(ADDRESS)).verify(tx["message"], tx["sigs"][1])  # raises if it does not verify
    assert signed.signature == b58e(tx["sigs"][1]) and signed.payer == ADDRESS
    tampered = bytearray(tx["message"])
    tampered[-20] ^= 1
    with pytest.raises(BadSignatureError):
        VerifyKey(b58d(ADDRESS)).verify(bytes(tampered), tx["sigs"][1])


def test_memo_defaults_to_random_hex_and_is_bounded() -> None:
    a, b = svm.memo_for({}), svm.memo_for({"feePayer": FEE_PAYER})
    assert len(a) == 32 and int(a, 16) >= 0 and a != b  # identical payments stay distinct
    assert svm.memo_for({"memo": "m" * 256}) == "m" * 256
    with pytest.raises(PaymentError, match="256 bytes"):
        svm.memo_for({"memo": "\u00e9" * 129})  # 258 UTF-8 bytes
    t1, t2 = build(memo=a), build(memo=b)
    assert t1.signature != t2.signature


def test_refuses_our_own_key_as_fee_payer_and_bad_inputs() -> None:
    with pytest.raises(PaymentError, match="fee payer"):
        build(fee_payer=ADDRESS)
    with pytest.raises(PaymentError, match="invalid Solana address"):
        build(pay_to="0x209693Bc6afc0C5328bA36FaF03C514EF312287C")
    with pytest.raises(PaymentError):
        build(amount=0)


def test_settlement_signature_identifies_our_transaction() -> None:
    from solders.keypair import Keypair
    from solders.message import to_bytes_versioned
    from solders.transaction import VersionedTransaction

    facilitator = Keypair.from_seed(b"\x07" * 32)
    signed = build(fee_payer=str(facilitator.pubkey()))
    msg = VersionedTransaction.from_bytes(base64.b64decode(signed.transaction)).message
    tx_id = str(facilitator.sign_message(to_bytes_versioned(msg)))
    assert svm.settlement_signed_by_fee_payer(signed.transaction, tx_id, str(facilitator.pubkey()))
    other = build(fee_payer=str(facilitator.pubkey()), memo="xyz")  # another memo: another transaction
    assert not svm.settlement_signed_by_fee_payer(other.transaction, tx_id, str(facilitator.pubkey()))
    assert not svm.settlement_signed_by_fee_payer(signed.transaction, "not-a-signature", FEE_PAYER)


def test_mint_account_parsing() -> None:
    raw = bytearray(82)
    raw[44] = 6
    acct = {"owner": svm.TOKEN_PROGRAM, "data": [base64.b64encode(bytes(raw)).decode(), "base64"]}
    assert svm.parse_mint(acct, MINT) == svm.MintInfo(svm.TOKEN_PROGRAM, 6)
    parsed = {"owner": svm.TOKEN_2022_PROGRAM, "data": {"parsed": {"info": {"decimals": 9}}}}
    assert svm.parse_mint(parsed, MINT).decimals == 9
    with pytest.raises(PaymentError, match="does not exist"):
        svm.parse_mint(None, MINT)
    with pytest.raises(PaymentError, match="known token program"):
        svm.parse_mint({"owner": "11111111111111111111111111111111", "data": acct["data"]}, MINT)
