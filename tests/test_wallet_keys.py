"""Key derivation vectors and key/mnemonic validation (reference/x402-wallet.md §1.1)."""

from __future__ import annotations

import pytest

from clawcli.core.errors import WalletError
from clawcli.core.wallet import keys

ABANDON = " ".join(["abandon"] * 23 + ["art"])
EVM_KEY = "0x1053fae1b3ac64f178bcc21026fd06a3f4544ec2f35338b001f02d1d8efa3d5f"
EVM_ADDR = "0xF278cF59F82eDcf871d630F28EcC8056f25C1cdb"
SOL_SEED = "7c139e1a603ca04f5f7cff194e1bb6f6d1b9098470ea90695ab628488a9f921b"
SOL_ADDR = "3Cy3YNTFywCmxoxt8n7UH6hg6dLo5uACowX3CFceaSnx"


def test_evm_vector() -> None:
    key = keys.derive_evm_key(ABANDON)
    assert key == EVM_KEY
    assert keys.evm_address(key) == EVM_ADDR


def test_evm_address_matches_eth_account() -> None:
    from eth_account import Account

    assert Account.from_key(EVM_KEY).address == keys.evm_address(EVM_KEY)


def test_solana_vector_is_slip10_ed25519() -> None:
    seed = keys.derive_solana_seed(ABANDON)
    assert seed.hex() == SOL_SEED
    assert keys.solana_address(seed) == SOL_ADDR


def test_solana_address_matches_solders() -> None:
    solders = pytest.importorskip("solders.keypair")
    kp = solders.Keypair.from_seed(bytes.fromhex(SOL_SEED))
    assert str(kp.pubkey()) == SOL_ADDR


def test_generated_mnemonic_is_24_valid_words_and_fresh() -> None:
    a, b = keys.generate_mnemonic(), keys.generate_mnemonic()
    assert len(a.split()) == 24
    assert keys.normalize_mnemonic(a) == a
    assert a != b


def test_normalize_mnemonic_tolerates_spacing_and_case() -> None:
    messy = "  " + ABANDON.upper().replace(" ", "  \n ") + "\n"
    assert keys.normalize_mnemonic(messy) == ABANDON


@pytest.mark.parametrize(
    "phrase",
    [
        " ".join(["abandon"] * 24),  # bad checksum
        " ".join(["abandon"] * 23 + ["notaword"]),
        "abandon abandon art",
        "",
    ],
)
def test_invalid_mnemonics_rejected(phrase: str) -> None:
    with pytest.raises(WalletError):
        keys.normalize_mnemonic(phrase)


@pytest.mark.parametrize(
    "text",
    [
        EVM_KEY[2:],  # no 0x (the predecessor silently generated a new wallet for this)
        EVM_KEY + "00",
        EVM_KEY[:-1],
        "0x" + "g" * 64,
        "0x" + "0" * 64,  # zero is not a key
        "0x" + "f" * 64,  # above the curve order
        "",
    ],
)
def test_malformed_keys_rejected_without_echoing_them(text: str) -> None:
    with pytest.raises(WalletError) as info:
        keys.parse_evm_key(text, "BLOCKRUN_WALLET_KEY")
    assert "BLOCKRUN_WALLET_KEY" in info.value.message
    if len(text) > 10:
        assert text not in info.value.message and text[2:] not in str(info.value.hint)


def test_key_parsing_normalises_case_and_whitespace() -> None:
    assert keys.parse_evm_key("  " + EVM_KEY.upper().replace("0X", "0x") + "\n", "x") == EVM_KEY
