"""The x402 gateway emulator: challenges, payment verification, settlement, streaming, RPC, records.

Payments are signed here with eth-account directly (Account.sign_typed_data), independently of
clawcli.core.x402, so these tests pin the emulator against the protocol, not against our client.
"""

from __future__ import annotations

import json
import math
import secrets
import threading
import time
from typing import Any

import httpx
import pytest
from eth_account import Account

from clawcli.testing import (
    DEFAULT_PAYEE,
    TRANSFER_WITH_AUTHORIZATION_TYPES,
    USDC_BASE,
    USDC_SOLANA_MINT,
    GatewayEmulator,
    b64json,
    unb64json,
)

PAID = "xai/grok-4-1-fast-reasoning"
FREE = "nvidia/gpt-oss-120b"
# the test-mnemonic EVM key (reference/x402-wallet.md §1.1)
KEY = "0x1053fae1b3ac64f178bcc21026fd06a3f4544ec2f35338b001f02d1d8efa3d5f"
ADDR = "0xF278cF59F82eDcf871d630F28EcC8056f25C1cdb"


def chat_body(model: str = PAID, text: str = "hi there", **extra: Any) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": text}], "max_tokens": 100, **extra}


def sign_payment(
    challenge: httpx.Response,
    *,
    key: str = KEY,
    version: int = 2,
    to: str | None = None,
    value: int | None = None,
    valid_after: int | None = None,
    valid_before: int | None = None,
    nonce: bytes | None = None,
    chain_id: int = 8453,
    claimed_from: str | None = None,
) -> dict[str, str]:
    """The headers of a paid retry for a 402 ``challenge``, signed with eth-account."""
    acct = Account.from_key(key)
    if version == 2:
        required = unb64json(challenge.headers["payment-required"])
        accept = required["accepts"][0]
        amount = int(accept["amount"])
    else:
        required = challenge.json()
        accept = required["accepts"][0]
        amount = int(accept["maxAmountRequired"])
    now = int(time.time())
    nonce = nonce if nonce is not None else secrets.token_bytes(32)
    message = {
        "from": claimed_from or acct.address,
        "to": to or accept["payTo"],
        "value": amount if value is None else value,
        "validAfter": now - 600 if valid_after is None else valid_after,
        "validBefore": now + accept["maxTimeoutSeconds"] if valid_before is None else valid_before,
        "nonce": nonce,
    }
    domain = {"name": accept["extra"]["name"], "version": accept["extra"]["version"], "chainId": chain_id,
              "verifyingContract": accept["asset"]}
    signed = Account.sign_typed_data(acct.key, domain, TRANSFER_WITH_AUTHORIZATION_TYPES, message)
    authorization = {k: str(v) for k, v in message.items() if k != "nonce"}
    authorization["nonce"] = "0x" + nonce.hex()
    inner = {"signature": "0x" + signed.signature.hex(), "authorization": authorization}
    if version == 2:
        payload = {"x402Version": 2, "resource": required["resource"], "accepted": accept, "payload": inner,
                   "extensions": {}}
        return {"PAYMENT-SIGNATURE": b64json(payload)}
    payload = {"x402Version": 1, "scheme": "exact", "network": accept["network"], "payload": inner}
    return {"X-PAYMENT": b64json(payload)}


@pytest.fixture
def gw():
    with GatewayEmulator() as g:
        yield g


@pytest.fixture
def client():
    with httpx.Client(timeout=10) as c:
        yield c


def paid_call(client: httpx.Client, gw: GatewayEmulator, body: dict, **sign: Any) -> httpx.Response:
    challenge = client.post(gw.chat_url, json=body)
    assert challenge.status_code == 402
    return client.post(gw.chat_url, json=body, headers=sign_payment(challenge, **sign))


# --- 402 shapes --------------------------------------------------------------------------------------
def test_v2_challenge_has_requirements_in_header(gw, client):
    body = chat_body()
    r = client.post(gw.chat_url, json=body)
    assert r.status_code == 402
    assert r.json() == {"error": "Payment Required"}
    required = unb64json(r.headers["PAYMENT-REQUIRED"])  # header names are case-insensitive
    assert required["x402Version"] == 2
    assert required["resource"]["url"] == gw.chat_url
    (accept,) = required["accepts"]
    assert accept == {
        "scheme": "exact", "network": "eip155:8453", "amount": str(gw.quote_micros(body)),
        "asset": USDC_BASE, "payTo": DEFAULT_PAYEE, "maxTimeoutSeconds": 300,
        "extra": {"name": "USD Coin", "version": "2"},
    }
    assert r.headers["www-authenticate"] == f'X402 requirements="{r.headers["payment-required"]}"'
    assert gw.requests[-1].status == 402 and not gw.requests[-1].paid


def test_v1_challenge_has_requirements_in_body(client):
    with GatewayEmulator(x402_version=1, payee="0x000000000000000000000000000000000000dEaD") as gw:
        r = client.post(gw.chat_url, json=chat_body())
    assert r.status_code == 402
    assert "payment-required" not in r.headers
    body = r.json()
    assert body["x402Version"] == 1
    (accept,) = body["accepts"]
    assert accept["network"] == "base"
    assert accept["maxAmountRequired"] == "1000"
    assert accept["payTo"] == "0x000000000000000000000000000000000000dEaD"
    assert accept["asset"] == USDC_BASE
    assert accept["resource"] == gw.chat_url


def test_price_follows_catalog_tokens_and_floor(gw):
    small = chat_body(max_tokens=10)
    assert gw.quote_micros(small) == 1000  # $0.001 floor
    big = chat_body("anthropic/claude-opus-4.6", max_tokens=4000)
    model = gw.catalog.get("anthropic/claude-opus-4.6")
    input_tokens = math.ceil(len(json.dumps(big["messages"], separators=(",", ":"))) / 4)
    assert gw.quote_micros(big) == math.ceil(model.cost(input_tokens, 4000) * 1.2 * 1e6) > 1000
    # an over-ceiling max_tokens is clamped to the model's max output, not rejected
    huge = chat_body("anthropic/claude-opus-4.6", max_tokens=10**9)
    assert gw.quote_micros(huge) == gw.quote_micros(chat_body("anthropic/claude-opus-4.6",
                                                              max_tokens=model.max_output))
    assert gw.quote_micros(chat_body(FREE)) == 0
    gw.set_price("*", 0.0042)
    assert gw.quote_micros(big) == 4200
    assert gw.quote_micros(chat_body(FREE)) == 0  # "*" never makes a free model paid
    gw.set_price(PAID, 0.01)
    assert gw.quote_usd(chat_body()) == 0.01


# --- payment accepted ---------------------------------------------------------------------------------
def test_valid_v2_payment_is_settled(gw, client):
    body = chat_body()
    r = paid_call(client, gw, body)
    assert r.status_code == 200
    assert r.json()["choices"][0]["message"]["content"] == f"Hello from {PAID}. You said: hi there"
    settlement = unb64json(r.headers["payment-response"])
    assert settlement["success"] is True
    assert settlement["network"] == "eip155:8453"
    assert settlement["payer"] == ADDR
    assert settlement["amount"] == "1000"
    assert settlement["transaction"].startswith("0x") and len(settlement["transaction"]) == 66
    rec = gw.requests[-1]
    assert (rec.paid, rec.amount_usd, rec.payer, rec.status) == (True, 0.001, ADDR, 200)
    assert rec.nonce and rec.nonce.startswith("0x") and rec.transaction == settlement["transaction"]
    assert rec.body == body and "payment-signature" in rec.headers
    assert gw.paid_total() == 0.001
    assert len(gw.paid_requests()) == 1 and len(gw.chat_requests()) == 2


def test_valid_v1_payment_is_settled(client):
    with GatewayEmulator(x402_version=1) as gw:
        r = paid_call(client, gw, chat_body(), version=1)
        assert r.status_code == 200
        assert "payment-response" not in r.headers
        settlement = unb64json(r.headers["x-payment-response"])
        assert settlement["network"] == "base" and settlement["payer"] == ADDR and settlement["success"]
        assert gw.paid_total() == 0.001


def test_overpayment_is_accepted(gw, client):
    body = chat_body()
    r = paid_call(client, gw, body, value=5000)
    assert r.status_code == 200
    assert gw.requests[-1].amount_usd == 0.005


def test_free_model_needs_no_payment(gw, client):
    r = client.post(gw.chat_url, json=chat_body(FREE))
    assert r.status_code == 200
    assert "payment-response" not in r.headers
    assert r.json()["model"] == FREE
    assert gw.requests[-1].paid is False and gw.paid_total() == 0


def test_no_payment_mode_answers_paid_models_at_once(client):
    with GatewayEmulator(require_payment=False) as gw:
        r = client.post(gw.chat_url, json=chat_body("anthropic/claude-opus-4.6"))
        assert r.status_code == 200 and len(gw.requests) == 1


def test_api_prefix_is_served(gw, client):
    assert client.post(f"{gw.url}/api/v1/chat/completions", json=chat_body(FREE)).status_code == 200


# --- payment rejected ---------------------------------------------------------------------------------
REJECTIONS = {
    "wrong_payee": ({"to": "0x000000000000000000000000000000000000dEaD"},
                    "invalid_exact_evm_payload_recipient_mismatch"),
    "underpaid": ({"value": 999}, "invalid_exact_evm_payload_authorization_value_mismatch"),
    "expired": ({"valid_before": int(time.time()) - 5}, "invalid_exact_evm_payload_authorization_valid_before"),
    "not_yet_valid": ({"valid_after": int(time.time()) + 3600}, "invalid_exact_evm_payload_authorization_valid_after"),
    "wrong_chain": ({"chain_id": 84532}, "invalid_exact_evm_payload_signature"),
    "forged_from": ({"claimed_from": "0x000000000000000000000000000000000000bEEF"},
                    "invalid_exact_evm_payload_signature"),
}


@pytest.mark.parametrize("case", list(REJECTIONS))
def test_bad_payment_is_rejected_with_reason(gw, client, case):
    sign, reason = REJECTIONS[case]
    r = paid_call(client, gw, chat_body(), **sign)
    assert r.status_code == 402
    body = r.json()
    assert body["error"] == "Payment verification failed"
    assert body["reason"] == reason and reason in body["details"]
    again = unb64json(r.headers["payment-required"])  # the requirement comes back with the reason
    assert again["error"] == reason and again["accepts"][0]["amount"] == "1000"
    assert "payment-response" not in r.headers
    rec = gw.requests[-1]
    assert rec.payment_attached and not rec.paid and rec.payment_error == reason
    assert gw.paid_total() == 0
    if case == "underpaid":
        assert body["code"] == "PAYMENT_UNDERPAID"


def test_replayed_nonce_is_rejected(gw, client):
    body = chat_body()
    challenge = client.post(gw.chat_url, json=body)
    headers = sign_payment(challenge)
    assert client.post(gw.chat_url, json=body, headers=headers).status_code == 200
    again = client.post(gw.chat_url, json=body, headers=headers)
    assert again.status_code == 402
    assert again.json()["code"] == "PAYMENT_REPLAY"
    assert gw.paid_total() == 0.001 and gw.requests[-1].nonce == gw.requests[-2].nonce


def test_concurrent_replay_settles_once(gw):
    body = chat_body()
    with httpx.Client() as c:
        headers = sign_payment(c.post(gw.chat_url, json=body))
    statuses: list[int] = []

    def go() -> None:
        with httpx.Client() as c:
            statuses.append(c.post(gw.chat_url, json=body, headers=headers).status_code)

    threads = [threading.Thread(target=go) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] + [402] * 5
    assert gw.paid_total() == 0.001


def test_garbage_payment_header_is_rejected(gw, client):
    r = client.post(gw.chat_url, json=chat_body(), headers={"PAYMENT-SIGNATURE": "not base64!"})
    assert r.status_code == 402 and r.json()["reason"] == "invalid_payload"


def test_v1_payload_against_v2_gateway_is_rejected(gw, client):
    challenge = client.post(gw.chat_url, json=chat_body())
    v2 = unb64json(sign_payment(challenge)["PAYMENT-SIGNATURE"])
    v1 = {"x402Version": 1, "scheme": "exact", "network": "base", "payload": v2["payload"]}
    r = client.post(gw.chat_url, json=chat_body(), headers={"X-PAYMENT": b64json(v1)})
    assert r.status_code == 402 and r.json()["reason"] == "invalid_x402_version"


def test_wrong_asset_in_accepted_is_rejected(gw, client):
    challenge = client.post(gw.chat_url, json=chat_body())
    payload = unb64json(sign_payment(challenge)["PAYMENT-SIGNATURE"])
    payload["accepted"]["asset"] = "0x036CbD53842c5426634e7929541eC2318f3dCF7e"
    r = client.post(gw.chat_url, json=chat_body(), headers={"PAYMENT-SIGNATURE": b64json(payload)})
    assert r.status_code == 402 and r.json()["reason"] == "invalid_payment_requirements"


def test_enforced_balance_rejects_then_accepts_and_deducts(client):
    with GatewayEmulator(enforce_balance=True) as gw:
        gw.set_balance(ADDR, "0.0005")
        r = paid_call(client, gw, chat_body())
        assert r.status_code == 402
        assert "insufficient balance: 500 < 1000" in r.text and r.json()["reason"] == "insufficient_funds"
        assert r.json()["message"].startswith("insufficient funds")
        gw.set_balance(ADDR, 2.5)
        assert paid_call(client, gw, chat_body()).status_code == 200
        assert gw.balance(ADDR) == 2.499


# --- answers --------------------------------------------------------------------------------------
def test_unknown_model_and_bad_body_are_400(gw, client):
    r = client.post(gw.chat_url, json=chat_body("nope/model-9"))
    assert r.status_code == 400 and "Unknown model: nope/model-9" in r.text
    assert client.post(gw.chat_url, content=b"{not json").status_code == 400
    assert client.post(gw.chat_url, json={"model": FREE, "messages": []}).status_code == 400


def test_usage_and_custom_reply(client):
    with GatewayEmulator(reply=lambda model, body: f"{model} saw {len(body['messages'])} message(s)") as gw:
        r = client.post(gw.chat_url, json=chat_body(FREE, "hello " * 100))
    data = r.json()
    assert data["choices"][0]["message"]["content"] == f"{FREE} saw 1 message(s)"
    assert data["choices"][0]["finish_reason"] == "stop"
    u = data["usage"]
    assert u["prompt_tokens"] >= 100 and u["completion_tokens"] > 0
    assert u["total_tokens"] == u["prompt_tokens"] + u["completion_tokens"]


def stream_events(client: httpx.Client, url: str, body: dict, headers: dict | None = None) -> list[tuple[float, str]]:
    out = []
    with client.stream("POST", url, json={**body, "stream": True}, headers=headers) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        for line in r.iter_lines():
            if line.startswith("data: "):
                out.append((time.monotonic(), line[6:]))
    return out


def test_stream_arrives_in_pieces_and_matches_json(client):
    with GatewayEmulator(chunk_delay=0.1) as gw:
        events = stream_events(client, gw.chat_url, chat_body(FREE, "tell me about streaming please"))
        whole = client.post(gw.chat_url, json=chat_body(FREE, "tell me about streaming please")).json()
    assert events[-1][1] == "[DONE]"
    chunks = [json.loads(e) for _, e in events[:-1]]
    pieces = [c["choices"][0]["delta"].get("content") for c in chunks if c["choices"][0]["delta"].get("content")]
    assert len(pieces) >= 3
    assert "".join(pieces) == whole["choices"][0]["message"]["content"]
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop" and chunks[-1]["usage"] == whole["usage"]
    # flushed as they go: the first piece reached us well before the last (5+ gaps of 0.1 s)
    assert events[-1][0] - events[1][0] >= 0.3


def test_paid_stream_carries_settlement_header(gw, client):
    body = chat_body(stream=True)
    challenge = client.post(gw.chat_url, json=body)
    with client.stream("POST", gw.chat_url, json=body, headers=sign_payment(challenge)) as r:
        assert unb64json(r.headers["payment-response"])["success"] is True
        text = r.read().decode()
    assert text.rstrip().endswith("data: [DONE]")
    assert gw.requests[-1].paid and gw.requests[-1].stream and gw.requests[-1].completed


def test_tool_calls_option_answers_with_a_call(client):
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {
        "type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
        "required": ["city", "days"]}}}]
    with GatewayEmulator(tool_calls=True) as gw:
        r = client.post(gw.chat_url, json=chat_body(FREE, tools=tools)).json()
        call = r["choices"][0]["message"]["tool_calls"][0]
        assert r["choices"][0]["finish_reason"] == "tool_calls"
        assert call["function"]["name"] == "get_weather"
        assert json.loads(call["function"]["arguments"]) == {"city": "Paris", "days": 1}
        # streamed, the arguments arrive in pieces that join back to the same JSON
        chunks = [json.loads(e) for _, e in stream_events(client, gw.chat_url, chat_body(FREE, tools=tools))[:-1]]
        args = "".join(tc["function"].get("arguments", "") for c in chunks
                       for tc in c["choices"][0]["delta"].get("tool_calls", []))
        assert json.loads(args) == {"city": "Paris", "days": 1}
        assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"
        # without tools in the request it answers normally
        plain = client.post(gw.chat_url, json=chat_body(FREE)).json()
        assert "tool_calls" not in plain["choices"][0]["message"]


def test_models_lists_the_catalog(gw, client):
    data = client.get(f"{gw.url}/v1/models").json()["data"]
    ids = {m["id"]: m for m in data}
    assert PAID in ids and FREE in ids
    assert ids[FREE]["inputPrice"] == 0 and ids[PAID]["outputPrice"] > 0
    assert ids[PAID]["owned_by"] == "xai"


def test_records_from_concurrent_requests(gw):
    def go(i: int) -> None:
        with httpx.Client() as c:
            c.post(gw.chat_url, json=chat_body(FREE, f"request {i}"))

    threads = [threading.Thread(target=go, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    recs = gw.requests
    assert len(recs) == 12 and len({r.id for r in recs}) == 12
    assert sorted(r.body["messages"][0]["content"] for r in recs) == sorted(f"request {i}" for i in range(12))
    assert all(r.status == 200 and r.completed for r in recs)
    gw.clear_requests()
    assert gw.requests == []


# --- balances over JSON-RPC ---------------------------------------------------------------------------
def rpc(client: httpx.Client, url: str, method: str, params: list) -> Any:
    r = client.post(url, json={"jsonrpc": "2.0", "id": 7, "method": method, "params": params})
    assert r.status_code == 200
    return r.json()


def balance_of_call(address: str) -> dict[str, str]:
    return {"to": USDC_BASE.lower(), "data": "0x70a08231" + address[2:].lower().rjust(64, "0")}


def test_evm_rpc_balance_of(gw, client):
    assert rpc(client, gw.rpc_url, "eth_chainId", [])["result"] == "0x2105"
    assert int(rpc(client, gw.rpc_url, "eth_call", [balance_of_call(ADDR), "latest"])["result"], 16) == 0
    gw.set_balance(ADDR, 2.5)
    out = rpc(client, gw.rpc_url, "eth_call", [balance_of_call(ADDR), "latest"])
    assert out["id"] == 7 and len(out["result"]) == 66 and int(out["result"], 16) == 2_500_000
    # batch, and a contract that is not USDC
    batch = client.post(gw.rpc_url, json=[
        {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []},
        {"jsonrpc": "2.0", "id": 2, "method": "eth_call", "params": [
            {"to": "0x" + "11" * 20, "data": balance_of_call(ADDR)["data"]}, "latest"]},
    ]).json()
    assert [b["id"] for b in batch] == [1, 2] and batch[1]["result"] == "0x"
    assert "error" in rpc(client, gw.rpc_url, "eth_sendRawTransaction", ["0x00"])
    assert len(gw.rpc_calls) == 5 and gw.requests == []  # RPC traffic is kept apart from gateway requests


def test_settlement_lowers_the_rpc_balance(gw, client):
    gw.set_balance(ADDR, 1)
    assert paid_call(client, gw, chat_body()).status_code == 200
    out = rpc(client, gw.rpc_url, "eth_call", [balance_of_call(ADDR), "latest"])
    assert int(out["result"], 16) == 999_000


def test_solana_rpc_token_accounts(gw, client):
    owner = "3Cy3YNTFywCmxoxt8n7UH6hg6dLo5uACowX3CFceaSnx"
    params = [owner, {"mint": USDC_SOLANA_MINT}, {"encoding": "jsonParsed"}]
    assert rpc(client, gw.solana_rpc_url, "getTokenAccountsByOwner", params)["result"]["value"] == []
    gw.set_balance(owner, "12.34")
    (acct,) = rpc(client, gw.solana_rpc_url, "getTokenAccountsByOwner", params)["result"]["value"]
    info = acct["account"]["data"]["parsed"]["info"]
    assert info["mint"] == USDC_SOLANA_MINT and info["owner"] == owner
    assert info["tokenAmount"]["amount"] == "12340000" and info["tokenAmount"]["decimals"] == 6
    assert info["tokenAmount"]["uiAmountString"] == "12.34"
    other_mint = [owner, {"mint": "4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU"}, {"encoding": "jsonParsed"}]
    assert rpc(client, gw.solana_rpc_url, "getTokenAccountsByOwner", other_mint)["result"]["value"] == []
    assert gw.balance(owner) == 12.34


def test_rpc_faults(gw, client):
    gw.inject_rpc("error", times=1)
    assert "error" in rpc(client, gw.rpc_url, "eth_chainId", [])
    assert rpc(client, gw.rpc_url, "eth_chainId", [])["result"] == "0x2105"
    gw.inject_rpc("http_500", times=1)
    assert client.post(gw.rpc_url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"}).status_code == 500


# --- lifecycle ----------------------------------------------------------------------------------------
def test_many_instances_run_side_by_side_and_stop_frees_the_port():
    gws = [GatewayEmulator().start() for _ in range(5)]
    assert len({g.port for g in gws}) == 5
    assert all(httpx.get(f"{g.url}/health", timeout=5).status_code == 200 for g in gws)
    for g in gws:
        g.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{gws[0].url}/health", timeout=2)


def test_main_runs_by_hand(tmp_path):
    import os
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "clawcli.testing", "--port", "0", "--fault", f"{FREE}:500:1"],
                            stdout=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        first = proc.stdout.readline()
        url = first.split(" on ")[1].split()[0]
        assert url.startswith("http://127.0.0.1:")
        lines = [proc.stdout.readline() for _ in range(4)]
        assert any(DEFAULT_PAYEE in line for line in lines)
        with httpx.Client() as c:
            assert c.post(f"{url}/v1/chat/completions", json=chat_body(FREE)).status_code == 500
            assert c.post(f"{url}/v1/chat/completions", json=chat_body(FREE)).status_code == 200
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert "2 requests" in out


def test_verifier_accepts_the_reference_signing_vector():
    """reference/x402-wallet.md §2.3: a signature made elsewhere recovers to the test-mnemonic address."""
    from clawcli.testing._payment import PaymentError, Requirement, verify_payment

    sig = ("0x7c2d8cbe4b300ff01c8ddfdb8243e33f0d4e695aef61a8cc118aebd225cdafa6"
           "6b87d064956a32a69145d14b63dee005f0f108d76e50d30b386c9f1a814879431c")
    req = Requirement(amount_micros=1000, pay_to="0x209693Bc6afc0C5328bA36FaF03C514EF312287C", resource_url="x")
    auth = {"from": ADDR, "to": "0x209693Bc6afc0C5328bA36FaF03C514EF312287C", "value": "1000",
            "validAfter": "1740672089", "validBefore": "1740672389", "nonce": "0x" + "00" * 31 + "01"}
    payload = {"x402Version": 2, "accepted": req.v2_accept(), "payload": {"signature": sig, "authorization": auth}}
    v = verify_payment(b64json(payload), req, x402_version=2, now=1740672200)
    assert v.payer == ADDR and v.value_micros == 1000
    with pytest.raises(PaymentError, match="recovers to"):  # one field changed: the signer is someone else
        verify_payment(b64json({**payload, "payload": {"signature": sig, "authorization": {**auth, "value": "1001"}}}),
                       req, x402_version=2, now=1740672200)


async def test_async_context_manager_and_last_request():
    async with GatewayEmulator() as gw:
        async with httpx.AsyncClient() as c:
            r = await c.post(gw.chat_url, json=chat_body(FREE, "async hello"))
        assert r.status_code == 200
        rec = gw.last_request
        assert rec is not None and rec.content == r.json()["choices"][0]["message"]["content"]
        assert rec.content.endswith("You said: async hello")
    assert gw.last_request is rec
