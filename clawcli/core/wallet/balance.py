"""USDC balances: ERC-20 ``balanceOf`` over JSON-RPC on Base, SPL token accounts on Solana.

Only positive balances are cached (30 s): a zero is always fetched again, so a wallet that
was just funded shows up at once, and a flaky RPC can never cache a false "empty" (the
predecessor's v0.12.14 bug). An RPC failure raises NetworkError — never "0".
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from clawcli.core.errors import NetworkError
from clawcli.core.paths import private_dir
from clawcli.core.wallet.constants import ATOMIC_PER_USDC, base_network, solana_network

CACHE_TTL_S = 30.0
DEFAULT_TIMEOUT_S = 5.0
#: public Solana RPCs sometimes answer an empty account list for a funded wallet: ask once more
SOLANA_EMPTY_RETRY_S = 0.5
_BALANCE_OF = "0x70a08231"  # keccak("balanceOf(address)")[:4]


class BalanceCache:
    """A tiny JSON file of ``{key: [atomic_amount, unix_time]}``; positive values only."""

    def __init__(self, path: Path, ttl: float = CACHE_TTL_S, clock: Callable[[], float] = time.time):
        self.path, self.ttl, self.clock = path, ttl, clock

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text("utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def get(self, key: str) -> int | None:
        entry = self._load().get(key)
        if (
            isinstance(entry, list)
            and len(entry) == 2
            and isinstance(entry[0], int)
            and entry[0] > 0
            and 0 <= self.clock() - float(entry[1]) < self.ttl
        ):
            return entry[0]
        return None

    def put(self, key: str, amount: int) -> None:
        now = self.clock()
        data = {
            k: v for k, v in self._load().items()
            if isinstance(v, list) and len(v) == 2 and 0 <= now - float(v[1]) < self.ttl
        }
        if amount > 0:
            data[key] = [amount, now]
        else:
            data.pop(key, None)
        self._save(data)

    def invalidate(self, key: str) -> None:
        data = self._load()
        if data.pop(key, None) is not None:
            self._save(data)

    def _save(self, data: dict[str, Any]) -> None:
        try:
            private_dir(self.path.parent)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{secrets.token_hex(3)}.tmp")
            tmp.write_text(json.dumps(data), "utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass  # a cache that cannot be written is just a slower cache


def _rpc(url: str, method: str, params: list[Any], *, timeout: float, transport: Any = None) -> Any:
    import httpx

    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
    try:
        with httpx.Client(timeout=timeout, transport=transport) as client:
            resp = client.post(url, json=body)
    except httpx.TimeoutException:
        raise NetworkError(f"{url} did not answer within {timeout:g} s") from None
    except httpx.HTTPError as exc:
        reason = str(exc) or type(exc).__name__
        raise NetworkError(f"could not reach {url} ({reason})") from None
    if resp.status_code != 200:
        raise NetworkError(f"{url} answered HTTP {resp.status_code} to {method}")
    try:
        data = resp.json()
    except ValueError:
        raise NetworkError(f"{url} answered {method} with something that is not JSON") from None
    if not isinstance(data, dict):
        raise NetworkError(f"{url} answered {method} with an unexpected shape")
    if data.get("error"):
        err = data["error"]
        msg = err.get("message") if isinstance(err, dict) else str(err)
        raise NetworkError(f"{url} returned an error for {method}: {msg}")
    if "result" not in data:
        raise NetworkError(f"{url} answered {method} without a result")
    return data["result"]


def fetch_base_usdc(
    address: str, rpc_url: str, *, testnet: bool = False, timeout: float = DEFAULT_TIMEOUT_S,
    transport: Any = None,
) -> int:
    """The USDC balance of ``address`` on Base in atomic units (6 decimals)."""
    net = base_network(testnet)
    data = _BALANCE_OF + address.lower().removeprefix("0x").rjust(64, "0")
    result = _rpc(
        rpc_url, "eth_call", [{"to": net.usdc, "data": data}, "latest"],
        timeout=timeout, transport=transport,
    )
    try:
        return int(result, 16) if result not in ("0x", "") else 0
    except (TypeError, ValueError):
        raise NetworkError(f"{rpc_url} answered balanceOf with {str(result)[:40]!r}") from None


def fetch_solana_usdc(
    address: str, rpc_url: str, *, testnet: bool = False, timeout: float = DEFAULT_TIMEOUT_S,
    transport: Any = None, empty_retry_delay: float | None = SOLANA_EMPTY_RETRY_S,
) -> int:
    """Sum of ``tokenAmount.amount`` over the owner's USDC token accounts (atomic units)."""
    mint = solana_network(testnet).usdc_mint
    params = [address, {"mint": mint}, {"encoding": "jsonParsed"}]
    result = _rpc(rpc_url, "getTokenAccountsByOwner", params, timeout=timeout, transport=transport)
    if empty_retry_delay is not None and isinstance(result, dict) and result.get("value") == []:
        time.sleep(empty_retry_delay)
        result = _rpc(rpc_url, "getTokenAccountsByOwner", params, timeout=timeout, transport=transport)
    try:
        total = 0
        for acct in result["value"]:
            total += int(acct["account"]["data"]["parsed"]["info"]["tokenAmount"]["amount"])
        return total
    except (KeyError, TypeError, ValueError):
        raise NetworkError(f"{rpc_url} answered getTokenAccountsByOwner in an unexpected shape") from None


@dataclass
class Balances:
    """USDC per chain as a Decimal (2.5 = $2.50), or None when unknown (see ``errors``)."""

    evm: Decimal | None = None
    solana: Decimal | None = None
    errors: dict[str, str] = field(default_factory=dict)


def to_usdc(atomic: int) -> Decimal:
    return Decimal(atomic) / ATOMIC_PER_USDC


def fetch_balances(
    evm_address: str | None,
    solana_address: str | None,
    *,
    base_rpc_url: str,
    solana_rpc_url: str,
    testnet: bool = False,
    cache: BalanceCache | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
    transport: Any = None,
    solana_empty_retry_delay: float | None = SOLANA_EMPTY_RETRY_S,
) -> Balances:
    """Both balances, fetched concurrently; one chain's failure does not hide the other."""
    from concurrent.futures import ThreadPoolExecutor

    jobs: dict[str, tuple[Callable[..., int], str, str]] = {}
    if evm_address:
        jobs["evm"] = (fetch_base_usdc, evm_address, base_rpc_url)
    if solana_address:
        jobs["solana"] = (fetch_solana_usdc, solana_address, solana_rpc_url)
    out = Balances()

    def key(name: str) -> str:
        _, addr, url = jobs[name]
        return f"{name}:{'test' if testnet else 'main'}:{url}:{addr}"

    def run(name: str) -> int:
        fn, addr, url = jobs[name]
        extra = {"empty_retry_delay": solana_empty_retry_delay} if name == "solana" else {}
        return fn(addr, url, testnet=testnet, timeout=timeout, transport=transport, **extra)

    todo = []
    for name in jobs:
        hit = cache.get(key(name)) if cache is not None else None
        if hit is not None:
            setattr(out, name, to_usdc(hit))
        else:
            todo.append(name)
    if todo:
        with ThreadPoolExecutor(max_workers=len(todo)) as pool:
            futures = {name: pool.submit(run, name) for name in todo}
            for name, fut in futures.items():
                try:
                    value = fut.result()
                except NetworkError as exc:
                    out.errors[name] = exc.message
                    continue
                setattr(out, name, to_usdc(value))
                if cache is not None:
                    cache.put(key(name), value)  # one thread writes: no lost updates
    return out
