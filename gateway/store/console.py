"""SQL for the seat-operator console: operators, sessions, the audit log, labelled examples
for the classifier, and the queue of work orders waiting for an operator."""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from gateway.errors import Refusal
from gateway.store.writer import IntegrityError, Writer, dumps

SCHEMA = """
CREATE TABLE IF NOT EXISTS operators (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'operator',   -- operator | admin
    seat_id TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

-- Only a hash of the session token is kept: a copy of the database opens no session.
CREATE TABLE IF NOT EXISTS console_sessions (
    token_hash TEXT PRIMARY KEY,
    operator_id INTEGER NOT NULL REFERENCES operators (id),
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS console_audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    operator TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS console_audit_target ON console_audit (target);

-- What operators settled: training data for the classifier (label = taxonomy code).
CREATE TABLE IF NOT EXISTS labelled_examples (
    id INTEGER PRIMARY KEY,
    text TEXT NOT NULL,
    label TEXT NOT NULL,
    suggested TEXT NOT NULL DEFAULT '',
    operator TEXT NOT NULL,
    case_no TEXT NOT NULL,
    at TEXT NOT NULL
);
"""


class DuplicateOperator(Refusal):
    code = "operator_exists"
    http_status = 409


class ConsoleStore:
    def __init__(self, store: Writer):
        self.store = store

    # -- operators ------------------------------------------------------------------------

    async def add_operator(self, username: str, display_name: str, password_hash: str,
                           role: str, seat_id: str, at: str) -> dict:
        def op(conn: Any) -> int:
            try:
                return conn.execute(
                    "INSERT INTO operators (username, display_name, password_hash, role, seat_id,"
                    " created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                    (username, display_name, password_hash, role, seat_id, at)).fetchone()[0]
            except IntegrityError:
                raise DuplicateOperator(f"用户名 {username} 已存在") from None

        operator_id = await self.store.write(op)
        return await self.operator(operator_id)

    async def set_password(self, username: str, password_hash: str) -> None:
        await self.store.write(lambda conn: conn.execute(
            "UPDATE operators SET password_hash = ? WHERE username = ?", (password_hash, username)))

    async def operator(self, operator_id: int) -> dict | None:
        rows = await self.store.read("SELECT * FROM operators WHERE id = ?", (operator_id,))
        return dict(rows[0]) if rows else None

    async def operator_by_name(self, username: str) -> dict | None:
        rows = await self.store.read("SELECT * FROM operators WHERE username = ?", (username,))
        return dict(rows[0]) if rows else None

    async def operators(self) -> list[dict]:
        rows = await self.store.read(
            "SELECT id, username, display_name, role, seat_id, active, created_at FROM operators ORDER BY id")
        return [dict(r) for r in rows]

    async def count_admins(self) -> int:
        return (await self.store.read("SELECT count(*) FROM operators WHERE role = 'admin'"))[0][0]

    # -- sessions -------------------------------------------------------------------------

    async def create_session(self, token_hash: str, operator_id: int, csrf: str, at: str,
                             expires_at: str) -> None:
        await self.store.write(lambda conn: conn.execute(
            "INSERT INTO console_sessions (token_hash, operator_id, csrf, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?)", (token_hash, operator_id, csrf, at, expires_at)))

    async def session(self, token_hash: str) -> dict | None:
        rows = await self.store.read(
            "SELECT s.csrf, s.expires_at, o.id, o.username, o.display_name, o.role, o.seat_id, o.active"
            " FROM console_sessions s JOIN operators o ON o.id = s.operator_id WHERE s.token_hash = ?",
            (token_hash,))
        return dict(rows[0]) if rows else None

    async def end_session(self, token_hash: str) -> None:
        await self.store.write(lambda conn: conn.execute(
            "DELETE FROM console_sessions WHERE token_hash = ?", (token_hash,)))

    async def purge_sessions(self, before: str) -> None:
        await self.store.write(lambda conn: conn.execute(
            "DELETE FROM console_sessions WHERE expires_at < ?", (before,)))

    # -- audit and labels -------------------------------------------------------------------

    async def audit(self, at: str, operator: str, action: str, target: str, detail: dict) -> None:
        await self.store.write(lambda conn: conn.execute(
            "INSERT INTO console_audit (at, operator, action, target, detail) VALUES (?, ?, ?, ?, ?)",
            (at, operator, action, target, dumps(detail))))

    async def audit_log(self, target: str | None = None, limit: int = 200) -> list[dict]:
        where, params = ("WHERE target = ?", (target, limit)) if target else ("", (limit,))
        rows = await self.store.read(
            f"SELECT at, operator, action, target, detail FROM console_audit {where}"
            " ORDER BY id DESC LIMIT ?", params)
        return [{**dict(r), "detail": json.loads(r["detail"])} for r in rows]

    async def add_label(self, text: str, label: str, suggested: str, operator: str,
                        case_no: str, at: str) -> None:
        await self.store.write(lambda conn: conn.execute(
            "INSERT INTO labelled_examples (text, label, suggested, operator, case_no, at)"
            " VALUES (?, ?, ?, ?, ?, ?)", (text, label, suggested, operator, case_no, at)))

    async def labels(self) -> list[dict]:
        rows = await self.store.read(
            "SELECT text, label, suggested, operator, case_no, at FROM labelled_examples ORDER BY id")
        return [dict(r) for r in rows]

    # -- the review queue -------------------------------------------------------------------

    async def review_queue(self, held: str, flagged: Iterable[str], limit: int = 200) -> list[dict]:
        """Work orders an operator must settle, oldest first: those in status `held` (not
        yet in the core feed) and those flagged needs_review in one of `flagged`."""
        flagged = sorted(flagged)
        rows = await self.store.read(
            "SELECT doc FROM workorders WHERE status = ?"
            f" OR (needs_review = 1 AND status IN ({', '.join('?' * len(flagged))}))"
            " ORDER BY created_at, case_no LIMIT ?", (held, *flagged, limit))
        return [json.loads(r[0]) for r in rows]

