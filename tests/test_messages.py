"""One reading of a chat message for the whole code base (clawcli.core.messages).

The router, request compression, the session journal, the proxy's chat commands and the gateway
emulator once each had their own idea of a message's text (the router read ``input_text`` parts,
the journal ignored them) and of a token (three estimators). These tests pin that they agree.
"""

from __future__ import annotations

import json
import math

from clawcli.core.compression import compress_request
from clawcli.core.compression.verify import check_safe
from clawcli.core.journal import SessionJournal
from clawcli.core.messages import content_text, estimate_tokens
from clawcli.core.router import estimate_tokens as router_estimate
from clawcli.core.router import extract_features, route
from clawcli.proxy.commands import match
from clawcli.testing import GatewayEmulator


def input_text(text: str) -> list[dict]:
    """A Responses-API style content list (what some agents send)."""
    return [{"type": "input_text", "text": text}]


def test_text_and_input_text_parts_are_text_images_are_not() -> None:
    content = [{"type": "text", "text": "look at"}, {"type": "image_url", "image_url": {"url": "x"}},
               {"type": "input_text", "text": "this chart"}, {"type": "text", "text": 42}]
    assert content_text(content) == "look at\nthis chart"
    assert content_text("plain") == "plain" and content_text(None) == ""


def test_the_router_and_the_journal_read_the_same_input_text_ask() -> None:
    ask = "what did we change earlier in this session?"
    messages = [{"role": "user", "content": "fix the cache"},
                {"role": "assistant", "content": "I decided to use SQLite for the cache."},
                {"role": "user", "content": input_text(ask)}]
    assert extract_features({"messages": messages}).text == ask
    journal = SessionJournal()
    journal.observe("s1", messages)
    new, injected = journal.inject("s1", {"messages": messages})
    assert injected, "the journal must see an input_text ask that refers back"
    assert "SQLite" in new["messages"][-2]["content"]


def test_a_chat_command_in_an_input_text_part_is_a_command() -> None:
    assert match([{"role": "user", "content": input_text("/stats today")}]) == ("stats", "today")


def test_compression_shrinks_input_text_parts_like_text_parts() -> None:
    pretty = json.dumps({"rows": [{"id": i, "name": f"item {i}", "tags": ["a", "b"]} for i in range(300)]}, indent=4)
    history = [{"role": "user", "content": "list the items"},
               {"role": "assistant", "content": "Here they are."},
               {"role": "user", "content": input_text("the items:\n```json\n" + pretty + "\n```")},
               {"role": "assistant", "content": "Noted."},
               {"role": "user", "content": "how many are there?"}]
    new, stats = compress_request({"messages": history}, "safe")
    assert stats.tokens_saved > 0
    assert check_safe({"messages": history}, new, stats) == []  # verified like a text part
    fenced = new["messages"][2]["content"][0]["text"]
    assert json.loads(fenced.split("```json\n")[1].rsplit("\n```")[0]) == json.loads(pretty)
    assert len(fenced) < len(pretty)


def test_router_compression_and_emulator_count_tokens_the_same_way() -> None:
    text = "Refactor the cache layer; keep the public API.\n    def get(self, key):\n        return None\n"
    assert router_estimate(text) == math.ceil(estimate_tokens(text))
    # indentation is nearly free for a BPE tokenizer; chars/4 would count it as 1 token per 4 spaces
    assert estimate_tokens("a\n" + " " * 40 + "b") - estimate_tokens("a\nb") < 2
    body = {"model": "nvidia/gpt-oss-120b", "messages": [{"role": "user", "content": text}]}
    with GatewayEmulator() as gw:
        import httpx

        usage = httpx.post(gw.chat_url, json=body, timeout=10).json()["usage"]
    # the emulator's usage = the same estimate, rounded up, + 3 per message (its chat framing)
    assert usage["prompt_tokens"] == math.ceil(estimate_tokens(text)) + 3
    # and the router's input estimate counts the same text the same way (+4 per message)
    assert route(body).input_tokens == math.ceil(estimate_tokens(text)) + 4


def test_the_remembered_estimate_is_the_estimate_of_each_text() -> None:
    from clawcli.core import messages

    # short texts are keyed by the text; longer ones by length and both ends, then compared
    short = ["word " * 60, "{}:; " * 60]
    long = ["h" * 100 + mid * 2000 + "t" * 100 for mid in ("word ", "{}:; ")]
    huge = ["x " * (messages.REMEMBER_MAX // 2 + 1), "x," * (messages.REMEMBER_MAX // 2 + 1)]
    for _ in range(2):
        for a, b in (short, long, huge):
            assert len(a) == len(b)
            assert messages.remembered_estimate("".join(list(a))) == estimate_tokens(a)
            assert messages.remembered_estimate("".join(list(b))) == estimate_tokens(b) != estimate_tokens(a)
    assert messages._SHORT.get(short[1]) == estimate_tokens(short[1])
    assert any(v[0] == long[1] for v in messages._LONG.values())
    assert not any(v[0] in huge for v in messages._LONG.values())  # over REMEMBER_MAX: not kept


def _reference_estimate(text: str) -> float:
    """The estimate as first written (pairwise bytes.count over two projections): the fast one
    must give the very same float for every text."""
    if not text:
        return 0.0
    word = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"
    a_map, b_map = bytearray(b"p" * 256), bytearray(b"x" * 256)
    for ch in word:
        a_map[ch] = ord("w")
    for ch in b" \t\x0b\x0c\n\r" + bytes(range(128, 256)):
        a_map[ch] = ord("x")
    for ch in b"\n\r":
        b_map[ch] = ord("n")
    for ch in b" \t\x0b\x0c":
        b_map[ch] = ord("s")
    raw = text.encode("utf-8", "surrogatepass")
    tokens = 0.65 * (len(raw) - len(text))
    a = raw.translate(bytes(a_map))
    word_chars = a.count(b"w")
    if word_chars:
        runs = a.count(b"xw") + a.count(b"pw") + (a[:1] == b"w")
        tokens += 1.24 * runs + 0.04 * word_chars
    punct = a.count(b"p")
    if punct:
        runs = a.count(b"xp") + a.count(b"wp") + (a[:1] == b"p")
        tokens += 0.51 * runs + 0.30 * (punct - runs)
    if b"\n" in raw:
        b = raw.translate(bytes(b_map))
        tokens += b.count(b"xn") + b.count(b"sn") + (b[:1] == b"n") + 0.5 * b.count(b"nss")
    return tokens


def test_the_estimate_is_the_reference_estimate_bit_for_bit() -> None:
    import random

    rnd = random.Random(11)
    atoms = ["a", "Z", "_", "9", "word", " ", "  ", "\t", "\n", "\r", "\r\n", "\n  ", "\n\t\t", "\x0b", "\x0c",
             "{", '"', "}:", ",", "é", "中", "😀", "\ud800", "\x00", "\x7f", "-->", "    ", "\n\n"]
    texts = ["", "a", " ", "\n", "\n  x", "x\n  ", "  \n", "\r", "\r  ", "é", "😀"]
    texts += ["".join(rnd.choice(atoms) for _ in range(rnd.randint(1, 60))) for _ in range(3000)]
    texts += ["".join(rnd.choice(atoms) for _ in range(rnd.randint(500, 3000))) for _ in range(30)]
    for text in texts:
        assert estimate_tokens(text) == _reference_estimate(text), repr(text[:80])
