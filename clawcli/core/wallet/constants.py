"""Chain constants: USDC contracts, network ids, EIP-712 domains (reference/x402-wallet.md §1.8).

Plain data, no imports: the CLI and the policy read these without paying for eth-account.
"""

from __future__ import annotations

from dataclasses import dataclass

USDC_DECIMALS = 6
#: 1 USDC in atomic units (6 decimals); amounts are ints of these everywhere inside clawcli
ATOMIC_PER_USDC = 10**USDC_DECIMALS

EVM_PATH = "m/44'/60'/0'/0/0"
SOLANA_PATH = "m/44'/501'/0'/0'"  # SLIP-10 ed25519, every level hardened (Phantom, Solflare)

CHAINS = ("base", "solana")


@dataclass(frozen=True)
class EvmNetwork:
    caip2: str  # x402 v2 network id
    v1_name: str  # x402 v1 network name
    chain_id: int
    usdc: str  # EIP-55 checksummed USDC contract
    domain_name: str  # EIP-712 domain of the USDC contract
    domain_version: str
    label: str
    explorer: str


BASE = EvmNetwork(
    caip2="eip155:8453",
    v1_name="base",
    chain_id=8453,
    usdc="0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
    domain_name="USD Coin",
    domain_version="2",
    label="Base",
    explorer="https://basescan.org/address/",
)
BASE_SEPOLIA = EvmNetwork(
    caip2="eip155:84532",
    v1_name="base-sepolia",
    chain_id=84532,
    usdc="0x036CbD53842c5426634e7929541eC2318f3dCF7e",
    domain_name="USDC",
    domain_version="2",
    label="Base Sepolia",
    explorer="https://sepolia.basescan.org/address/",
)
EVM_NETWORKS = (BASE, BASE_SEPOLIA)


@dataclass(frozen=True)
class SolanaNetwork:
    caip2: str
    v1_name: str
    usdc_mint: str
    label: str
    explorer: str


SOLANA_MAINNET = SolanaNetwork(
    caip2="solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp",
    v1_name="solana",
    usdc_mint="EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v",
    label="Solana",
    explorer="https://solscan.io/account/",
)
SOLANA_DEVNET = SolanaNetwork(
    caip2="solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1",
    v1_name="solana-devnet",
    usdc_mint="4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU",
    label="Solana devnet",
    explorer="https://solscan.io/account/",
)


def evm_network(network: str) -> EvmNetwork | None:
    """The EVM network for an x402 network id, v2 (``eip155:8453``) or v1 (``base``)."""
    n = (network or "").strip().lower()
    for net in EVM_NETWORKS:
        if n in (net.caip2, net.v1_name):
            return net
    return None


SOLANA_NETWORKS = (SOLANA_MAINNET, SOLANA_DEVNET)


def solana_network_of(network: str) -> SolanaNetwork | None:
    """The Solana network for an x402 network id, v2 (``solana:5eykt…``) or v1 (``solana``)."""
    n = (network or "").strip()
    for net in SOLANA_NETWORKS:
        if n == net.caip2 or n.lower() == net.v1_name:
            return net
    return None


def base_network(testnet: bool) -> EvmNetwork:
    return BASE_SEPOLIA if testnet else BASE


def solana_network(testnet: bool) -> SolanaNetwork:
    return SOLANA_DEVNET if testnet else SOLANA_MAINNET
