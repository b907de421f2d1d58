"""Stored prompts and answers (`claw logs`) and conversations (`claw ask -c`, `claw chat`).

One SQLite database at ``CLAWCLI_HOME/logs.db`` (the standard library's ``sqlite3``), in WAL
mode so several claw processes can write at once (each write is one short transaction; a busy
database is waited for, not failed). The schema carries its version in ``PRAGMA user_version``
and is brought up to date by the numbered migrations below, each applied once, in order, under
an exclusive write lock (two processes opening an old database at the same time migrate it once).

Nothing secret is stored: the prompt, the system prompt, the answer and the routing/cost facts
of each request. Payment headers, signatures and keys never reach this module.

The usage JSONL (``clawcli.core.usage``) stays the ClawRouter-compatible cost log; this store
is for reading back what was asked and answered, and for continuing a conversation.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clawcli.core.errors import ClawError, UsageError
from clawcli.core.paths import private_dir

if TYPE_CHECKING:  # sqlite3 is imported where a database is opened: `claw ask --no-log` needs none
    import sqlite3

DB_NAME = "logs.db"
BUSY_TIMEOUT_S = 15.0

# Each entry moves the schema from version i to i+1. Never edit a shipped entry: append a new one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1: conversations and their responses
        """CREATE TABLE conversations (
               id TEXT PRIMARY KEY,
               created TEXT NOT NULL,
               updated TEXT NOT NULL,
               title TEXT NOT NULL DEFAULT '',
               profile TEXT,          -- routing profile the conversation started with (None: explicit model)
               model TEXT,            -- explicit model (-m), when one was given
               tier TEXT              -- highest tier routed so far: later turns never go below it
           )""",
        """CREATE TABLE responses (
               id INTEGER PRIMARY KEY AUTOINCREMENT,
               request_id TEXT,
               conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
               created TEXT NOT NULL,
               source TEXT NOT NULL,  -- ask | chat
               system TEXT,
               prompt TEXT NOT NULL,
               response TEXT NOT NULL,
               model TEXT,
               requested_model TEXT,
               profile TEXT,
               tier TEXT,
               status TEXT NOT NULL DEFAULT 'ok',
               cost REAL NOT NULL DEFAULT 0,
               baseline_cost REAL NOT NULL DEFAULT 0,
               savings REAL NOT NULL DEFAULT 0,
               latency_ms INTEGER,
               input_tokens INTEGER,
               output_tokens INTEGER,
               attachments TEXT NOT NULL DEFAULT '[]'
           )""",
        "CREATE INDEX responses_by_conversation ON responses(conversation_id, id)",
        "CREATE INDEX conversations_by_update ON conversations(updated)",
    ),
    (  # 2: full-text search over prompts and answers (FTS5, kept in sync by triggers)
        """CREATE VIRTUAL TABLE responses_fts USING fts5(
               prompt, response, content='responses', content_rowid='id')""",
        """CREATE TRIGGER responses_ai AFTER INSERT ON responses BEGIN
               INSERT INTO responses_fts(rowid, prompt, response) VALUES (new.id, new.prompt, new.response);
           END""",
        """CREATE TRIGGER responses_ad AFTER DELETE ON responses BEGIN
               INSERT INTO responses_fts(responses_fts, rowid, prompt, response)
               VALUES ('delete', old.id, old.prompt, old.response);
           END""",
        "INSERT INTO responses_fts(rowid, prompt, response) SELECT id, prompt, response FROM responses",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


class LogStoreError(ClawError):
    code = "log_store_error"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_conversation_id() -> str:
    """Short, sortable by time, unguessable enough to never collide locally: ``20261206-a1b2c3``."""
    return dt.datetime.now(dt.UTC).strftime("%Y%m%d") + "-" + secrets.token_hex(3)


@dataclass
class Conversation:
    id: str
    created: str
    updated: str
    title: str = ""
    profile: str | None = None
    model: str | None = None
    tier: str | None = None
    last_model: str | None = None  # in memory: the model that answered the latest turn of this process


@dataclass
class Entry:
    """One stored request: what was asked, what came back, and what it cost."""

    prompt: str
    response: str
    conversation_id: str = ""
    source: str = "ask"
    system: str | None = None
    model: str | None = None
    requested_model: str | None = None
    profile: str | None = None
    tier: str | None = None
    status: str = "ok"
    cost: float = 0.0
    baseline_cost: float = 0.0
    savings: float = 0.0
    latency_ms: int | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    request_id: str | None = None
    attachments: list[str] = field(default_factory=list)
    id: int | None = None
    created: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The `claw logs --json` shape (camelCase, like the usage log)."""
        return {
            "id": self.id, "conversationId": self.conversation_id, "created": self.created,
            "source": self.source, "system": self.system, "prompt": self.prompt, "response": self.response,
            "model": self.model, "requestedModel": self.requested_model, "profile": self.profile,
            "tier": self.tier, "status": self.status, "cost": round(self.cost, 8),
            "baselineCost": round(self.baseline_cost, 8), "savings": round(self.savings, 6),
            "latencyMs": self.latency_ms, "inputTokens": self.input_tokens,
            "outputTokens": self.output_tokens, "requestId": self.request_id,
            "attachments": list(self.attachments),
        }


_ENTRY_COLUMNS = ("id", "conversation_id", "created", "source", "system", "prompt", "response", "model",
                  "requested_model", "profile", "tier", "status", "cost", "baseline_cost", "savings",
                  "latency_ms", "input_tokens", "output_tokens", "request_id", "attachments")


def _entry(row: sqlite3.Row) -> Entry:
    d = {k: row[k] for k in _ENTRY_COLUMNS}
    d["attachments"] = json.loads(d["attachments"] or "[]")
    return Entry(**d)


class LogStore:
    """The database of one ``CLAWCLI_HOME``. Cheap to open; use as a context manager."""

    def __init__(self, path: Path) -> None:
        import sqlite3

        self.path = Path(path)
        try:
            private_dir(self.path.parent)  # 0700 whatever the umask: the prompts are private
            # the file itself 0600 from its creation (SQLite gives its -wal/-shm files the same mode)
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
            os.chmod(self.path, 0o600)  # and an older database made with the umask becomes private too
            # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE below)
            self.db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise LogStoreError(f"cannot open the log database {self.path}: {exc}",
                                "check the permissions of CLAWCLI_HOME, or pass --no-log") from None
        self.db.row_factory = sqlite3.Row
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise LogStoreError(f"the log database {self.path} is unusable: {exc}",
                                "move it away to start a new one, or pass --no-log") from None

    @classmethod
    def open(cls, paths: Any) -> LogStore:
        return cls(Path(paths.config_dir) / DB_NAME)

    def __enter__(self) -> LogStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; BEGIN IMMEDIATE takes the write lock up front (waits while busy)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        if self.version() >= SCHEMA_VERSION:
            if self.version() > SCHEMA_VERSION:
                raise LogStoreError(f"{self.path} was written by a newer clawcli (schema {self.version()})",
                                    "upgrade clawcli, or pass --no-log")
            return
        with self._write():
            current = self.version()  # re-read under the lock: another process may have migrated
            for number in range(current, SCHEMA_VERSION):
                for statement in MIGRATIONS[number]:
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number + 1}")

    # --- conversations ---------------------------------------------------------------------
    def conversation(self, cid: str) -> Conversation | None:
        row = self.db.execute("SELECT * FROM conversations WHERE id = ?", (cid,)).fetchone()
        return Conversation(**dict(row)) if row else None

    def find_conversation(self, cid: str) -> Conversation:
        """The conversation ``cid`` (a unique prefix is enough), or a usage error naming the fix."""
        conv = self.conversation(cid)
        if conv is not None:
            return conv
        rows = self.db.execute("SELECT * FROM conversations WHERE id LIKE ? ESCAPE '\\' LIMIT 2",
                               (cid.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%",)).fetchall()
        if len(rows) == 1:
            return Conversation(**dict(rows[0]))
        raise UsageError(f"no conversation {cid!r}" if not rows else f"conversation id {cid!r} is ambiguous",
                         "list them with: claw logs --conversations")

    def last_conversation(self) -> Conversation | None:
        row = self.db.execute("SELECT * FROM conversations ORDER BY updated DESC, rowid DESC LIMIT 1").fetchone()
        return Conversation(**dict(row)) if row else None

    def conversations(self, limit: int = 20) -> list[tuple[Conversation, int, float]]:
        """Latest conversations first, each with its number of responses and total cost."""
        rows = self.db.execute(
            """SELECT c.*, COUNT(r.id) AS n, COALESCE(SUM(r.cost), 0) AS total FROM conversations c
               LEFT JOIN responses r ON r.conversation_id = c.id
               GROUP BY c.id ORDER BY c.updated DESC, c.rowid DESC LIMIT ?""", (limit,)).fetchall()
        out = []
        for row in rows:
            d = dict(row)
            n, total = d.pop("n"), d.pop("total")
            out.append((Conversation(**d), int(n), float(total)))
        return out

    def messages(self, cid: str) -> list[dict[str, str]]:
        """The conversation so far as chat messages (user/assistant pairs of its answered turns)."""
        out: list[dict[str, str]] = []
        for row in self.db.execute(
                "SELECT prompt, response FROM responses WHERE conversation_id = ? AND status = 'ok' ORDER BY id",
                (cid,)):
            out.append({"role": "user", "content": row["prompt"]})
            out.append({"role": "assistant", "content": row["response"]})
        return out

    def new_conversation(self, *, title: str, profile: str | None, model: str | None,
                         cid: str | None = None) -> Conversation:
        now = _now()
        conv = Conversation(id=cid or new_conversation_id(), created=now, updated=now, title=_title(title),
                            profile=profile, model=model)
        with self._write():
            self.db.execute("INSERT INTO conversations (id, created, updated, title, profile, model, tier) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (conv.id, conv.created, conv.updated, conv.title, conv.profile, conv.model, None))
        return conv

    # --- responses -------------------------------------------------------------------------
    def add(self, entry: Entry, *, conversation_tier: str | None = None) -> Entry:
        """Store one response and touch its conversation (raising its tier floor when given)."""
        entry.created = entry.created or _now()
        values = entry.to_dict()
        with self._write():
            cur = self.db.execute(
                f"INSERT INTO responses ({', '.join(_ENTRY_COLUMNS[1:])}) "
                f"VALUES ({', '.join('?' for _ in _ENTRY_COLUMNS[1:])})",
                (entry.conversation_id, entry.created, entry.source, entry.system, entry.prompt, entry.response,
                 entry.model, entry.requested_model, entry.profile, entry.tier, entry.status, entry.cost,
                 entry.baseline_cost, entry.savings, entry.latency_ms, entry.input_tokens,
                 entry.output_tokens, entry.request_id, json.dumps(values["attachments"])))
            entry.id = int(cur.lastrowid or 0)
            self.db.execute("UPDATE conversations SET updated = ?, tier = COALESCE(?, tier) WHERE id = ?",
                            (entry.created, conversation_tier, entry.conversation_id))
        return entry

    def entries(self, *, limit: int | None = 3, cid: str | None = None, query: str | None = None) -> list[Entry]:
        """Stored responses, newest last (the latest ``limit`` of them; None = all)."""
        where, args = [], []
        if cid:
            where.append("r.conversation_id = ?")
            args.append(cid)
        sql = "SELECT r.* FROM responses r"
        if query:
            sql += " JOIN responses_fts f ON f.rowid = r.id"
            where.append("responses_fts MATCH ?")
            args.append(_fts_query(query))
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY r.id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        rows = self.db.execute(sql, args).fetchall()
        return [_entry(r) for r in reversed(rows)]

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM responses").fetchone()[0])


def _title(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 60 else line[:59] + "…"


def _fts_query(text: str) -> str:
    """Plain words, each matched as a phrase (a user's ``-`` or ``"`` is not FTS syntax)."""
    words = [w.replace('"', '""') for w in text.split()]
    if not words:
        raise UsageError("the search text is empty", 'try: claw logs -q "rate limiter"')
    return " ".join(f'"{w}"' for w in words)
