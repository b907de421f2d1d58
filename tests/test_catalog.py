import json

import pytest

from clawcli.core.catalog import Catalog, default_catalog
from clawcli.core.catalog_refresh import merge_listing
from clawcli.core.errors import UnknownModelError


@pytest.fixture
def cat() -> Catalog:
    return default_catalog()


def test_every_reference_model_is_present_with_prices(cat):
    assert len(cat.models) == 44
    opus = cat.get("anthropic/claude-opus-4.6")
    assert (opus.input_price, opus.output_price, opus.context_window) == (5, 25, 200_000)
    assert opus.tools and opus.vision and opus.reasoning
    free = cat.get(cat.free_model)
    assert free.is_free and not free.tools


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Claude", "anthropic/claude-sonnet-4.6"),
        (" CLAUDE ", "anthropic/claude-sonnet-4.6"),
        ("blockrun/sonnet-4.6", "anthropic/claude-sonnet-4.6"),
        ("BLOCKRUN/ANTHROPIC/CLAUDE-SONNET-4.6", "anthropic/claude-sonnet-4.6"),
        ("clawcli/flash", "google/gemini-2.5-flash"),
        ("openrouter/anthropic/claude-opus-4.5", "anthropic/claude-opus-4.6"),
        ("xai/grok-code-fast-1", "deepseek/deepseek-chat"),  # delisted redirect
        ("blockrun/xai/grok-code-fast-1", "deepseek/deepseek-chat"),
        ("xai/grok-3-fast", "xai/grok-4-fast-reasoning"),
        ("google/gemini-3.1-pro-preview", "google/gemini-3.1-pro"),
        ("openai/gpt-4o", "openai/gpt-4o"),
        ("OpenAI/GPT-4o", "openai/gpt-4o"),
        ("kimi", "moonshot/kimi-k2.5"),
    ],
)
def test_alias_resolution(cat, name, expected):
    assert cat.resolve(name) == expected


def test_only_one_prefix_is_stripped(cat):
    with pytest.raises(UnknownModelError):
        cat.resolve("blockrun/clawcli/sonnet")


def test_unknown_model_names_closest_matches(cat):
    with pytest.raises(UnknownModelError) as ei:
        cat.resolve("anthropic/claude-sonet-4.6")
    assert "anthropic/claude-sonnet-4.6" in ei.value.suggestions
    assert "did you mean" in ei.value.hint


@pytest.mark.parametrize("name, profile", [("auto", "auto"), ("blockrun/eco", "eco"), ("clawcli/premium", "premium"),
                                           ("FREE", "free"), ("agentic", "agentic"), ("router", "auto"), ("sonnet", None)])
def test_profile_names(cat, name, profile):
    assert cat.profile_name(name) == profile


def test_every_profile_chain_names_catalog_models(cat):
    for profile, tiers in cat.profiles.items():
        assert set(tiers) == {"SIMPLE", "MEDIUM", "COMPLEX", "REASONING"}, profile
        for tier, chain in tiers.items():
            assert chain, (profile, tier)
            for m in chain:
                assert m in cat.models, (profile, tier, m)
            assert len(chain) == len(set(chain)), (profile, tier)


def test_agentic_tables_only_hold_tool_capable_models(cat):
    for chain in cat.profiles["agentic"].values():
        assert all(cat.get(m).tools for m in chain)


def test_refresh_merge_updates_prices_and_adds_models(cat):
    from importlib import resources

    base = json.loads(resources.files("clawcli.data").joinpath("catalog.json").read_text())
    listing = {"data": [
        {"id": "openai/gpt-4o", "inputPrice": 2.0, "outputPrice": 8.0},
        {"id": "acme/new-model", "inputPrice": 0.1, "outputPrice": 0.2, "context_length": 64000},
        {"id": "auto"},
        "garbage",
    ]}
    data, changes = merge_listing(base, listing)
    assert changes == {"added": ["acme/new-model"], "updated": ["openai/gpt-4o"]}
    profiles = json.loads(resources.files("clawcli.data").joinpath("profiles.json").read_text())
    merged = Catalog.from_data(data, profiles)
    assert merged.get("openai/gpt-4o").input_price == 2.0
    assert merged.get("acme/new-model").context_window == 64000
    assert merged.resolve("ACME/new-model") == "acme/new-model"


def test_broken_cache_falls_back_to_packaged_catalog(tmp_path):
    bad = tmp_path / "models.json"
    bad.write_text("{not json")
    assert len(Catalog.load(bad).models) == 44
