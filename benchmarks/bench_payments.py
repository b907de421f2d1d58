"""Cost of one x402 payment on the client: policy + ledger reservation (file lock, fsync) +
EIP-712 signature, and of recording its settlement. Reports numbers; asserts nothing.

    python benchmarks/bench_payments.py [-n 1000]
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import tempfile
import time
from pathlib import Path

from clawcli.core.x402 import Payer, SpendLedger, SpendPolicy, parse_payment_required_parts

KEY = "0x1053fae1b3ac64f178bcc21026fd06a3f4544ec2f35338b001f02d1d8efa3d5f"  # the public test vector
ACCEPT = {"scheme": "exact", "network": "eip155:8453", "amount": "1000",
          "asset": "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
          "payTo": "0x209693Bc6afc0C5328bA36FaF03C514EF312287C", "maxTimeoutSeconds": 300,
          "extra": {"name": "USD Coin", "version": "2"}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=1000, help="payments to sign and settle")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        payer = Payer(KEY, policy=SpendPolicy(daily_limit=10**15), ledger=SpendLedger(Path(d) / "ledger.json"))
        header = base64.b64encode(json.dumps({"x402Version": 2, "accepts": [ACCEPT]}).encode()).decode()
        required = parse_payment_required_parts({"PAYMENT-REQUIRED": header}, None)
        t = time.perf_counter()
        payer.released(payer.sign(required))
        print(f"first sign (includes importing eth-account): {1000 * (time.perf_counter() - t):.0f} ms")
        sign, settle = [], []
        for _ in range(args.n):
            t0 = time.perf_counter()
            s = payer.sign(required)
            t1 = time.perf_counter()
            payer.settled(s, {})
            sign.append(t1 - t0)
            settle.append(time.perf_counter() - t1)
        q = lambda xs, p: 1000 * sorted(xs)[int(p * (len(xs) - 1))]  # noqa: E731
        print(f"n={args.n}  sign p50 {q(sign, .5):.2f} ms  p99 {q(sign, .99):.2f} ms  |  "
              f"settle p50 {q(settle, .5):.2f} ms  p99 {q(settle, .99):.2f} ms  |  "
              f"ledger file {(Path(d) / 'ledger.json').stat().st_size / 1024:.1f} KiB  "
              f"mean total {1000 * (statistics.mean(sign) + statistics.mean(settle)):.2f} ms")


if __name__ == "__main__":
    main()
