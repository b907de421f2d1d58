"""What the router and the proxy's message walkers remember between requests never changes an answer.

Each memo is keyed by something cheaper than the whole text (its identity, or its length and both
ends) and must confirm a hit; these tests give it texts that share the cheap key and differ
elsewhere, and compare with what a fresh computation says.
"""

from __future__ import annotations

import math
import random
import re

from clawcli.core.messages import estimate_tokens as raw_estimate
from clawcli.core import messages as messages_mod
from clawcli.core.router import _JSON, extract_features, estimate_tokens
from clawcli.core.router import ask as ask_mod
from clawcli.core.router.ask import INJECTED_BLOCKS, _cut_blocks, clean_user_text
from clawcli.proxy import sessions
from clawcli.proxy.sessions import derive_session_id

HEAD = "h" * 100
TAIL = "t" * 100


def test_big_text_estimate_confirms_the_whole_text():
    a = HEAD + "word " * 2000 + TAIL
    b = HEAD + "{}:; " * 2000 + TAIL  # same length and ends, other tokens in the middle
    assert len(a) == len(b)
    assert estimate_tokens(a) == math.ceil(raw_estimate(a))
    assert estimate_tokens(b) == math.ceil(raw_estimate(b)) != estimate_tokens(a)
    assert estimate_tokens(a) == math.ceil(raw_estimate(a))  # b replaced a's entry: counted again
    assert messages_mod._LONG.used <= messages_mod._LONG.chars
    assert any(v[0] == a for v in messages_mod._LONG.values())



def test_small_message_estimates_are_remembered_per_text():
    def tokens(*texts: str) -> int:
        return extract_features({"messages": [{"role": "user", "content": t} for t in texts]}).input_tokens

    a, b = "word " * 60, "{}:; " * 60  # the same length, other tokens
    expect = {t: math.ceil(raw_estimate(t)) + 4 for t in (a, b)}
    for _ in range(2):
        assert tokens("".join(list(a))) == expect[a]
        assert tokens("".join(list(b))) == expect[b]
    assert messages_mod._SHORT.get(a) == raw_estimate(a) and len(messages_mod._SHORT) <= 1024

def test_tool_schema_tokens_are_remembered_per_schema():
    def body(desc):
        tools = [{"type": "function", "function": {"name": "t", "description": desc}}]
        return {"messages": [{"role": "user", "content": "hi"}], "tools": tools}

    a, b = "a b c " * 1000, "abc,,," * 1000  # the same length: the JSON too
    fa, fb = extract_features(body(a)), extract_features(body(b))
    assert fa.input_tokens != fb.input_tokens
    assert extract_features(body(a)).input_tokens == fa.input_tokens
    assert _JSON.used <= _JSON.chars


def test_tool_call_tokens_are_remembered_per_call():
    def body(args: str) -> dict:
        call = {"id": "c1", "type": "function", "function": {"name": "read", "arguments": args}}
        return {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": None,
                                                                 "tool_calls": [call]}]}

    a, b = ('{"path": "' + mid + "z" * 80 + '"}' for mid in ("ab " * 40, "a,b" * 40))  # same length and ends
    fa, fb = extract_features(body(a)), extract_features(body(b))
    assert fa.input_tokens != fb.input_tokens
    for _ in range(2):
        assert extract_features(body(a)).input_tokens == fa.input_tokens
        assert extract_features(body(b)).input_tokens == fb.input_tokens


def test_block_cutting_matches_the_lazy_regex():
    rnd = random.Random(7)
    for begin, end, _ in INJECTED_BLOCKS:
        rx = re.compile(re.escape(begin) + r".*?(?:" + re.escape(end) + r"|\Z)", re.S)
        atoms = [begin, end, "x", "\n", " ", begin[:4], end[-4:]]
        for _ in range(2000):
            text = "".join(rnd.choice(atoms) for _ in range(rnd.randint(0, 7)))
            assert _cut_blocks(text, begin, end) == rx.subn("", text)


def test_cleaning_is_remembered_by_identity_and_returns_a_fresh_list():
    raw = "[Sun 2026-12-06 19:27 UTC] hello\n\nRuntime: agent=main | sessionId=s1"
    text, cut = clean_user_text(raw)
    assert id(raw) in ask_mod._CLEAN_MEMO
    cut.append("changed by the caller")
    again = clean_user_text(raw)
    assert again == (text, ["timestamp prefix", "runtime trailer"])
    other = "".join(["[Sun 2026-12-06 19:27 UTC] bye", "\n\nRuntime: agent=main | sessionId=s1"])
    assert clean_user_text(other)[0] == "bye"  # another object: cleaned on its own


def _req(system: str, user: str = "hi") -> dict:
    return {"messages": [{"role": "system", "content": system}, {"role": "user", "content": user}]}


def _fresh_id(body: dict) -> str | None:
    saved = dict(sessions._SYSTEMS), dict(sessions._IDS)
    sessions._SYSTEMS.clear()
    sessions._IDS.clear()
    try:
        return derive_session_id(body)
    finally:
        sessions._SYSTEMS.update(saved[0])
        sessions._IDS.update(saved[1])


def test_session_ids_confirm_the_remembered_system_prompt():
    marker = sessions._OPENCLAW_DYNAMIC
    filler = "x" * 6000
    # the same length and ends; the per-turn section starts elsewhere, so the stable part differs
    a = HEAD + filler + marker + "y" * 50 + TAIL
    b = HEAD + filler[:-50] + marker + "y" * 100 + TAIL
    assert len(a) == len(b)
    ida, idb = derive_session_id(_req(a)), derive_session_id(_req(b))
    assert ida == _fresh_id(_req(a)) and idb == _fresh_id(_req(b)) and ida != idb
    assert derive_session_id(_req(a, "other question")) == _fresh_id(_req(a, "other question")) != ida
    assert derive_session_id(_req(a)) == ida  # remembered


def _other_catalog():
    import copy

    from clawcli.core.catalog import Catalog, _package_json

    prof = copy.deepcopy(_package_json("profiles.json"))
    for tiers in prof["profiles"].values():
        for t in tiers:
            tiers[t] = list(reversed(tiers[t]))
    return Catalog.from_data(_package_json("catalog.json"), prof, "test")


def test_remembered_chains_follow_the_catalog_the_exclude_list_and_the_context():
    from clawcli.core.catalog import default_catalog
    from clawcli.core.router import route, select

    cat, other = default_catalog(), _other_catalog()

    def fresh(d, catalog, exclude=frozenset(), needed=None):
        return select.build_chain(catalog, catalog.profiles[d.profile], d.tier,
                                  needed_tokens=needed or d.input_tokens + d.max_tokens, exclude=exclude)

    small = {"model": "auto", "messages": [{"role": "user", "content": "hi"}]}
    big = dict(small, max_tokens=150_000)  # more than some models' context window
    a = route(small, catalog=cat)
    assert route(small, catalog=cat).chain == a.chain == fresh(a, cat)
    b = route(small, catalog=other)
    assert b.chain == fresh(b, other) != a.chain
    excl = frozenset((a.model,))
    c = route(small, catalog=cat, exclude=excl)
    assert c.chain == fresh(c, cat, excl) and a.model not in c.chain
    d = route(big, catalog=cat)
    assert d.chain == fresh(d, cat) != a.chain


def test_a_command_typed_in_the_last_message_is_still_found():
    from clawcli.proxy import commands

    assert commands.match([{"role": "user", "content": "no slash here"}]) is None
    assert commands.match([{"role": "user", "content": "[Sun 2026-12-06 19:27 UTC] /wallet"}]) == ("wallet", "")
    only_context = "<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>> x <<<END_OPENCLAW_INTERNAL_CONTEXT>>>"
    assert commands.match([{"role": "user", "content": "/stats 24h"},
                           {"role": "user", "content": only_context}]) == ("stats", "24h")
    assert commands.match([{"role": "user", "content": "/stats"}, {"role": "user", "content": "   "}]) == ("stats", "")


def test_a_remembered_exclude_list_is_resolved_per_catalog_and_unknown_ids_still_fail():
    import pytest

    from clawcli.core.catalog import Catalog, _package_json, default_catalog
    from clawcli.core.errors import ConfigError
    from clawcli.core.router import _resolve_exclude

    cat = default_catalog()
    assert _resolve_exclude(cat, frozenset(("sonnet",))) == frozenset(("anthropic/claude-sonnet-4.6",))
    assert _resolve_exclude(cat, frozenset(("sonnet",))) == frozenset(("anthropic/claude-sonnet-4.6",))
    data = _package_json("catalog.json")
    renamed = dict(data, models=[dict(m, aliases=[a for a in m.get("aliases", ()) if a != "sonnet"])
                                 for m in data["models"]])
    other = Catalog.from_data(renamed, _package_json("profiles.json"), "test")
    for _ in range(2):
        with pytest.raises(ConfigError):
            _resolve_exclude(other, frozenset(("sonnet",)))


def test_text_features_are_remembered_per_ask_and_never_mixed_up():
    from clawcli.core.router import classify
    from clawcli.core.router import classifier
    from clawcli.core.router._features import extract
    from clawcli.core.router.types import RequestFeatures

    # the same length and ends; the middle asks for a proof in one and says hello in the other
    pad = "x" * classifier.ASK_MEMO_SHORT  # a long ask: remembered by its length and both ends
    short_a = " Prove that the square root of two is irrational, step by step, rigorously. "
    short_b = " hello there, thanks a lot for the quick answer yesterday, it was great!!!! "
    a, b = (HEAD + mid + pad + TAIL for mid in (short_a, short_b))
    assert len(a) == len(b) and len(short_a) == len(short_b)
    for x, y in ((a, b), (short_a, short_b)):
        fresh = {t: classify(RequestFeatures(text="".join(list(t)))) for t in (x, y)}
        assert fresh[x].dimensions != fresh[y].dimensions
        for _ in range(2):
            for t in (x, y, x):
                c = classify(RequestFeatures(text="".join(list(t))))
                assert (c.tier, c.score, c.dimensions) == (fresh[t].tier, fresh[t].score, fresh[t].dimensions)
                assert c.dimensions[0] is not fresh[t].dimensions[0]  # built afresh: a caller may change them
    assert any(v[0] == a for v in classifier._EXTRACTED.values())
    assert extract(a) == classifier._EXTRACTED[(len(a), a[:64], a[-64:])][1]
    assert classifier._ASKS[short_b] == extract(short_b) and len(classifier._ASKS) <= 512


def test_the_remembered_baseline_id_follows_the_catalog():
    import copy

    from clawcli.core.catalog import Catalog, _package_json, default_catalog
    from clawcli.core.router.select import realized_savings

    cat = default_catalog()
    data = copy.deepcopy(_package_json("catalog.json"))
    flash_entry = next(m for m in data["models"] if m["id"] == "google/gemini-2.5-flash")
    flash_entry["aliases"] = [*flash_entry.get("aliases", ()), "my-baseline"]
    other = Catalog.from_data(data, _package_json("profiles.json"), "test")
    assert "my-baseline" not in cat.aliases
    flash = "google/gemini-2.5-flash"
    for _ in range(2):
        # the same name: the answering model itself in one catalog (nothing saved), unknown in the
        # other (claude-opus-4.6's prices: something saved; nothing remembered)
        assert realized_savings(other, "my-baseline", flash, 0.01, 1000, 1000) == (0.01, 0.0)
        assert realized_savings(cat, "my-baseline", flash, 0.01, 1000, 1000)[1] > 0.0
        assert realized_savings(other, "my-baseline", flash, 0.01, 1000, 1000) == (0.01, 0.0)
