"""`claw ask`: piped text joins the prompt (checked in the body the gateway received),
conversations (-c / --cid) replay their history and keep their tier, attachments, --no-log."""

from __future__ import annotations

import io
import json
import os
import sqlite3
from pathlib import Path

import pytest
from _cli_gateway import cli_gateway, tiny_png
from typer.testing import CliRunner

from clawcli.cli.main import app

KEY = "0x" + "5d" * 32
runner = CliRunner()


@pytest.fixture
def gw(monkeypatch):
    with cli_gateway(monkeypatch, KEY) as g:
        yield g


def last_user_message(gw) -> object:
    return [m for m in gw.chat_requests()[-1].body["messages"] if m["role"] == "user"][-1]["content"]


def db() -> sqlite3.Connection:
    return sqlite3.connect(Path(os.environ["CLAWCLI_HOME"]) / "logs.db")


# --- pipes -------------------------------------------------------------------------------------
def test_piped_text_follows_the_instruction_as_a_fenced_block(gw):
    diff = "diff --git a/x.py b/x.py\n-old\n+new\n"
    res = runner.invoke(app, ["ask", "--no-stream", "Review this diff"], input=diff)
    assert res.exit_code == 0, res.stderr
    assert last_user_message(gw) == "Review this diff\n\n```\ndiff --git a/x.py b/x.py\n-old\n+new\n```"


def test_piped_text_with_backticks_gets_a_longer_fence(gw):
    res = runner.invoke(app, ["ask", "--no-stream", "Explain"], input="see ```code``` here\n")
    assert res.exit_code == 0, res.stderr
    assert last_user_message(gw) == "Explain\n\n````\nsee ```code``` here\n````"


def test_dash_alone_reads_the_prompt_from_stdin(gw):
    res = runner.invoke(app, ["ask", "--no-stream", "-"], input="What is 2+2?\n")
    assert res.exit_code == 0, res.stderr
    assert last_user_message(gw) == "What is 2+2?\n"
    assert "reading stdin" not in res.stderr  # stdin is a pipe here: no hint


def test_stdin_hint_only_when_stdin_is_a_terminal(monkeypatch):
    from clawcli.cli.ask import read_prompt

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    seen = []
    monkeypatch.setattr("typer.echo", lambda msg, err=False: seen.append((msg, err)))
    assert read_prompt("-", Tty("typed\n")) == "typed\n"
    assert seen == [("reading stdin (Ctrl-D to end)", True)]
    assert read_prompt("hello", Tty("never read")) == "hello"  # a terminal stdin is not read


def test_binary_stdin_is_a_usage_error_not_an_internal_error():
    """Q2: `head -c 300 /bin/ls | claw ask "what is this"` paid, answered, then crashed with an
    internal UnicodeEncodeError when storing the prompt."""
    from clawcli.cli.ask import read_prompt
    from clawcli.core.errors import UsageError

    elf = b"\x7fELF\x02\x01\x01\x00\xd0\xff\xfe binary"
    for errors in ("surrogateescape", "strict"):  # a C locale / a UTF-8 locale
        for prompt in ("what is this", "-"):
            with pytest.raises(UsageError, match="not UTF-8 text"):
                read_prompt(prompt, io.TextIOWrapper(io.BytesIO(elf), encoding="utf-8", errors=errors))
    with pytest.raises(UsageError, match="not UTF-8 text"):  # undecodable bytes in argv
        read_prompt("caf\udce9", io.StringIO(""))


def test_empty_pipe_keeps_the_prompt_alone(gw):
    res = runner.invoke(app, ["ask", "--no-stream", "hello there"], input="")
    assert res.exit_code == 0
    assert last_user_message(gw) == "hello there"


# --- conversations and the log store -----------------------------------------------------------
def test_continue_replays_history_and_keeps_the_conversation_tier(gw):
    hard = "Prove that there are infinitely many primes, step by step, with a rigorous argument."
    first = runner.invoke(app, ["ask", "--json", hard])
    assert first.exit_code == 0, first.stderr
    one = json.loads(first.stdout)
    second = runner.invoke(app, ["ask", "--json", "-c", "thanks!"])
    assert second.exit_code == 0, second.stderr
    two = json.loads(second.stdout)
    assert two["conversationId"] == one["conversationId"]
    # a greeting alone routes SIMPLE; inside this conversation it stays at the first turn's tier
    from clawcli.core.router import route

    assert route({"messages": [{"role": "user", "content": "thanks!"}]}).tier == "SIMPLE"
    assert one["tier"] != "SIMPLE" and two["tier"] == one["tier"] and two["model"] == one["model"]
    body = gw.chat_requests()[-1].body
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]
    assert body["messages"][0]["content"] == hard and body["messages"][1]["content"] == one["content"]
    # the usage log's sessionId is the conversation: maxCostPerRun spans it
    logs = Path(os.environ["CLAWCLI_OPENCLAW_HOME"]) / "blockrun" / "logs"
    recs = [json.loads(x) for f in logs.glob("usage-*.jsonl") for x in f.read_text().splitlines()]
    assert {r["sessionId"] for r in recs} == {one["conversationId"]}


def test_cid_continues_a_given_conversation_and_a_new_ask_starts_another(gw):
    a = json.loads(runner.invoke(app, ["ask", "--json", "first topic"]).stdout)["conversationId"]
    b = json.loads(runner.invoke(app, ["ask", "--json", "second topic"]).stdout)["conversationId"]
    assert a != b
    res = runner.invoke(app, ["ask", "--json", "--cid", a[:-1], "more on it"])  # a unique prefix is enough
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["conversationId"] == a
    assert gw.chat_requests()[-1].body["messages"][0]["content"] == "first topic"
    missing = runner.invoke(app, ["ask", "--cid", "nope", "x"])
    assert missing.exit_code == 2 and "no conversation 'nope'" in missing.stderr


def test_continue_without_any_conversation_is_a_usage_error(gw):
    res = runner.invoke(app, ["ask", "-c", "hi"])
    assert res.exit_code == 2 and "no conversation to continue" in res.stderr
    assert gw.chat_requests() == []


def test_no_log_and_the_config_switch_store_nothing(gw, monkeypatch):
    res = runner.invoke(app, ["ask", "--json", "--no-log", "secret plans"])
    assert res.exit_code == 0 and json.loads(res.stdout)["conversationId"] is None
    monkeypatch.setenv("CLAWCLI_LOG_PROMPTS", "false")
    assert runner.invoke(app, ["ask", "more secret plans"]).exit_code == 0
    path = Path(os.environ["CLAWCLI_HOME"]) / "logs.db"
    assert not path.exists() or db().execute("SELECT COUNT(*) FROM responses").fetchone()[0] == 0
    monkeypatch.delenv("CLAWCLI_LOG_PROMPTS")
    assert runner.invoke(app, ["ask", "public question"]).exit_code == 0
    rows = db().execute("SELECT prompt, model, cost FROM responses").fetchall()
    assert [r[0] for r in rows] == ["public question"] and rows[0][2] > 0


def test_stored_rows_hold_no_payment_material(gw):
    assert runner.invoke(app, ["ask", "what is x402?"]).exit_code == 0
    raw = (Path(os.environ["CLAWCLI_HOME"]) / "logs.db").read_bytes()
    for wal in Path(os.environ["CLAWCLI_HOME"]).glob("logs.db-wal"):
        raw += wal.read_bytes()
    signed = [r for r in gw.chat_requests() if r.payment_attached]
    assert signed
    header = next(v for k, v in signed[0].headers.items() if k.lower() in ("payment-signature", "x-payment"))
    assert header.encode() not in raw and KEY[2:].encode() not in raw and b"PAYMENT" not in raw.upper()


# --- attachments -------------------------------------------------------------------------------


def test_an_image_attachment_routes_to_a_vision_model(gw, tmp_path):
    img = tmp_path / "cat.png"
    img.write_bytes(tiny_png())
    res = runner.invoke(app, ["ask", "--json", "-a", str(img), "What is in this picture?"])
    assert res.exit_code == 0, res.stderr
    from clawcli.core.catalog import default_catalog

    model = json.loads(res.stdout)["model"]
    assert default_catalog().get(model).vision
    content = last_user_message(gw)
    assert content[0] == {"type": "text", "text": "What is in this picture?"}
    assert content[1]["type"] == "image_url" and content[1]["image_url"]["url"].startswith("data:image/png;base64,")


def test_a_text_attachment_is_inlined_with_its_name(gw, tmp_path):
    src = tmp_path / "util.py"
    src.write_text("def f():\n    return 1\n")
    res = runner.invoke(app, ["ask", "--no-stream", "-a", str(src), "Explain this"])
    assert res.exit_code == 0, res.stderr
    assert last_user_message(gw) == "Explain this\n\nutil.py:\n```\ndef f():\n    return 1\n```"


@pytest.mark.parametrize("make,needle", [
    (lambda p: p, "does not exist"),
    (lambda p: (p.write_bytes(b"\x00\x01\xfe\xff" * 10), p)[1], "neither text"),
    (lambda p: (p.with_suffix(".png").write_text("not an image"), p.with_suffix(".png"))[1], "not a PNG"),
])
def test_bad_attachments_are_usage_errors(gw, tmp_path, make, needle):
    path = make(tmp_path / "file.bin")
    res = runner.invoke(app, ["ask", "-a", str(path), "hi"])
    assert res.exit_code == 2 and needle in res.stderr
    assert gw.chat_requests() == []
