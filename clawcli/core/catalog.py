"""The model catalog: ids, aliases, prices, context windows, capabilities, profile tables.

The data lives in the package (``clawcli/data/catalog.json`` and ``profiles.json``); a
gateway refresh (``claw models --refresh``) merges ``/v1/models`` into a cached copy that
:meth:`Catalog.load` prefers when present.

Alias resolution (DESIGN.md §5): case-insensitive, strips *one* known provider prefix
(``clawcli/``, ``blockrun/``, ``openrouter/``), follows delisted redirects, and an unknown
id raises :class:`UnknownModelError` naming the closest matches.
"""

from __future__ import annotations

import difflib
import functools
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from clawcli.core.errors import CatalogError, UnknownModelError

PROFILE_NAMES = ("auto", "eco", "premium", "free", "agentic")
TIERS = ("SIMPLE", "MEDIUM", "COMPLEX", "REASONING")
PROVIDER_PREFIXES = ("clawcli/", "blockrun/", "openrouter/")


@dataclass(frozen=True)
class Model:
    id: str
    name: str
    input_price: float  # USD per 1M input tokens
    output_price: float  # USD per 1M output tokens
    context_window: int
    max_output: int
    aliases: tuple[str, ...] = ()
    tools: bool = False
    vision: bool = False
    reasoning: bool = False
    agentic: bool = False
    version: str = ""

    @property
    def is_free(self) -> bool:
        return self.input_price == 0 and self.output_price == 0

    @property
    def provider(self) -> str:
        return self.id.split("/", 1)[0] if "/" in self.id else ""

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return input_tokens / 1e6 * self.input_price + output_tokens / 1e6 * self.output_price

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "aliases": list(self.aliases),
            "inputPrice": self.input_price,
            "outputPrice": self.output_price,
            "contextWindow": self.context_window,
            "maxOutput": self.max_output,
            "capabilities": {
                "tools": self.tools,
                "vision": self.vision,
                "reasoning": self.reasoning,
                "agentic": self.agentic,
            },
        }


@dataclass
class Catalog:
    models: dict[str, Model]
    #: lower-cased alias -> target id (a model id or a profile name)
    aliases: dict[str, str]
    #: delisted id -> redirect target id
    redirects: dict[str, str]
    #: profile -> tier -> ordered chain
    profiles: dict[str, dict[str, list[str]]]
    free_model: str = "nvidia/gpt-oss-120b"
    max_chain: int = 5
    tool_noncompliant: frozenset[str] = field(default_factory=frozenset)
    source: str = "package"

    # construction --------------------------------------------------------------------
    @classmethod
    def from_data(cls, catalog: dict[str, Any], profiles: dict[str, Any], source: str = "package") -> "Catalog":
        models: dict[str, Model] = {}
        aliases: dict[str, str] = {}
        redirects: dict[str, str] = {}
        try:
            for m in catalog["models"]:
                caps = m.get("capabilities", {})
                model = Model(
                    id=m["id"],
                    name=m.get("name", m["id"]),
                    input_price=float(m["inputPrice"]),
                    output_price=float(m["outputPrice"]),
                    context_window=int(m["contextWindow"]),
                    max_output=int(m.get("maxOutput", 4096)),
                    aliases=tuple(m.get("aliases", ())),
                    tools=bool(caps.get("tools")),
                    vision=bool(caps.get("vision")),
                    reasoning=bool(caps.get("reasoning")),
                    agentic=bool(caps.get("agentic")),
                    version=str(m.get("version", "")),
                )
                models[model.id] = model
                for a in model.aliases:
                    aliases[a.lower()] = model.id
            for d in catalog.get("delisted", ()):
                redirects[d["id"].lower()] = d["redirect"]
                for a in d.get("aliases", ()):
                    aliases[a.lower()] = d["redirect"]
            for a, target in catalog.get("profileAliases", {}).items():
                aliases[a.lower()] = target
            tables = profiles["profiles"]
        except (KeyError, TypeError, ValueError) as exc:
            raise CatalogError(f"catalog data from {source} is malformed: {exc!r}") from None
        return cls(
            models=models,
            aliases=aliases,
            redirects=redirects,
            profiles={p: {t: list(c) for t, c in tiers.items()} for p, tiers in tables.items()},
            free_model=catalog.get("freeModel", "nvidia/gpt-oss-120b"),
            max_chain=int(profiles.get("maxChain", 5)),
            tool_noncompliant=frozenset(profiles.get("toolNoncompliant", ())),
            source=source,
        )

    @classmethod
    def load(cls, cache_file: Path | None = None) -> "Catalog":
        """The packaged catalog, or the refreshed cache at ``cache_file`` when it exists and reads."""
        profiles = _package_json("profiles.json")
        if cache_file is not None and cache_file.exists():
            try:
                return cls.from_data(json.loads(cache_file.read_text("utf-8")), profiles, str(cache_file))
            except (OSError, ValueError, CatalogError):
                pass  # a broken cache never breaks routing: fall back to the packaged data
        return default_catalog()

    # lookups -------------------------------------------------------------------------
    def get(self, model_id: str) -> Model | None:
        return self.models.get(model_id)

    def __contains__(self, model_id: object) -> bool:
        return model_id in self.models

    def profile_name(self, name: str) -> str | None:
        """The routing profile a model id names (``auto``, ``blockrun/eco``, ``router``...), else None."""
        n = _strip_prefix(name.strip().lower())
        n = self.aliases.get(n, n)
        return n if n in PROFILE_NAMES else None

    def resolve(self, name: str) -> str:
        """Resolve an id or alias to a catalog model id (raises UnknownModelError)."""
        raw = name.strip()
        n = raw.lower()
        if not n:
            raise UnknownModelError(raw)
        candidates = [n]
        stripped = _strip_prefix(n)
        if stripped != n:
            candidates.append(stripped)
        for c in candidates:
            target = self._resolve_one(c)
            if target is not None:
                return target
        for c in candidates:
            # a bare model name (`gpt-4o`, `claude-sonnet-4.6`) names the one catalog id it ends
            # in; `claw bench models` accepted it while `ask`, `route` and `serve` did not
            hits = [mid for mid in self.models if mid.split("/", 1)[-1] == c]
            if len(hits) == 1:
                return hits[0]
        raise UnknownModelError(raw, self.suggest(stripped))

    def _resolve_one(self, n: str) -> str | None:
        seen = set()
        while n not in seen:
            seen.add(n)
            if n in self.models:
                return n
            if n in self.aliases:
                n = self.aliases[n].lower()
                continue
            if n in self.redirects:
                n = self.redirects[n].lower()
                continue
            return None
        return None

    def suggest(self, name: str, n: int = 3) -> list[str]:
        pool = list(self.models) + list(self.aliases)
        hits = difflib.get_close_matches(name, pool, n=n, cutoff=0.5)
        if not hits:  # try the bare model name against the bare ids ("sonet-4.6" vs "claude-sonnet-4.6")
            bare = {m.split("/", 1)[-1]: m for m in self.models}
            hits = [bare[h] for h in difflib.get_close_matches(name.split("/", 1)[-1], list(bare), n=n, cutoff=0.5)]
        out: list[str] = []
        for h in hits:
            target = self._resolve_one(h) or h
            if target not in out:
                out.append(target)
        return out

    def chain(self, profile: str, tier: str) -> list[str]:
        try:
            return list(self.profiles[profile][tier])
        except KeyError:
            raise CatalogError(f"no model table for profile {profile!r}, tier {tier!r}") from None

    def tiers_using(self, model_id: str) -> list[str]:
        """``profile/TIER`` labels of every table whose chain starts with ``model_id`` (primary) ..."""
        out = []
        for p, tiers in self.profiles.items():
            for t, chain in tiers.items():
                if chain and chain[0] == model_id:
                    out.append(f"{p}/{t}")
        return out


def _strip_prefix(n: str) -> str:
    for p in PROVIDER_PREFIXES:
        if n.startswith(p):
            return n[len(p):]
    return n


def _package_json(name: str) -> dict[str, Any]:
    return json.loads(resources.files("clawcli.data").joinpath(name).read_text("utf-8"))


@functools.cache
def default_catalog() -> Catalog:
    """The packaged catalog, parsed once per process (it is immutable data)."""
    return Catalog.from_data(_package_json("catalog.json"), _package_json("profiles.json"))
