"""The wallet on disk: resolution, creation on first need, import, recovery, chain choice.

Files (shared with ClawRouter, under ``Paths.blockrun_dir``): ``wallet.key`` (``0x`` + 64
lowercase hex + newline), ``mnemonic`` (BIP-39 words + newline), ``payment-chain``
(``base``/``solana``). Resolution: the key file, then ``BLOCKRUN_WALLET_KEY`` /
``CLAWCLI_WALLET_KEY`` (never written to disk). A key that is present but malformed is a
hard error; nothing here ever replaces an existing key or mnemonic without a backup.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clawcli.core.errors import UsageError, WalletError
from clawcli.core.paths import Paths
from clawcli.core.wallet import derived, files, keys
from clawcli.core.wallet.constants import CHAINS

ENV_KEY_VARS = ("BLOCKRUN_WALLET_KEY", "CLAWCLI_WALLET_KEY")


@dataclass(frozen=True)
class Wallet:
    """The active wallet. Secrets are excluded from repr so they never reach a log line."""

    evm_address: str
    source: str  # "file" or "env:<VAR>"
    chain: str  # the effective payment chain
    key_file: Path
    mnemonic_file: Path
    solana_address: str | None = None
    has_mnemonic: bool = False
    #: True/False when a mnemonic exists (does it derive the EVM key?), None otherwise
    mnemonic_matches_evm: bool | None = None
    warnings: tuple[str, ...] = ()
    evm_key: str = field(default="", repr=False)
    solana_seed: bytes | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Public facts only (no secrets)."""
        return {
            "evm": {"address": self.evm_address},
            "solana": {"address": self.solana_address},
            "chain": self.chain,
            "source": self.source,
            "keyFile": str(self.key_file) if self.source == "file" else None,
            "mnemonicFile": str(self.mnemonic_file) if self.has_mnemonic else None,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class WalletChange:
    """What create/import/recover did: the resulting wallet and the backups written first."""

    wallet: Wallet
    backups: tuple[Path, ...] = ()
    created: bool = True


# -- reading ----------------------------------------------------------------------------


def read_chain(paths: Paths) -> str:
    """The persisted chain; anything but ``solana`` reads as ``base`` (ClawRouter's rule)."""
    text = files.read_text(paths.payment_chain_file)
    return "solana" if text is not None and text.strip().lower() == "solana" else "base"


def read_mnemonic(paths: Paths) -> str | None:
    """The validated mnemonic, None when the file is absent; WalletError when it is corrupt."""
    text = files.read_text(paths.mnemonic_file)
    if text is None:
        return None
    try:
        return keys.normalize_mnemonic(text)
    except WalletError:
        raise WalletError(
            f"{paths.mnemonic_file} is not a valid BIP-39 mnemonic",
            "restore it from your backup; clawcli will not replace it",
        ) from None


def _env_key(env: Mapping[str, str]) -> tuple[str, str] | None:
    found: dict[str, str] = {}
    for var in ENV_KEY_VARS:
        raw = env.get(var)
        if raw is None or raw == "":
            continue
        found[var] = keys.parse_evm_key(raw, var)  # malformed -> hard error, always
    if len(set(found.values())) > 1:
        raise WalletError(
            "BLOCKRUN_WALLET_KEY and CLAWCLI_WALLET_KEY hold different keys",
            "unset one of them",
        )
    if not found:
        return None
    var = next(iter(found))
    return var, found[var]


def _exposed(*secret_files: Path) -> list[str]:
    """Warnings for key files other users can read (ClawRouter wrote them with the umask).

    Only a warning: clawcli never rewrites a key file it did not just create."""
    out = []
    for f in secret_files:
        try:
            mode = f.stat().st_mode & 0o777
        except OSError:
            continue
        if mode & 0o077:
            out.append(f"{f} is readable by other users (mode {mode:o}): run `chmod 600 {f}`")
    return out


def resolve_wallet(paths: Paths, env: Mapping[str, str] | None = None) -> Wallet | None:
    """The active wallet, or None when there is none at all (nothing on disk, nothing in env).

    Raises WalletError for every state where guessing could lose funds: a corrupt key file,
    a malformed env key, a mnemonic without its key file.
    """
    env = os.environ if env is None else env
    warnings: list[str] = []
    env_key = _env_key(env)
    key_text = files.read_text(paths.wallet_key_file)
    if key_text is not None:
        key = keys.parse_evm_key(key_text, str(paths.wallet_key_file))
        source = "file"
        warnings += _exposed(paths.wallet_key_file, paths.mnemonic_file)
        if env_key and env_key[1] != key:
            warnings.append(
                f"{env_key[0]} is set but ignored: {paths.wallet_key_file} takes precedence "
                "(move the file away to use the env key)"
            )
    elif env_key:
        source, key = f"env:{env_key[0]}", env_key[1]
    else:
        if paths.mnemonic_file.exists():
            raise WalletError(
                f"found {paths.mnemonic_file} but no {paths.wallet_key_file.name}",
                "run `claw wallet recover` to derive the EVM key from the mnemonic, "
                "or set BLOCKRUN_WALLET_KEY; no new wallet was generated",
            )
        return None

    d = _derived(paths, key)
    if d.mnemonic_error:
        warnings.append(f"{d.mnemonic_error}; Solana is unavailable")
    solana_seed, solana_addr, matches = d.solana_seed, d.solana_address, d.matches_evm
    mnemonic = d.mnemonic_ok or None
    if mnemonic and not matches and source != "file":
        warnings.append(
            f"{paths.mnemonic_file.name} does not belong to the key in {source[4:]}; "
            "the Solana address comes from the mnemonic"
        )
    chain = read_chain(paths)
    if chain == "solana" and solana_seed is None:
        warnings.append("payment chain is solana but there is no Solana key; using base")
        chain = "base"
    return Wallet(
        evm_address=keys.evm_address(key),
        source=source,
        chain=chain,
        key_file=paths.wallet_key_file,
        mnemonic_file=paths.mnemonic_file,
        solana_address=solana_addr,
        has_mnemonic=mnemonic is not None,
        mnemonic_matches_evm=matches,
        warnings=tuple(warnings),
        evm_key=key,
        solana_seed=solana_seed,
    )


def _derived(paths: Paths, key: str) -> derived.Derived:
    """What the mnemonic file derives for ``key``: from the cache next to the key files when it was
    made from exactly these files, else derived now (bip-utils) and cached for the next run."""
    try:
        raw = paths.mnemonic_file.read_bytes()
    except FileNotFoundError:
        return derived.Derived(mnemonic_ok=False)
    except OSError:
        raw = None
    fp = derived.fingerprint(key, raw) if raw is not None else None
    if fp is not None:
        hit = derived.load(paths.blockrun_dir, fp)
        if hit is not None:
            return hit
    try:
        mnemonic = read_mnemonic(paths)
    except WalletError as exc:
        result = derived.Derived(mnemonic_ok=False, mnemonic_error=exc.message)
    else:
        if mnemonic is None:
            return derived.Derived(mnemonic_ok=False)
        seed = keys.derive_solana_seed(mnemonic)
        result = derived.Derived(mnemonic_ok=True, solana_seed=seed, solana_address=keys.solana_address(seed),
                                 matches_evm=keys.derive_evm_key(mnemonic) == key)
    if fp is not None:
        derived.save(paths.blockrun_dir, fp, result)
    return result


def require_wallet(paths: Paths, env: Mapping[str, str] | None = None) -> Wallet:
    wallet = resolve_wallet(paths, env)
    if wallet is None:
        raise WalletError("no wallet yet", "run `claw wallet create` (or `claw wallet import`)")
    return wallet


# -- writing ----------------------------------------------------------------------------


def _lock(paths: Paths):
    from filelock import FileLock

    files.ensure_private_dir(paths.blockrun_dir)
    return FileLock(str(paths.blockrun_dir / ".clawcli-wallet.lock"), timeout=30)


def _prepare_replace(
    paths: Paths, env: Mapping[str, str], targets: list[Path], force: bool, action: str
) -> list[Path]:
    """Refuse (nothing touched) or back up every existing target; return the backups."""
    existing = [p for p in targets if p.exists()]
    env_key = _env_key(env)
    if not force:
        if existing:
            raise WalletError(
                f"a wallet already exists ({', '.join(str(p) for p in existing)}); not overwriting it",
                f"`claw wallet {action} --force` replaces it after writing a timestamped backup",
            )
        if env_key:
            raise WalletError(
                f"{env_key[0]} is set; a new {paths.wallet_key_file.name} would silently take "
                "precedence over it",
                f"unset {env_key[0]} first, or pass --force",
            )
    return [files.backup(p) for p in existing]


def _write_wallet(paths: Paths, key: str, mnemonic: str | None, replace: bool) -> None:
    # key first: a concurrent reader then never sees a mnemonic without its key (a state that
    # is refused as "run recover"), and a crash in between loses no key that holds funds
    files.write_private(paths.wallet_key_file, key + "\n", replace=replace)
    if mnemonic is not None:
        files.write_private(paths.mnemonic_file, mnemonic + "\n", replace=replace)
    if not paths.payment_chain_file.exists():
        # only default to a chain we can sign payments on (reference §7.4)
        files.write_private(paths.payment_chain_file, "base\n")


def create_wallet(
    paths: Paths, env: Mapping[str, str] | None = None, *, force: bool = False
) -> WalletChange:
    """Generate a 24-word mnemonic and write the mnemonic and the derived EVM key."""
    env = os.environ if env is None else env
    with _lock(paths):
        backups = _prepare_replace(
            paths, env, [paths.wallet_key_file, paths.mnemonic_file], force, "create"
        )
        mnemonic = keys.generate_mnemonic()
        _write_wallet(paths, keys.derive_evm_key(mnemonic), mnemonic, replace=bool(backups))
        return WalletChange(_resolve_written(paths), tuple(backups))


def import_mnemonic(
    paths: Paths, text: str, env: Mapping[str, str] | None = None, *, force: bool = False
) -> WalletChange:
    env = os.environ if env is None else env
    mnemonic = keys.normalize_mnemonic(text)
    with _lock(paths):
        backups = _prepare_replace(
            paths, env, [paths.wallet_key_file, paths.mnemonic_file], force, "import"
        )
        _write_wallet(paths, keys.derive_evm_key(mnemonic), mnemonic, replace=bool(backups))
        return WalletChange(_resolve_written(paths), tuple(backups))


def import_key(
    paths: Paths, text: str, env: Mapping[str, str] | None = None, *, force: bool = False
) -> WalletChange:
    """Write ``wallet.key``. A mnemonic of a different wallet is backed up and removed (with
    --force) so the Solana address can never silently belong to another wallet."""
    env = os.environ if env is None else env
    key = keys.parse_evm_key(text, "the imported key")
    with _lock(paths):
        existing_mnemonic = None
        if paths.mnemonic_file.exists():
            try:
                existing_mnemonic = read_mnemonic(paths)
            except WalletError:
                existing_mnemonic = None
        keep_mnemonic = (
            existing_mnemonic is not None and keys.derive_evm_key(existing_mnemonic) == key
        )
        current = _read_quietly(paths.wallet_key_file)
        if current is not None and current.strip().lower() == key:
            # already this wallet: nothing to write (a Solana-only mnemonic stays, as in ClawRouter)
            return WalletChange(_resolve_written(paths), (), created=False)
        targets = [paths.wallet_key_file] + ([] if keep_mnemonic else [paths.mnemonic_file])
        backups = _prepare_replace(paths, env, targets, force, "import")
        if not keep_mnemonic and paths.mnemonic_file.exists():
            paths.mnemonic_file.unlink()  # backed up above
        files.write_private(
            paths.wallet_key_file, key + "\n", replace=paths.wallet_key_file.exists()
        )
        if not paths.payment_chain_file.exists():
            files.write_private(paths.payment_chain_file, "base\n")
        return WalletChange(_resolve_written(paths), tuple(backups))


def recover_wallet(
    paths: Paths, env: Mapping[str, str] | None = None, *, force: bool = False
) -> WalletChange:
    """Derive ``wallet.key`` from the existing mnemonic file (m/44'/60'/0'/0/0)."""
    env = os.environ if env is None else env
    with _lock(paths):
        mnemonic = read_mnemonic(paths)
        if mnemonic is None:
            raise WalletError(
                f"no mnemonic file at {paths.mnemonic_file}",
                "use `claw wallet import --mnemonic -` to restore from your words",
            )
        key = keys.derive_evm_key(mnemonic)
        current = _read_quietly(paths.wallet_key_file)
        if current is not None and current.strip().lower() == key:
            return WalletChange(_resolve_written(paths), (), created=False)
        backups = _prepare_replace(paths, env, [paths.wallet_key_file], force, "recover")
        files.write_private(paths.wallet_key_file, key + "\n", replace=bool(backups))
        return WalletChange(_resolve_written(paths), tuple(backups))


def set_chain(paths: Paths, chain: str, env: Mapping[str, str] | None = None) -> Wallet | None:
    chain = chain.strip().lower()
    if chain not in CHAINS:
        raise UsageError(f"unknown chain {chain!r}", "use base or solana")
    wallet = resolve_wallet(paths, env)
    if chain == "solana" and (wallet is None or wallet.solana_address is None):
        raise WalletError(
            "this wallet has no Solana key (no mnemonic file)",
            "import a mnemonic with `claw wallet import --mnemonic -`",
        )
    files.write_private(paths.payment_chain_file, chain + "\n", replace=True)
    return resolve_wallet(paths, env)


def _read_quietly(path: Path) -> str | None:
    """The file's text, or None when absent or unreadable (the caller refuses or backs it up)."""
    try:
        return files.read_text(path)
    except WalletError:
        return None


def _resolve_written(paths: Paths) -> Wallet:
    # resolve from the files only: what we just wrote is what the next process will see
    wallet = resolve_wallet(paths, env={})
    assert wallet is not None
    return wallet


@dataclass(frozen=True)
class EnsureResult:
    wallet: Wallet
    created: bool


def ensure_wallet(paths: Paths, env: Mapping[str, str] | None = None) -> EnsureResult:
    """The active wallet, created (under a lock, so concurrent first runs agree) if none exists."""
    env = os.environ if env is None else env
    try:
        wallet = resolve_wallet(paths, env)
    except WalletError:
        if paths.wallet_key_file.exists() or not paths.mnemonic_file.exists():
            raise
        wallet = None  # possibly another process mid-creation: decide under the lock
    if wallet is not None:
        return EnsureResult(wallet, created=False)
    with _lock(paths):
        wallet = resolve_wallet(paths, env)  # another process may have won the race
        if wallet is not None:
            return EnsureResult(wallet, created=False)
        mnemonic = keys.generate_mnemonic()
        _write_wallet(paths, keys.derive_evm_key(mnemonic), mnemonic, replace=False)
    wallet = resolve_wallet(paths, env)
    assert wallet is not None
    return EnsureResult(wallet, created=True)


def banner_lines(wallet: Wallet, settings: Any = None) -> list[str]:
    """The first-run banner: both addresses, where the files are, how to back them up, and the
    spend limits in force (``settings``; the defaults of a new config when not given)."""
    lines = [
        "Created a new clawcli wallet (compatible with ClawRouter).",
        f"  Base (EVM) address: {wallet.evm_address}",
    ]
    if wallet.solana_address:
        lines.append(f"  Solana address:     {wallet.solana_address}")
    lines += [
        f"  Key file:           {wallet.key_file}",
        f"  Mnemonic file:      {wallet.mnemonic_file}",
        "BACK IT UP NOW: `claw wallet export --show-secret` prints the 24 words and the key;",
        "store them offline. Anyone with them can spend the funds; losing them loses the funds.",
        "Fund it with `claw wallet fund` (USDC on Base, not ETH).",
        _limits_line(settings),
    ]
    return lines


def _limits_line(settings: Any) -> str:
    from clawcli.core.config import Settings

    s = settings if settings is not None else Settings()

    def usd(v: float | None) -> str:
        return "no cap" if v is None else f"${v:.2f}"

    return (f"Spend limits: {usd(s.max_per_request)} per request, {usd(s.hourly_limit)} per hour, "
            f"{usd(s.daily_limit)} per 24 h (change them with `claw wallet limits`).")
