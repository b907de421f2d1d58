"""route(): profiles, overrides, filters, explicit models, cost and savings (DESIGN.md §4)."""

import pytest

from clawcli.core.catalog import default_catalog
from clawcli.core.errors import RouterError, UnknownModelError
from clawcli.core.router import extract_features, route
from clawcli.core.router.select import build_chain

CAT = default_catalog()
TOOL = {"type": "function", "function": {"name": "read_file", "parameters": {"type": "object"}}}


def req(text, **kw):
    return {"messages": [{"role": "user", "content": text}], **kw}


def test_features_use_last_user_turn_and_text_parts():
    f = extract_features({"messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "first question"},
        {"role": "assistant", "content": "an answer"},
        {"role": "user", "content": [{"type": "text", "text": "what is"}, {"type": "image_url", "image_url": {"url": "x"}},
                                      {"type": "text", "text": "in this picture?"}]},
    ], "max_tokens": 100})
    assert f.text == "what is\nin this picture?"  # text parts, one per line (clawcli.core.messages)
    assert f.system == "Be brief."
    assert f.has_images and not f.has_tools
    assert f.max_tokens == 100
    assert f.input_tokens > 0


@pytest.mark.parametrize("bad", [{}, {"messages": []}, {"messages": "hi"}, {"messages": ["hi"]},
                                 {"messages": [{"role": "user", "content": "x"}], "max_tokens": "lots"}])
def test_unreadable_requests_are_router_errors(bad):
    with pytest.raises(RouterError):
        route(bad)


def test_decision_shape_and_cost_arithmetic():
    d = route(req("What is the capital of Peru?"))
    m = CAT.get(d.model)
    assert d.model == d.chain[0]
    assert d.estimated_cost == pytest.approx(d.input_tokens / 1e6 * m.input_price + 4096 / 1e6 * m.output_price)
    assert d.baseline_cost == pytest.approx(d.input_tokens / 1e6 * 5 + 4096 / 1e6 * 25)
    assert d.savings == pytest.approx(max(0, 1 - d.estimated_cost / d.baseline_cost))
    out = d.to_dict()
    for key in ("tier", "score", "confidence", "profile", "model", "chain", "dimensions", "agenticScore",
                "estimatedCost", "baselineCost", "savings", "inputTokens"):
        assert key in out
    assert all({"name", "weight", "value", "contribution", "matched"} <= set(x) for x in out["dimensions"])


def test_tier_maps_to_profile_primary():
    for profile in ("auto", "eco", "premium"):
        d = route(req("Prove that there are infinitely many primes."), profile=profile)
        assert d.tier == "REASONING"
        assert d.model == CAT.profiles[profile]["REASONING"][0]
        assert d.profile == profile


def test_free_profile_only_uses_the_free_model():
    d = route(req("Design a globally distributed database"), profile="free")
    assert d.chain == [CAT.free_model] and d.estimated_cost == 0 and d.savings == 1.0


def test_profile_from_model_field_with_prefix():
    assert route(req("hello", model="blockrun/eco")).profile == "eco"
    assert route(req("hello", model="clawcli/premium")).profile == "premium"


def test_explicit_model_skips_classification_and_appends_free_model():
    d = route(req("Prove Fermat's last theorem", model="sonnet"))
    assert d.explicit and d.tier == "EXPLICIT" and d.dimensions == []
    assert d.chain == ["anthropic/claude-sonnet-4.6", CAT.free_model]
    d = route(req("hi", model="sonnet", tools=[TOOL]))
    assert d.chain == ["anthropic/claude-sonnet-4.6"]  # no free model: it cannot call tools


def test_unknown_explicit_model_and_profile_are_errors():
    with pytest.raises(UnknownModelError):
        route(req("hi", model="gpt-17-ultra"))
    with pytest.raises(RouterError):
        route(req("hi"), profile="cheapest")


def test_tools_switch_auto_to_agentic_and_keep_only_tool_models():
    d = route(req("hello", tools=[TOOL]))
    assert d.profile == "agentic"
    assert CAT.free_model not in d.chain
    assert all(CAT.get(m).tools for m in d.chain)


def test_eco_with_tools_drops_models_without_tool_calling():
    d = route(req("hello", tools=[TOOL]), profile="eco")
    assert all(CAT.get(m).tools for m in d.chain)


def test_images_keep_only_vision_models_plus_no_blind_free_model():
    r = {"messages": [{"role": "user", "content": [{"type": "text", "text": "what is this?"},
                                                    {"type": "image_url", "image_url": {"url": "data:x"}}]}]}
    d = route(r)
    assert all(CAT.get(m).vision for m in d.chain)


def test_context_filter_with_headroom():
    chain = build_chain(CAT, CAT.profiles["auto"], "REASONING", needed_tokens=150_000)
    assert all(CAT.get(m).context_window >= 165_000 for m in chain)
    assert chain == ["openai/o3"]  # the free model (128k) does not fit either


def test_a_filter_that_would_empty_the_chain_is_skipped():
    notes = []
    chain = build_chain(CAT, CAT.profiles["auto"], "REASONING", needed_tokens=10, has_images=True, notes=notes)
    assert chain[:5] == CAT.profiles["auto"]["REASONING"][:5]
    assert any("vision filter skipped" in n for n in notes)


def test_exclude_list_always_applies_even_to_the_free_model():
    d = route(req("What is 2+2?"), exclude=["gemini-2.5-flash" if False else "flash", "nvidia"])
    assert "google/gemini-2.5-flash" not in d.chain and CAT.free_model not in d.chain
    everything = [m for chain in CAT.profiles["free"].values() for m in chain]
    with pytest.raises(RouterError):
        route(req("hi"), profile="free", exclude=everything + [m for t in CAT.profiles.values() for c in t.values() for m in c])


def test_structured_output_system_prompt_lifts_simple_to_medium():
    r = {"messages": [{"role": "system", "content": "Answer in JSON matching the schema."},
                      {"role": "user", "content": "What is 2+2?"}]}
    d = route(r)
    assert d.tier == "MEDIUM"
    assert any("structured" in x for x in d.reasons)


def test_huge_context_forces_at_least_complex():
    d = route(req("hi " + "lorem ipsum " * 40_000))
    assert d.tier in ("COMPLEX", "REASONING")


def test_chain_is_capped_and_deduplicated():
    for profile, tiers in CAT.profiles.items():
        for tier in tiers:
            chain = build_chain(CAT, tiers, tier, needed_tokens=100)
            assert len(chain) == len(set(chain)) <= CAT.max_chain + 1


@pytest.mark.parametrize("value", [0, -5, 2.5, True, "lots"])
def test_max_tokens_must_be_a_positive_integer(value):
    with pytest.raises(RouterError):
        route(req("hi", max_tokens=value))


def test_max_completion_tokens_is_read_when_max_tokens_is_absent():
    assert route(req("hi", max_completion_tokens=300)).max_tokens == 300
