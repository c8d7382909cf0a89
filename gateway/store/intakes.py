"""SQL for intakes (reports as the channels gave them, stored before anything else) and
their attachments' records."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson

from gateway.errors import NotFound
from gateway.models import iso, now
from gateway.store.writer import Writer, dumps, fetch

SCHEMA = """
CREATE TABLE IF NOT EXISTS intakes (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    external_id TEXT NOT NULL,
    received_at TEXT NOT NULL,
    payload TEXT NOT NULL,          -- the normalized intake (JSON)
    raw TEXT,                       -- the channel's native payload, verbatim
    state TEXT NOT NULL DEFAULT 'stored',  -- stored | done | failed (set aside after repeated faults)
    case_no TEXT,
    result TEXT,                    -- the SubmitResult given to the channel (JSON)
    stages TEXT,                    -- the stage results (JSON)
    UNIQUE (channel, external_id)
);
CREATE INDEX IF NOT EXISTS intakes_pending ON intakes (state) WHERE state = 'stored';
CREATE INDEX IF NOT EXISTS intakes_case ON intakes (case_no);

CREATE TABLE IF NOT EXISTS attachments (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""


# Added after the first release (see Writer.columns).
COLUMNS = [("intakes", "attempts", "INTEGER NOT NULL DEFAULT 0"),  # failed filing attempts
           ("intakes", "last_error", "TEXT"),
           # Until when a node holds the report to file it (NULL: nobody; see claim_pending).
           ("intakes", "claimed_until", "TEXT")]


@dataclass
class StoredIntake:
    id: int
    created: bool  # False: this (channel, external_id) was stored before
    state: str
    result: dict | None
    payload: dict | None = None


class IntakeRecords(Writer):
    async def save_intake(self, channel: str, external_id: str, received_at: str,
                          payload: str, raw: str | None) -> StoredIntake:
        """Store an intake durably, or find the one stored before under the same key.
        `payload`: the normalized intake as JSON text; `raw`: the channel's own payload.
        Where several nodes share the database, the node storing it holds it for
        `claim_s` (it files it itself; another node's sweep takes it only after that)."""
        claimed_until = self.lease_end() if self.shared else None

        def op(conn: Any) -> StoredIntake:
            rows = fetch(
                conn,
                "INSERT INTO intakes (channel, external_id, received_at, payload, raw, claimed_until)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (channel, external_id) DO NOTHING"
                " RETURNING id",
                (channel, external_id, received_at, payload, raw, claimed_until),
            )
            if rows:
                return StoredIntake(id=rows[0][0], created=True, state="stored", result=None)
            rows = fetch(
                conn,
                "SELECT id, state, result, payload FROM intakes WHERE channel = ? AND external_id = ?",
                (channel, external_id),
            )
            row = rows[0]
            return StoredIntake(
                id=row["id"], created=False, state=row["state"],
                result=orjson.loads(row["result"]) if row["result"] else None,
                payload=orjson.loads(row["payload"]),
            )

        return await self.write(op)

    async def get_intake(self, intake_id: int) -> dict:
        rows = await self.read(
            "SELECT id, channel, external_id, state, case_no, payload, result, stages"
            " FROM intakes WHERE id = ?", (intake_id,))
        if not rows:
            raise NotFound(f"未找到受理记录 {intake_id}")
        row = rows[0]
        return {
            "id": row["id"], "channel": row["channel"], "external_id": row["external_id"],
            "state": row["state"], "case_no": row["case_no"],
            "payload": orjson.loads(row["payload"]),
            "result": orjson.loads(row["result"]) if row["result"] else None,
            "stages": orjson.loads(row["stages"]) if row["stages"] else None,
        }

    async def pending_intakes(self, limit: int = 1000) -> list[int]:
        rows = await self.read(
            "SELECT id FROM intakes WHERE state = 'stored' ORDER BY id LIMIT ?", (limit,))
        return [row[0] for row in rows]

    def lease_end(self) -> str:
        """When work claimed now may be taken over by another node (ISO)."""
        return iso(now() + timedelta(seconds=self.claim_s))

    async def claim_pending(self, after: int = 0, limit: int = 50) -> list[int]:
        """Take up to `limit` stored-but-unfiled reports numbered above `after` for this
        node's sweep. Where several nodes share the database each is held for `claim_s`,
        so no other node's sweep runs its stages meanwhile, and one whose node died is due
        again when the hold runs out; rows another node is claiming at this moment are
        passed over (FOR UPDATE SKIP LOCKED). On SQLite (one node) nothing is held."""
        at, until = iso(now()), self.lease_end() if self.shared else None

        def op(conn: Any) -> list[int]:
            rows = conn.execute(
                "UPDATE intakes SET claimed_until = ? WHERE id IN (SELECT id FROM intakes"
                " WHERE state = 'stored' AND id > ? AND (claimed_until IS NULL OR claimed_until <= ?)"
                f" ORDER BY id LIMIT ?{self.skip_locked}) RETURNING id", (until, after, at, limit)).fetchall()
            return sorted(r[0] for r in rows)

        return await self.write(op)

    async def record_failure(self, intake_id: int, error: str, give_up_after: int) -> bool:
        """A filing attempt of a stored report failed: count it, and after `give_up_after`
        attempts set the report aside (state 'failed') so the sweep goes on without it.
        True when it was set aside."""

        def op(conn: Any) -> bool:
            row = conn.execute(
                "UPDATE intakes SET attempts = attempts + 1, last_error = ?, claimed_until = NULL,"
                " state = CASE WHEN attempts + 1 >= ? AND state = 'stored' THEN 'failed' ELSE state END"
                " WHERE id = ? RETURNING state", (error[:500], give_up_after, intake_id)).fetchone()
            return bool(row) and row[0] == "failed"

        return await self.write(op)

    async def failed_intakes(self) -> list[dict]:
        rows = await self.read(
            "SELECT id, channel, external_id, received_at, attempts, last_error FROM intakes"
            " WHERE state = 'failed' ORDER BY id")
        return [dict(r) for r in rows]

    async def retry_failed(self, intake_id: int | None = None) -> int:
        """Put reports set aside back in the sweep (one, or all); how many."""
        where, params = ("AND id = ?", (intake_id,)) if intake_id is not None else ("", ())
        return await self.write(lambda conn: conn.execute(
            f"UPDATE intakes SET state = 'stored', attempts = 0 WHERE state = 'failed' {where}",
            params).rowcount)

    async def newest_filed(self) -> str | None:
        """When the newest filed report was received (ISO), or None."""
        rows = await self.read("SELECT max(received_at) FROM intakes WHERE state = 'done'")
        return rows[0][0] if rows else None

    async def filed_reports(self, since: str) -> list[dict]:
        """Every filed report received at or after `since` (ISO), oldest first: its
        normalized intake, its stage results and its case (the hot-issue view's rebuild)."""
        rows = await self.read(
            "SELECT payload, stages, case_no FROM intakes WHERE state = 'done' AND received_at >= ?"
            " ORDER BY received_at, id", (since,))
        return [{"payload": orjson.loads(r[0]), "stages": orjson.loads(r[1]) if r[1] else {},
                 "case_no": r[2] or ""} for r in rows]

    async def filed_reports_of(self, case_nos: list[str]) -> list[dict]:
        """Every filed report of these cases, as `filed_reports` gives them (the hot-issue
        view of another node's reports)."""
        if not case_nos:
            return []
        rows = await self.read(
            f"SELECT payload, stages, case_no FROM intakes WHERE case_no IN ({', '.join('?' * len(case_nos))})"
            " AND state = 'done' ORDER BY received_at, id", tuple(case_nos))
        return [{"payload": orjson.loads(r[0]), "stages": orjson.loads(r[1]) if r[1] else {},
                 "case_no": r[2] or ""} for r in rows]

    async def count_intakes(self) -> int:
        return (await self.read("SELECT count(*) FROM intakes"))[0][0]

    # -- attachments --------------------------------------------------------------------

    async def record_attachment(self, sha256: str, size: int, content_type: str, at: str,
                                data: bytes | None = None) -> None:
        """The record of an attachment file; with `data`, the file itself too (where
        several nodes share the database: PostgreSQL's attachment_files, migration 0004)."""
        def op(conn: Any) -> None:
            conn.execute(
                "INSERT INTO attachments (sha256, size, content_type, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (sha256) DO NOTHING",
                (sha256, size, content_type, at),
            )
            if data is not None:
                conn.execute("INSERT INTO attachment_files (sha256, data) VALUES (?, ?)"
                             " ON CONFLICT (sha256) DO NOTHING", (sha256, data))

        await self.write(op)

    async def attachment_file(self, sha256: str) -> bytes | None:
        """An attachment's bytes as stored in the database (None: not there)."""
        rows = await self.read("SELECT data FROM attachment_files WHERE sha256 = ?", (sha256,))
        return bytes(rows[0][0]) if rows else None

    async def get_attachment(self, sha256: str) -> dict:
        rows = await self.read("SELECT size, content_type FROM attachments WHERE sha256 = ?", (sha256,))
        if not rows:
            raise NotFound(f"未找到附件 {sha256}")
        return {"sha256": sha256, "size": rows[0][0], "content_type": rows[0][1]}



    @staticmethod
    def _finish_intake(conn: Any, intake_id: int, case_no: str,
                       answer: dict, stages: str) -> None:
        conn.execute(
            "UPDATE intakes SET state = 'done', case_no = ?, result = ?, stages = ? WHERE id = ?",
            (case_no, dumps(answer), stages, intake_id),
        )
