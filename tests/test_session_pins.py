"""Session pins in `claw serve`: what the pinned model may not override.

A session keeps answering with the model that answered last (clawcli/proxy/sessions.py), except
when that model cannot serve the request, and a pin belongs to one routing profile.
"""

from __future__ import annotations

import pytest

from clawcli.core.catalog import default_catalog
from clawcli.core.router import extract_features, route
from clawcli.proxy.sessions import SessionStore

NO_TOOLS = "google/gemini-3-flash-preview"  # a paid catalog model that cannot call tools
TOOLS = [{"type": "function", "function": {
    "name": "read_file", "description": "Read a file",
    "parameters": {"type": "object", "properties": {"path": {"type": "string"}}}}}]


def _apply(store: SessionStore, key: str, request: dict):
    cat = default_catalog()
    return store.apply(key, route(request, catalog=cat), catalog=cat, features=extract_features(request))


def test_a_pinned_model_that_cannot_call_tools_is_not_used_for_a_request_with_tools() -> None:
    cat = default_catalog()
    assert not cat.get(NO_TOOLS).tools
    plain = {"model": "auto", "messages": [{"role": "user", "content": "Explain how DNS resolution works."}]}
    with_tools = {**plain, "tools": TOOLS}
    store = SessionStore()
    first = _apply(store, "s", with_tools)
    # a fallback answered with a model that has no tool calling: it becomes the session's pin
    store.record("s", first, NO_TOOLS)
    assert _apply(store, "s", plain).model == NO_TOOLS  # the pin holds for a request it can serve
    pinned = _apply(store, "s", with_tools)
    assert pinned.model != NO_TOOLS and cat.get(pinned.model).tools
    assert NO_TOOLS not in pinned.chain[:1]


def test_a_session_keeps_one_pin_per_profile(make_proxy, gw) -> None:
    cat = default_catalog()
    eco_first, premium_first = cat.profiles["eco"]["SIMPLE"][0], cat.profiles["premium"]["SIMPLE"][0]
    assert eco_first != premium_first
    proxy = make_proxy()
    ask = [{"role": "user", "content": "What is the capital of Peru?"}]
    eco = proxy.post({"model": "eco", "messages": ask}, x_session_id="one-chat")
    assert eco.status_code == 200 and eco.headers["x-clawrouter-model"] == eco_first
    premium = proxy.post({"model": "premium", "messages": ask}, x_session_id="one-chat")
    assert premium.status_code == 200, premium.text
    # the premium conversation is not answered by the model the eco one pinned
    assert premium.headers["x-clawrouter-model"] == premium_first
    again = proxy.post({"model": "eco", "messages": ask}, x_session_id="one-chat")
    assert again.headers["x-clawrouter-model"] == eco_first


@pytest.mark.parametrize("profile", ["eco", "premium"])
def test_routing_tables_used_above_route_simple_questions_to_their_first_model(profile) -> None:
    """Guards the test above: it relies on the SIMPLE tier of both tables."""
    cat = default_catalog()
    question = [{"role": "user", "content": "What is the capital of Peru?"}]
    d = route({"model": profile, "messages": question}, catalog=cat)
    assert d.tier == "SIMPLE" and d.model == cat.profiles[profile]["SIMPLE"][0]
