"""Where clawcli keeps its files.

Two roots, both overridable so tests never touch the real home directory:

- ``CLAWCLI_HOME``: clawcli's own config (``config.toml``), caches and the spend ledger.
  Default: platformdirs' user config dir for "clawcli" (cache in the user cache dir).
- ``CLAWCLI_OPENCLAW_HOME``: the OpenClaw home (default ``~/.openclaw``). Wallet files and
  usage logs live in ``blockrun/`` below it, shared with ClawRouter.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


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
