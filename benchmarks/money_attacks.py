"""Replay issue 13's money attacks against the engine (`claw ask`'s and `claw serve`'s path) and
print, for each dishonest gateway, what it could collect against the cap.

    python benchmarks/money_attacks.py            # a temp home; loopback only; ~10 s

"Could collect" is the sum of every authorisation the gateway verified and holds, whatever it
answered (``GatewayEmulator.could_collect_usd()``): it could execute each one before it expires.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

CAP = 0.05
KEY = "0x" + "4c" * 32


def request(i: int) -> dict:
    return {"model": "auto", "messages": [{"role": "user", "content": f"question {i}: explain {i}"}],
            "max_tokens": 256}


async def attack(mode: str | None, n: int, *, price: float | None = None, fault: str | None = None,
                 exclude_free: bool = False) -> tuple[float, int, int, str]:
    from clawcli.core.config import load_settings
    from clawcli.core.errors import ClawError
    from clawcli.core.paths import Paths
    from clawcli.core.upstream.engine import Engine
    from clawcli.core.x402.ledger import SpendLedger
    from clawcli.core.x402.payer import Payer
    from clawcli.core.x402.policy import SpendPolicy
    from clawcli.testing import GatewayEmulator

    home = Path(tempfile.mkdtemp(prefix="money-attacks-"))
    paths = Paths(config_dir=home / "home", cache_dir=home / "cache", openclaw_home=home / "openclaw")
    gw = GatewayEmulator(dishonest=mode, price_usd=price).start()
    try:
        if fault:
            gw.inject("*", fault, times=None)
        settings = load_settings(paths, env={}, overrides={
            "gateway_url": gw.url, "daily_limit": CAP, "hourly_limit": CAP,
            "exclude": ["nvidia/gpt-oss-120b"] if exclude_free else []})
        payer = Payer(KEY, policy=SpendPolicy.from_settings(settings), ledger=SpendLedger(paths.ledger_file))
        ok = refused = 0
        last = ""
        async with Engine(settings, paths, payer=payer) as eng:
            for i in range(n):
                try:
                    await eng.complete(request(i), source="serve")
                    ok += 1
                except ClawError as exc:
                    refused += 1
                    last = exc.message
        return gw.could_collect_usd(), ok, refused, last
    finally:
        gw.stop()


def main() -> None:
    os.environ.pop("CLAWCLI_HOME", None)
    rows = [
        ("collect_500 (40 requests)", dict(mode="collect_500", n=40)),
        ("requote 100x (10 requests, $0.0015)", dict(mode="requote", n=10, price=0.0015)),
        ("overclaim 100x (10 requests, $0.0015)", dict(mode="overclaim", n=10, price=0.0015)),
        ("switch_payee (10 requests)", dict(mode="switch_payee", n=10)),
        ("quote $0.49 for a ~$0.002 request", dict(mode=None, n=5, price=0.49)),
        ("every answer empty, no free model", dict(mode=None, n=5, fault="empty", exclude_free=True)),
    ]
    print(f"cap: hourly and daily ${CAP:.2f}")
    print(f"{'attack':<40} {'could collect':>13} {'answered':>8} {'refused':>7}  last refusal")
    for name, kw in rows:
        got, ok, refused, last = asyncio.run(attack(kw.pop("mode"), kw.pop("n"), **kw))
        print(f"{name:<40} ${got:>12.6f} {ok:>8} {refused:>7}  {last[:90]}")


if __name__ == "__main__":
    main()
