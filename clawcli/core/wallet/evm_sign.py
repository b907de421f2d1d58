"""EVM addresses and the EIP-712 signature of an EIP-3009 TransferWithAuthorization, on the
request path of `claw ask`.

Why not eth-account here: importing it costs ~1 s (eth-keyfile pulls in py_ecc's BLS pairing
code), which no background thread can hide (imports hold the GIL) and which was most of
`claw ask`'s start-up. The same result comes from libsecp256k1 (``coincurve``, RFC 6979
deterministic, low-s) and pycryptodome's Keccak-256 in ~30 ms of imports. Only the one struct
x402 signs is encoded here; tests check every function byte for byte against eth-account, which
stays the reference (and the verifier: ``clawcli.core.x402.evm.recover_signer``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_DOMAIN_TYPE = b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
_TRANSFER_TYPE = (b"TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,"
                  b"uint256 validBefore,bytes32 nonce)")


def warm() -> None:
    """Load the native libraries now (a background thread calls this while the first, unpaid
    request is on the wire, so the 402 finds them ready)."""
    from coincurve import PrivateKey  # noqa: F401
    from Crypto.Hash import keccak  # noqa: F401


def keccak256(data: bytes) -> bytes:
    from Crypto.Hash import keccak

    return keccak.new(digest_bits=256, data=data).digest()


def _address_bytes(address: str) -> bytes:
    text = address[2:] if address[:2] in ("0x", "0X") else address
    raw = bytes.fromhex(text)  # ValueError for non-hex
    if len(raw) != 20:
        raise ValueError(f"an EVM address has 20 bytes, not {len(raw)}")
    return raw


def checksum_address(address: str) -> str:
    """EIP-55 mixed-case checksum form; ValueError for anything that is not a 20-byte hex address."""
    if not isinstance(address, str):
        raise TypeError("address must be a string")
    text = _address_bytes(address).hex()
    digest = keccak256(text.encode("ascii")).hex()
    return "0x" + "".join(c.upper() if int(d, 16) >= 8 else c for c, d in zip(text, digest))


def _key_bytes(private_key: str | bytes) -> bytes:
    if isinstance(private_key, bytes):
        raw = private_key
    else:
        raw = bytes.fromhex(private_key[2:] if private_key[:2] in ("0x", "0X") else private_key)
    if len(raw) != 32:
        raise ValueError("a private key has 32 bytes")
    return raw


def address_of(private_key: str | bytes) -> str:
    """The checksummed address of a secp256k1 private key."""
    from coincurve import PrivateKey

    public = PrivateKey(_key_bytes(private_key)).public_key.format(compressed=False)[1:]
    return checksum_address("0x" + keccak256(public)[-20:].hex())


def _uint(n: int) -> bytes:
    if not 0 <= int(n) < 2**256:
        raise ValueError("uint256 out of range")
    return int(n).to_bytes(32, "big")


def domain_separator(domain: Mapping[str, Any]) -> bytes:
    return keccak256(
        keccak256(_DOMAIN_TYPE)
        + keccak256(str(domain["name"]).encode("utf-8"))
        + keccak256(str(domain["version"]).encode("utf-8"))
        + _uint(domain["chainId"])
        + _address_bytes(domain["verifyingContract"]).rjust(32, b"\0")
    )


def transfer_digest(domain: Mapping[str, Any], message: Mapping[str, Any]) -> bytes:
    """The EIP-712 digest of a TransferWithAuthorization (what the wallet signs)."""
    nonce = message["nonce"]
    if isinstance(nonce, str):
        nonce = bytes.fromhex(nonce.removeprefix("0x"))
    if len(nonce) != 32:
        raise ValueError("nonce must be 32 bytes")
    struct = keccak256(
        keccak256(_TRANSFER_TYPE)
        + _address_bytes(message["from"]).rjust(32, b"\0")
        + _address_bytes(message["to"]).rjust(32, b"\0")
        + _uint(message["value"])
        + _uint(message["validAfter"])
        + _uint(message["validBefore"])
        + bytes(nonce)
    )
    return keccak256(b"\x19\x01" + domain_separator(domain) + struct)


def sign_digest(private_key: str | bytes, digest: bytes) -> bytes:
    """65 bytes r || s || v (v = 27 or 28), as Ethereum wallets sign."""
    from coincurve import PrivateKey

    sig = PrivateKey(_key_bytes(private_key)).sign_recoverable(digest, hasher=None)
    return sig[:64] + bytes([sig[64] + 27])
