"""Where clawcli keeps its files.

Two roots, both overridable so tests never touch the real home directory:

- ``CLAWCLI_HOME``: clawcli's own config (``config.toml``), caches and the spend ledger.
  Default: platformdirs' user config dir for "clawcli" (cache in the user cache dir).
- ``CLAWCLI_OPENCLAW_HOME``: the OpenClaw home (default ``~/.openclaw``). Wallet files and
  usage logs live in ``blockrun/`` below it, shared with ClawRouter.

Every directory clawcli creates is 0700 (:func:`private_dir`), whatever the umask: config.toml
sets the gateway, the limits and the payees, and the ledger holds the budget.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PRIVATE_DIR_MODE = 0o700


def private_dir(path: Path) -> Path:
    """Create ``path`` and any missing parents as 0700 directories, whatever the umask.

    ``Path.mkdir(parents=True)`` makes the parents with the umask's mode (0777 under umask 000);
    here every level this call creates is made 0700. Directories that already exist keep
    their mode (``~`` or a directory the user made on purpose is not ours to change).
    """
    path = Path(path)
    missing = []
    p = path
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        try:
            d.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:  # made by a concurrent claw process: fine, it is a directory or the
            continue             # caller's next step fails with a clear error
        os.chmod(d, PRIVATE_DIR_MODE)  # mkdir's mode is masked by the umask; chmod is not
    return path


@dataclass(frozen=True)
class Paths:
    config_dir: Path
    cache_dir: Path
    openclaw_home: Path

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Paths":
        env = os.environ if env is None else env
        home = env.get("CLAWCLI_HOME")
        if home:
            root = Path(home).expanduser()
            config_dir, cache_dir = root, root / "cache"
        else:
            import platformdirs

            config_dir = Path(platformdirs.user_config_dir("clawcli"))
            cache_dir = Path(platformdirs.user_cache_dir("clawcli"))
        oc = env.get("CLAWCLI_OPENCLAW_HOME")
        openclaw_home = Path(oc).expanduser() if oc else Path.home() / ".openclaw"
        return cls(config_dir=config_dir, cache_dir=cache_dir, openclaw_home=openclaw_home)

    # clawcli's own files -------------------------------------------------------------
    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def ledger_file(self) -> Path:
        """The spend ledger shared (under a file lock) by every claw process."""
        return self.config_dir / "spend-ledger.json"

    @property
    def catalog_cache(self) -> Path:
        """`claw models --refresh` writes the merged gateway catalog here."""
        return self.cache_dir / "models.json"

    # ClawRouter-compatible files -----------------------------------------------------
    @property
    def blockrun_dir(self) -> Path:
        return self.openclaw_home / "blockrun"

    @property
    def logs_dir(self) -> Path:
        return self.blockrun_dir / "logs"

    @property
    def wallet_key_file(self) -> Path:
        return self.blockrun_dir / "wallet.key"

    @property
    def mnemonic_file(self) -> Path:
        return self.blockrun_dir / "mnemonic"

    @property
    def payment_chain_file(self) -> Path:
        return self.blockrun_dir / "payment-chain"

    @property
    def exclude_file(self) -> Path:
        """User exclude list (JSON array of model ids), shared with ClawRouter."""
        return self.blockrun_dir / "exclude-models.json"
