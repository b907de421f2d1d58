"""Captured agent requests (tests/fixtures/agent_requests/) routed by what the user asked.

The fixtures are real request bodies recorded from OpenClaw, the OpenAI Agents SDK and LangGraph
by scripts/capture_agent_requests.py (vendor prose replaced by filler of the same size). Each
records the words the capture typed as ``ask``; the tests put a prompt in their place.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import httpx
import pytest
from _proxy import Proxy

from clawcli.core.router import find_ask, route
from clawcli.proxy.sessions import derive_session_id

FIXTURES = Path(__file__).parent / "fixtures" / "agent_requests"
ENVELOPES = {p.stem: json.loads(p.read_text("utf-8")) for p in sorted(FIXTURES.glob("*.json"))}
PROOF = "Prove rigorously that there are infinitely many primes."
GREETING = "hi there, good morning!"


def wrap(name: str, prompt: str) -> dict:
    env = ENVELOPES[name]
    body = copy.deepcopy(env["body"])
    for m in reversed(body["messages"]):
        if m.get("role") == "user" and isinstance(m.get("content"), str) and env["ask"] in m["content"]:
            m["content"] = m["content"].replace(env["ask"], prompt)
            return body
    raise AssertionError(f"{name}: captured ask not found")


def test_fixtures_cover_three_clients_and_keep_their_markers():
    clients = {e["client"] for e in ENVELOPES.values()}
    assert {"openclaw", "openai-agents", "langgraph"} <= clients
    oc = ENVELOPES["openclaw_first_turn"]["body"]
    last = oc["messages"][-1]["content"][0]["text"]
    assert last.startswith("<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>") and last.endswith("<<<END_OPENCLAW_INTERNAL_CONTEXT>>>")
    assert oc["messages"][1]["content"].startswith("[Sun ") and "\n\nRuntime: agent=main | " in oc["messages"][1]["content"]
    assert len(oc["messages"][0]["content"]) > 40_000 and len(oc["tools"]) >= 10 and oc["stream"] is True
    after = ENVELOPES["openclaw_after_tool"]["body"]["messages"]
    assert any(m.get("tool_calls") for m in after) and any(m["role"] == "tool" for m in after)


@pytest.mark.parametrize("name", sorted(ENVELOPES))
def test_every_envelope_yields_the_typed_words_as_the_ask(name):
    env = ENVELOPES[name]
    ask = find_ask(env["body"]["messages"])
    assert ask.text == env["ask"]
    assert ask.mid_loop == name.endswith("after_tool")


@pytest.mark.parametrize("name", sorted(ENVELOPES))
def test_every_envelope_routes_a_proof_to_reasoning_and_a_greeting_to_simple(name):
    assert route(wrap(name, PROOF)).tier == "REASONING"
    assert route(wrap(name, GREETING)).tier == "SIMPLE"


def test_derived_session_is_stable_across_an_openclaw_conversation_and_apart_between_two():
    turn2 = ENVELOPES["openclaw_multi_turn"]["body"]
    turn1 = copy.deepcopy(turn2)
    turn1["messages"] = [turn1["messages"][0], turn1["messages"][1], turn1["messages"][-1]]  # before the reply
    assert derive_session_id(turn1) == derive_session_id(turn2)
    # a later turn re-stamps its own time; the first message keeps its own: still the same session
    later = copy.deepcopy(turn2)
    later["messages"][3]["content"] = later["messages"][3]["content"].replace("19:27", "23:59")
    assert derive_session_id(later) == derive_session_id(turn2)
    # another OpenClaw session starting with the same words is another conversation
    other = copy.deepcopy(turn1)
    other["messages"][1]["content"] = other["messages"][1]["content"].replace("sessionId=capture-multi", "sessionId=x")
    assert derive_session_id(other) != derive_session_id(turn1)
    # the same question under another system prompt is another conversation
    lg = ENVELOPES["langgraph_first_turn"]["body"]
    lg2 = copy.deepcopy(lg)
    lg2["messages"][0]["content"] = "You are a terse assistant."
    assert derive_session_id(lg) != derive_session_id(lg2)
    assert derive_session_id(lg) == derive_session_id(ENVELOPES["langgraph_after_tool"]["body"])


# ---------------------------------------------------------------------------- through claw serve
@pytest.fixture
def proxy(make_proxy) -> Proxy:
    return make_proxy()


def _tier(proxy: Proxy, body: dict, **headers: str) -> str:
    r, text = proxy.stream(body, **headers)  # OpenClaw always streams
    assert r.status_code == 200, text[:300]
    assert "data: [DONE]" in text
    return r.headers["x-clawrouter-tier"]


def test_openclaw_request_through_claw_serve_routes_by_the_ask(proxy: Proxy):
    assert _tier(proxy, wrap("openclaw_first_turn", PROOF)) == "REASONING"
    assert _tier(proxy, wrap("openclaw_first_turn", GREETING)) == "SIMPLE"
    assert _tier(proxy, wrap("openai_agents_first_turn", PROOF)) == "REASONING"
    # request compression runs before routing: it must not hide the ask
    assert _tier(proxy, wrap("openclaw_first_turn", PROOF), x_clawcli_compress="aggressive") == "REASONING"


def test_openclaw_mid_loop_through_claw_serve_keeps_the_task_tier(proxy: Proxy):
    assert _tier(proxy, wrap("openclaw_after_tool", PROOF)) == "REASONING"
    assert _tier(proxy, wrap("langgraph_after_tool", GREETING)) == "SIMPLE"


def test_openclaw_conversation_without_a_session_header_is_pinned(proxy: Proxy):
    turn2 = wrap("openclaw_multi_turn", "thanks!")
    turn1 = copy.deepcopy(turn2)
    turn1["messages"] = [turn1["messages"][0], turn1["messages"][1], turn1["messages"][-1]]
    turn1["messages"][1]["content"] = turn1["messages"][1]["content"].replace(
        "Remember the number 42 for me.", PROOF)
    turn2["messages"][1] = copy.deepcopy(turn1["messages"][1])
    assert _tier(proxy, turn1) == "REASONING"
    # the easy follow-up stays on the conversation's tier (a derived session, no header sent)
    assert _tier(proxy, turn2) == "REASONING"
    # the same follow-up in another OpenClaw session is routed on its own
    other = copy.deepcopy(turn2)
    other["messages"][1]["content"] = other["messages"][1]["content"].replace("sessionId=capture-multi", "sessionId=o")
    assert _tier(proxy, other) == "SIMPLE"
    assert httpx.get(proxy.url + "/health", timeout=5).status_code == 200


def test_envelope_benchmark_meets_its_target_on_the_dev_set():
    """benchmarks/router_eval.py --envelopes: every envelope within 2 points of bare, hard->SIMPLE <= 2%."""
    import importlib.util

    repo = Path(__file__).resolve().parent.parent
    eval_dir = repo.parent / "shared" / "eval"
    assert (eval_dir / "routing-dev.jsonl").exists(), f"the shared eval data is missing at {eval_dir}"
    spec = importlib.util.spec_from_file_location("router_eval", repo / "benchmarks" / "router_eval.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    rep = mod.envelope_report(mod.load(eval_dir / "routing-dev.jsonl"), mod.load_envelopes(FIXTURES))
    assert set(rep) == {"bare", *ENVELOPES}
    for name, r in rep.items():
        assert r["accuracy"] >= rep["bare"]["accuracy"] - 0.02, (name, r)
        assert r["hard_to_simple"] <= 0.02, (name, r)


def test_chat_command_typed_in_openclaw_is_answered_locally(proxy: Proxy, gw):
    r, text = proxy.stream(wrap("openclaw_first_turn", "/wallet"))
    assert r.status_code == 200 and "**Wallet**" in text and "USDC" in text
    assert gw.chat_requests() == []  # answered by claw serve: no upstream call, no payment
    # mid-loop, an earlier "/wallet" is not a command: the request goes to a model
    r, text = proxy.stream(wrap("openclaw_after_tool", "/wallet"))
    assert r.status_code == 200 and gw.chat_requests() and "x-clawrouter-tier" in r.headers
