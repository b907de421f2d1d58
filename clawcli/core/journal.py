"""The session journal: what the agent did in this session, recalled when the user asks.

Per session id (the ``x-session-id`` header of ``claw serve``; never a derived id, so two chats that
start alike cannot read each other's memory), short records are extracted from assistant turns:

- files created, changed or deleted and commands run, from the turn's **tool calls** (language
  independent: the tool name and its ``path``/``command`` argument);
- errors fixed: a command whose result showed an error and that later succeeded;
- decisions and fixes the assistant states in prose ("I decided to ...", "Root cause: ...").

When the last user turn refers back ("earlier", "what did we change", "recap", ... in English,
Chinese, Japanese, Russian, German, Spanish, Portuguese, Korean and Arabic), a compact
``[Session memory]`` system note is inserted right before it. The system prompt is never edited
(prompt caches keep working). Memory is bounded: entries per session, their age, and the number of
sessions (least recently used dropped). In memory only; the proxy can switch it off.

    journal = SessionJournal()
    journal.observe(session_id, request["messages"])       # history the client resent
    request, injected = journal.inject(session_id, request)
    journal.record_response(session_id, reply_message)      # what the model just did
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from clawcli.core.messages import content_text

NOTE_HEADER = "[Session memory]"

_PATH_KEYS = ("path", "file_path", "filepath", "filename", "file", "target_file", "target", "dest")
_CMD_KEYS = ("command", "cmd", "script", "shell_command", "commandLine")
_CREATE = re.compile(r"create|new_file|write|save", re.I)
_EDIT = re.compile(r"edit|replace|patch|insert|update|modify|apply", re.I)
_DELETE = re.compile(r"delete|remove|unlink|\brm\b", re.I)
_RUN = re.compile(r"bash|shell|exec|run|terminal|command|cmd", re.I)
_ERROR = re.compile(r"traceback|\berror\b|\bfailed\b|exception|exit code [1-9]|exit status [1-9]|"
                    r"\[exit code [1-9]|command not found|no such file", re.I)
_PROSE = (
    ("decided", re.compile(r"\b(?:I|we)(?:'ll| will| have| 've)?\s+(?:decided|chose|opted|went with|switched)"
                           r"\s+(?:to\s+)?([^.\n!?]{6,140})", re.I)),
    ("decided", re.compile(r"(?:^|\n)\s*(?:\*\*)?decision(?:\*\*)?\s*:\s*([^\n]{6,160})", re.I)),
    ("cause", re.compile(r"(?:^|\n)\s*(?:\*\*)?(?:root cause|cause)(?:\*\*)?\s*:\s*([^\n]{6,160})", re.I)),
    ("fixed", re.compile(r"(?:^|\n)\s*(?:\*\*)?fix(?:\*\*)?\s*:\s*([^\n]{6,160})", re.I)),
    ("fixed", re.compile(r"\b(?:I|we)\s+(?:have\s+|'ve\s+)?(?:fixed|resolved)\s+([^.\n!?]{6,140})", re.I)),
)

# the same in the other router languages: the sentence holding the marker is the record
_PROSE_MARKERS = (
    ("decided", ("beschlossen", "entschieden", "decidí", "decidimos", "decidi ", "optei", "я решил", "мы решили",
                 "我决定", "我们决定", "決めました", "決定しました", "결정했습니다", "하기로 했습니다", "قررت", "قررنا")),
    ("fixed", ("behoben", "korrigiert", "corregí", "arreglé", "corrigi ", "consertei", "исправил", "исправлено",
               "修复了", "已修复", "修正しました", "直しました", "수정했습니다", "고쳤습니다", "أصلحت", "تم إصلاح")),
)
_SENTENCE_END = re.compile(r"[.!?。！？\n]")


def _marker_sentences(text: str) -> list[tuple[str, str]]:
    out = []
    low = text.lower()
    for kind, markers in _PROSE_MARKERS:
        for mk in markers:
            pos = low.find(mk)
            if pos < 0:
                continue
            start = max((m.end() for m in _SENTENCE_END.finditer(text, 0, pos)), default=0)
            end_m = _SENTENCE_END.search(text, pos + len(mk))
            sentence = text[start:end_m.end() if end_m else len(text)].strip()
            if 6 <= len(sentence):
                out.append((kind, sentence))
    return out


# "the user refers back": English with word boundaries, the other languages as substrings
_BACK_EN = re.compile(
    r"\b(?:earlier|previously|recap|so far|remind me|this session|last time|"
    r"what (?:did|have|had) (?:we|you|i) (?:do|done|did|change|changed|fix|fixed|modify|modified|touch|touched)|"
    r"what (?:we|you) (?:did|changed|fixed|have done)|what changed|what has changed|"
    r"summari[sz]e (?:what|the changes|our|your|this|the session|everything)|summary of (?:what|the changes|our|your|this))\b",
    re.I)
_BACK_OTHER = (
    # zh
    "之前", "刚才", "早些时候", "先前", "改了什么", "做了什么", "修改了什么", "回顾", "总结一下", "到目前为止",
    # ja
    "さっき", "先ほど", "以前", "何を変更", "何を変え", "何をした", "何をしました", "振り返", "これまで", "今までに",
    # ko
    "아까", "이전에", "앞서", "뭘 바꿨", "무엇을 변경", "무엇을 바꿨", "뭘 했", "무엇을 했", "지금까지", "요약해", "정리해",
    # ru
    "раньше", "ранее", "до этого", "что мы изменили", "что ты изменил", "что ты сделал", "что мы сделали",
    "напомни", "подытож", "резюмируй", "до сих пор", "в этой сессии",
    # de
    "vorhin", "früher", "zuvor", "was haben wir geändert", "was hast du geändert", "was hast du gemacht",
    "was haben wir gemacht", "fasse zusammen", "zusammenfassung", "rekapitul", "bisher",
    # es
    "anteriormente", "hace un rato", "qué cambiamos", "qué hemos cambiado", "qué hicimos", "qué has hecho",
    "qué hiciste", "recapitula", "resume lo", "resumen de lo", "hasta ahora", "lo de antes",
    # pt
    "mais cedo", "o que mudamos", "o que fizemos", "o que você fez", "o que alteramos", "o que foi alterado",
    "recapitul", "resuma o", "resumo do que", "até agora", "antes disso",
    # ar
    "سابقا", "سابقًا", "في وقت سابق", "قبل قليل", "ماذا غيرنا", "ماذا فعلنا", "ماذا فعلت", "ما الذي غيرناه",
    "لخص", "ملخص ما", "حتى الآن", "ذكرني",
)


def refers_back(text: str) -> bool:
    """Does this user turn ask about earlier work in the session (9 languages)?"""
    if not text:
        return False
    if _BACK_EN.search(text):
        return True
    low = text.lower()
    return any(k in low for k in _BACK_OTHER)


@dataclass(frozen=True)
class Entry:
    at: float  # unix time
    kind: str  # created | changed | deleted | ran | fixed | cause | decided
    text: str

    def line(self) -> str:
        return f"- {time.strftime('%H:%M', time.gmtime(self.at))} UTC {self.text}"


@dataclass
class _Session:
    entries: deque
    seen: OrderedDict = field(default_factory=OrderedDict)  # keys of turns already read
    failing: dict = field(default_factory=dict)  # command -> first error line
    last: float = 0.0


def _one_line(s: str, limit: int) -> str:
    s = " ".join(str(s).split())
    return s if len(s) <= limit else s[:limit - 1] + "…"


def _args(call: dict) -> tuple[str, dict]:
    fn = call.get("function") if isinstance(call, dict) else None
    if not isinstance(fn, dict):
        return "", {}
    raw = fn.get("arguments")
    try:
        args = json.loads(raw) if isinstance(raw, str) else (raw or {})
    except ValueError:
        args = {}
    return str(fn.get("name") or ""), args if isinstance(args, dict) else {}


def actions_from_call(call: dict) -> tuple[str, str] | None:
    """(kind, text) for one tool call, or None for read-only calls."""
    name, args = _args(call)
    path = next((str(args[k]) for k in _PATH_KEYS if isinstance(args.get(k), str) and args[k]), None)
    cmd = next((str(args[k]) for k in _CMD_KEYS if isinstance(args.get(k), str) and args[k]), None)
    sub = str(args.get("command") or "") if path else ""
    if path and sub in ("create", "str_replace", "insert", "undo_edit", "view"):  # editor-style tools
        if sub == "view":
            return None
        return ("created", f"created {path}") if sub == "create" else ("changed", f"changed {path}")
    if path and _DELETE.search(name):
        return "deleted", f"deleted {path}"
    if path and _EDIT.search(name):
        return "changed", f"changed {path}"
    if path and _CREATE.search(name):
        return "created", f"wrote {path}"
    if cmd and (_RUN.search(name) or not path):
        return "ran", f"ran `{_one_line(cmd, 100)}`"
    return None


def _turn_key(msg: dict) -> str:
    ids = [c.get("id") for c in msg.get("tool_calls") or () if isinstance(c, dict) and c.get("id")]
    basis = "|".join(ids) if ids else str(msg.get("content"))
    return hashlib.blake2b(basis.encode("utf-8", "replace"), digest_size=12).hexdigest()


class SessionJournal:
    """In-memory journal of every session seen by one proxy process (pass it explicitly)."""

    def __init__(self, *, max_entries: int = 64, max_age_s: float = 6 * 3600, max_sessions: int = 512,
                 note_entries: int = 20, clock: Callable[[], float] = time.time) -> None:
        self.max_entries = max_entries
        self.max_age_s = max_age_s
        self.max_sessions = max_sessions
        self.note_entries = note_entries
        self.clock = clock
        self._sessions: OrderedDict[str, _Session] = OrderedDict()

    # ------------------------------------------------------------------ storage
    def _session(self, sid: str) -> _Session:
        now = self.clock()
        s = self._sessions.get(sid)
        if s is None:
            s = self._sessions[sid] = _Session(entries=deque(maxlen=self.max_entries))
        self._sessions.move_to_end(sid)
        s.last = now
        while len(self._sessions) > self.max_sessions:
            self._sessions.popitem(last=False)
        for old_sid in [k for k, v in self._sessions.items() if now - v.last > self.max_age_s]:
            del self._sessions[old_sid]
        return s

    def _add(self, s: _Session, kind: str, text: str) -> bool:
        if any(e.text == text for e in list(s.entries)[-8:]):  # the same action twice in a row
            return False
        s.entries.append(Entry(self.clock(), kind, text))
        return True

    def entries(self, sid: str) -> list[Entry]:
        s = self._sessions.get(sid)
        if s is None:
            return []
        cutoff = self.clock() - self.max_age_s
        while s.entries and s.entries[0].at < cutoff:
            s.entries.popleft()
        return list(s.entries)

    def sessions(self) -> int:
        return len(self._sessions)

    # ------------------------------------------------------------------ extraction
    def _read_turn(self, s: _Session, msg: dict) -> int:
        key = _turn_key(msg)
        if key in s.seen:
            return 0
        s.seen[key] = True
        while len(s.seen) > 4 * self.max_entries:
            s.seen.popitem(last=False)
        added = 0
        for call in msg.get("tool_calls") or ():
            act = actions_from_call(call)
            if act and self._add(s, *act):
                added += 1
        text = content_text(msg.get("content"))
        if text:
            found = [(kind, m.group(1)) for kind, rx in _PROSE for m in rx.finditer(text)]
            if not found:
                found = _marker_sentences(text)
            for kind, what in found[:3]:
                if self._add(s, kind, f"{kind}: {_one_line(what, 140)}"):
                    added += 1
        return added

    def observe(self, sid: str | None, messages: list) -> int:
        """Read the assistant turns (and command results) of a request's history; returns new entries."""
        if not sid or not isinstance(messages, list):
            return 0
        s = self._session(sid)
        # Agents resend the whole history: start at the newest assistant turn already read (its
        # tool results may be new) instead of rehashing hundreds of old turns on every call.
        start = 0
        for idx in range(len(messages) - 1, -1, -1):
            m = messages[idx]
            if isinstance(m, dict) and m.get("role") == "assistant" and _turn_key(m) in s.seen:
                start = idx
                break
        added = 0
        commands: dict[str, str] = {}  # tool_call_id -> command
        for m in messages[start:]:
            if not isinstance(m, dict):
                continue
            if m.get("role") == "assistant":
                added += self._read_turn(s, m)
                for call in m.get("tool_calls") or ():
                    act = actions_from_call(call)
                    if act and act[0] == "ran" and isinstance(call, dict) and call.get("id"):
                        commands[call["id"]] = act[1][4:]
            elif m.get("role") == "tool" and m.get("tool_call_id") in commands:
                added += self._track_result(s, commands[m["tool_call_id"]], content_text(m.get("content")), m)
        return added

    def _track_result(self, s: _Session, cmd: str, result: str, msg: dict) -> int:
        key = "result:" + str(msg.get("tool_call_id"))
        if key in s.seen:
            return 0
        s.seen[key] = True
        tail = result[-4000:]
        err = _ERROR.search(tail) if tail else None
        if err:
            if cmd not in s.failing:  # remember the first error line, to say what was fixed
                start = tail.rfind("\n", 0, err.start()) + 1
                end = tail.find("\n", err.end())
                s.failing[cmd] = _one_line(tail[start:end if end >= 0 else None], 100)
            return 0
        was = s.failing.pop(cmd, None)
        if was is not None:
            return int(self._add(s, "fixed", f"fixed: {cmd} now succeeds (was: {was})"))
        return 0

    def record_response(self, sid: str | None, message: dict | str | None) -> int:
        """Read the model's reply (a message dict or its text)."""
        if not sid or not message:
            return 0
        msg = {"role": "assistant", "content": message} if isinstance(message, str) else message
        return self._read_turn(self._session(sid), msg)

    # ------------------------------------------------------------------ recall
    def note(self, sid: str) -> str | None:
        entries = self.entries(sid)[-self.note_entries:]
        if not entries:
            return None
        lines = [f"{NOTE_HEADER} What this session has done so far (from clawcli's journal, oldest first):"]
        lines += [e.line() for e in entries]
        text = "\n".join(lines)
        return text if len(text) <= 2400 else text[:2399] + "…"

    def inject(self, sid: str | None, request: dict) -> tuple[dict, bool]:
        """Insert the note before the last user turn if it refers back; never mutates ``request``."""
        messages = request.get("messages") if isinstance(request, dict) else None
        if not sid or not isinstance(messages, list):
            return request, False
        last = max((i for i, m in enumerate(messages) if isinstance(m, dict) and m.get("role") == "user"),
                   default=None)
        if last is None or not refers_back(content_text(messages[last].get("content"))):
            return request, False
        note = self.note(sid)
        if note is None:
            return request, False
        new = dict(request)
        new["messages"] = messages[:last] + [{"role": "system", "content": note}] + messages[last:]
        return new, True
