"""What the mnemonic derives, kept next to the key files so no request has to derive it again.

Deriving the Solana seed and checking the mnemonic take bip-utils (~0.3-0.5 s of import plus
PBKDF2) — on every `claw ask`, for values that never change. They are derived once and stored in
``blockrun/.clawcli-derived.json``, mode 0600 in the 0700 wallet directory like the mnemonic
itself (the Solana seed is as secret as the words). The file is bound to the exact bytes of the
key and mnemonic it came from (a SHA-256 fingerprint): edit, replace or restore either file and
the next run derives afresh. A missing, corrupt or stale file is never an error.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FILE_NAME = ".clawcli-derived.json"
VERSION = 1


@dataclass(frozen=True)
class Derived:
    mnemonic_ok: bool
    mnemonic_error: str | None = None  # why the mnemonic is unusable (a warning), when not ok
    solana_seed: bytes | None = None
    solana_address: str | None = None
    matches_evm: bool | None = None


def fingerprint(key: str, mnemonic_bytes: bytes) -> str:
    h = hashlib.sha256()
    h.update(key.encode("ascii") + b"\0" + mnemonic_bytes)
    return h.hexdigest()


def path_for(blockrun_dir: Path) -> Path:
    return Path(blockrun_dir) / FILE_NAME


def load(blockrun_dir: Path, fp: str) -> Derived | None:
    try:
        obj: dict[str, Any] = json.loads(path_for(blockrun_dir).read_text("utf-8"))
        if obj.get("v") != VERSION or obj.get("fingerprint") != fp:
            return None
        seed = obj.get("solanaSeed")
        return Derived(mnemonic_ok=bool(obj["mnemonicOk"]), mnemonic_error=obj.get("mnemonicError"),
                       solana_seed=bytes.fromhex(seed) if seed else None, solana_address=obj.get("solanaAddress"),
                       matches_evm=obj.get("matchesEvm"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def save(blockrun_dir: Path, fp: str, d: Derived) -> None:
    """Best effort: a read-only wallet directory only costs the next run the derivation."""
    from clawcli.core.errors import WalletError
    from clawcli.core.wallet import files

    obj = {"v": VERSION, "fingerprint": fp, "mnemonicOk": d.mnemonic_ok, "mnemonicError": d.mnemonic_error,
           "solanaSeed": d.solana_seed.hex() if d.solana_seed else None, "solanaAddress": d.solana_address,
           "matchesEvm": d.matches_evm}
    try:
        files.write_private(path_for(blockrun_dir), json.dumps(obj), replace=True)
    except (OSError, WalletError):
        pass
