"""What `claw ask -m flash hi` adds over the gateway's own time (issue 15, target <= 0.35 s).

A loopback gateway emulator (paid model: a 402, then the paid retry) answers at once. The
gateway's own time is the median of the same paid request made in-process by a warm engine
(imports done, client connected); the command's time is the median wall time of the real
command in a fresh process (interpreter start included), with a wallet that has a mnemonic
(as `claw wallet create` leaves it). Overhead = command - gateway.

    python benchmarks/ask_startup.py [-n 9] [--tree /path/to/other/checkout]

``--tree`` runs another source tree's clawcli (PYTHONPATH) for a before/after comparison.
Numbers are noisy on a shared 2-core machine: compare runs made back to back.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

PROMPT = "hi"


def _env(gw, home: str, openclaw: str, tree: str | None) -> dict[str, str]:
    # PYTHONDONTWRITEBYTECODE would make every run compile the changed modules from source; an
    # installed clawcli has its .pyc files (pip writes them), so the first run here writes them too
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CLAWCLI_", "BLOCKRUN_")) and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(CLAWCLI_HOME=home, CLAWCLI_OPENCLAW_HOME=openclaw, CLAWCLI_GATEWAY_URL=gw.url,
               CLAWCLI_BASE_RPC_URL=gw.rpc_url, NO_COLOR="1")
    if tree:
        env["PYTHONPATH"] = tree
    return env


async def _warm_gateway_time(n: int) -> float:
    from clawcli.core.catalog import Catalog
    from clawcli.core.config import load_settings
    from clawcli.core.paths import Paths
    from clawcli.core.upstream import Engine
    from clawcli.core.wallet import ensure_wallet
    try:
        from clawcli.core.x402.wallet_payer import payer_from_settings
    except ImportError:  # older trees
        from clawcli.core.x402.payer import Payer

        payer_from_settings = Payer.from_settings

    paths = Paths.from_env()
    settings = load_settings(paths, overrides={"compress": "off"})
    wallet = ensure_wallet(paths).wallet
    payer = payer_from_settings(wallet, settings, paths)
    engine = Engine(settings, paths, catalog=Catalog.load(paths.catalog_cache), payer=payer, chain=wallet.chain)
    times = []
    try:
        for i in range(n + 2):
            t0 = time.perf_counter()
            await engine.complete({"model": "flash", "messages": [{"role": "user", "content": f"{PROMPT} {i}"}]},
                                  source="bench")
            if i >= 2:  # the first two warm the imports and the connection
                times.append(time.perf_counter() - t0)
    finally:
        await engine.aclose()
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=9, help="runs of each (default 9)")
    ap.add_argument("--tree", help="run the clawcli of this source tree instead (PYTHONPATH)")
    args = ap.parse_args()
    home, openclaw = tempfile.mkdtemp(), tempfile.mkdtemp()
    os.environ.update(CLAWCLI_HOME=home, CLAWCLI_OPENCLAW_HOME=openclaw)
    from clawcli.core.paths import Paths
    from clawcli.core.wallet import create_wallet
    from clawcli.testing import GatewayEmulator

    create_wallet(Paths.from_env())
    with GatewayEmulator() as gw:
        os.environ.update(CLAWCLI_GATEWAY_URL=gw.url, CLAWCLI_BASE_RPC_URL=gw.rpc_url)
        gateway = asyncio.run(_warm_gateway_time(args.n))
        env = _env(gw, home, openclaw, args.tree)
        # --no-log: the log database is timed separately; an older tree (--tree) has no such flag
        cmd = [sys.executable, "-m", "clawcli", "ask", "-m", "flash", *([] if args.tree else ["--no-log"]), PROMPT]
        walls, cpus = [], []
        for _ in range(args.n + 1):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            res = subprocess.run(cmd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                                 check=False)
            walls.append(time.perf_counter() - t0)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            if res.returncode != 0:
                sys.exit(f"claw ask failed ({res.returncode}): {res.stderr.strip()}")
        walls, cpus = walls[1:], cpus[1:]  # the first run fills the OS page cache
    wall = statistics.median(walls)
    print(f"gateway (warm, in-process, paid request): {gateway * 1000:7.1f} ms median")
    print(f"claw ask -m flash hi (fresh process):     {wall * 1000:7.1f} ms median, "
          f"min {min(walls) * 1000:.1f} ms (n={args.n})")
    print(f"added by claw ask:                        {(wall - gateway) * 1000:7.1f} ms (target <= 350 ms)")
    # CPU time of the command (user + sys): what other processes on a busy machine cannot inflate much
    print(f"CPU of claw ask (user+sys):               {statistics.median(cpus) * 1000:7.1f} ms median, "
          f"min {min(cpus) * 1000:.1f} ms; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
