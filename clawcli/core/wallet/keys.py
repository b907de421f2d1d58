"""Key material: BIP-39 mnemonics, the EVM key at m/44'/60'/0'/0/0 and the Solana key at
m/44'/501'/0'/0' (SLIP-10 ed25519), with the formats ClawRouter stores.

bip-utils is imported inside the functions (it costs ~0.3 s). Nothing here ever formats a
secret into an exception message.
"""

from __future__ import annotations

import re

from clawcli.core.errors import WalletError
from clawcli.core.wallet.constants import EVM_PATH, SOLANA_PATH

_KEY_RE = re.compile(r"0x[0-9a-fA-F]{64}")
# the order of the secp256k1 group: a private key must lie in [1, n-1]
_SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def generate_mnemonic() -> str:
    """A fresh 24-word English BIP-39 mnemonic (256 bits of entropy from the OS CSPRNG)."""
    from bip_utils import Bip39MnemonicGenerator, Bip39WordsNum

    return str(Bip39MnemonicGenerator().FromWordsNumber(Bip39WordsNum.WORDS_NUM_24))


def normalize_mnemonic(text: str) -> str:
    """Collapse whitespace and lower-case; raise WalletError unless it is a valid BIP-39 phrase."""
    from bip_utils import Bip39MnemonicValidator

    words = text.strip().lower().split()
    if len(words) not in (12, 15, 18, 21, 24):
        raise WalletError(
            f"a mnemonic has 12 or 24 words (got {len(words)})",
            "check the phrase; words are separated by spaces",
        )
    phrase = " ".join(words)
    try:
        ok = Bip39MnemonicValidator().IsValid(phrase)
    except Exception:  # bip-utils raises on unknown words in some versions
        ok = False
    if not ok:
        raise WalletError(
            "the mnemonic is not a valid BIP-39 phrase (unknown word or bad checksum)",
            "check the spelling and order of the words",
        )
    return phrase


def _seed(mnemonic: str) -> bytes:
    from bip_utils import Bip39SeedGenerator

    return bytes(Bip39SeedGenerator(mnemonic).Generate())  # empty passphrase, like ClawRouter


def derive_evm_key(mnemonic: str) -> str:
    """The EVM private key (``0x`` + 64 lowercase hex) at m/44'/60'/0'/0/0."""
    from bip_utils import Bip32Slip10Secp256k1

    node = Bip32Slip10Secp256k1.FromSeed(_seed(mnemonic)).DerivePath(EVM_PATH)
    return "0x" + node.PrivateKey().Raw().ToHex().lower()


def derive_solana_seed(mnemonic: str) -> bytes:
    """The 32-byte ed25519 seed at m/44'/501'/0'/0' (SLIP-10; what Phantom derives)."""
    from bip_utils import Bip32Slip10Ed25519

    node = Bip32Slip10Ed25519.FromSeed(_seed(mnemonic)).DerivePath(SOLANA_PATH)
    return bytes(node.PrivateKey().Raw().ToBytes())


def solana_address(seed: bytes) -> str:
    """The base58 address (ed25519 public key) of a 32-byte Solana seed."""
    from bip_utils import Ed25519PrivateKey, SolAddrEncoder

    pub = Ed25519PrivateKey.FromBytes(seed).PublicKey()
    return SolAddrEncoder.EncodeKey(pub)


def parse_evm_key(text: str, source: str) -> str:
    """Validate an EVM key and return it as ``0x`` + 64 lowercase hex.

    ``source`` names where it came from (a file path or an env var) for the error message;
    the key itself is never part of the message.
    """
    s = text.strip()
    if not _KEY_RE.fullmatch(s):
        hint = ("restore the key from your backup (`claw wallet import --key -`); "
                "clawcli never replaces an existing wallet on its own")
        if re.fullmatch(r"(?:0X)?[0-9a-fA-F]{64}", s):  # MetaMask exports keys without the prefix
            hint = "it looks like a key without its lowercase `0x` prefix: write it as 0x followed by the 64 hex characters"
        raise WalletError(
            f"{source} does not hold a valid EVM private key (expected 0x followed by 64 hex characters)", hint)
    value = int(s, 16)
    if not 0 < value < _SECP256K1_N:
        raise WalletError(
            f"{source} holds an out-of-range secp256k1 private key",
            "restore the key from your backup (`claw wallet import --key -`)",
        )
    return s.lower()


def evm_address(key: str) -> str:
    """EIP-55 checksummed address of an EVM private key (libsecp256k1: no bip-utils or
    eth-account import on the request path)."""
    from clawcli.core.wallet.evm_sign import address_of

    return address_of(key)
