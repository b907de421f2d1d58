"""The shared state on a real redis-server: one wallet's ledger across processes, fail closed,
reconnect, and the one-line errors of a bad --state."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from clawcli.core.errors import ConfigError, PolicyRefusal
from clawcli.core.state import check_state_url, open_state, safe_url
from clawcli.core.state.redis_ledger import StateUnavailable

ADDRESS = "0x" + "cd" * 20

RACER = textwrap.dedent(
    """
    import sys, time
    from clawcli.core.errors import PolicyRefusal
    from clawcli.core.state.redis_state import RedisState
    url, address, go = sys.argv[1], sys.argv[2], sys.argv[3]
    led = RedisState(url).ledger(address=address, chain="base")
    led.totals()  # connected and warm before the start line
    import os
    while not os.path.exists(go):
        time.sleep(0.002)
    signed = 0
    while True:
        try:
            rid = led.reserve(10_000, daily_limit=500_000, hourly_limit=None)
        except PolicyRefusal as exc:
            assert exc.cap == "daily"
            break
        signed += 1
        if signed % 2:
            led.settle(rid)
    print(signed)
    """
)


def test_three_processes_share_one_daily_cap(redis_url: str, tmp_path: Path) -> None:
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", RACER, redis_url, ADDRESS, str(go)],
                              stdout=subprocess.PIPE, text=True) for _ in range(3)]
    go.touch()
    counts = [int(p.communicate(timeout=60)[0]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert sum(counts) == 50  # $0.50 / $0.01 across three processes: not one reservation more
    led = open_state(_settings(redis_url), None).ledger(address=ADDRESS, chain="base")
    t = led.totals()
    assert t.spent_day + t.pending_day == 500_000
    # another wallet (or chain) on the same Redis has its own ledger
    assert open_state(_settings(redis_url), None).ledger(address=ADDRESS, chain="solana").totals().spent_day == 0
    assert open_state(_settings(redis_url), None).ledger(address="0x" + "ee" * 20, chain="base").totals().pending_day == 0


def test_threads_racing_in_one_process(redis_url: str) -> None:
    led = open_state(_settings(redis_url), None).ledger(address=ADDRESS, chain="base")
    ok: list[str] = []
    refused: list[PolicyRefusal] = []

    def worker() -> None:
        for _ in range(10):
            try:
                ok.append(led.reserve(1_000, hourly_limit=37_000))
            except PolicyRefusal as exc:
                refused.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(ok) == 37 and len(refused) == 43
    assert refused[0].cap == "hourly" and "hourly limit of $0.037" in refused[0].message


def test_unreachable_redis_fails_closed_and_reconnects(redis_server, redis_url: str) -> None:
    led = open_state(_settings(redis_url), None).ledger(address=ADDRESS, chain="base")
    led.settle(led.reserve(20_000, daily_limit=50_000))
    port = redis_server.port
    redis_server.stop()
    try:
        with pytest.raises(StateUnavailable) as info:
            led.reserve(1_000, daily_limit=50_000)
        msg = info.value.message
        assert "unreachable" in msg and "refusing to sign" in msg and "\n" not in msg
        assert "nothing was signed" in info.value.hint
        assert info.value.code == "state_unavailable"
    finally:
        redis_server.start(port=port)  # same port, empty (no persistence): a Redis that restarted
    # the same ledger object reconnects by itself (within a second of the last failure): no restart of claw
    deadline = time.monotonic() + 10
    while True:
        try:
            rid = led.reserve(1_000, daily_limit=50_000)
            break
        except StateUnavailable:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    assert led.totals().pending_day == 1_000 and led.settle(rid)


def test_finish_without_redis_keeps_the_reservation_counted(redis_server, redis_url: str, caplog) -> None:
    led = open_state(_settings(redis_url), None).ledger(address=ADDRESS, chain="base")
    rid = led.reserve(7_000, daily_limit=50_000)
    port = redis_server.port
    redis_server.proc.kill()  # SIGKILL: the connection drops mid-flight
    redis_server.proc.wait()
    try:
        assert led.release(rid, "never sent") is False  # could not record: not raised, logged
        assert "could not record released" in caplog.text
    finally:
        redis_server.start(port=port)


def test_bad_state_urls_are_one_line_config_errors() -> None:
    for bad in ("http://localhost:6379", "redis://", "localhost:6379", "redis://h:1/notanumber",
                "redis://[::1/0", "redis://127.0.0.1:99999/0", "redis://:s3cret@[::1/0"):  # urllib's ValueErrors
        with pytest.raises(ConfigError) as info:
            check_state_url(bad)
        assert "\n" not in info.value.message and "redis://HOST:PORT/DB" in (info.value.hint or "")
    assert safe_url("redis://:s3cret@h:6379/0") == "redis://:***@h:6379/0"
    assert "s3cret" not in safe_url("redis://user:s3cret@h/1")
    assert "s3cret" not in safe_url("redis://:s3cret@h:99999/1") and "s3cret" not in safe_url("redis://:s3cret@[::1/0")


def test_without_the_redis_library_the_hint_says_what_to_install(tmp_path: Path) -> None:
    code = ("import sys; sys.modules['redis'] = None\n"
            "from clawcli.core.state import open_state\n"
            "from clawcli.core.errors import ConfigError\n"
            "class S: state_url = 'redis://127.0.0.1:1/0'\n"
            "try:\n    open_state(S(), None)\nexcept ConfigError as e:\n    print(e.message); print(e.hint)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy(), check=False)
    assert out.returncode == 0, out.stderr
    assert "needs the redis client library" in out.stdout and "pip install 'clawcli[redis]'" in out.stdout


def _settings(url: str):
    from clawcli.core.config import Settings

    return Settings(state_url=url)


def test_wallet_limits_shows_the_shared_spend_and_the_backend(redis_url: str, monkeypatch) -> None:
    from typer.testing import CliRunner

    from clawcli.cli.main import app

    key = "0x" + "4c" * 32
    monkeypatch.setenv("CLAWCLI_WALLET_KEY", key)
    from clawcli.core.wallet.keys import evm_address

    # what another machine's `claw serve` signed for this wallet, through the same Redis
    other = open_state(_settings(redis_url), None).ledger(address=evm_address(key), chain="base")
    other.settle(other.reserve(30_000))
    other.reserve(5_000)
    runner = CliRunner()
    local = runner.invoke(app, ["wallet", "limits", "--json"])
    assert local.exit_code == 0, local.output
    assert json.loads(local.output)["spent"]["spentDay"] == 0 and json.loads(local.output)["state"]["backend"] == "local"
    monkeypatch.setenv("CLAWCLI_STATE_URL", redis_url)
    shared = runner.invoke(app, ["wallet", "limits", "--json"])
    assert shared.exit_code == 0, shared.output
    out = json.loads(shared.output)
    assert out["state"]["backend"] == "redis" and out["state"]["reachable"] is True
    assert out["spent"]["spentDay"] == 0.03 and out["spent"]["pendingDay"] == 0.005
    text = runner.invoke(app, ["wallet", "limits"]).output
    assert f"Shared state: {redis_url}" in text


def _usage_log(logs: Path, costs: list[float]) -> None:
    import datetime as dt

    logs.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    with open(logs / f"usage-{now:%Y-%m-%d}.jsonl", "a") as fh:
        fh.writelines(json.dumps({"timestamp": now.isoformat().replace("+00:00", "Z"), "model": "m", "cost": c,
                                 "status": "ok"}) + "\n" for c in costs)


def test_each_machine_folds_its_usage_log_into_a_shared_ledger_once(redis_server, redis_url, tmp_path, capsys):
    from clawcli.core.state.redis_state import RedisState

    m1, m2 = tmp_path / "m1" / "logs", tmp_path / "m2" / "logs"
    _usage_log(m1, [0.01, 0.02])  # paid before this machine joined the shared ledger
    _usage_log(m2, [0.005])
    first = RedisState(redis_url, usage_logs_dir=m1).ledger(address=ADDRESS, chain="base")
    first.reserve(1_000)
    assert first.totals().spent_day == 30_000 and "added $0.03 settled in 2 payments" in capsys.readouterr().err
    RedisState(redis_url, usage_logs_dir=m1).ledger(address=ADDRESS, chain="base").reserve(1_000)  # same machine
    assert first.totals().spent_day == 30_000  # not twice
    RedisState(redis_url, usage_logs_dir=m2).ledger(address=ADDRESS, chain="base").reserve(1_000)  # another one
    assert first.totals().spent_day == 35_000
    redis_server.flush()  # Redis lost its data: the markers went with it
    with pytest.raises(PolicyRefusal):
        first.reserve(25_000, daily_limit=50_000)  # this machine's $0.03 is back before the cap check
    assert first.totals().spent_day == 30_000


def test_a_redis_that_refuses_writes_is_one_line_and_nothing_is_reserved(redis_url: str) -> None:
    import redis

    led = open_state(_settings(redis_url), None).ledger(address=ADDRESS, chain="base")
    admin = redis.Redis.from_url(redis_url)
    admin.config_set("min-replicas-to-write", 1)  # a primary that lost its replicas: writes refused
    try:
        with pytest.raises(StateUnavailable) as info:
            led.reserve(1_000, daily_limit=50_000)
        assert "refused the ledger update" in info.value.message and "\n" not in info.value.message
    finally:
        admin.config_set("min-replicas-to-write", 0)
    assert led.totals().pending_day == 0


@pytest.mark.parametrize("key, field, value", [
    ("settled", "minute", b"-999999999"),  # a negative settled amount: the daily cap would grow by $1000
    ("rejected", "minute", b"lots"),
    ("open", "x", json.dumps({"id": "x", "ts": 0, "amount": -10**9, "state": "reserved", "validBefore": 2**40})),
])
def test_a_damaged_shared_ledger_refuses_to_sign_like_the_file_ledger(redis_url: str, key, field, value) -> None:
    """The file ledger treats a negative or non-numeric amount as corrupt (refuse to sign, keep it);
    Redis summed it (`Used: $-999.99`) and kept signing."""
    import redis

    address = "0x" + "ee" * 20  # a ledger of its own: the damage stays in this test
    led = open_state(_settings(redis_url), None).ledger(address=address, chain="base")
    led.settle(led.reserve(1_000, daily_limit=50_000), tx="0x1")
    admin = redis.Redis.from_url(redis_url)
    prefix = led.prefix
    field = str(int(time.time() // 60)) if field == "minute" else field
    admin.hset(prefix + key, field, value)
    try:
        with pytest.raises(StateUnavailable) as info:
            led.reserve(1_000, daily_limit=50_000)
        assert "corrupt ledger" in info.value.message and "\n" not in info.value.message
        with pytest.raises(StateUnavailable):
            led.totals()
        assert admin.hexists(prefix + key, field)  # kept for inspection
    finally:
        admin.delete(*[prefix + k for k in ("open", "settled", "settled_n", "rejected", "recent", "meta")])


def test_serve_with_a_bad_state_is_one_line_before_anything_starts(tmp_path: Path) -> None:
    env = {**os.environ, "CLAWCLI_HOME": str(tmp_path / "h"), "CLAWCLI_OPENCLAW_HOME": str(tmp_path / "oc")}
    bad = subprocess.run([sys.executable, "-m", "clawcli", "serve", "--port", "0", "--state", "http://x:1"],
                         env=env, capture_output=True, text=True, timeout=60, check=False)
    assert bad.returncode != 0 and bad.stderr.startswith("error: invalid state URL 'http://x:1'")
    assert "Traceback" not in bad.stderr
    no_lib = ("import sys; sys.modules['redis'] = None; from clawcli.cli.main import run; "
              "sys.argv = ['claw', 'serve', '--port', '0', '--state', 'redis://127.0.0.1:1/0']; run()")
    out = subprocess.run([sys.executable, "-c", no_lib], env=env, capture_output=True, text=True, timeout=60,
                         check=False)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert out.stderr.splitlines()[0] == "error: --state redis://... needs the redis client library, which is not installed"
    assert not (tmp_path / "oc" / "blockrun").exists()  # failed before creating a wallet
