"""The wallet: keys (BIP-39 / BIP-32 / SLIP-10), ClawRouter-compatible key files, balances.

Public surface::

    from clawcli.core.wallet import resolve_wallet, ensure_wallet, banner_lines
    wallet = resolve_wallet(paths)            # None when there is no wallet at all
    result = ensure_wallet(paths)             # creates one on first need; result.created
    if result.created:
        print("\\n".join(banner_lines(result.wallet)))

Importing this package is cheap: bip-utils, httpx and eth-account are imported inside the
functions that need them.
"""

from clawcli.core.wallet.balance import BalanceCache, Balances, fetch_balances
from clawcli.core.wallet.constants import (
    ATOMIC_PER_USDC,
    BASE,
    BASE_SEPOLIA,
    SOLANA_DEVNET,
    SOLANA_MAINNET,
)
from clawcli.core.wallet.store import (
    ENV_KEY_VARS,
    EnsureResult,
    Wallet,
    WalletChange,
    banner_lines,
    create_wallet,
    ensure_wallet,
    import_key,
    import_mnemonic,
    read_chain,
    read_mnemonic,
    recover_wallet,
    require_wallet,
    resolve_wallet,
    set_chain,
)

__all__ = [
    "ATOMIC_PER_USDC",
    "BASE",
    "BASE_SEPOLIA",
    "ENV_KEY_VARS",
    "SOLANA_DEVNET",
    "SOLANA_MAINNET",
    "BalanceCache",
    "Balances",
    "EnsureResult",
    "Wallet",
    "WalletChange",
    "banner_lines",
    "create_wallet",
    "ensure_wallet",
    "fetch_balances",
    "import_key",
    "import_mnemonic",
    "read_chain",
    "read_mnemonic",
    "recover_wallet",
    "require_wallet",
    "resolve_wallet",
    "set_chain",
]
