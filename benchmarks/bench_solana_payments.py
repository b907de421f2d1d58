"""Cost of one x402 Solana payment on the client against the loopback gateway emulator: policy +
ledger reservation + the blockhash RPC round trip + building and signing the v0 transaction, and a
whole paid request through the engine (`claw ask`'s path: 402, sign, paid retry verified by the
emulator, settlement, ledger, usage log). Reports numbers; asserts nothing.

    python benchmarks/bench_solana_payments.py [-n 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

import httpx

from clawcli.core.wallet.constants import SOLANA_MAINNET
from clawcli.core.config import Settings
from clawcli.core.paths import Paths
from clawcli.core.upstream import Engine
from clawcli.core.x402 import SpendLedger, SpendPolicy, parse_payment_required
from clawcli.core.x402._svm_payer import SolanaPayer
from clawcli.testing import GatewayEmulator

SEED = bytes.fromhex("7c139e1a603ca04f5f7cff194e1bb6f6d1b9098470ea90695ab628488a9f921b")  # public vector
BODY = {"model": "openai/gpt-5.4", "messages": [{"role": "user", "content": "hi"}]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=200, help="payments to sign (and paid requests to send)")
    args = ap.parse_args()
    q = lambda xs, p: 1000 * sorted(xs)[int(p * (len(xs) - 1))]
    with tempfile.TemporaryDirectory() as d, GatewayEmulator(network="solana", price_usd=0.001) as gw:
        policy = SpendPolicy(daily_limit=10**15, networks=(), solana_networks=(SOLANA_MAINNET,))
        payer = SolanaPayer(SEED, policy=policy, ledger=SpendLedger(Path(d) / "ledger.json"),
                            rpc_url=gw.solana_rpc_url)
        with httpx.Client() as c:
            required = parse_payment_required(c.post(gw.chat_url, json=BODY))
        t = time.perf_counter()
        payer.released(payer.sign(required))
        print(f"first sign (imports solders, batch RPC with the mint lookup): {1000 * (time.perf_counter() - t):.0f} ms")
        sign = []
        for _ in range(args.n):
            t0 = time.perf_counter()
            s = payer.sign(required)
            sign.append(time.perf_counter() - t0)
            payer.released(s)
        os.environ["CLAWCLI_HOME"] = d  # the engine's usage log goes to the temp dir, not the real home
        paid = asyncio.run(_paid_requests(gw, payer, args.n))
        print(f"n={args.n}  sign (incl. getLatestBlockhash over loopback) p50 {q(sign, .5):.2f} ms "
              f"p99 {q(sign, .99):.2f} ms  |  whole paid request (402 + sign + verified retry) "
              f"p50 {q(paid, .5):.2f} ms p99 {q(paid, .99):.2f} ms  |  settled {len(gw.paid_requests())}")


async def _paid_requests(gw: GatewayEmulator, payer: SolanaPayer, n: int) -> list[float]:
    out = []
    async with Engine(Settings(gateway_url=gw.url), Paths.from_env(), payer=payer, chain="solana") as eng:
        for _ in range(n):
            t0 = time.perf_counter()
            await eng.complete(BODY, source="bench")
            out.append(time.perf_counter() - t0)
    return out


if __name__ == "__main__":
    main()
