"""Unit tests of the proxy's pieces: sessions, in-flight joining, headers, chat commands, errors."""

from __future__ import annotations

import asyncio

import pytest

from clawcli.core import errors as E
from clawcli.core.catalog import default_catalog
from clawcli.core.router import extract_features, route
from clawcli.core.router.types import TIER_RANK
from clawcli.core.upstream.types import CostCapExceeded
from clawcli.proxy import commands
from clawcli.proxy.dedup import InFlight, request_key
from clawcli.proxy.headers import ascii_safe, debug_comment, debug_enabled, decision_headers
from clawcli.proxy.responses import error_for_exception
from clawcli.proxy.sessions import SessionStore, derive_session_id
from clawcli.proxy.server import is_loopback

CAT = default_catalog()
HARD = ("Prove rigorously that there are infinitely many primes, then derive the asymptotic density of primes "
        "step by step, and analyse the complexity of the sieve of Eratosthenes.")


def _req(text: str, **kw):
    return {"model": kw.pop("model", "auto"), "messages": [{"role": "user", "content": text}], **kw}


def _route(text: str, **kw):
    body = _req(text, **kw)
    return route(body, catalog=CAT), extract_features(body)


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_session_tier_never_goes_down_and_model_stays_pinned() -> None:
    store = SessionStore()
    hard, fh = _route(HARD)
    easy, fe = _route("thanks!")
    assert TIER_RANK[easy.tier] < TIER_RANK[hard.tier]
    d1 = store.apply("s", hard, catalog=CAT, features=fh)
    store.record("s", d1, d1.model)
    d2 = store.apply("s", easy, catalog=CAT, features=fe)
    assert d2.tier == hard.tier and d2.model == d1.model and d2.chain[0] == d1.model
    assert any("session" in r for r in d2.reasons)
    # a fallback answered: the answering model becomes the pin, the tier stays
    store.record("s", d2, d2.chain[1])
    d3 = store.apply("s", easy, catalog=CAT, features=fe)
    assert d3.model == d2.chain[1] and d3.tier == hard.tier


def test_session_moves_up_to_a_harder_tier() -> None:
    store = SessionStore()
    easy, fe = _route("hi")
    hard, fh = _route(HARD)
    d1 = store.apply("s", easy, catalog=CAT, features=fe)
    store.record("s", d1, d1.model)
    d2 = store.apply("s", hard, catalog=CAT, features=fh)
    assert d2.tier == hard.tier and d2.model == hard.model  # the new tier's primary, not the old pin


def test_explicit_models_and_tool_requests_are_not_forced_onto_the_pin() -> None:
    store = SessionStore()
    easy, fe = _route("hi")
    store.record("s", easy, "deepseek/deepseek-chat")
    explicit, fx = _route("hi", model="openai/gpt-4o-mini")
    assert store.apply("s", explicit, catalog=CAT, features=fx) is explicit
    tools = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]
    store.record("t", easy, "deepseek/deepseek-reasoner")
    dt, ft = _route("call f", tools=tools)
    out = store.apply("t", dt, catalog=CAT, features=ft)
    if not CAT.get("deepseek/deepseek-reasoner").tools:
        assert out.model != "deepseek/deepseek-reasoner"
    assert CAT.get(out.model).tools


def test_session_expires_after_30_minutes_idle_and_store_is_bounded() -> None:
    clock = Clock()
    store = SessionStore(clock=clock, max_sessions=3)
    hard, fh = _route(HARD)
    easy, fe = _route("thanks")
    store.record("s", hard, hard.model)
    clock.t += 29 * 60
    assert store.apply("s", easy, catalog=CAT, features=fe).tier == hard.tier  # touched: sliding TTL
    clock.t += 29 * 60
    assert store.get("s") is not None
    clock.t += 31 * 60
    assert store.get("s") is None
    assert store.apply("s", easy, catalog=CAT, features=fe).tier == easy.tier
    for k in "abcd":
        store.record(k, easy, easy.model)
    assert len(store) == 3 and store.get("a") is None and store.get("d") is not None


def test_derived_session_id_uses_the_first_user_message() -> None:
    a = {"messages": [{"role": "system", "content": "x"}, {"role": "user", "content": "first"}]}
    b = {"messages": [{"role": "system", "content": "x"}, {"role": "user", "content": "first"},
                      {"role": "assistant", "content": "."}, {"role": "user", "content": "second"}]}
    assert derive_session_id(a) == derive_session_id(b) != derive_session_id(_req("other"))
    # the system prompt is part of a conversation's identity: another script, another session
    assert derive_session_id({"messages": [{"role": "system", "content": "y"}, *a["messages"][1:]]}) != derive_session_id(a)
    assert derive_session_id({"messages": [{"role": "system", "content": "x"}]}) is None
    arr = {"messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]}
    assert derive_session_id(arr)


def test_derived_session_id_of_a_long_system_prompt_follows_its_ends_and_length() -> None:
    """A ~50 KB agent system prompt is read by its length and both ends, not hashed whole."""
    def req(system: str) -> dict:
        return {"messages": [{"role": "system", "content": system}, {"role": "user", "content": "fix the build"}]}

    base = "workspace: " + "lorem ipsum dolor " * 3000
    dynamic = "<!-- openclaw:attempt:DYNAMIC -->\nTime: 19:27 UTC"
    sid = derive_session_id(req(base + dynamic))
    assert sid == derive_session_id(req(base + dynamic.replace("19:27", "19:42")))  # per-turn section ignored
    assert sid != derive_session_id(req("AGENTS.md changed " + base[18:] + dynamic))  # another head
    assert sid != derive_session_id(req(base + "tool: apply_patch" + dynamic))  # a tool added at the end
    assert sid != derive_session_id(req(base + " " + dynamic))  # another length


def test_request_key_covers_every_parameter_and_stream() -> None:
    base = _req("hello", temperature=0.1)
    assert request_key(base, None) == request_key(dict(reversed(list(base.items()))), None)  # key order
    for variant in ({**base, "stream": True}, {**base, "temperature": 0.2}, {**base, "tools": []},
                    {**base, "model": "eco"}, _req("hello!", temperature=0.1)):
        assert request_key(variant, None) != request_key(base, None)
    assert request_key(base, b"s1") != request_key(base, b"s2") != request_key(base, None)
    # the proxy keys on what validation already serialised: the same key, whatever the key order
    from clawcli.proxy.validate import validate_chat

    shuffled = dict(reversed(list(base.items())))
    assert request_key(shuffled, b"s1", validate_chat(shuffled)) == request_key(base, b"s1")
    assert request_key(base, None, validate_chat({**base, "temperature": 0.2})) != request_key(base, None)


async def test_inflight_joins_and_last_one_out_cancels() -> None:
    inflight = InFlight()
    started = asyncio.Event()
    calls = 0

    async def produce(flight):
        nonlocal calls
        calls += 1
        started.set()
        await asyncio.sleep(10)

    f1, s1, leader = inflight.start(b"k", produce)
    f2, s2, leader2 = inflight.start(b"k", produce)
    assert leader and not leader2 and f1 is f2 and f1.joined == 1
    await started.wait()
    f1.leave(s1)  # the original client goes away: the joined one still waits
    await asyncio.sleep(0)
    assert not f1.task.cancelled() and not f1.done
    f1.leave(s2)  # nobody is left: the upstream call is cancelled
    await asyncio.sleep(0.01)
    assert f1.task.cancelled() and f1.done and calls == 1 and len(inflight) == 0


async def test_inflight_result_and_error_reach_every_subscriber() -> None:
    inflight = InFlight()

    async def ok(flight):
        await asyncio.sleep(0.01)
        return "answer"

    f, s, _ = inflight.start(b"a", ok)
    f.subscribe()
    await f.task
    assert f.done and f.result == "answer" and len(inflight) == 0
    f3, _s, leader = inflight.start(b"a", ok)  # finished flights are not replayed
    assert leader and f3 is not f

    async def bad(flight):
        raise E.AllAttemptsFailed("all failed", [])

    g, _s, _ = inflight.start(b"b", bad)
    await asyncio.sleep(0.01)
    assert isinstance(g.error, E.AllAttemptsFailed)


def test_headers_are_ascii_and_complete() -> None:
    d, _ = _route("请证明根号二是无理数，并给出严格的推导过程。")
    hs = dict(decision_headers(d))
    assert set(hs) == {f"x-clawrouter-{n}".encode() for n in
                       ("profile", "tier", "model", "confidence", "reasoning", "agentic-score", "cost", "savings")}
    for v in hs.values():
        v.decode("ascii")
    assert ascii_safe("证明 100%") == "%E8%AF%81%E6%98%8E 100%25"
    assert ascii_safe("score=0.5 | 90%") == "score=0.5 | 90%"
    assert ascii_safe("a\nb") == "a%0Ab"
    c = debug_comment(d, model="x/y", cost=0.0012)
    assert c.startswith(b": x-clawrouter-debug profile=") and c.endswith(b"\n\n") and c.count(b"\n") == 2
    assert b"model=x/y" in c and b"cost=0.001200" in c
    assert debug_enabled(None) and debug_enabled(b"true") and not debug_enabled(b"false")
    assert not debug_enabled(b" FALSE ")


def test_chat_commands_match_only_the_last_user_message() -> None:
    assert commands.match([{"role": "user", "content": "/stats"}]) == ("stats", "")
    assert commands.match([{"role": "user", "content": " /stats 30d "}]) == ("stats", "30d")
    assert commands.match([{"role": "user", "content": [{"type": "text", "text": "/wallet"}]}]) == ("wallet", "")
    assert commands.match([{"role": "user", "content": "/wallet"}, {"role": "assistant", "content": "x"},
                           {"role": "user", "content": "what about /stats?"}]) is None
    assert commands.match([{"role": "user", "content": "/statsabc"}]) is None
    assert commands.match([{"role": "user", "content": "/debug"}]) is None
    assert commands._period("") == "7d" and commands._period("30") == "30d" and commands._period("all") is None


@pytest.mark.parametrize("exc,status,code", [
    (E.UnknownModelError("x", ["y"]), 400, "model_not_found"),
    (E.RouterError("no messages"), 400, "router_error"),
    (E.BadRequestError("bad"), 400, "bad_request"),
    (CostCapExceeded("cap", spent=1.0, cap=1.0), 429, "cost_cap_exceeded"),
    (E.PolicyRefusal("no"), 402, "policy_refused"),
    (E.AllAttemptsFailed("all", [{"model": "m"}]), 502, "all_attempts_failed"),
    (E.NetworkError("down"), 502, "network_error"),
    (RuntimeError("boom"), 500, "proxy_error"),
    (asyncio.CancelledError(), 503, "dedup_origin_cancelled"),
])
def test_error_mapping_is_openai_shaped(exc, status, code) -> None:
    s, body = error_for_exception(exc)
    assert s == status
    assert set(body) == {"error"} and body["error"]["code"] == code
    assert body["error"]["message"] and body["error"]["type"]


def test_loopback_detection() -> None:
    for h in ("127.0.0.1", "localhost", "::1", "[::1]", "127.1.2.3"):
        assert is_loopback(h)
    for h in ("0.0.0.0", "192.168.1.2", "::", "example.com"):
        assert not is_loopback(h)
