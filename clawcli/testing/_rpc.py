"""JSON-RPC for balances: an EVM node (USDC ``balanceOf`` on Base) and a Solana node (SPL token accounts).

Both answer from the emulator's balance table (micro-USDC per address), so a test can set a balance,
run ``claw wallet`` against ``gw.rpc_url`` / ``gw.solana_rpc_url`` and see it.
"""

from __future__ import annotations

import hashlib
from typing import Any, Callable

from clawcli.testing._payment import USDC_SOLANA_MINT, b58encode
from clawcli.testing._svm import ata

BALANCE_OF = "0x70a08231"  # balanceOf(address)
DECIMALS = "0x313ce567"  # decimals()
SPL_TOKEN_PROGRAM = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"


def _ok(req_id: Any, result: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": req_id, "result": result}


def _err(req_id: Any, code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": req_id, "error": {"code": code, "message": message}}


def evm_call(call: Any, *, chain_id: int, usdc: str, balance_of: Callable[[str], int]) -> dict[str, Any]:
    """Answer one EVM JSON-RPC call."""
    if not isinstance(call, dict):
        return _err(None, -32600, "invalid request")
    rid, method, params = call.get("id"), call.get("method"), call.get("params") or []
    if method == "eth_chainId":
        return _ok(rid, hex(chain_id))
    if method == "net_version":
        return _ok(rid, str(chain_id))
    if method == "eth_blockNumber":
        return _ok(rid, "0x1")
    if method == "eth_call":
        tx = params[0] if params and isinstance(params[0], dict) else {}
        to = str(tx.get("to", "")).lower()
        data = str(tx.get("data") or tx.get("input") or "").lower()
        if to != usdc.lower():
            return _ok(rid, "0x")  # no contract there: empty return data, like a real node
        if data.startswith(BALANCE_OF) and len(data) >= 10 + 64:
            address = "0x" + data[10 + 24 : 10 + 64]
            return _ok(rid, "0x" + format(balance_of(address), "064x"))
        if data.startswith(DECIMALS):
            return _ok(rid, "0x" + format(6, "064x"))
        return _err(rid, 3, "execution reverted")
    return _err(rid, -32601, f"the method {method} does not exist/is not available")


def solana_call(call: Any, *, balance_of: Callable[[str], int | None]) -> dict[str, Any]:
    """Answer one Solana JSON-RPC call. ``balance_of`` returns None for an owner with no token account."""
    if not isinstance(call, dict):
        return _err(None, -32600, "invalid request")
    rid, method, params = call.get("id"), call.get("method"), call.get("params") or []
    context = {"apiVersion": "2.2.0", "slot": 1}
    if method == "getHealth":
        return _ok(rid, "ok")
    if method == "getBalance":
        return _ok(rid, {"context": context, "value": 0})
    if method == "getTokenAccountsByOwner":
        owner = str(params[0]) if params else ""
        flt = params[1] if len(params) > 1 and isinstance(params[1], dict) else {}
        mint = flt.get("mint")
        if mint is not None and mint != USDC_SOLANA_MINT:
            return _ok(rid, {"context": context, "value": []})
        amount = balance_of(owner)
        if amount is None:
            return _ok(rid, {"context": context, "value": []})
        pubkey = _token_account(owner)
        ui = amount / 1_000_000
        account = {
            "pubkey": pubkey,
            "account": {
                "data": {
                    "parsed": {
                        "info": {
                            "isNative": False,
                            "mint": USDC_SOLANA_MINT,
                            "owner": owner,
                            "state": "initialized",
                            "tokenAmount": {"amount": str(amount), "decimals": 6, "uiAmount": ui,
                                            "uiAmountString": f"{ui:f}".rstrip("0").rstrip(".") or "0"},
                        },
                        "type": "account",
                    },
                    "program": "spl-token",
                    "space": 165,
                },
                "executable": False,
                "lamports": 2039280,
                "owner": SPL_TOKEN_PROGRAM,
                "rentEpoch": 18446744073709551615,
                "space": 165,
            },
        }
        return _ok(rid, {"context": context, "value": [account]})
    return _err(rid, -32601, "Method not found")


def _token_account(owner: str) -> str:
    """The owner's USDC associated token account (what a real node lists); a stand-in without solders."""
    try:
        return ata(owner, USDC_SOLANA_MINT)
    except (ImportError, ValueError, TypeError):
        return b58encode(hashlib.sha256(f"{owner}:{USDC_SOLANA_MINT}".encode()).digest())


def handle(payload: Any, one: Callable[[Any], dict[str, Any]]) -> Any:
    """A single call or a batch (a JSON array), as JSON-RPC 2.0 allows."""
    if isinstance(payload, list):
        return [one(c) for c in payload]
    return one(payload)
