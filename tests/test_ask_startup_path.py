"""`claw ask`'s request path stays light (issue 15 #3): no bip-utils (the mnemonic's derivations
are kept next to the key files) and no eth-account (signing uses libsecp256k1 + Keccak, checked
here byte for byte against eth-account). Timing itself is a benchmark: benchmarks/ask_startup.py."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clawcli.core.paths import Paths
from clawcli.core.wallet import create_wallet, resolve_wallet
from clawcli.core.wallet import derived as derived_mod
from clawcli.core.wallet.evm_sign import (
    address_of,
    checksum_address,
    sign_digest,
    transfer_digest,
)
from clawcli.core.x402.evm import (
    TRANSFER_WITH_AUTHORIZATION_TYPES,
    recover_signer,
    sign_authorization,
)

KEYS = st.binary(min_size=32, max_size=32).filter(
    lambda b: 0 < int.from_bytes(b, "big") < 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141)


@settings(max_examples=40, deadline=None)
@given(key=KEYS, to=st.binary(min_size=20, max_size=20), value=st.integers(0, 2**64),
       after=st.integers(0, 2**40), before=st.integers(0, 2**40), nonce=st.binary(min_size=32, max_size=32),
       chain_id=st.sampled_from([8453, 84532, 1]), name=st.sampled_from(["USD Coin", "USDC", "Ünïcode"]))
def test_signature_is_byte_identical_to_eth_account(key, to, value, after, before, nonce, chain_id, name):
    from eth_account import Account
    from eth_account.messages import encode_typed_data

    acct = Account.from_key(key)
    assert address_of(key) == acct.address
    domain = {"name": name, "version": "2", "chainId": chain_id,
              "verifyingContract": "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"}
    msg = {"from": acct.address, "to": checksum_address("0x" + to.hex()), "value": value, "validAfter": after,
           "validBefore": before, "nonce": nonce}
    ref = acct.sign_message(encode_typed_data(domain_data=domain, message_types=TRANSFER_WITH_AUTHORIZATION_TYPES,
                                              message_data=msg))
    assert sign_digest(key, transfer_digest(domain, msg)) == bytes(ref.signature)


@settings(max_examples=60, deadline=None)
@given(raw=st.binary(min_size=20, max_size=20))
def test_checksum_matches_eth_utils(raw):
    from eth_utils import to_checksum_address

    assert checksum_address("0x" + raw.hex()) == to_checksum_address("0x" + raw.hex())
    assert checksum_address(raw.hex().upper()) == to_checksum_address("0x" + raw.hex())


@pytest.mark.parametrize("bad", ["0x1234", "0x" + "zz" * 20, "", "0x" + "ab" * 21])
def test_checksum_rejects_what_is_not_an_address(bad):
    with pytest.raises(ValueError):
        checksum_address(bad)


def test_x402_signatures_still_verify_with_eth_account():
    key = "0x" + secrets.token_hex(32)
    domain = {"name": "USD Coin", "version": "2", "chainId": 8453,
              "verifyingContract": "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"}
    sig, auth = sign_authorization(key, domain=domain, to="0x209693bc6afc0c5328ba36faf03c514ef312287c",
                                   value=1234, valid_after=1, valid_before=2)
    assert recover_signer(domain, auth, sig) == auth["from"] == address_of(key)
    assert auth["to"] == "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"


# --- the derived cache ------------------------------------------------------------------------------
def test_derivations_are_kept_next_to_the_key_files_and_follow_the_files():
    paths = Paths.from_env()
    created = create_wallet(paths).wallet
    cache = paths.blockrun_dir / derived_mod.FILE_NAME
    assert cache.exists() and oct(cache.stat().st_mode & 0o777) == "0o600"
    again = resolve_wallet(paths, env={})
    assert (again.solana_address, again.solana_seed, again.mnemonic_matches_evm) == \
        (created.solana_address, created.solana_seed, True)
    # a corrupt cache is derived again, never an error
    cache.write_text("{not json")
    assert resolve_wallet(paths, env={}).solana_address == created.solana_address
    assert json.loads(cache.read_text())["solanaAddress"] == created.solana_address
    # another mnemonic file (restored from a backup, edited): derived afresh, not taken from the cache
    words = paths.mnemonic_file.read_text().split()
    paths.mnemonic_file.write_text(" ".join(words[:-1] + ["notaword"]) + "\n")
    changed = resolve_wallet(paths, env={})
    assert changed.solana_address is None and any("not a valid BIP-39" in w for w in changed.warnings)


def test_a_second_resolution_needs_no_bip_utils():
    paths = Paths.from_env()
    create_wallet(paths)
    code = ("import sys; from clawcli.core.paths import Paths; from clawcli.core.wallet import resolve_wallet; "
            "w = resolve_wallet(Paths.from_env()); print(w.solana_address is not None, 'bip_utils' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, check=True)
    assert out.stdout.split() == ["True", "False"]


@pytest.mark.e2e
def test_a_paid_ask_imports_neither_bip_utils_nor_eth_account():
    from clawcli.testing import GatewayEmulator

    create_wallet(Paths.from_env())
    resolve_wallet(Paths.from_env())
    with GatewayEmulator() as gw:
        env = {**os.environ, "CLAWCLI_GATEWAY_URL": gw.url}
        res = subprocess.run([sys.executable, "-X", "importtime", "-m", "clawcli", "ask", "-m", "flash", "--no-log",
                              "hi"], env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        assert res.returncode == 0, res.stderr[-2000:]
        assert gw.paid_requests()  # it did sign and pay
    imported = {line.rsplit("|", 1)[-1].strip() for line in res.stderr.splitlines() if line.startswith("import time")}
    assert "coincurve" in imported
    for heavy in ("bip_utils", "eth_account", "eth_keyfile", "py_ecc", "pygments"):
        assert heavy not in imported, heavy
    assert not Path(os.environ["CLAWCLI_HOME"], "logs.db").exists()  # --no-log
