"""What clawcli writes into OpenClaw's config: the ``clawcli`` provider and its model refs.

Pure functions of (catalog, port): the same inputs always give the same entries, which is
what makes a second ``claw inject-openclaw`` a no-op.
"""

from __future__ import annotations

from typing import Any

from clawcli.core.catalog import PROFILE_NAMES, Catalog, Model

#: Our provider id in ``models.providers``. Not ``clawrouter`` (a bundled OpenClaw plugin owns
#: it since 2026.7.1) and not ``blockrun`` (ClawRouter owns it): a distinct id means neither
#: can silently override the other.
PROVIDER_ID = "clawcli"
API = "openai-completions"
#: What earlier versions wrote as the provider's apiKey. OpenClaw 2026.9 runs turns against a
#: provider without one (payment is done by `claw serve` with the user's wallet), and
#: `openclaw doctor` warns about a plaintext secret when it is there: an apiKey is written only
#: for `--token`, and this placeholder is removed when found.
PLACEHOLDER_API_KEY = "x402-paid-by-claw-serve"

_PROFILE_LABELS = {
    "auto": "Claw Auto (balanced router)",
    "eco": "Claw Eco (cheapest router)",
    "premium": "Claw Premium (best-quality router)",
    "free": "Claw Free (free model only)",
    "agentic": "Claw Agentic (tool-using agents)",
}


def base_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/v1"


def model_ref(model_id: str) -> str:
    """How OpenClaw names one of our models (``clawcli/auto``, ``clawcli/openai/gpt-5.4``)."""
    return f"{PROVIDER_ID}/{model_id}"


def main_models(catalog: Catalog) -> list[Model]:
    """The catalog models worth offering directly in OpenClaw's picker.

    "Main" = the primary (first) model of some tier in some routing profile, plus the free
    model: the models the router actually leads with. Sorted by id so output is stable.
    """
    ids = {chain[0] for tiers in catalog.profiles.values() for chain in tiers.values() if chain}
    ids.add(catalog.free_model)
    return [catalog.models[i] for i in sorted(ids) if i in catalog.models]


def _num(x: float) -> float | int:
    """2.0 -> 2: OpenClaw (JSON.stringify) writes integral numbers without ".0"."""
    return int(x) if isinstance(x, float) and x.is_integer() else x


def _cost(inp: float, out: float) -> dict[str, Any]:
    return {"input": _num(inp), "output": _num(out), "cacheRead": 0, "cacheWrite": 0}


# OpenClaw sends a model's `maxTokens` as `max_tokens` on every request, and the gateway quotes
# (and we pay) the whole output reservation up front: a model's full max output (32k-128k for
# Opus, Sonnet, Gemini Pro, Codex) makes every call cost $0.9-2 and the default $0.50
# per-request cap refuses them all. 8192 is what the routing profiles already declare.
_OPENCLAW_MAX_TOKENS = 8192


def _model_entry(m: Model) -> dict[str, Any]:
    return {
        "id": m.id,
        "name": m.name,
        "reasoning": m.reasoning,
        "input": ["text", "image"] if m.vision else ["text"],
        "cost": _cost(m.input_price, m.output_price),
        "contextWindow": m.context_window,
        "maxTokens": min(m.max_output, _OPENCLAW_MAX_TOKENS),
    }


def _profile_entry(catalog: Catalog, profile: str) -> dict[str, Any]:
    """A routing profile as one OpenClaw model.

    The router picks the real model per request, so the numbers are conservative bounds:
    cost = the dearest tier primary (OpenClaw's estimates never understate), context and
    output = the smallest tier primary (OpenClaw never sends more than every tier can take).
    Images are declared when some model of the profile sees (the router filters to vision
    models for image requests). ``reasoning`` stays false: OpenClaw would otherwise send
    reasoning parameters that the routed model may not accept.
    """
    tiers = catalog.profiles.get(profile, {})
    primaries = [catalog.models[c[0]] for c in tiers.values() if c and c[0] in catalog.models]
    everyone = {i for c in tiers.values() for i in c if i in catalog.models}
    if not primaries:  # a profile without tables (should not happen): fall back to the free model
        primaries = [catalog.models[catalog.free_model]] if catalog.free_model in catalog.models else []
    vision = any(catalog.models[i].vision for i in everyone)
    return {
        "id": profile,
        "name": _PROFILE_LABELS.get(profile, f"Claw {profile}"),
        "reasoning": False,
        "input": ["text", "image"] if vision else ["text"],
        "cost": _cost(
            max((m.input_price for m in primaries), default=0),
            max((m.output_price for m in primaries), default=0),
        ),
        "contextWindow": min((m.context_window for m in primaries), default=128000),
        "maxTokens": min((m.max_output for m in primaries), default=4096),
    }


def model_entries(catalog: Catalog) -> list[dict[str, Any]]:
    """The five routing profiles first (what users should pick), then the main models."""
    return [_profile_entry(catalog, p) for p in PROFILE_NAMES] + [_model_entry(m) for m in main_models(catalog)]


def provider_entry(catalog: Catalog, port: int, api_key: str | None = None) -> dict[str, Any]:
    """Our provider; ``apiKey`` only when `claw serve` needs a token (OpenClaw then sends it)."""
    entry: dict[str, Any] = {"baseUrl": base_url(port), "api": API}
    if api_key:
        entry["apiKey"] = api_key
    entry["models"] = model_entries(catalog)
    return entry
