"""Wallet files: modes, atomic writes, resolution order and every refusal path."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from clawcli.core.errors import UsageError, WalletError
from clawcli.core.paths import Paths
from clawcli.core.wallet import (
    create_wallet,
    ensure_wallet,
    files,
    import_key,
    import_mnemonic,
    read_chain,
    recover_wallet,
    resolve_wallet,
    set_chain,
)

ABANDON = " ".join(["abandon"] * 23 + ["art"])
EVM_KEY = "0x1053fae1b3ac64f178bcc21026fd06a3f4544ec2f35338b001f02d1d8efa3d5f"
EVM_ADDR = "0xF278cF59F82eDcf871d630F28EcC8056f25C1cdb"
SOL_ADDR = "3Cy3YNTFywCmxoxt8n7UH6hg6dLo5uACowX3CFceaSnx"
OTHER_KEY = "0x" + "11" * 32


@pytest.fixture
def paths() -> Paths:
    return Paths.from_env()


def mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def snapshot(d: Path) -> dict[str, bytes]:
    # the lock file (.clawcli-wallet.lock) is not wallet state
    if not d.exists():
        return {}
    return {p.name: p.read_bytes() for p in sorted(d.iterdir()) if p.is_file() and not p.name.endswith(".lock")}


def test_create_writes_clawrouter_files_with_private_modes(paths: Paths) -> None:
    change = create_wallet(paths, env={})
    w = change.wallet
    d = paths.blockrun_dir
    assert mode(d) == 0o700
    for name in ("wallet.key", "mnemonic", "payment-chain"):
        assert mode(d / name) == 0o600, name
    key_text = (d / "wallet.key").read_text()
    assert key_text.endswith("\n") and len(key_text) == 67 and key_text == key_text.lower()
    words = (d / "mnemonic").read_text()
    assert words.endswith("\n") and len(words.split()) == 24
    assert (d / "payment-chain").read_text() == "base\n"
    assert w.source == "file" and w.mnemonic_matches_evm is True
    assert w.solana_address and w.evm_address.startswith("0x")
    # no temp files left behind
    assert not [p for p in d.iterdir() if p.name.endswith(".tmp")]


def test_loose_existing_dir_is_tightened(paths: Paths) -> None:
    paths.blockrun_dir.mkdir(parents=True, mode=0o755)
    os.chmod(paths.blockrun_dir, 0o755)
    import_mnemonic(paths, ABANDON, env={})
    assert mode(paths.blockrun_dir) == 0o700


def test_import_mnemonic_vector_and_resolution(paths: Paths) -> None:
    w = import_mnemonic(paths, ABANDON, env={}).wallet
    assert (w.evm_address, w.solana_address) == (EVM_ADDR, SOL_ADDR)
    assert paths.wallet_key_file.read_text() == EVM_KEY + "\n"
    again = resolve_wallet(paths, env={})
    assert again is not None and again.evm_address == EVM_ADDR
    assert EVM_KEY not in repr(again) and "abandon" not in repr(again)


def test_no_wallet_resolves_to_none_and_creates_nothing(paths: Paths) -> None:
    assert resolve_wallet(paths, env={}) is None
    assert not paths.blockrun_dir.exists()


def test_env_key_is_used_and_never_written(paths: Paths) -> None:
    w = resolve_wallet(paths, env={"BLOCKRUN_WALLET_KEY": EVM_KEY})
    assert w is not None and w.evm_address == EVM_ADDR and w.source == "env:BLOCKRUN_WALLET_KEY"
    w2 = resolve_wallet(paths, env={"CLAWCLI_WALLET_KEY": EVM_KEY})
    assert w2 is not None and w2.source == "env:CLAWCLI_WALLET_KEY"
    assert not paths.wallet_key_file.exists()
    # ensure_wallet with an env key creates nothing either
    res = ensure_wallet(paths, env={"BLOCKRUN_WALLET_KEY": EVM_KEY})
    assert not res.created and not paths.wallet_key_file.exists()


@pytest.mark.parametrize("bad", [EVM_KEY[2:], " " + EVM_KEY[:-2], "0xnothex", "   "])
def test_malformed_env_key_is_a_hard_error_never_a_new_wallet(paths: Paths, bad: str) -> None:
    env = {"BLOCKRUN_WALLET_KEY": bad}
    with pytest.raises(WalletError) as info:
        ensure_wallet(paths, env=env)
    assert "BLOCKRUN_WALLET_KEY" in info.value.message
    assert not paths.wallet_key_file.exists() and not paths.mnemonic_file.exists()
    with pytest.raises(WalletError):
        resolve_wallet(paths, env=env)


def test_conflicting_env_keys_refused(paths: Paths) -> None:
    with pytest.raises(WalletError, match="different keys"):
        resolve_wallet(paths, env={"BLOCKRUN_WALLET_KEY": EVM_KEY, "CLAWCLI_WALLET_KEY": OTHER_KEY})


def test_key_file_wins_over_env_with_a_warning(paths: Paths) -> None:
    import_mnemonic(paths, ABANDON, env={})
    w = resolve_wallet(paths, env={"BLOCKRUN_WALLET_KEY": OTHER_KEY})
    assert w is not None and w.evm_address == EVM_ADDR
    assert any("ignored" in x for x in w.warnings)


@pytest.mark.parametrize("content", ["not a key\n", EVM_KEY[2:] + "\n", "", "0x" + "zz" * 32])
def test_corrupt_key_file_is_a_hard_error_and_untouched(paths: Paths, content: str) -> None:
    files.ensure_private_dir(paths.blockrun_dir)
    paths.wallet_key_file.write_text(content)
    before = snapshot(paths.blockrun_dir)
    for call in (
        lambda: resolve_wallet(paths, env={}),
        lambda: ensure_wallet(paths, env={}),
        lambda: create_wallet(paths, env={}),
        lambda: import_mnemonic(paths, ABANDON, env={}),
    ):
        with pytest.raises(WalletError):
            call()
    assert snapshot(paths.blockrun_dir) == before


def test_unreadable_key_file_is_a_hard_error(paths: Paths, monkeypatch: pytest.MonkeyPatch) -> None:
    import_mnemonic(paths, ABANDON, env={})
    before = paths.wallet_key_file.read_bytes()
    if os.geteuid() == 0:
        # root reads a chmod-000 file anyway: make the read itself fail the way EACCES does
        real = Path.read_bytes
        key = paths.wallet_key_file

        def denied(self: Path) -> bytes:
            if self == key:
                raise PermissionError(13, "Permission denied", str(self))
            return real(self)

        monkeypatch.setattr(Path, "read_bytes", denied)
    os.chmod(paths.wallet_key_file, 0o000)
    try:
        with pytest.raises(WalletError, match="cannot read"):
            ensure_wallet(paths, env={})
    finally:
        os.chmod(paths.wallet_key_file, 0o600)
        monkeypatch.undo()
    assert paths.wallet_key_file.read_bytes() == before  # nothing regenerated or overwritten


def test_key_path_that_cannot_be_read_as_a_file_is_a_hard_error(paths: Paths) -> None:
    paths.wallet_key_file.mkdir(parents=True)  # works as root too, unlike chmod 000
    with pytest.raises(WalletError, match="cannot read"):
        ensure_wallet(paths, env={})
    assert paths.wallet_key_file.is_dir() and not paths.mnemonic_file.exists()


def test_mnemonic_without_key_refuses_to_generate(paths: Paths) -> None:
    files.write_private(paths.mnemonic_file, ABANDON + "\n")
    with pytest.raises(WalletError) as info:
        ensure_wallet(paths, env={})
    assert "recover" in (info.value.hint or "")
    assert not paths.wallet_key_file.exists()
    w = recover_wallet(paths, env={}).wallet
    assert w.evm_address == EVM_ADDR
    assert paths.wallet_key_file.read_text() == EVM_KEY + "\n"
    assert mode(paths.wallet_key_file) == 0o600


def test_existing_wallet_is_never_overwritten(paths: Paths) -> None:
    import_mnemonic(paths, ABANDON, env={})
    before = snapshot(paths.blockrun_dir)
    for call in (
        lambda: create_wallet(paths, env={}),
        lambda: import_mnemonic(paths, keys_other_mnemonic(), env={}),
        lambda: import_key(paths, OTHER_KEY, env={}),
    ):
        with pytest.raises(WalletError, match="already exists"):
            call()
    assert snapshot(paths.blockrun_dir) == before


def keys_other_mnemonic() -> str:
    return " ".join(["zoo"] * 11 + ["wrong"])


def test_force_backs_up_first(paths: Paths, monkeypatch: pytest.MonkeyPatch) -> None:
    import_mnemonic(paths, ABANDON, env={})
    change = create_wallet(paths, env={}, force=True)
    names = sorted(p.name for p in change.backups)
    assert len(names) == 2 and names[0].startswith("mnemonic.bak.") and names[1].startswith("wallet.key.bak.")
    key_backup = next(p for p in change.backups if p.name.startswith("wallet.key"))
    assert key_backup.read_text() == EVM_KEY + "\n" and mode(key_backup) == 0o600
    assert change.wallet.evm_address != EVM_ADDR
    # a second forced replace in the same second gets a distinct backup name
    change2 = import_mnemonic(paths, ABANDON, env={}, force=True)
    assert not set(change2.backups) & set(change.backups)
    assert change2.wallet.evm_address == EVM_ADDR


def test_create_refuses_while_env_key_is_set(paths: Paths) -> None:
    with pytest.raises(WalletError, match="BLOCKRUN_WALLET_KEY is set"):
        create_wallet(paths, env={"BLOCKRUN_WALLET_KEY": EVM_KEY})
    assert not paths.blockrun_dir.exists() or not paths.wallet_key_file.exists()


def test_import_key_replaces_an_unrelated_mnemonic_only_with_backup(paths: Paths) -> None:
    import_mnemonic(paths, ABANDON, env={})
    change = import_key(paths, OTHER_KEY, env={}, force=True)
    assert not paths.mnemonic_file.exists()  # it belonged to the old wallet; backed up
    assert any(p.name.startswith("mnemonic.bak.") for p in change.backups)
    assert change.wallet.solana_address is None
    # importing the same key again is a no-op, not a refusal
    again = import_key(paths, OTHER_KEY + "\n", env={})
    assert again.created is False and again.backups == ()


def test_import_key_keeps_the_matching_mnemonic(paths: Paths) -> None:
    files.write_private(paths.mnemonic_file, ABANDON + "\n")
    w = import_key(paths, EVM_KEY, env={}).wallet
    assert w.solana_address == SOL_ADDR and paths.mnemonic_file.exists()


def test_atomic_write_failure_leaves_old_file_and_no_temp(paths: Paths, monkeypatch: pytest.MonkeyPatch) -> None:
    import_mnemonic(paths, ABANDON, env={})
    before = snapshot(paths.blockrun_dir)

    def boom(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", boom)
    with pytest.raises(OSError):
        import_mnemonic(paths, keys_valid_other(), env={}, force=True)
    monkeypatch.undo()
    after = snapshot(paths.blockrun_dir)
    assert after["wallet.key"] == before["wallet.key"] and after["mnemonic"] == before["mnemonic"]
    assert not [n for n in after if n.endswith(".tmp")]


def keys_valid_other() -> str:
    from clawcli.core.wallet.keys import generate_mnemonic

    return generate_mnemonic()


def test_write_private_is_no_clobber(tmp_path: Path) -> None:
    target = tmp_path / "d" / "f"
    files.write_private(target, "one\n")
    with pytest.raises(WalletError):
        files.write_private(target, "two\n")
    assert target.read_text() == "one\n"
    files.write_private(target, "three\n", replace=True)
    assert target.read_text() == "three\n" and mode(target) == 0o600


def test_ensure_wallet_creates_once_even_when_racing(paths: Paths) -> None:
    results = []
    errors = []

    def run() -> None:
        try:
            results.append(ensure_wallet(paths, env={}))
        except Exception as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sum(r.created for r in results) == 1
    assert len({r.wallet.evm_address for r in results}) == 1
    assert ensure_wallet(paths, env={}).created is False


def test_chain_persistence(paths: Paths) -> None:
    with pytest.raises(WalletError):
        set_chain(paths, "solana", env={})  # no wallet, no Solana key
    import_key(paths, EVM_KEY, env={})
    with pytest.raises(WalletError, match="no Solana key"):
        set_chain(paths, "solana", env={})
    with pytest.raises(UsageError):
        set_chain(paths, "ethereum", env={})
    import_mnemonic(paths, ABANDON, env={}, force=True)
    w = set_chain(paths, "solana", env={})
    assert w is not None and w.chain == "solana" and read_chain(paths) == "solana"
    assert paths.payment_chain_file.read_text() == "solana\n"
    set_chain(paths, "base", env={})
    assert read_chain(paths) == "base"


def test_solana_chain_without_solana_key_falls_back_to_base(paths: Paths) -> None:
    import_key(paths, EVM_KEY, env={})
    files.write_private(paths.payment_chain_file, "solana\n", replace=True)
    w = resolve_wallet(paths, env={})
    assert w is not None and w.chain == "base" and any("no Solana key" in x for x in w.warnings)


def test_corrupt_mnemonic_is_a_warning_for_evm_and_never_replaced(paths: Paths) -> None:
    import_key(paths, EVM_KEY, env={})
    files.write_private(paths.mnemonic_file, "garbage words here\n")
    w = resolve_wallet(paths, env={})
    assert w is not None and w.solana_address is None and w.warnings
    with pytest.raises(WalletError):
        create_wallet(paths, env={})
    assert paths.mnemonic_file.read_text() == "garbage words here\n"


def test_force_over_a_binary_corrupt_key_keeps_an_exact_backup(paths: Paths) -> None:
    files.ensure_private_dir(paths.blockrun_dir)
    paths.wallet_key_file.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(WalletError, match="not a text file"):
        resolve_wallet(paths, env={})
    change = import_mnemonic(paths, ABANDON, env={}, force=True)
    (backup,) = change.backups
    assert backup.read_bytes() == b"\xff\xfe\x00garbage" and mode(backup) == 0o600
    assert change.wallet.evm_address == EVM_ADDR


def test_key_import_and_recover_over_a_corrupt_key_need_force(paths: Paths) -> None:
    files.ensure_private_dir(paths.blockrun_dir)
    paths.wallet_key_file.write_bytes(b"\xff\xfe")
    with pytest.raises(WalletError, match="already exists"):
        import_key(paths, EVM_KEY, env={})
    assert paths.wallet_key_file.read_bytes() == b"\xff\xfe"
    files.write_private(paths.mnemonic_file, ABANDON + "\n")
    with pytest.raises(WalletError, match="already exists"):
        recover_wallet(paths, env={})
    change = recover_wallet(paths, env={}, force=True)
    assert change.wallet.evm_address == EVM_ADDR and change.backups[0].read_bytes() == b"\xff\xfe"
