"""The emulator's SVM side over real loopback HTTP: Solana requirements, the facilitator's checks
(layout, mint, destination, amount, fee payer, signature, blockhash, replay, balance), settlement by
co-signing, and the Solana RPC methods a payer needs."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

pytest.importorskip("solders")

from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.message import MessageV0, to_bytes_versioned
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.transaction import VersionedTransaction

from clawcli.core.x402 import svm
from clawcli.core.x402.protocol import b64json_encode, parse_payment_required
from clawcli.testing import GatewayEmulator
from clawcli.testing._svm import SOLANA_NETWORK

SEED = bytes.fromhex("7c139e1a603ca04f5f7cff194e1bb6f6d1b9098470ea90695ab628488a9f921b")
ADDRESS = "3Cy3YNTFywCmxoxt8n7UH6hg6dLo5uACowX3CFceaSnx"
MINT = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"
BODY = {"model": "openai/gpt-5.4", "messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture
def gw():
    with GatewayEmulator(network="solana", price_usd=0.01, enforce_balance=True) as g:
        g.set_balance(ADDRESS, 1)
        yield g


@pytest.fixture
def client():
    with httpx.Client(timeout=10) as c:
        yield c


def challenge(gw, client, version: int = 2):
    r = client.post(gw.chat_url, json=BODY)
    assert r.status_code == 402
    return parse_payment_required(r)


def blockhash(gw, client) -> str:
    r = client.post(gw.solana_rpc_url, json={"jsonrpc": "2.0", "id": 1, "method": "getLatestBlockhash"})
    return r.json()["result"]["value"]["blockhash"]


def header(pr, tx_b64: str) -> dict[str, str]:
    req = pr.accepts[0]
    if pr.version == 1:
        return {"X-PAYMENT": b64json_encode({"x402Version": 1, "scheme": "exact", "network": req.network,
                                             "payload": {"transaction": tx_b64}})}
    return {"PAYMENT-SIGNATURE": b64json_encode({"x402Version": 2, "accepted": req.raw, "resource": pr.resource,
                                                 "payload": {"transaction": tx_b64}, "extensions": {}})}


def good_tx(gw, client, pr, **kw) -> str:
    req = pr.accepts[0]
    args = dict(pay_to=req.pay_to, mint=req.asset, amount=req.amount, fee_payer=req.extra["feePayer"],
                blockhash=blockhash(gw, client), memo=svm.memo_for(req.extra))
    args.update(kw)
    return svm.build_transaction(SEED, **args).transaction


def resign(tx_b64: str, mutate) -> str:
    """Decode, let ``mutate`` rewrite the instructions, recompile and sign properly with our key."""
    tx = VersionedTransaction.from_bytes(base64.b64decode(tx_b64))
    msg = tx.message
    keys = list(msg.account_keys)
    ixs = [Instruction(keys[ix.program_id_index], bytes(ix.data),
                       [AccountMeta(keys[a], msg.is_signer(a), msg.is_maybe_writable(a)) for a in bytes(ix.accounts)])
           for ix in msg.instructions]
    ixs = mutate(ixs)
    new = MessageV0.try_compile(keys[0], ixs, [], msg.recent_blockhash)
    me = Keypair.from_seed(SEED)
    sigs = [me.sign_message(to_bytes_versioned(new)) if k == me.pubkey() else Signature.default()
            for k in list(new.account_keys)[: new.header.num_required_signatures]]
    return base64.b64encode(bytes(VersionedTransaction.populate(new, sigs))).decode()


def rejection(resp) -> dict:
    assert resp.status_code == 402
    return resp.json()


def test_solana_requirement_shape(gw, client) -> None:
    pr = challenge(gw, client)
    (req,) = pr.accepts
    assert (req.scheme, req.network, req.asset) == ("exact", SOLANA_NETWORK, MINT)
    assert req.amount == 10_000 and req.pay_to == gw.payee
    assert Pubkey.from_string(req.extra["feePayer"]) == Pubkey.from_string(gw.svm.fee_payer)
    with GatewayEmulator(network="solana", x402_version=1, price_usd=0.01) as g1:
        body = client.post(g1.chat_url, json=BODY).json()
        assert body["accepts"][0]["network"] == "solana" and body["accepts"][0]["maxAmountRequired"] == "10000"


def test_valid_payment_settles_by_cosigning(gw, client) -> None:
    pr = challenge(gw, client)
    tx = good_tx(gw, client, pr)
    r = client.post(gw.chat_url, json=BODY, headers=header(pr, tx))
    assert r.status_code == 200, r.text
    s = json.loads(base64.b64decode(r.headers["payment-response"]))
    assert s["success"] and s["payer"] == ADDRESS and s["amount"] == "10000" and s["network"] == SOLANA_NETWORK
    # the settlement's transaction is the fee payer's signature over exactly our message
    assert svm.settlement_signed_by_fee_payer(tx, s["transaction"], gw.svm.fee_payer)
    assert gw.balance(ADDRESS) == pytest.approx(0.99) and gw.paid_total() == pytest.approx(0.01)
    rec = gw.last_request
    assert rec.paid and rec.payer == ADDRESS and rec.transaction == s["transaction"]
    # the same signed transaction again: a replay, not a second charge
    again = rejection(client.post(gw.chat_url, json=BODY, headers=header(pr, tx)))
    assert again["code"] == "PAYMENT_REPLAY" and gw.paid_total() == pytest.approx(0.01)


def test_v1_payment(client) -> None:
    with GatewayEmulator(network="solana", x402_version=1, price_usd=0.002) as g:
        pr = parse_payment_required(client.post(g.chat_url, json=BODY))
        r = client.post(g.chat_url, json=BODY, headers=header(pr, good_tx(g, client, pr)))
        assert r.status_code == 200
        assert json.loads(base64.b64decode(r.headers["x-payment-response"]))["network"] == "solana"


@pytest.mark.parametrize("case,reason", [
    ("amount_low", "invalid_exact_svm_payload_amount_insufficient"),
    ("amount_high", "invalid_payload"),
    ("wrong_mint", "invalid_exact_svm_payload_mint_mismatch"),
    ("wrong_payee", "invalid_exact_svm_payload_recipient_mismatch"),
    ("wrong_fee_payer", "fee_payer_not_managed_by_facilitator"),
    ("stale_blockhash", "transaction_simulation_failed"),
])
def test_facilitator_rejects_wrong_transactions(gw, client, case, reason) -> None:
    pr = challenge(gw, client)
    req = pr.accepts[0]
    kw = {
        "amount_low": {"amount": req.amount - 1},
        "amount_high": {"amount": req.amount + 1},
        "wrong_mint": {"mint": "4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU"},
        "wrong_payee": {"pay_to": ADDRESS},
        "wrong_fee_payer": {"fee_payer": str(Keypair().pubkey())},
        "stale_blockhash": {},
    }[case]
    tx = good_tx(gw, client, pr, **kw)
    if case == "stale_blockhash":
        gw.svm.expire_blockhashes()
    body = rejection(client.post(gw.chat_url, json=BODY, headers=header(pr, tx)))
    assert body["reason"] == reason, body
    assert gw.paid_total() == 0 and gw.balance(ADDRESS) == 1
    if case == "amount_low":
        assert body["code"] == "PAYMENT_UNDERPAID"


def test_facilitator_checks_signature_and_layout(gw, client) -> None:
    pr = challenge(gw, client)
    tx = good_tx(gw, client, pr)
    raw = bytearray(base64.b64decode(tx))
    raw[1 + 64 + 10] ^= 0xFF  # flip a bit of our signature
    bad_sig = rejection(client.post(gw.chat_url, json=BODY, headers=header(pr, base64.b64encode(bytes(raw)).decode())))
    assert bad_sig["reason"] == "invalid_exact_svm_payload_transaction_signature"
    raw = bytearray(base64.b64decode(tx))
    raw[1 + 64] ^= 0xFF  # our signature slot is fine, but zero it: an unsigned payment
    raw[1 + 64: 1 + 128] = bytes(64)
    unsigned = rejection(client.post(gw.chat_url, json=BODY, headers=header(pr, base64.b64encode(bytes(raw)).decode())))
    assert unsigned["reason"] == "invalid_exact_svm_payload_transaction_signature"
    # properly signed by us, but an extra instruction that is neither Memo nor Lighthouse
    sneaky = resign(tx, lambda ixs: ixs + [Instruction(Pubkey.from_string("11111111111111111111111111111111"),
                                                       bytes(4), [])])
    assert rejection(client.post(gw.chat_url, json=BODY, headers=header(pr, sneaky)))["reason"].startswith(
        "invalid_exact_svm_payload_unknown")
    # compute price above the facilitators' 5-lamport cap
    pricey = resign(tx, lambda ixs: [ixs[0], Instruction(ixs[1].program_id, bytes([3]) + (6_000_000).to_bytes(8, "little"),
                                                         [])] + ixs[2:])
    assert rejection(client.post(gw.chat_url, json=BODY, headers=header(pr, pricey)))["reason"].endswith("too_high")
    assert rejection(client.post(gw.chat_url, json=BODY, headers=header(pr, "bm90IGEgdHg=")))["reason"] == (
        "invalid_exact_svm_payload_transaction_could_not_be_decoded")
    assert gw.paid_total() == 0


def test_requirement_memo_is_enforced(gw, client) -> None:
    gw.svm.memo = "order-77"
    pr = challenge(gw, client)
    assert pr.accepts[0].extra["memo"] == "order-77"
    wrong = rejection(client.post(gw.chat_url, json=BODY, headers=header(pr, good_tx(gw, client, pr, memo="x"))))
    assert "memo" in wrong["message"]
    ok = client.post(gw.chat_url, json=BODY, headers=header(pr, good_tx(gw, client, pr)))
    assert ok.status_code == 200


def test_insufficient_funds_and_no_token_account(gw, client) -> None:
    gw.set_balance(ADDRESS, 0.005)
    pr = challenge(gw, client)
    body = rejection(client.post(gw.chat_url, json=BODY, headers=header(pr, good_tx(gw, client, pr))))
    assert body["code"] == "INSUFFICIENT_FUNDS" and "5000 < 10000" in body["message"]
    gw.reset()  # no token account at all
    body = rejection(client.post(gw.chat_url, json=BODY, headers=header(pr, good_tx(gw, client, pr))))
    assert body["code"] == "INSUFFICIENT_FUNDS"


def test_solana_rpc_methods(gw, client) -> None:
    def rpc(method, params=None):
        r = client.post(gw.solana_rpc_url, json={"jsonrpc": "2.0", "id": 7, "method": method, "params": params or []})
        return r.json()["result"]

    a, b = rpc("getLatestBlockhash")["value"]["blockhash"], rpc("getLatestBlockhash")["value"]["blockhash"]
    assert a != b and len(base64.b64decode(base64.b64encode(bytes(Pubkey.from_string(a))))) == 32
    mint = rpc("getAccountInfo", [MINT, {"encoding": "base64"}])["value"]
    assert svm.parse_mint(mint, MINT) == svm.MintInfo(svm.TOKEN_PROGRAM, 6)
    parsed = rpc("getAccountInfo", [MINT, {"encoding": "jsonParsed"}])["value"]
    assert parsed["data"]["parsed"]["info"]["decimals"] == 6
    assert rpc("getAccountInfo", [ADDRESS])["value"] is None
    (acct,) = rpc("getTokenAccountsByOwner", [ADDRESS, {"mint": MINT}, {"encoding": "jsonParsed"}])["value"]
    assert acct["pubkey"] == svm.associated_token_address(ADDRESS, MINT)
    assert acct["account"]["data"]["parsed"]["info"]["tokenAmount"]["amount"] == "1000000"
    # a batch (what the payer sends: blockhash + mint in one round trip)
    batch = client.post(gw.solana_rpc_url, json=[
        {"jsonrpc": "2.0", "id": 1, "method": "getLatestBlockhash"},
        {"jsonrpc": "2.0", "id": 2, "method": "getAccountInfo", "params": [MINT, {"encoding": "base64"}]},
    ]).json()
    assert [x["id"] for x in batch] == [1, 2] and batch[1]["result"]["value"]["owner"] == svm.TOKEN_PROGRAM
