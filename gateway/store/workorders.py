"""SQL for work orders: numbering, filing, joining reports, every later change (stamped
with the next feed sequence number), the change feed, history and the case's contacts.

SQLite serialises writers and the feed sequence is assigned inside the writing
transaction, so feed order is commit order: a reader never sees a later sequence number
before an earlier one is committed.

Work orders are stored as a JSON document plus the columns needed to query them. Every
change goes through `update_workorder(case_no, mutate)`. Who hears of a change is decided
by `notices` (gateway.outbound.notify), called inside the transaction so that the answers
back are written with the change itself."""
from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from typing import Any

import orjson

from gateway.cases.workorders import needs_a_person  # the needs_review column: the console's queue
from gateway.errors import NotFound, Refusal
from gateway.models import reporter_contacts
from gateway.store.intakes import IntakeRecords
from gateway.store.push import PushRecords
from gateway.store.writer import dumps, fetch

SCHEMA = """
CREATE TABLE IF NOT EXISTS workorders (
    case_no TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    feed_seq INTEGER UNIQUE,        -- NULL while held for an operator (not in the feed yet)
    check_code TEXT NOT NULL,
    needs_review INTEGER NOT NULL DEFAULT 0,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS workorders_review ON workorders (needs_review) WHERE needs_review = 1;

CREATE TABLE IF NOT EXISTS case_counters (
    day TEXT PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS status_updates (
    update_id TEXT PRIMARY KEY,
    case_no TEXT NOT NULL,
    request TEXT NOT NULL,
    response TEXT NOT NULL,
    at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY,
    case_no TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS history_case ON history (case_no);

-- Which contacts (channel:id) reported which case: a citizen's "my cases", and everyone
-- to tell when the case moves (however many joined it).
CREATE TABLE IF NOT EXISTS case_contacts (
    contact TEXT NOT NULL,
    case_no TEXT NOT NULL,
    PRIMARY KEY (contact, case_no)
);
CREATE INDEX IF NOT EXISTS case_contacts_case ON case_contacts (case_no);

-- Answers back to citizens, written in the same transaction as the change they announce,
-- delivered by a worker with retries (a crash never loses one).
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    case_no TEXT NOT NULL,
    event TEXT NOT NULL,
    context TEXT NOT NULL,
    created_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',   -- pending | sent | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (next_attempt_at) WHERE state = 'pending';
"""


CHECK_CODE_DIGITS = 10


class UpdateIdConflict(Refusal):
    code = "update_id_reused"

    def __init__(self, update_id: str, case_no: str):
        super().__init__(f"update_id {update_id} 已用于工单 {case_no} 的另一次请求，不能再用于别的请求")


class WorkOrderRecords(IntakeRecords):
    # notices(old_doc | None, new_doc, check_code, contacts=…, joined=…) -> outbox rows;
    # set by the application (gateway.outbound.notify.Notices).
    notices: Callable[..., list[dict]] | None = None
    # Called after a commit that queued answers back (the delivery worker looks then).
    on_outbox: Callable[[], Any] | None = None
    # With push delivery on: change_kind(old_doc | None, new_doc) -> "created" | "status" …
    # (gateway.cases.workorders.change_kind), and who to wake once such changes commit.
    change_kind: Callable[[dict | None, dict], str | None] | None = None
    on_push: Callable[[], Any] | None = None

    async def file_workorder(self, intake_id: int, day: str, build: Callable[[str, str], dict],
                             result: Callable[[dict, str], dict], stages: str,
                             in_feed: bool) -> dict:
        """Number, store and (unless held for an operator) publish a new work order for an
        intake, and record the intake's result — all in one transaction.

        `build(case_no, check_code)` makes the document; `result(doc, check_code)` the
        intake's answer."""

        def op(conn: Any) -> dict:
            rows = fetch(conn, "SELECT state, result FROM intakes WHERE id = ?" + self.for_update,
                         (intake_id,))
            if rows and rows[0]["state"] == "done":  # filed by a concurrent re-run (any node)
                return orjson.loads(rows[0]["result"])
            case_no, check_code = self._next_case_no(conn, day)
            doc = build(case_no, check_code)
            self._insert_doc(conn, doc, check_code, in_feed)
            answer = result(doc, check_code)
            self._finish_intake(conn, intake_id, case_no, answer, stages)
            self._history(conn, case_no, doc["created_at"], "gateway", "filed",
                          {"intake": intake_id, "channel": doc.get("channel")})
            return answer

        return await self.write(op)

    async def attach_intake(self, intake_id: int, case_no: str,
                            mutate: Callable[[dict], dict | None],
                            result: Callable[[dict, str], dict], stages: str,
                            contact: str = "") -> dict | None:
        """Join an intake to an existing case. `mutate(doc)` returns the new document, or None
        when the case can no longer take reports (then nothing is written and None returned)."""

        def op(conn: Any) -> dict | None:
            rows = fetch(
                conn,
                "SELECT doc, check_code FROM workorders WHERE case_no = ?" + self.for_update, (case_no,))
            old = orjson.loads(rows[0][0]) if rows else None
            new_doc = mutate(old) if old is not None else None
            if new_doc is None:
                return None
            self._save_doc(conn, new_doc, old, rows[0][1], joined=contact)
            answer = result(new_doc, rows[0][1])
            self._finish_intake(conn, intake_id, case_no, answer, stages)
            self._history(conn, case_no, new_doc["updated_at"], "gateway", "report_attached",
                                {"intake": intake_id})
            return answer

        return await self.write(op)

    async def update_workorder(self, case_no: str, mutate: Callable[[dict], dict],
                               **kwargs: Any) -> dict:
        """Apply `mutate` to one work order (raising to refuse) and publish the new version."""
        docs = await self.update_workorders(
            [case_no], lambda docs: {case_no: mutate(docs[case_no])}, **kwargs)
        return docs[case_no]

    async def update_workorders(self, case_nos: list[str],
                                mutate: Callable[[dict[str, dict]], dict[str, dict]],
                                *, actor: str, action: str, detail: dict,
                                update_id: str | None = None,
                                request: dict | None = None) -> dict[str, dict]:
        """Change several work orders in one transaction (a merge changes both cases) and
        publish every changed one. With an `update_id`, a repeat returns the first
        response, marked "repeated", and changes nothing."""

        def op(conn: Any) -> dict[str, dict]:
            # The cases first (locked until commit on PostgreSQL), then the update id: the
            # same update reaching two nodes at once is applied by one, and the other,
            # waiting for the lock, then finds it and answers the same.
            docs = {}
            for case_no in case_nos:
                doc = self._load_doc(conn, case_no)
                if doc is None:
                    raise NotFound(f"未找到工单 {case_no}")
                docs[case_no] = doc
            if update_id is not None:
                rows = fetch(conn, "SELECT case_no, request, response FROM status_updates WHERE update_id = ?",
                              (update_id,))
                if rows:
                    # A repeat is the same request for the same case; anything else reusing
                    # the id is refused (the first answer would not answer it).
                    first = {"action": action, **orjson.loads(rows[0]["request"])}  # older rows lack it
                    if rows[0]["case_no"] != case_nos[0] or first != {**(request or {}), "action": action}:
                        raise UpdateIdConflict(update_id, rows[0]["case_no"])
                    first = orjson.loads(rows[0]["response"])
                    return {no: {**doc, "repeated": True} for no, doc in first.items()}
            changed = mutate(docs)
            for case_no, doc in changed.items():
                self._save_doc(conn, doc, docs[case_no])
                self._history(conn, case_no, doc["updated_at"], actor, action, detail)
            if update_id is not None:
                conn.execute(
                    "INSERT INTO status_updates (update_id, case_no, request, response, at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (update_id, case_nos[0], dumps({**(request or {}), "action": action}), dumps(changed),
                     changed[case_nos[0]]["updated_at"]),
                )
            return changed

        return await self.write(op)

    async def split_report(self, case_no: str, intake_id: int, day: str,
                           build: Callable[[str, str], dict],
                           detach: Callable[[dict, str], dict], stages: str,
                           *, actor: str) -> tuple[dict, dict]:
        """Take an intake that was joined to `case_no` out into a new work order of its
        own: `build(new_case_no, check_code)` makes it, `detach(old_doc, new_case_no)`
        removes the report from the old one. Returns (old, new)."""

        def op(conn: Any) -> tuple[dict, dict]:
            before = self._load_doc(conn, case_no)
            if before is None:
                raise NotFound(f"未找到工单 {case_no}")
            new_case_no, check_code = self._next_case_no(conn, day)
            old = detach(before, new_case_no)
            new = build(new_case_no, check_code)
            self._insert_doc(conn, new, check_code, in_feed=True)
            self._save_doc(conn, old, before)
            rows = fetch(conn, "SELECT result FROM intakes WHERE id = ?", (intake_id,))
            answer = {**orjson.loads(rows[0][0]), "case_no": new_case_no, "check_code": check_code,
                      "outcome": "accepted"}
            self._finish_intake(conn, intake_id, new_case_no, answer, stages)
            self._history(conn, case_no, old["updated_at"], actor, "report_split",
                          {"to": new_case_no, "intake": intake_id})
            self._history(conn, new_case_no, new["created_at"], actor, "filed_by_split",
                          {"from": case_no, "intake": intake_id})
            return old, new

        return await self.write(op)

    async def find_intake(self, channel: str, external_id: str) -> dict:
        rows = await self.read("SELECT id FROM intakes WHERE channel = ? AND external_id = ?",
                                (channel, external_id))
        if not rows:
            raise NotFound(f"未找到 {channel} 的反映 {external_id}")
        return await self.get_intake(rows[0][0])

    @staticmethod
    def _next_case_no(conn: Any, day: str) -> tuple[str, str]:
        """The day's next case number (unique across restarts) and a fresh check code."""
        rows = fetch(conn, "INSERT INTO case_counters (day, last) VALUES (?, 1)"
                            " ON CONFLICT (day) DO UPDATE SET last = case_counters.last + 1 RETURNING last", (day,))
        # Ten digits: with at most 5 wrong guesses per case an hour (gateway.guard), a year
        # of guessing one case succeeds with probability 5 × 8,766 / 10^10 ≈ 4.4 × 10^-6.
        return f"{day}-{rows[0][0]:06d}", f"{secrets.randbelow(10**CHECK_CODE_DIGITS):0{CHECK_CODE_DIGITS}d}"

    def _insert_doc(self, conn: Any, doc: dict, check_code: str, in_feed: bool) -> None:
        conn.execute(
            "INSERT INTO workorders (case_no, status, created_at, updated_at, feed_seq,"
            " check_code, needs_review, doc) VALUES (?, ?, ?, ?, "
            + (self.next_feed_seq if in_feed else "NULL")
            + ", ?, ?, ?)",
            (doc["case_no"], doc["status"], doc["created_at"], doc["updated_at"], check_code,
             int(needs_a_person(doc)), dumps(doc)),
        )
        self._after_change(conn, None, doc, check_code)

    def _load_doc(self, conn: Any, case_no: str) -> dict | None:
        rows = fetch(conn, "SELECT doc FROM workorders WHERE case_no = ?" + self.for_update, (case_no,))
        return orjson.loads(rows[0][0]) if rows else None

    def _save_doc(self, conn: Any, doc: dict, old: dict,
                  check_code: str = "", joined: str = "") -> None:
        # A held work order (feed_seq NULL) enters the feed once it leaves 'received'.
        conn.execute(
            "UPDATE workorders SET status = ?, updated_at = ?, needs_review = ?, doc = ?,"
            " feed_seq = CASE WHEN feed_seq IS NULL AND ? = 'received' THEN NULL"
            f" ELSE {self.next_feed_seq} END"
            " WHERE case_no = ?",
            (doc["status"], doc["updated_at"], int(needs_a_person(doc)), dumps(doc),
             doc["status"], doc["case_no"]),
        )
        self._after_change(conn, old, doc, check_code, joined)

    def _after_change(self, conn: Any, old: dict | None, new: dict,
                      check_code: str, joined: str = "") -> None:
        """Record the case's contacts, and queue the answers back `notices` decides on.
        `joined`: the contact ("channel:id") of a report that just joined the case."""
        case_no = new["case_no"]
        listed = reporter_contacts(new)
        if old is not None:
            listed -= reporter_contacts(old)
        if joined:
            listed.add(joined)
        if listed:
            conn.executemany("INSERT INTO case_contacts (case_no, contact) VALUES (?, ?)"
                             " ON CONFLICT DO NOTHING",
                             [(case_no, contact) for contact in listed])
        for merged in set(new.get("duplicates", [])) - set((old or {}).get("duplicates", [])):
            conn.execute("INSERT INTO case_contacts (case_no, contact)"
                         " SELECT ?, contact FROM case_contacts WHERE case_no = ?"
                         " ON CONFLICT DO NOTHING", (case_no, merged))
        if self.change_kind is not None:
            kind = self.change_kind(old, new)
            if kind and PushRecords.log_change(conn, case_no, kind, new) is not None and self.on_push:
                self.after_commit("push", self.on_push)
        if self.notices is None:
            return

        def contacts() -> list[str]:  # everyone who ever reported the case, in order
            return [r[0] for r in fetch(
                conn, "SELECT contact FROM case_contacts WHERE case_no = ? ORDER BY rowid", (case_no,))]

        rows = self.notices(old, new, check_code, contacts=contacts, joined=joined)
        if rows:
            conn.executemany(
                "INSERT INTO outbox (channel, contact_id, case_no, event, context, created_at,"
                " next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(r["channel"], r["contact_id"], case_no, r["event"], dumps(r["context"]),
                  new["updated_at"], new["updated_at"]) for r in rows])
            if self.on_outbox is not None:
                self.after_commit("outbox", self.on_outbox)

    @staticmethod
    def _history(conn: Any, case_no: str, at: str, actor: str,
                       action: str, detail: dict) -> None:
        conn.execute(
            "INSERT INTO history (case_no, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)",
            (case_no, at, actor, action, dumps(detail)),
        )

    async def get_workorder(self, case_no: str) -> dict:
        rows = await self.read("SELECT doc FROM workorders WHERE case_no = ?", (case_no,))
        if not rows:
            raise NotFound(f"未找到工单 {case_no}")
        return orjson.loads(rows[0][0])

    async def get_public(self, case_no: str) -> tuple[dict, str]:
        """The document and its check code (for the citizen's status page)."""
        rows = await self.read("SELECT doc, check_code FROM workorders WHERE case_no = ?", (case_no,))
        if not rows:
            raise NotFound(f"未找到工单 {case_no}")
        return orjson.loads(rows[0][0]), rows[0][1]

    async def feed(self, cursor: int, limit: int) -> tuple[list[dict], int]:
        rows = await self.read(
            "SELECT feed_seq, doc FROM workorders WHERE feed_seq > ? ORDER BY feed_seq LIMIT ?",
            (cursor, limit),
        )
        items = []
        for row in rows:
            doc = orjson.loads(row[1])
            doc["feed_seq"] = row[0]
            items.append(doc)
        return items, (rows[-1][0] if rows else cursor)

    async def held_since(self, since: str) -> list[dict]:
        """Cases held for an operator (not in the feed) changed at or after `since` (ISO):
        what another node's duplicate index needs besides the feed."""
        rows = await self.read("SELECT doc FROM workorders WHERE status = 'received' AND feed_seq IS NULL"
                               " AND updated_at >= ?", (since,))
        return [orjson.loads(r[0]) for r in rows]

    async def feed_head(self) -> int:
        """The newest feed number (0 for an empty feed)."""
        return (await self.read("SELECT COALESCE(MAX(feed_seq), 0) FROM workorders"))[0][0]

    async def history(self, case_no: str) -> list[dict]:
        rows = await self.read(
            "SELECT at, actor, action, detail FROM history WHERE case_no = ? ORDER BY id", (case_no,))
        return [{"at": r[0], "actor": r[1], "action": r[2], "detail": orjson.loads(r[3])} for r in rows]

    async def workorders_in(self, statuses: Iterable[str]) -> list[dict]:
        """Every work order whose status is one of `statuses` (e.g. the open ones)."""
        statuses = sorted(statuses)
        rows = await self.read(
            f"SELECT doc FROM workorders WHERE status IN ({', '.join('?' * len(statuses))})",
            tuple(statuses))
        return [orjson.loads(r[0]) for r in rows]

    async def cases_of_contact(self, contact: str, limit: int = 20) -> list[dict]:
        """The newest cases a contact ("channel:id") reported, newest first."""
        rows = await self.read(
            "SELECT w.doc FROM case_contacts c JOIN workorders w ON w.case_no = c.case_no"
            " WHERE c.contact = ? ORDER BY w.created_at DESC, w.case_no DESC LIMIT ?", (contact, limit))
        return [orjson.loads(r[0]) for r in rows]

    async def search_workorders(self, *, case_nos: list[str] | None = None,
                                categories: list[str] | None = None,
                                created_from: str = "", created_to: str = "",
                                statuses: Iterable[str] | None = None,
                                limit: int = 200) -> list[dict]:
        """Work orders by case number, or by category codes, creation time (ISO 8601 in
        China Standard Time, as stored) and status; newest first, at most `limit`."""
        where, params = [], []
        if case_nos:
            where.append(f"case_no IN ({', '.join('?' * len(case_nos))})")
            params += case_nos
        else:
            if categories:
                where.append(f"{self.json_field('doc', 'category', 'code')} IN ({', '.join('?' * len(categories))})")
                params += categories
            if created_from:
                where.append("created_at >= ?")
                params.append(created_from)
            if created_to:
                where.append("created_at <= ?")
                params.append(created_to)
            if statuses is not None:
                statuses = sorted(statuses)
                where.append(f"status IN ({', '.join('?' * len(statuses))})")
                params += statuses
        sql = "SELECT doc FROM workorders" + (" WHERE " + " AND ".join(where) if where else "")
        rows = await self.read(sql + " ORDER BY created_at DESC, case_no DESC LIMIT ?", (*params, limit))
        return [orjson.loads(r[0]) for r in rows]

    async def overdue_candidates(self, at: str, statuses: Iterable[str], limit: int = 500) -> list[str]:
        """Cases in the feed, in one of `statuses`, due before `at` (ISO 8601, +08:00) and not
        yet marked overdue."""
        statuses = sorted(statuses)
        rows = await self.read(
            f"SELECT case_no FROM workorders WHERE status IN ({', '.join('?' * len(statuses))})"
            f" AND feed_seq IS NOT NULL AND {self.json_field('doc', 'due_at')} < ?"
            f" AND {self.json_field('doc', 'overdue')} IS NULL ORDER BY case_no LIMIT ?", (*statuses, at, limit))
        return [r[0] for r in rows]

    async def deadline_marks_due(self, at: str, statuses: Iterable[str], limit: int = 500) -> list[str]:
        """Cases in one of `statuses` whose running clock has reached its next mark by `at`
        (ISO 8601, +08:00): 80 % of the time while `running`, the due time while `warning`
        (the deadline check of any node, where several share the database)."""
        statuses = sorted(statuses)
        state = self.json_field("doc", "deadline", "state")
        mark = (f"CASE {state} WHEN 'running' THEN {self.json_field('doc', 'deadline', 'warn_at')}"
                f" WHEN 'warning' THEN {self.json_field('doc', 'deadline', 'due_at')} END")
        rows = await self.read(
            f"SELECT case_no FROM workorders WHERE status IN ({', '.join('?' * len(statuses))})"
            f" AND {mark} <= ? ORDER BY case_no LIMIT ?", (*statuses, at, limit))
        return [r[0] for r in rows]

    async def count_review(self) -> int:
        return (await self.read("SELECT count(*) FROM workorders WHERE needs_review = 1"))[0][0]

