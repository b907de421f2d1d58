"""Run the gateway emulator by hand: ``python -m clawcli.testing --port 8999``.

Prints the URLs and the payee, then serves until Ctrl-C. Example with a fault and a balance::

    python -m clawcli.testing --port 8999 --fault 'xai/grok-4-1-fast-reasoning:429:2' \\
        --balance 0xF278cF59F82eDcf871d630F28EcC8056f25C1cdb=5
    CLAWCLI_GATEWAY_URL=http://127.0.0.1:8999 claw ask "hi"
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading


def main(argv: list[str] | None = None) -> int:
    from clawcli.testing import DEFAULT_PAYEE, DISHONEST_MODES, FAULT_KINDS, GatewayEmulator

    ap = argparse.ArgumentParser(prog="python -m clawcli.testing", description="Local x402 gateway emulator.")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8999, help="0 = a random free port (default 8999)")
    ap.add_argument("--payee", default=DEFAULT_PAYEE)
    ap.add_argument("--solana", action="store_true", help="quote and verify x402 SVM payments on Solana")
    ap.add_argument("--v1", action="store_true", help="speak x402 v1 (X-PAYMENT, requirements in the body)")
    ap.add_argument("--no-payment", action="store_true", help="answer every model without a 402")
    ap.add_argument("--price", type=float, default=None, help="fixed USD price per paid request")
    ap.add_argument("--enforce-balance", action="store_true", help="reject payers whose balance is too low")
    ap.add_argument("--chunk-delay", type=float, default=0.0, help="seconds between SSE chunks")
    ap.add_argument("--balance", action="append", default=[], metavar="ADDRESS=USDC",
                    help="set a USDC balance (0x... for Base, base58 for Solana); repeatable")
    ap.add_argument("--fault", action="append", default=[], metavar="MODEL:KIND[:TIMES]",
                    help="inject a fault; TIMES omitted or 0 = permanent; MODEL may be '*'; repeatable")
    ap.add_argument("--list-faults", action="store_true", help="list the fault kinds and exit")
    ap.add_argument("--dishonest", choices=sorted(DISHONEST_MODES), default=None,
                    help="behave like a dishonest gateway (clawcli/testing/_dishonest.py)")
    args = ap.parse_args(argv)
    if not 0 <= args.port <= 65535:  # bind() raised OverflowError: a traceback, not a usage error
        ap.error(f"--port must be 0-65535, not {args.port}")
    if args.price is not None and not 0 <= args.price < float("inf"):
        ap.error(f"--price must be a USD amount >= 0, not {args.price}")
    if args.chunk_delay < 0:
        ap.error(f"--chunk-delay must be >= 0, not {args.chunk_delay}")

    if args.list_faults:
        for kind, doc in FAULT_KINDS.items():
            print(f"{kind:20} {doc}")
        return 0
    gw = GatewayEmulator(host=args.host, port=args.port, payee=args.payee, x402_version=1 if args.v1 else 2,
                         require_payment=not args.no_payment, price_usd=args.price,
                         enforce_balance=args.enforce_balance, chunk_delay=args.chunk_delay,
                         dishonest=args.dishonest,
                         **({"network": "solana"} if args.solana else {}))
    try:
        for item in args.balance:
            address, _, amount = item.partition("=")
            try:
                gw.set_balance(address.strip(), amount.strip())
            except (ValueError, ArithmeticError):  # decimal's error text is "[<class ...>]"
                raise ValueError(f"--balance expects ADDRESS=USDC, like 0xF278...1cdb=5 (got {item!r})") from None
        for item in args.fault:
            parts = item.split(":")
            times = None  # MODEL:KIND -> permanent; a third numeric part is the count (the kind may be "429")
            if len(parts) >= 3 and parts[-1].isdigit():
                times = int(parts.pop()) or None
            kind = parts.pop()
            gw.inject(":".join(parts), kind, times=times)
    except (ValueError, ArithmeticError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        gw.start()
    except (OSError, RuntimeError) as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    print(f"x402 gateway emulator on {gw.url}  (x402 v{gw.x402_version}, network {gw.network})")
    print(f"  chat:        {gw.chat_url}")
    print(f"  payee:       {gw.payee}")
    print(f"  base rpc:    {gw.rpc_url}")
    print(f"  solana rpc:  {gw.solana_rpc_url}")
    print(f"  export CLAWCLI_GATEWAY_URL={gw.url} CLAWCLI_BASE_RPC_URL={gw.rpc_url} "
          f"CLAWCLI_SOLANA_RPC_URL={gw.solana_rpc_url}", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    finally:
        gw.stop()
        paid = gw.paid_requests()
        print(f"\n{len(gw.requests)} requests, {len(paid)} paid, ${gw.paid_total():.6f} settled, "
              f"${gw.could_collect_usd():.6f} collectable ({len(gw.held_authorisations())} authorisations held)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
