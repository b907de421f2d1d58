#!/usr/bin/env python3
"""Run real OpenClaw turns against `claw serve` and show the tier each request was routed to.

    scripts/openclaw_turn.py                       # a proof and a greeting; checks REASONING / SIMPLE
    scripts/openclaw_turn.py --message "Design a sharded queue for 1B events/day" --expect COMPLEX

Everything is local and throwaway: the x402 gateway emulator (``clawcli.testing``) plays BlockRun,
`claw serve` (the installed console script) pays it with a throwaway key, and OpenClaw (installed
by ``scripts/node_env.sh``: Node 24 + the npm ``openclaw``) is set up with ``claw inject-openclaw
--set-default`` in a temporary OpenClaw home and runs ``openclaw agent --local --session-id S
--message M --json``. A small relay between OpenClaw and `claw serve` prints the
``x-clawrouter-tier`` / ``x-clawrouter-model`` response headers of every request OpenClaw makes.
Exit status 1 when a turn's first request was not routed to the ``--expect``-ed tier.

Then the client-signal checks of issue 14 (``--no-signals`` skips them): the injected provider has
no apiKey and ``openclaw config validate`` accepts it; a tool turn (the emulator calls OpenClaw's
first tool, then answers the tool result in words) completes; and a billing failure reaches
OpenClaw as billing (our 402 ``insufficient_quota``), reported at once instead of retried as an
outage.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
THROWAWAY_KEY = "0x" + "5d" * 32  # pays only the local emulator
DEFAULT_TURNS = [("Prove rigorously that there are infinitely many primes.", "REASONING"),
                 ("hi there, good morning!", "SIMPLE")]


class TierTap:
    """A loopback relay to `claw serve` that records each response's routing headers."""

    def __init__(self, target: str) -> None:
        self.seen: list[dict[str, str]] = []
        tap = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a) -> None:
                pass

            def _relay(self, method: str) -> None:
                n = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(n) if n else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                with httpx.Client(timeout=120) as c, c.stream(method, target + self.path, content=body,
                                                               headers=headers) as r:
                    if "x-clawrouter-tier" in r.headers:
                        tap.seen.append({k: r.headers.get(f"x-clawrouter-{k}", "") for k in ("tier", "model", "profile")})
                        print(f"  request {len(tap.seen)}: x-clawrouter-tier={r.headers['x-clawrouter-tier']}  "
                              f"model={r.headers.get('x-clawrouter-model')}", flush=True)
                    self.send_response(r.status_code)
                    for k, v in r.headers.items():
                        if k.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                            self.send_header(k, v)
                    self.send_header("connection", "close")
                    self.end_headers()
                    for chunk in r.iter_raw():
                        self.wfile.write(chunk)
                        self.wfile.flush()

            def do_GET(self) -> None:
                self._relay("GET")

            def do_POST(self) -> None:
                self._relay("POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--message", action="append", help="a turn's message (repeatable; default: a proof, a greeting)")
    ap.add_argument("--expect", action="append", help="the tier expected for each --message, in order")
    ap.add_argument("--no-signals", action="store_true", help="skip the tool-turn / billing / config checks")
    args = ap.parse_args(argv)
    if args.message:
        expect = args.expect or []
        turns = [(m, expect[i] if i < len(expect) else None) for i, m in enumerate(args.message)]
    else:
        turns = DEFAULT_TURNS
    claw = shutil.which("claw")
    if not claw:
        print("error: the `claw` console script is not on PATH (pip install -e .)", file=sys.stderr)
        return 2
    node_path = subprocess.run([str(REPO / "scripts" / "node_env.sh")], capture_output=True, text=True)
    if node_path.returncode != 0:
        print("error: scripts/node_env.sh failed:\n" + node_path.stderr[-1500:], file=sys.stderr)
        return 1

    from clawcli.testing import GatewayEmulator

    failures = 0
    with tempfile.TemporaryDirectory(prefix="claw-openclaw-turn-") as tmp, GatewayEmulator() as gw:
        home = Path(tmp)
        ws = home / "workspace"
        ws.mkdir()
        env = {**os.environ, "HOME": str(home), "OPENCLAW_HOME": str(home), "OPENCLAW_STATE_DIR": str(home / ".openclaw"),
               "CLAWCLI_OPENCLAW_HOME": str(home / ".openclaw"), "CLAWCLI_HOME": str(home / ".clawcli"),
               "CLAWCLI_GATEWAY_URL": gw.url, "CLAWCLI_BASE_RPC_URL": gw.rpc_url,
               "CLAWCLI_SOLANA_RPC_URL": gw.solana_rpc_url, "CLAWCLI_WALLET_KEY": THROWAWAY_KEY, "NO_COLOR": "1",
               "PATH": node_path.stdout.strip() + os.pathsep + os.environ.get("PATH", "")}
        env.pop("OPENCLAW_CONFIG_PATH", None)
        serve = subprocess.Popen([claw, "serve", "--port", "0", "--json", "--log-level", "warning"], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        tap = None
        try:
            line = serve.stdout.readline()
            if not line:
                print("error: claw serve did not start:\n" + serve.stderr.read()[-1500:], file=sys.stderr)
                return 1
            url = json.loads(line)["url"]  # http://127.0.0.1:PORT/v1
            tap = TierTap(url.rsplit("/v1", 1)[0])
            inj = subprocess.run([claw, "inject-openclaw", "--port", str(tap.port), "--set-default"], env=env,
                                 capture_output=True, text=True)
            if inj.returncode != 0:
                print("error: claw inject-openclaw failed: " + inj.stderr.strip(), file=sys.stderr)
                return 1
            version = subprocess.run(["openclaw", "--version"], env=env, capture_output=True, text=True).stdout.strip()
            print(f"{version} -> relay :{tap.port} -> claw serve {url} -> gateway emulator {gw.url}")
            for i, (message, want) in enumerate(turns):
                print(f"turn {i + 1}: {message!r}" + (f" (expect {want})" if want else ""), flush=True)
                start = len(tap.seen)
                p = subprocess.run(["openclaw", "agent", "--local", "--session-id", f"turn-{i}", "--message", message,
                                    "--json"], env=env, cwd=ws, capture_output=True, text=True, timeout=300)
                if p.returncode != 0:
                    print(f"  openclaw exited {p.returncode}: {(p.stderr or p.stdout).strip()[-800:]}")
                    failures += 1
                    continue
                got = tap.seen[start:]
                if not got:
                    print("  OpenClaw made no chat request through claw serve")
                    failures += 1
                elif want and got[0]["tier"] != want:
                    print(f"  MISMATCH: first request routed to {got[0]['tier']}, expected {want}")
                    failures += 1
            if not args.no_signals:
                failures += _signal_checks(env, ws, gw, tap)
        finally:
            if tap:
                tap.close()
            serve.terminate()
            try:
                serve.wait(15)
            except subprocess.TimeoutExpired:
                serve.kill()
    print("ok" if not failures else f"{failures} turn(s) failed")
    return 1 if failures else 0


def _signal_checks(env: dict[str, str], ws: Path, gw, tap: TierTap) -> int:
    """Issue 14: no placeholder apiKey, a valid config, a tool turn, billing reported as billing."""
    import time

    failures = 0

    def check(ok: bool, what: str, detail: str = "") -> None:
        nonlocal failures
        print(f"{'ok  ' if ok else 'FAIL'} {what}" + ("" if ok or not detail else f"\n  {detail[-1200:]}"), flush=True)
        failures += 0 if ok else 1

    cfg = json.loads((Path(env["OPENCLAW_STATE_DIR"]) / "openclaw.json").read_text("utf-8"))
    check("apiKey" not in cfg["models"]["providers"]["clawcli"], "no placeholder apiKey without --token")
    p = subprocess.run(["openclaw", "config", "validate"], env=env, cwd=ws, capture_output=True, text=True,
                       timeout=300)
    check(p.returncode == 0, "openclaw config validate", p.stdout + p.stderr)

    def turn(session: str, message: str) -> tuple[subprocess.CompletedProcess, int, float]:
        start, t0 = len(tap.seen), time.monotonic()
        p = subprocess.run(["openclaw", "agent", "--local", "--session-id", session, "--message", message, "--json"],
                           env=env, cwd=ws, capture_output=True, text=True, timeout=300)
        return p, len(tap.seen) - start, time.monotonic() - t0

    gw.tool_calls = True  # OpenClaw's first tool is called; the request after the tool result gets words
    p, n, secs = turn("signals-tools", "Look at the workspace with a tool, then summarise it")
    gw.tool_calls = False
    check(p.returncode == 0 and n >= 2 and "Hello from" in p.stdout,
          f"tool turn: {n} requests, answered after the tool result ({secs:.0f} s)", p.stdout + p.stderr)
    # a provider 402 without an x402 challenge, in words OpenClaw would not recognise by themselves:
    # only our 402 / insufficient_quota wording can make OpenClaw say "billing error"
    gw.inject("*", "status", times=None, before_payment=True, status=402,
              body={"error": {"message": "account on hold", "type": "account_error"}})
    p, n, secs = turn("signals-billing", "This turn cannot be paid for")
    gw.clear_faults()
    said = (p.stdout + p.stderr).lower()
    check("billing error" in said and n <= 2,
          f"billing failure reported as OpenClaw's billing error after {n} request(s), not retried as an "
          f"outage ({secs:.0f} s)", p.stdout + p.stderr)
    return failures


if __name__ == "__main__":
    raise SystemExit(main())
