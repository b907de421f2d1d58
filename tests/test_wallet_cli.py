"""`claw wallet` through the CLI: status, create/import/export/recover, chain, fund, limits."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clawcli.cli.main import app

ABANDON = " ".join(["abandon"] * 23 + ["art"])
EVM_KEY = "0x1053fae1b3ac64f178bcc21026fd06a3f4544ec2f35338b001f02d1d8efa3d5f"
EVM_ADDR = "0xF278cF59F82eDcf871d630F28EcC8056f25C1cdb"
SOL_ADDR = "3Cy3YNTFywCmxoxt8n7UH6hg6dLo5uACowX3CFceaSnx"
DEAD_RPC = "http://127.0.0.1:9"  # discard port: connection refused, instantly


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("CLAWCLI_BASE_RPC_URL", DEAD_RPC)
    monkeypatch.setenv("CLAWCLI_SOLANA_RPC_URL", DEAD_RPC)
    return CliRunner()


def blockrun() -> Path:
    return Path(os.environ["CLAWCLI_OPENCLAW_HOME"]) / "blockrun"


def claw(runner: CliRunner, *args: str, input: str | None = None):
    return runner.invoke(app, ["wallet", *args], input=input)


def imported(runner: CliRunner) -> None:
    r = claw(runner, "import", "--mnemonic", "-", input=ABANDON + "\n")
    assert r.exit_code == 0, r.output


def test_status_without_wallet_creates_nothing(runner: CliRunner) -> None:
    r = claw(runner, "--json")
    assert r.exit_code == 0
    d = json.loads(r.stdout)
    assert d["exists"] is False and d["evm"] == {"address": None, "balance": None}
    assert not blockrun().exists()
    r = claw(runner)
    assert "claw wallet create" in r.stdout


def test_import_mnemonic_from_stdin_then_status(runner: CliRunner) -> None:
    r = claw(runner, "import", "--mnemonic", "-", "--json", input="  " + ABANDON + "\n")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["evm"]["address"] == EVM_ADDR and d["solana"]["address"] == SOL_ADDR
    assert stat.S_IMODE((blockrun() / "wallet.key").stat().st_mode) == 0o600
    r = claw(runner)
    assert r.exit_code == 0
    assert EVM_ADDR in r.stdout and SOL_ADDR in r.stdout and "wallet.key" in r.stdout
    assert EVM_KEY[2:] not in r.output and "abandon" not in r.output


def test_secret_on_argv_is_refused(runner: CliRunner) -> None:
    r = claw(runner, "import", "--key", EVM_KEY)
    assert r.exit_code == 2 and "stdin" in r.stderr
    assert EVM_KEY not in r.output
    r = claw(runner, "import")
    assert r.exit_code == 2
    assert not (blockrun() / "wallet.key").exists()


def test_existing_wallet_refused_without_force(runner: CliRunner) -> None:
    imported(runner)
    before = (blockrun() / "wallet.key").read_bytes(), (blockrun() / "mnemonic").read_bytes()
    for args, inp in ((["create"], None), (["import", "--key", "-"], "0x" + "22" * 32)):
        r = claw(runner, *args, input=inp)
        assert r.exit_code == 1
        assert r.stderr.startswith("error: a wallet already exists") and "--force" in r.stderr
        assert "Traceback" not in r.output
    assert ((blockrun() / "wallet.key").read_bytes(), (blockrun() / "mnemonic").read_bytes()) == before
    r = claw(runner, "create", "--force", "--json")
    assert r.exit_code == 0
    d = json.loads(r.stdout)
    assert len(d["backups"]) == 2 and d["evm"]["address"] != EVM_ADDR
    assert any(Path(b).read_text() == EVM_KEY + "\n" for b in d["backups"])


def test_create_prints_banner_without_secrets(runner: CliRunner) -> None:
    r = claw(runner, "create")
    assert r.exit_code == 0, r.output
    key = (blockrun() / "wallet.key").read_text().strip()
    words = (blockrun() / "mnemonic").read_text().split()
    assert "Base (EVM) address: 0x" in r.stdout and "Solana address:" in r.stdout
    assert "claw wallet export --show-secret" in r.stdout
    assert key not in r.output and key[2:] not in r.output and " ".join(words) not in r.output


def test_export_import_round_trips_through_stdin(runner: CliRunner, tmp_path: Path, monkeypatch) -> None:
    imported(runner)
    hidden = claw(runner, "export")
    assert hidden.exit_code == 0 and EVM_KEY not in hidden.output and "--show-secret" in hidden.stdout
    r = claw(runner, "export", "--show-secret", "--json")
    assert r.exit_code == 0
    d = json.loads(r.stdout)
    assert d["evm"]["privateKey"] == EVM_KEY and d["mnemonic"] == ABANDON
    text = claw(runner, "export", "--show-secret")
    assert EVM_KEY in text.stdout and ABANDON in text.stdout
    # restore each secret into a fresh home
    for flag, secret, sol in (("--key", d["evm"]["privateKey"], None), ("--mnemonic", d["mnemonic"], SOL_ADDR)):
        fresh = tmp_path / f"fresh{flag}"
        monkeypatch.setenv("CLAWCLI_OPENCLAW_HOME", str(fresh))
        r = claw(runner, "import", flag, "-", "--json", input=secret + "\n")
        assert r.exit_code == 0, r.output
        got = json.loads(r.stdout)
        assert got["evm"]["address"] == EVM_ADDR and got["solana"]["address"] == sol
        assert (fresh / "blockrun" / "wallet.key").read_text() == EVM_KEY + "\n"


def test_export_asks_on_a_terminal(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    imported(runner)
    monkeypatch.setattr("clawcli.cli.wallet._is_tty", lambda: True)
    r = claw(runner, "export", "--show-secret", input="n\n")
    assert r.exit_code == 1 and EVM_KEY not in r.stdout
    r = claw(runner, "export", "--show-secret", input="y\n")
    assert r.exit_code == 0 and EVM_KEY in r.stdout
    r = claw(runner, "export", "--show-secret", "--yes")
    assert r.exit_code == 0 and EVM_KEY in r.stdout


def test_malformed_env_key_is_one_line_and_creates_nothing(runner: CliRunner, monkeypatch) -> None:
    monkeypatch.setenv("BLOCKRUN_WALLET_KEY", EVM_KEY[2:])
    for args in (["--json"], ["create"], ["fund"]):
        r = claw(runner, *args)
        assert r.exit_code == 1
        assert r.stderr.startswith("error: BLOCKRUN_WALLET_KEY does not hold a valid EVM private key")
        assert EVM_KEY[2:] not in r.output and "Traceback" not in r.output
    assert not (blockrun() / "wallet.key").exists()


def test_corrupt_key_file_is_refused_and_kept(runner: CliRunner) -> None:
    blockrun().mkdir(parents=True)
    (blockrun() / "wallet.key").write_text("0xdeadbeef\n")
    for args in (["--json"], ["create"], ["recover"]):
        r = claw(runner, *args)
        assert r.exit_code == 1 and "error:" in r.stderr
    assert (blockrun() / "wallet.key").read_text() == "0xdeadbeef\n"


def test_recover_from_mnemonic_file(runner: CliRunner) -> None:
    blockrun().mkdir(parents=True, mode=0o700)
    (blockrun() / "mnemonic").write_text(ABANDON + "\n")
    r = claw(runner, "--json")
    assert r.exit_code == 1 and "claw wallet recover" in r.stderr
    r = claw(runner, "recover", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["evm"]["address"] == EVM_ADDR
    assert (blockrun() / "wallet.key").read_text() == EVM_KEY + "\n"


def test_offline_balances_say_so_in_one_line(runner: CliRunner) -> None:
    imported(runner)
    r = claw(runner)
    assert r.exit_code == 0
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "offline" in lines[0] and DEAD_RPC in lines[0]
    d = json.loads(claw(runner, "--json").stdout)
    assert d["evm"]["balance"] is None and d["solana"]["balance"] is None and "offline" in d["balanceError"]


def test_balances_from_the_emulator_rpc(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    from clawcli.testing import GatewayEmulator

    imported(runner)
    with GatewayEmulator() as gw:
        gw.set_balance(EVM_ADDR, 2.5)
        gw.set_balance(SOL_ADDR, 0.75)
        monkeypatch.setenv("CLAWCLI_BASE_RPC_URL", gw.rpc_url)
        monkeypatch.setenv("CLAWCLI_SOLANA_RPC_URL", gw.solana_rpc_url)
        r = claw(runner, "--json")
        assert r.exit_code == 0, r.output
        d = json.loads(r.stdout)
        assert d["evm"] == {"address": EVM_ADDR, "balance": 2.5}
        assert d["solana"] == {"address": SOL_ADDR, "balance": 0.75}
        assert d["chain"] == "base" and d["balanceError"] is None
        text = claw(runner)
        assert "$2.50 USDC" in text.stdout and "$0.75 USDC" in text.stdout


def test_chain_switch_is_persisted(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    imported(runner)
    r = claw(runner, "chain", "solana", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["chain"] == "solana"
    assert (blockrun() / "payment-chain").read_text() == "solana\n"
    assert json.loads(claw(runner, "--json", "--no-balance").stdout)["chain"] == "solana"
    monkeypatch.setattr("importlib.util.find_spec", lambda name, *a: None if name == "solders" else object())
    r = claw(runner, "chain", "solana")
    assert "clawcli[solana]" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert claw(runner, "chain", "polygon").exit_code == 2
    assert claw(runner, "chain", "base").exit_code == 0
    assert (blockrun() / "payment-chain").read_text() == "base\n"


def test_fund_base_and_solana(runner: CliRunner) -> None:
    imported(runner)
    r = claw(runner, "fund", "--amount", "5")
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert "USDC on Base — not ETH" in out and EVM_ADDR in out
    assert "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913" in out
    assert (f"ethereum:0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913@8453/transfer?address={EVM_ADDR}"
            "&uint256=5000000") in out
    assert "█" in out  # the QR code
    d = json.loads(claw(runner, "fund", "--chain", "solana", "--json").stdout)
    assert d["address"] == SOL_ADDR and d["token"] == "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"
    assert d["uri"] == f"solana:{SOL_ADDR}?spl-token=EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"
    text = claw(runner, "fund", "--chain", "solana", "--no-qr").stdout
    assert "not SOL" in text and "█" not in text


def test_fund_qr_decodes_to_the_uri(runner: CliRunner) -> None:
    import segno

    imported(runner)
    uri = json.loads(claw(runner, "fund", "--json").stdout)["uri"]
    # the terminal QR is segno's rendering of exactly this URI
    import io

    buf = io.StringIO()
    segno.make(uri, error="m").terminal(out=buf, compact=True)
    assert buf.getvalue().rstrip("\n") in claw(runner, "fund").stdout


def test_limits_show_and_set(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    d = json.loads(claw(runner, "limits", "--json").stdout)
    # a new config has the default hourly and daily caps
    assert d["maxPerRequest"] == 0.5 and d["hourlyLimit"] == 10.0 and d["dailyLimit"] == 50.0
    assert d["networks"] == ["eip155:8453"] and d["spent"]["spentDay"] == 0
    payee = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"
    r = claw(runner, "limits", "--per-request", "0.25", "--daily", "5", "--hourly", "1", "--payee", payee)
    assert r.exit_code == 0, r.output
    assert "per request  $0.25" in r.stdout and "daily        $5.00" in r.stdout
    cfg = (Path(os.environ["CLAWCLI_HOME"]) / "config.toml").read_text()
    assert "max_per_request = 0.25" in cfg and "daily_limit = 5.0" in cfg and payee in cfg
    r = claw(runner, "limits", "--hourly", "off", "--per-request", "off", "--json")
    d = json.loads(r.stdout)
    assert d["hourlyLimit"] is None and d["maxPerRequest"] is None and d["dailyLimit"] == 5.0
    assert list((Path(os.environ["CLAWCLI_HOME"])).glob("config.toml.bak.*"))  # backed up
    for bad in (["--daily", "-1"], ["--daily", "lots"], ["--payee", "0x123"]):
        assert claw(runner, "limits", *bad).exit_code == 2
    monkeypatch.setenv("CLAWCLI_DAILY_LIMIT", "9")
    r = claw(runner, "limits", "--daily", "3")
    assert "CLAWCLI_DAILY_LIMIT is set" in r.stderr


@pytest.mark.parametrize("address, says", [
    ("0x0000000000000000000000000000000000000000", "is the zero address"),  # burns what is sent
    ("0x209693Bc6afc0C5328bA36FaF03C514EF312287c", "fails its EIP-55 checksum"),  # last letter's case changed
    ("11111111111111111111111111111111", "all-zero address"),  # Solana's System Program
])
def test_limits_refuse_a_payee_that_cannot_be_a_gateway(runner: CliRunner, address: str, says: str) -> None:
    r = claw(runner, "limits", "--payee", address)
    assert r.exit_code == 2 and says in r.stderr and "hint:" in r.stderr, r.output
    assert address not in json.dumps(json.loads(claw(runner, "limits", "--json").stdout))  # nothing saved
    ok = "0x209693bc6afc0c5328ba36faf03c514ef312287c"  # all lower case carries no checksum: accepted
    assert claw(runner, "limits", "--payee", ok).exit_code == 0


def test_env_key_wallet_is_shown_and_never_written(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAWCLI_WALLET_KEY", EVM_KEY)
    d = json.loads(claw(runner, "--json", "--no-balance").stdout)
    assert d["evm"]["address"] == EVM_ADDR and d["source"] == "env:CLAWCLI_WALLET_KEY"
    assert d["keyFile"] is None and d["solana"]["address"] is None
    r = claw(runner, "--no-balance")
    assert "CLAWCLI_WALLET_KEY (environment; not stored on disk)" in r.stdout
    assert EVM_KEY not in r.output
    assert not (blockrun() / "wallet.key").exists()


def test_no_command_but_export_show_secret_ever_prints_a_secret(runner: CliRunner) -> None:
    imported(runner)
    words = set(ABANDON.split())
    runs = [
        [], ["--json"], ["--no-balance"], ["fund"], ["fund", "--json"], ["limits"], ["limits", "--json"],
        ["chain", "base"], ["export"], ["export", "--json"], ["recover"], ["recover", "--json"], ["create"],
    ]
    for args in runs:
        r = claw(runner, *args)
        text = r.output
        assert EVM_KEY[2:] not in text.lower(), args
        assert not (words & set(text.lower().split())), args


def test_one_chain_offline_names_only_that_chain(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    from clawcli.testing import GatewayEmulator

    imported(runner)
    with GatewayEmulator() as gw:
        gw.set_balance(SOL_ADDR, 3)
        monkeypatch.setenv("CLAWCLI_SOLANA_RPC_URL", gw.solana_rpc_url)
        r = claw(runner)
    assert r.exit_code == 0 and "$3.00 USDC" in r.stdout
    (line,) = [x for x in r.stderr.splitlines() if x.strip()]
    assert "base: could not reach" in line and "solana" not in line
