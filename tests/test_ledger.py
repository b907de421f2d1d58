"""The spend ledger: reserve-then-settle under a file lock, shared by processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from clawcli.core.errors import PaymentError, PolicyRefusal
from clawcli.core.paths import Paths
from clawcli.core.x402 import SpendLedger

RACER = textwrap.dedent(
    """
    import base64, json, os, sys, time
    from clawcli.core.config import load_settings
    from clawcli.core.errors import PolicyRefusal
    from clawcli.core.paths import Paths
    from clawcli.core.wallet import resolve_wallet
    from clawcli.core.x402 import parse_payment_required_parts
    from clawcli.core.x402.wallet_payer import payer_from_settings

    start, out = sys.argv[1], sys.argv[2]
    paths = Paths.from_env()
    payer = payer_from_settings(resolve_wallet(paths), load_settings(paths), paths)
    accept = {"scheme": "exact", "network": "eip155:8453", "amount": "10000",
              "asset": "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
              "payTo": "0x209693Bc6afc0C5328bA36FaF03C514EF312287C", "maxTimeoutSeconds": 300,
              "extra": {"name": "USD Coin", "version": "2"}}
    hdr = base64.b64encode(json.dumps({"x402Version": 2, "accepts": [accept]}).encode()).decode()
    required = parse_payment_required_parts({"PAYMENT-REQUIRED": hdr}, None)
    payer.sign(required).headers  # warm up imports before the race (and spend $0.01)
    while not os.path.exists(start):
        time.sleep(0.005)
    signed = 1
    while True:
        try:
            s = payer.sign(required)
        except PolicyRefusal as exc:
            assert exc.cap == "daily", exc.cap
            break
        signed += 1
        time.sleep(0.002)  # like a real client between requests; lets the other process in
        if signed % 2:
            payer.settled(s, {})
    with open(out, "w") as fh:
        fh.write(str(signed))
    """
)


def test_two_processes_racing_the_daily_cap(tmp_path: Path) -> None:
    from clawcli.core.config import save_config_values
    from clawcli.core.wallet import import_mnemonic

    paths = Paths.from_env()
    import_mnemonic(paths, " ".join(["abandon"] * 23 + ["art"]), env={})
    save_config_values(paths, {"daily_limit": 0.5})
    start = tmp_path / "go"
    procs = [
        subprocess.Popen([sys.executable, "-c", RACER, str(start), str(tmp_path / f"out{i}")], env=os.environ.copy())
        for i in range(2)
    ]
    # let both warm up, then start them together
    deadline = time.time() + 30
    while time.time() < deadline and len(SpendLedger(paths.ledger_file).entries()) < 2:
        time.sleep(0.02)
    start.touch()
    for p in procs:
        assert p.wait(timeout=60) == 0
    counts = [int((tmp_path / f"out{i}").read_text()) for i in range(2)]
    assert sum(counts) == 50  # $0.50 / $0.01: not one signature more, across both processes
    entries = SpendLedger(paths.ledger_file).entries()
    assert len(entries) == 50
    assert sum(e["amount"] for e in entries if e["state"] in ("reserved", "settled")) == 500_000


def test_reserve_settle_reject_release(make_ledger) -> None:
    now = [1000.0]
    led = make_ledger(clock=lambda: now[0])
    a = led.reserve(100, daily_limit=300, model="m")
    b = led.reserve(100, daily_limit=300)
    c = led.reserve(100, daily_limit=300)
    with pytest.raises(PolicyRefusal) as info:
        led.reserve(1, daily_limit=300, model="m2")
    assert info.value.cap == "daily" and info.value.used == 300 and "m2" in info.value.message
    assert led.settle(a, tx="0x1") and led.reject(b, "PAYMENT_UNDERPAID") and led.release(c, "never sent")
    t = led.totals()
    # the gateway's rejection proves nothing: b still counts; only c (never sent) stopped counting
    assert (t.spent_day, t.pending_day, t.rejected_day, t.count_day) == (100, 100, 100, 1)
    led.reserve(100, daily_limit=300)
    with pytest.raises(PolicyRefusal):
        led.reserve(1, daily_limit=300)
    assert not led.reject(a, "late")  # a settlement is final
    now[0] += 86400 - 61
    assert led.totals().spent_day == 100
    now[0] += 61 + 60  # per-minute buckets: out of the window within a minute of the exact time
    assert led.totals().spent_day == 0  # rolled out of the 24 h window


def test_ledger_file_is_private_and_pruned(tmp_path: Path) -> None:
    now = [1000.0]
    led = SpendLedger(tmp_path / "l.json", clock=lambda: now[0])
    led.reserve(5)
    assert (tmp_path / "l.json").stat().st_mode & 0o777 == 0o600
    now[0] += 2 * 86400
    led.reserve(7)
    data = json.loads((tmp_path / "l.json").read_text())
    assert [e["amount"] for e in data["open"]] == [7]


def test_ledger_stays_small_under_many_payments(make_ledger) -> None:
    now = [1_000_000.0]
    led = make_ledger(clock=lambda: now[0])
    for i in range(600):
        rid = led.reserve(1000, daily_limit=10**9)
        led.settle(rid) if i % 3 else led.reject(rid, "x")
        now[0] += 1.0
    t = led.totals()
    # rejected payments keep counting (the gateway holds valid authorisations), folded per minute
    assert (t.spent_day, t.rejected_day, t.count_day, t.pending_day) == (400_000, 200_000, 400, 200_000)
    assert len(led.entries()) == 100  # recent history is capped
    if led.path is not None:  # the local backend's file; Redis keeps the same bounded records
        assert led.path.stat().st_size < 60_000


def test_corrupt_ledger_refuses_to_sign_and_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "l.json"
    path.write_text("{not json")
    with pytest.raises(PaymentError) as info:
        SpendLedger(path).reserve(1)
    assert "corrupt" in info.value.message and "mv" in info.value.hint
    assert path.read_text() == "{not json"


def test_locked_ledger_times_out_with_a_clear_error(tmp_path: Path) -> None:
    from filelock import FileLock

    path = tmp_path / "l.json"
    with FileLock(str(path) + ".lock"):
        with pytest.raises(PaymentError, match="stayed locked"):
            SpendLedger(path, lock_timeout=0.2).reserve(1)
