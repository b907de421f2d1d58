"""The session journal: extraction from assistant turns, recall triggers in 9 languages, bounds."""

from __future__ import annotations

import copy
import json

import pytest

from clawcli.core.journal import NOTE_HEADER, SessionJournal, actions_from_call, refers_back


def call(cid: str, name: str, args: dict, content: str | None = None) -> dict:
    return {"role": "assistant", "content": content,
            "tool_calls": [{"id": cid, "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}]}


def tool(cid: str, content: str) -> dict:
    return {"role": "tool", "tool_call_id": cid, "content": content}


class Clock:
    def __init__(self) -> None:
        self.t = 1_800_000_000.0

    def __call__(self) -> float:
        return self.t


HISTORY = [
    {"role": "system", "content": "You are a coding agent."},
    {"role": "user", "content": "The tests fail, fix them."},
    call("c1", "run_command", {"command": "python -m pytest -q"}),
    tool("c1", "F.\nFAILED test_calc.py::test_mean - assert 3.0 == 2\n1 failed, 1 passed\n[exit code 1]"),
    call("c2", "read_file", {"path": "calc.py"}),
    tool("c2", "def mean(v):\n    return sum(v) / (len(v) - 1)\n"),
    call("c3", "str_replace_based_edit_tool", {"command": "str_replace", "path": "calc.py", "old_str": "- 1", "new_str": ""},
         "Root cause: mean divided by len(values) - 1."),
    tool("c3", "ok"),
    call("c4", "write_file", {"path": "tests/test_edge.py", "content": "def test_x():\n    pass\n"}),
    tool("c4", "ok"),
    call("c5", "run_command", {"command": "python -m pytest -q"}),
    tool("c5", "..\n2 passed in 0.01s\n[exit code 0]"),
    {"role": "assistant", "content": "All green. I decided to keep the ValueError for empty input."},
]


def test_extracts_files_commands_fixes_and_decisions_from_assistant_turns():
    j = SessionJournal(clock=Clock())
    assert j.observe("s1", HISTORY) == 6
    texts = [e.text for e in j.entries("s1")]
    assert texts == [
        "ran `python -m pytest -q`",
        "changed calc.py",
        "cause: mean divided by len(values) - 1.",
        "wrote tests/test_edge.py",
        "fixed: `python -m pytest -q` now succeeds (was: FAILED test_calc.py::test_mean - assert 3.0 == 2)",
        "decided: keep the ValueError for empty input",
    ]
    assert "calc.py" not in " ".join(t for t in texts if t.startswith("read"))  # reads are not actions


def test_the_same_history_resent_is_not_recorded_twice():
    j = SessionJournal(clock=Clock())
    j.observe("s1", HISTORY)
    assert j.observe("s1", HISTORY + [{"role": "user", "content": "ok"}]) == 0
    assert len(j.entries("s1")) == 6


def test_a_long_session_resent_every_call_stays_bounded_and_without_duplicates():
    j = SessionJournal(max_entries=64, clock=Clock())
    history = [{"role": "user", "content": "go"}]
    for n in range(300):
        history += [call(f"c{n}", "run_command", {"command": f"make step{n}"}), tool(f"c{n}", "ok")]
        j.observe("s", history)
    texts = [e.text for e in j.entries("s")]
    assert len(texts) == 64 and len(set(texts)) == 64 and texts[-1] == "ran `make step299`"


@pytest.mark.parametrize("call_, expected", [
    (call("a", "create_file", {"path": "a.py", "content": "x"}), ("created", "wrote a.py")),
    (call("a", "str_replace_based_edit_tool", {"command": "create", "path": "n.py", "file_text": ""}), ("created", "created n.py")),
    (call("a", "str_replace_based_edit_tool", {"command": "view", "path": "n.py"}), None),
    (call("a", "apply_patch", {"path": "b.py", "patch": "..."}), ("changed", "changed b.py")),
    (call("a", "delete_file", {"path": "old.txt"}), ("deleted", "deleted old.txt")),
    (call("a", "bash", {"command": "git commit -am 'fix'\n"}), ("ran", "ran `git commit -am 'fix'`")),
    (call("a", "read_file", {"path": "x"}), None),
    (call("a", "web_search", {"query": "python"}), None),
])
def test_tool_call_classification(call_, expected):
    assert actions_from_call(call_["tool_calls"][0]) == expected


@pytest.mark.parametrize("text", [
    "What did we change earlier?", "Give me a recap", "remind me what you did", "what have you done so far",
    "之前我们改了什么？", "总结一下到目前为止做了什么",
    "さっき何を変更しましたか？", "これまでの作業を振り返って",
    "Что мы изменили раньше?", "Напомни, что ты сделал",
    "Was haben wir vorhin geändert?", "Fasse zusammen, was bisher passiert ist",
    "¿Qué cambiamos anteriormente?", "Recapitula lo que hicimos",
    "O que mudamos mais cedo?", "Faça uma recapitulação do que fizemos",
    "아까 뭘 바꿨어?", "지금까지 한 일을 요약해 줘",
    "ماذا غيرنا سابقا؟", "لخص ما فعلته",
])
def test_refers_back_in_nine_languages(text):
    assert refers_back(text)


@pytest.mark.parametrize("text", [
    "Write a function that parses dates", "Before you start, read the README", "今天天气很好",
    "Напиши функцию сортировки", "Schreib einen Test", "Escribe una función", "اكتب دالة",
])
def test_ordinary_requests_do_not_trigger_recall(text):
    assert not refers_back(text)


def test_injects_a_note_right_before_the_last_user_turn_without_touching_the_system_prompt():
    clock = Clock()
    j = SessionJournal(clock=clock)
    j.observe("s1", HISTORY)
    req = {"model": "auto", "messages": HISTORY + [{"role": "user", "content": "What did we change earlier?"}]}
    snapshot = copy.deepcopy(req)
    new, injected = j.inject("s1", req)
    assert injected and req == snapshot
    msgs = new["messages"]
    assert msgs[0] == HISTORY[0] and msgs[-1] == req["messages"][-1]
    note = msgs[-2]
    assert note["role"] == "system" and note["content"].startswith(NOTE_HEADER)
    assert "- 08:00 UTC changed calc.py" in note["content"]
    assert len(msgs) == len(req["messages"]) + 1


def test_no_injection_without_trigger_session_or_entries():
    j = SessionJournal(clock=Clock())
    j.observe("s1", HISTORY)
    plain = {"messages": HISTORY + [{"role": "user", "content": "now add logging"}]}
    assert j.inject("s1", plain) == (plain, False)
    asks = {"messages": [{"role": "user", "content": "recap please"}]}
    assert j.inject(None, asks) == (asks, False)  # no x-session-id: nothing recorded or injected
    assert j.inject("other-session", asks) == (asks, False)  # sessions never see each other
    assert j.observe(None, HISTORY) == 0 and j.sessions() == 1


def test_record_response_reads_the_models_reply():
    j = SessionJournal(clock=Clock())
    assert j.record_response("s1", call("r1", "run_command", {"command": "npm test"})) == 1
    assert j.record_response("s1", "I fixed the flaky timeout in the client tests.") == 1
    assert [e.text for e in j.entries("s1")] == ["ran `npm test`", "fixed: the flaky timeout in the client tests"]


@pytest.mark.parametrize("reply, expected", [
    ("Ich habe beschlossen, SQLite zu verwenden. Danach die Tests.", "decided: Ich habe beschlossen, SQLite zu verwenden."),
    ("Listo. Corregí el cálculo de la media.", "fixed: Corregí el cálculo de la media."),
    ("我修复了 mean 的除数错误。测试通过了。", "fixed: 我修复了 mean 的除数错误。"),
    ("Я исправил деление в функции mean.", "fixed: Я исправил деление в функции mean."),
])
def test_decisions_and_fixes_in_other_languages(reply, expected):
    j = SessionJournal(clock=Clock())
    assert j.record_response("s", reply) == 1
    assert [e.text for e in j.entries("s")] == [expected]


def test_bounded_by_entries_age_and_sessions():
    clock = Clock()
    j = SessionJournal(max_entries=3, max_age_s=600, max_sessions=2, clock=clock)
    for n in range(5):
        j.record_response("s1", call(f"c{n}", "run_command", {"command": f"step {n}"}))
    assert [e.text for e in j.entries("s1")] == ["ran `step 2`", "ran `step 3`", "ran `step 4`"]
    clock.t += 601
    assert j.entries("s1") == [] and j.note("s1") is None
    j.record_response("a", "I decided to use sqlite for the cache.")
    j.record_response("b", "I decided to use sqlite for the cache.")
    j.record_response("c", "I decided to use sqlite for the cache.")
    assert j.sessions() == 2 and j.entries("a") == []  # the least recently used session went first


def test_note_is_compact():
    clock = Clock()
    j = SessionJournal(note_entries=5, clock=clock)
    for n in range(30):
        j.record_response("s", call(f"c{n}", "run_command", {"command": f"make target_{n} " + "x" * 300}))
    note = j.note("s")
    assert note.count("\n- ") == 5 and len(note) < 1200 and "target_29" in note and "target_24" not in note
