"""`claw logs` (the SQLite store: migrations, concurrent writers, search) and `claw chat`
(driven through stdin against the gateway emulator)."""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
from pathlib import Path

import pytest
from _cli_gateway import cli_gateway
from typer.testing import CliRunner

from clawcli.cli.main import app
from clawcli.core.logstore import MIGRATIONS, SCHEMA_VERSION, Entry, LogStore

KEY = "0x" + "2f" * 32
runner = CliRunner()


@pytest.fixture
def gw(monkeypatch):
    with cli_gateway(monkeypatch, KEY) as g:
        yield g


def db_path() -> Path:
    return Path(os.environ["CLAWCLI_HOME"]) / "logs.db"


# --- the store -----------------------------------------------------------------------------------
def test_a_version_1_database_is_migrated_in_place_and_keeps_its_rows(tmp_path):
    path = tmp_path / "logs.db"
    con = sqlite3.connect(path)
    for statement in MIGRATIONS[0]:
        con.execute(statement)
    con.execute("PRAGMA user_version = 1")
    con.execute("INSERT INTO conversations VALUES ('c1', 't', 't', 'old', 'auto', NULL, 'SIMPLE')")
    con.execute("INSERT INTO responses (conversation_id, created, source, prompt, response) "
                "VALUES ('c1', 't', 'ask', 'an old question about tapirs', 'an answer')")
    con.commit()
    con.close()
    with LogStore(path) as store:
        assert store.version() == SCHEMA_VERSION == 2
        assert [e.prompt for e in store.entries(query="tapirs")] == ["an old question about tapirs"]
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_a_newer_schema_is_refused_clearly(tmp_path):
    path = tmp_path / "logs.db"
    sqlite3.connect(path).execute("PRAGMA user_version = 99")
    from clawcli.core.logstore import LogStoreError

    with pytest.raises(LogStoreError, match="newer clawcli"):
        LogStore(path)


def _writer(path: str, n: int, tag: str) -> None:
    with LogStore(Path(path)) as store:
        conv = store.new_conversation(title=tag, profile="auto", model=None)
        for i in range(n):
            store.add(Entry(prompt=f"{tag} question {i}", response="ok", conversation_id=conv.id, cost=0.001))


def test_concurrent_writers_lose_nothing(tmp_path):
    path = str(tmp_path / "logs.db")
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, 40, f"w{k}")) for k in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    with LogStore(Path(path)) as store:
        assert store.count() == 160
        assert len(store.entries(limit=None, query="w2")) == 40
        assert len(store.conversations()) == 4


# --- claw logs -----------------------------------------------------------------------------------
def test_logs_lists_searches_and_filters_by_conversation(gw):
    one = json.loads(runner.invoke(app, ["ask", "--json", "Tell me about tapirs"]).stdout)
    runner.invoke(app, ["ask", "-c", "And their diet?"])
    runner.invoke(app, ["ask", "Something about volcanoes"])
    res = runner.invoke(app, ["logs", "-n", "0"])
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert out.index("Tell me about tapirs") < out.index("And their diet?") < out.index("volcanoes")
    assert f"conversation {one['conversationId']}" in out and f"tier {one['tier']}" in out
    assert one["model"] in out and "$0.0" in out and " s · " in out  # model, cost, latency per entry
    found = json.loads(runner.invoke(app, ["logs", "--json", "-q", "tapirs"]).stdout)
    assert [e["prompt"] for e in found] == ["Tell me about tapirs"]
    assert found[0]["cost"] == one["cost"] and found[0]["model"] == one["model"] and found[0]["latencyMs"] > 0
    conv = json.loads(runner.invoke(app, ["logs", "--json", "-n", "0", "--cid", one["conversationId"]]).stdout)
    assert [e["prompt"] for e in conv] == ["Tell me about tapirs", "And their diet?"]
    last = json.loads(runner.invoke(app, ["logs", "--json", "-n", "1"]).stdout)
    assert [e["prompt"] for e in last] == ["Something about volcanoes"]
    convs = json.loads(runner.invoke(app, ["logs", "--json", "--conversations"]).stdout)
    assert [c["turns"] for c in convs] == [1, 2] and convs[1]["title"] == "Tell me about tapirs"


def test_logs_search_text_is_words_not_query_syntax(gw):
    runner.invoke(app, ["ask", 'what does "rate-limit" mean'])
    res = runner.invoke(app, ["logs", "--json", "-q", 'rate-limit" OR'])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == []  # "OR" is a word that must match, not an operator
    assert len(json.loads(runner.invoke(app, ["logs", "--json", "-q", "rate-limit"]).stdout)) == 1


def test_logs_with_nothing_stored_says_so():
    res = runner.invoke(app, ["logs"])
    assert res.exit_code == 0 and "nothing stored yet" in res.stderr


# --- claw chat -----------------------------------------------------------------------------------
def test_chat_keeps_one_conversation_switches_models_and_totals_the_cost(gw):
    script = "hello there\n/cost\n/model sonnet\n\"\"\"\nline one\nline two\n\"\"\"\n/profile eco\n/bogus\nbye\n/exit\nnever sent\n"
    res = runner.invoke(app, ["chat"], input=script)
    assert res.exit_code == 0, res.output
    bodies = [r.body for r in gw.chat_requests() if r.paid or r.status == 200]
    assert [m["content"] for m in bodies[-1]["messages"] if m["role"] == "user"] == [
        "hello there", "line one\nline two", "bye"]
    sonnet = [r for r in gw.chat_requests() if r.status == 200 and "sonnet" in (r.model or "")]
    assert sonnet and sonnet[0].body["messages"][-1]["content"] == "line one\nline two"
    assert "1 answer, $0.0" in res.stdout  # /cost after the first answer
    assert "unknown command /bogus" in res.stderr
    assert not any("never sent" in str(r.body) for r in gw.chat_requests())
    entries = json.loads(runner.invoke(app, ["logs", "--json", "-n", "0"]).stdout)
    assert [e["source"] for e in entries] == ["chat"] * 3
    assert len({e["conversationId"] for e in entries}) == 1
    assert "sonnet" in entries[1]["model"]
    # and `claw ask -c` continues that same conversation
    again = json.loads(runner.invoke(app, ["ask", "--json", "-c", "one more"]).stdout)
    assert again["conversationId"] == entries[0]["conversationId"]


def test_chat_bad_model_is_reported_and_the_chat_goes_on(gw):
    res = runner.invoke(app, ["chat", "--no-log"], input="/model gpt-9\nhi\n")
    assert res.exit_code == 0
    assert "unknown model 'gpt-9'" in res.stderr
    assert any(r.status == 200 for r in gw.chat_requests())
    assert not db_path().exists() or sqlite3.connect(db_path()).execute("SELECT COUNT(*) FROM responses").fetchone()[0] == 0


def test_the_database_and_its_wal_are_private_under_umask_000(tmp_path):
    old = os.umask(0)
    try:
        with LogStore(tmp_path / "home" / "logs.db") as store:
            conv = store.new_conversation(title="t", profile="auto", model=None)
            store.add(Entry(prompt="private", response="x", conversation_id=conv.id))
            files = sorted(p.name for p in (tmp_path / "home").iterdir())
            modes = {p.name: oct(p.stat().st_mode & 0o777) for p in (tmp_path / "home").iterdir()}
    finally:
        os.umask(old)
    assert "logs.db-wal" in files
    assert set(modes.values()) == {"0o600"}, modes
    assert oct((tmp_path / "home").stat().st_mode & 0o777) == "0o700"
