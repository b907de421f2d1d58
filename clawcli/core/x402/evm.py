"""EVM ``exact`` scheme: EIP-3009 TransferWithAuthorization signed as EIP-712 typed data.

Signing uses ``clawcli.core.wallet.evm_sign`` (libsecp256k1 + Keccak, ~30 ms of imports, checked
byte for byte against eth-account in the tests); eth-account (~1 s of import) is only imported
to verify a signature (``recover_signer``).
"""

from __future__ import annotations

import secrets
from typing import Any

from clawcli.core.errors import PaymentError
from clawcli.core.wallet.constants import EvmNetwork

TRANSFER_WITH_AUTHORIZATION_TYPES = {
    "TransferWithAuthorization": [
        {"name": "from", "type": "address"},
        {"name": "to", "type": "address"},
        {"name": "value", "type": "uint256"},
        {"name": "validAfter", "type": "uint256"},
        {"name": "validBefore", "type": "uint256"},
        {"name": "nonce", "type": "bytes32"},
    ]
}
#: back-dating of validAfter, absorbs clock skew between us and the facilitator
VALID_AFTER_SKEW_S = 600
#: used when a requirement has no maxTimeoutSeconds (BlockRun quotes 300)
DEFAULT_TIMEOUT_S = 300
#: an authorisation is never valid longer than this, whatever the gateway asks
MAX_TIMEOUT_S = 600


def checksum(address: str) -> str:
    from clawcli.core.wallet.evm_sign import checksum_address

    try:
        return checksum_address(address)
    except (ValueError, TypeError):
        raise PaymentError(f"invalid EVM address {address!r} in the payment requirements") from None


def domain_for(net: EvmNetwork, asset: str, extra: dict[str, Any]) -> dict[str, Any]:
    """EIP-712 domain: ``extra.name``/``extra.version`` with the known USDC values as defaults."""
    name = extra.get("name") if isinstance(extra.get("name"), str) and extra.get("name") else None
    version = extra.get("version") if isinstance(extra.get("version"), str) and extra.get("version") else None
    return {
        "name": name or net.domain_name,
        "version": version or net.domain_version,
        "chainId": net.chain_id,
        "verifyingContract": checksum(asset),
    }


def sign_authorization(
    private_key: str,
    *,
    domain: dict[str, Any],
    to: str,
    value: int,
    valid_after: int,
    valid_before: int,
    nonce: bytes | None = None,
) -> tuple[str, dict[str, str]]:
    """Sign and return ``(signature_hex, authorization)`` with every number a decimal string."""
    from clawcli.core.wallet.evm_sign import address_of, sign_digest, transfer_digest

    nonce = secrets.token_bytes(32) if nonce is None else nonce
    if len(nonce) != 32:
        raise ValueError("nonce must be 32 bytes")
    sender = address_of(private_key)
    message = {
        "from": sender,
        "to": checksum(to),
        "value": int(value),
        "validAfter": int(valid_after),
        "validBefore": int(valid_before),
        "nonce": nonce,
    }
    signature = "0x" + sign_digest(private_key, transfer_digest(domain, message)).hex()
    authorization = {
        "from": sender,
        "to": message["to"],
        "value": str(int(value)),
        "validAfter": str(int(valid_after)),
        "validBefore": str(int(valid_before)),
        "nonce": "0x" + nonce.hex(),
    }
    return signature, authorization


def recover_signer(domain: dict[str, Any], authorization: dict[str, str], signature: str) -> str:
    """The address that signed ``authorization`` (what a facilitator checks)."""
    from eth_account import Account
    from eth_account.messages import encode_typed_data

    message = {
        "from": authorization["from"],
        "to": authorization["to"],
        "value": int(authorization["value"]),
        "validAfter": int(authorization["validAfter"]),
        "validBefore": int(authorization["validBefore"]),
        "nonce": bytes.fromhex(authorization["nonce"].removeprefix("0x")),
    }
    signable = encode_typed_data(
        domain_data=domain, message_types=TRANSFER_WITH_AUTHORIZATION_TYPES, message_data=message
    )
    return Account.recover_message(signable, signature=signature)
