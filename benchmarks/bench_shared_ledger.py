"""Spend ledger cost per payment (reserve + settle): the local file vs Redis (``--state``).

    python benchmarks/bench_shared_ledger.py [N]

Starts its own redis-server (loopback, free port, no persistence). The Redis ledger is measured
empty and with a full day of per-minute buckets (the worst case: 1,440 minutes summed per call).
Numbers are noisy on a shared machine; compare within one run.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from _redis import RedisServer  # noqa: E402

from clawcli.core.state.redis_state import RedisState  # noqa: E402
from clawcli.core.x402 import SpendLedger  # noqa: E402


def per_payment(ledger, n: int) -> float:
    t = time.perf_counter()
    for _ in range(n):
        ledger.settle(ledger.reserve(1000, daily_limit=10**12))
    return (time.perf_counter() - t) / n * 1e6


def main(n: int = 500) -> None:
    server = RedisServer().start()
    try:
        state = RedisState(server.url)
        full = state.ledger(address="0x" + "ab" * 20, chain="base")
        now = [time.time() - 86_000]
        full.clock = lambda: now[0]
        for _ in range(1430):  # one settled payment per minute for the last day
            full.settle(full.reserve(1000))
            now[0] += 60
        full.clock = time.time
        fresh = state.ledger(address="0x" + "cd" * 20, chain="base")
        local = SpendLedger(Path(tempfile.mkdtemp()) / "spend-ledger.json")
        print(f"reserve + settle, mean of {n}:")
        print(f"  local file              {per_payment(local, n):8.0f} us")
        print(f"  redis, empty ledger     {per_payment(fresh, n):8.0f} us")
        print(f"  redis, a day of buckets {per_payment(full, n):8.0f} us")
    finally:
        server.cleanup()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
