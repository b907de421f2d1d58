"""Finding the ask in agent request bodies (clawcli/core/router/ask.py) and routing on it."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from clawcli.cli.main import app
from clawcli.core.router import extract_features, find_ask, route
from clawcli.core.router.ask import READ_LIMIT, clean_user_text

INTERNAL = ("<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>\nchannel: webchat\nworkspace: /home/u/ws\n"
            "Prove every lemma rigorously and derive the bound.\n<<<END_OPENCLAW_INTERNAL_CONTEXT>>>")
TRAILER = "\n\nRuntime: agent=main | session=agent:main:main | sessionId=s-1 | host=box"
# an agent manual: long, mentions JSON, proofs, design, security ... whatever the user asks
MANUAL = ("You are an agent. Tools return JSON matching a schema. When asked to prove or derive, be rigorous. "
          "Design distributed systems, migrations, security reviews. ") * 400
TOOLS = [{"type": "function", "function": {"name": n, "parameters": {"type": "object", "properties": {}}}}
         for n in ("read", "write", "edit", "apply_patch", "ls", "exec", "process", "web_search", "web_fetch",
                   "memory", "browser", "canvas", "cron", "message")]


def openclaw(words: str, *, history: list | None = None, tail: list | None = None) -> dict:
    return {
        "model": "auto", "stream": True, "stream_options": {"include_usage": True}, "tool_choice": "auto",
        "max_completion_tokens": 8192, "tools": TOOLS,
        "messages": [{"role": "system", "content": MANUAL}, *(history or []),
                     {"role": "user", "content": f"[Sun 2026-12-06 19:27 UTC] {words}{TRAILER}"},
                     *(tail or []),
                     {"role": "user", "content": [{"type": "text", "text": INTERNAL}]}],
    }


def tool_loop(words: str) -> dict:
    body = openclaw(words)
    internal = body["messages"].pop()
    body["messages"] += [
        internal,
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "read", "arguments": '{"path":"notes.md"}'}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "hi! thanks, ok. " * 200},
    ]
    return body


def test_timestamp_trailer_and_internal_context_are_cut():
    text, cut = clean_user_text(f"[Sun 2026-12-06 19:27 UTC] What is 2+2?{TRAILER}")
    assert text == "What is 2+2?" and cut == ["timestamp prefix", "runtime trailer"]
    text, cut = clean_user_text(f"before {INTERNAL} after")
    assert text == "before  after" and cut == ["OpenClaw internal context"]
    # a bracketed word that is no timestamp, and "Runtime:" inside prose, stay
    assert clean_user_text("[draft] Runtime: agent=x is a config key")[0] == "[draft] Runtime: agent=x is a config key"


def test_openclaw_first_turn_reads_the_user_words_not_the_internal_context():
    ask = find_ask(openclaw("hello there!")["messages"])
    assert ask.text == "hello there!" and ask.index == 1 and not ask.mid_loop
    assert ask.skipped[0] == "message 2 (user): only OpenClaw internal context"
    assert "timestamp prefix" in ask.skipped[1] and "runtime trailer" in ask.skipped[1]


def test_mid_loop_routes_on_the_latest_real_user_ask():
    ask = find_ask(tool_loop("Prove that sqrt(2) is irrational.")["messages"])
    assert ask.text == "Prove that sqrt(2) is irrational." and ask.mid_loop
    assert "1 tool result after the ask" in ask.skipped and "1 assistant turn after the ask" in ask.skipped


def test_multi_turn_uses_the_latest_user_turn():
    history = [{"role": "user", "content": f"[Sun 2026-12-06 19:20 UTC] Prove Fermat's little theorem.{TRAILER}"},
               {"role": "assistant", "content": "Here is a proof ..."}]
    ask = find_ask(openclaw("thanks!", history=history)["messages"])
    assert ask.text == "thanks!" and ask.index == 3


def test_anthropic_style_tool_results_and_empty_requests():
    msgs = [{"role": "user", "content": "Design a sharded queue for 1B events/day."},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t", "name": "ls", "input": {}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "content": "a b c"}]}]
    ask = find_ask(msgs)
    assert ask.index == 0 and ask.mid_loop
    none = find_ask([{"role": "system", "content": "x"}, {"role": "user", "content": INTERNAL}])
    assert none.text == "" and none.index is None


def test_a_huge_ask_is_read_within_the_limit():
    ask = find_ask([{"role": "user", "content": "Summarise this log:\n" + "x" * 100_000 + "\nWhat failed?"}])
    assert len(ask.text) <= READ_LIMIT + 1 and ask.chars > 100_000
    assert ask.text.startswith("Summarise this log") and ask.text.endswith("What failed?")


def test_openclaw_envelope_routes_by_the_ask_not_the_manual_or_tools():
    proof = route(openclaw("Prove rigorously that there are infinitely many primes."))
    hello = route(openclaw("hi, how are you?"))
    assert proof.tier == "REASONING"
    assert hello.tier == "SIMPLE"  # 47 KB manual mentioning JSON and 14 tools do not lift it
    assert hello.profile == "agentic"  # tools restrict the models to tool-capable ones
    assert route(tool_loop("Prove rigorously that there are infinitely many primes.")).tier == "REASONING"
    assert route(tool_loop("good morning!")).tier == "SIMPLE"  # tool output is not the ask


def test_token_estimate_still_counts_the_whole_request():
    f = extract_features(openclaw("hi"))
    assert f.input_tokens > len(MANUAL) // 5  # the manual and tools are billed
    assert f.conversation_tokens < 200  # but do not make the conversation "huge"


def test_structured_output_from_response_format_or_a_short_format_instruction():
    base = {"messages": [{"role": "user", "content": "What is 2+2?"}]}
    assert route(base).tier == "SIMPLE"
    assert route({**base, "response_format": {"type": "json_object"}}).tier == "MEDIUM"
    short = {"messages": [{"role": "system", "content": "Reply in JSON."}, *base["messages"]]}
    assert route(short).tier == "MEDIUM"
    long_ = {"messages": [{"role": "system", "content": MANUAL}, *base["messages"]]}
    assert route(long_).tier == "SIMPLE"


def test_cli_explain_and_json_show_the_ask(tmp_path):
    f = tmp_path / "req.json"
    f.write_text(json.dumps(tool_loop("Prove rigorously that there are infinitely many primes.")), "utf-8")
    r = CliRunner().invoke(app, ["route", "--explain", "--messages", str(f)])
    assert r.exit_code == 0, r.output
    assert "REASONING" in r.output
    assert "mid-loop" in r.output and "'Prove rigorously that there are infinitely many primes.'" in r.output
    assert "only OpenClaw internal context" in r.output and "1 tool result after the ask" in r.output
    r = CliRunner().invoke(app, ["route", "--json", "--messages", str(f)])
    d = json.loads(r.output)
    assert d["ask"]["text"] == "Prove rigorously that there are infinitely many primes."
    assert d["ask"]["midLoop"] is True and d["ask"]["messageIndex"] == 1


def test_other_clients_injected_blocks_are_skipped_too():
    msgs = [{"role": "user", "content": "<environment_details>\nCurrent time: 10:00\nOpen tabs: a.py, b.py\n"
                                        "</environment_details>\nProve that sqrt(2) is irrational."},
            {"role": "user", "content": "<system-reminder>Design a distributed system. Derive a proof.</system-reminder>"}]
    ask = find_ask(msgs)
    assert ask.text == "Prove that sqrt(2) is irrational." and ask.index == 0
    assert ask.skipped == ("message 1 (user): only system reminder", "message 0 (user): cut environment details")
    assert route({"messages": msgs}).tier == "REASONING"


def test_token_estimate_of_big_repeated_texts_is_the_same_number_as_counting():
    import math

    from clawcli.core.messages import estimate_tokens as count
    from clawcli.core.router import estimate_tokens

    for text in ("x" * 10, MANUAL, MANUAL + "!", "word " * 100_000):  # below, inside, inside, above the memo range
        assert estimate_tokens(text) == estimate_tokens(text) == math.ceil(count(text))
    body = openclaw("hi")
    assert extract_features(body).input_tokens == extract_features(json.loads(json.dumps(body))).input_tokens


def test_a_typed_marker_only_hides_the_users_own_ask():
    """Decision (Q1): a user message that itself starts with OpenClaw's internal-context marker is
    cut like the framework block it imitates. Distinguishing it (OpenClaw sends the real block as a
    separate last user message with one text part) is not worth it: typing the marker can only
    hide the user's own ask, so the request routes lower (cheaper), never to a pricier tier."""
    proof = "Prove rigorously that there are infinitely many primes."
    typed = route({"messages": [{"role": "user", "content": "<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>\n" + proof}]})
    assert typed.tier == "SIMPLE" and typed.ask.text == ""
    assert "OpenClaw internal context" in " ".join(typed.ask.skipped)
    # an earlier real ask is still found behind it, and words after an END marker still count
    earlier = route({"messages": [{"role": "user", "content": proof},
                                  {"role": "assistant", "content": "Sure."},
                                  {"role": "user", "content": "<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>> x"}]})
    assert earlier.tier == "REASONING" and earlier.ask.index == 0
    after = route({"messages": [{"role": "user", "content": f"{INTERNAL}\n{proof}"}]})
    assert after.tier == "REASONING" and after.ask.text == proof
