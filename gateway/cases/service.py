"""The case service: every change to a work order after it is filed goes through here —
status updates from the core, merge and split, citizens' ratings, and what a seat
operator does in the console — each committed through the store's serialised update, then
published to the duplicate index and the live views. Every change passes the deadline
clock (gateway.cases.deadlines), which also announces cases crossing 80 % of their time
and going overdue."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from gateway.cases import tickets, workorders
from gateway.cases.deadlines import Clock, DeadlineSettings
from gateway.errors import NotFound, Refusal
from gateway.events import EventHub
from gateway.metrics import Metrics
from gateway.models import Intake, intake_from_plain, iso, now, to_json, to_plain
from gateway.stages.runner import StageRunner
from gateway.store import Store
from gateway.store.console import ConsoleStore

log = logging.getLogger("gateway.cases")


class _NotCrossed(Refusal):
    code = "not_crossed"


class CaseService:
    def __init__(self, store: Store, stages: StageRunner, *, public_url: str,
                 metrics: Metrics | None = None, clock: Clock | None = None,
                 events: EventHub | None = None):
        self.store = store
        self.clock = clock or DeadlineSettings().clock()
        self.events = events or EventHub()
        # Open cases whose clock runs: case number → when it next crosses a mark (ISO).
        self._marks: dict[str, str] = {}
        self.stages = stages
        self.public_url = public_url
        self.metrics = metrics or Metrics()
        self.console = ConsoleStore(store)  # the operators' audit log and labelled examples
        self._listeners: list[Callable[[dict], Any]] = []
        # Replays of history running (gateway.replay): the sweeps that stamp with the wall
        # clock wait, since the replay stamps every crossing at the time it happened.
        self.replaying = 0

    def on_change(self, listener: Callable[[dict], Any]) -> None:
        """Call `listener(workorder)` after every committed change (live views)."""
        self._listeners.append(listener)

    def changed(self, doc: dict) -> None:
        """A work order changed (committed): keep the duplicate index and listeners current."""
        self.stages.track(doc)
        mark = self.clock.next_mark(doc)
        if mark:
            self._marks[doc["case_no"]] = mark
        else:
            self._marks.pop(doc["case_no"], None)
        for listener in self._listeners:
            try:
                listener(doc)
            except Exception:
                log.exception("change listener failed", extra={"case_no": doc.get("case_no")})

    def follow_clocks(self, docs: list[dict]) -> None:
        """Watch the clocks of these open cases (at start-up)."""
        for doc in docs:
            mark = self.clock.next_mark(doc)
            if mark:
                self._marks[doc["case_no"]] = mark

    def timed(self, mutate: Callable[[dict], dict], at) -> Callable[[dict], dict]:
        """`mutate`, with the deadline following the change."""
        return lambda doc: self.clock.follow(doc, mutate(doc), at)

    async def check_deadlines(self) -> int:
        """Stamp every case whose clock has crossed 80 % of its time or its due time since
        it was last stamped: a change in the feed, a history entry and a console event.
        Returns how many were stamped. Waits while a replay of history is stamping the
        replayed cases at the moments they crossed (`catch_up`).

        On one node the marks are this process's own (`_marks`). Where several nodes share
        the database, the cases due are read from it, so whichever node runs the check
        stamps cases filed on any node; each stamp re-reads the case under its row lock
        and stamps only a crossing not stamped yet, so two nodes checking at once stamp it
        once."""
        if self.replaying:
            return 0
        at = now()
        stamp = iso(at)
        done = 0
        if self.store.shared:
            due = await self.store.deadline_marks_due(stamp, workorders.OPEN_STATUSES)
        else:
            due = [c for c, mark in self._marks.items() if mark <= stamp]
        for case_no in due:
            done += await self._cross(case_no, at)
        return done

    async def catch_up(self, case_no: str, until: datetime) -> int:
        """A replay of history: stamp each mark this case's clock crossed up to `until` at
        the moment it crossed it (80 %, then overdue), as the sweep would have then.
        Returns how many were stamped."""
        done = 0
        while (mark := self._marks.get(case_no)) and datetime.fromisoformat(mark) <= until:
            if not await self._cross(case_no, datetime.fromisoformat(mark)):
                break
            done += 1
        return done

    async def _cross(self, case_no: str, at: datetime) -> bool:
        """Stamp the case as of `at` if its clock has crossed a mark; False if it has not
        (it changed meanwhile: its next mark comes with the change)."""
        stamp = iso(at)
        try:
            current = await self.store.get_workorder(case_no)
        except NotFound:
            current = {}
        crossed = self.clock.crossed(current, at) if current else None
        if crossed is None:
            self._marks.pop(case_no, None)
            return False

        def mutate(doc: dict) -> dict:
            crossed = self.clock.crossed(doc, at)
            if crossed is None:
                raise _NotCrossed("")
            crossed = {**crossed, "updated_at": stamp}
            if crossed["deadline"]["state"] == "overdue" and not crossed.get("overdue"):
                crossed = workorders.mark_overdue(crossed, at)  # push's "overdue" change, once
            return crossed

        try:
            doc = await self.store.update_workorder(
                case_no, mutate, actor="gateway", action="deadline_" + crossed["deadline"]["state"],
                detail={"due_at": crossed["deadline"]["due_at"],
                        "used_share": crossed["deadline"]["used_share"]})
        except _NotCrossed:
            self._marks.pop(case_no, None)
            return False
        self.changed(doc)
        deadline = doc["deadline"]
        self.events.publish("deadline", {
            "case_no": case_no, "title": doc["title"], "state": deadline["state"],
            "state_name": deadline["state_name"], "due_at": deadline["due_at"],
            "used_share": deadline["used_share"], "tier_name": deadline["tier_name"]})
        return True

    async def clock_action(self, case_no: str, action: str, *, note: str = "",
                           update_id: str | None = None, actor: str = "core",
                           at: datetime | None = None) -> dict:
        """Pause the case's clock while it waits for the citizen, or resume it (`at`: when,
        for a replay of history; else now)."""
        if action not in ("pause", "resume"):
            raise Refusal("action 须为 pause（等待群众补充，暂停计时）或 resume（恢复计时）",
                          code="unknown_clock_action", http_status=422)
        at = at or now()
        step = self.clock.pause if action == "pause" else self.clock.resume
        request = {"action": action, "note": note}
        doc = await self.store.update_workorder(
            case_no, lambda doc: step(self.clock.follow(None, doc, at), at, note),
            actor=actor, action=f"clock_{action}", detail=request, update_id=update_id, request=request)
        if not doc.pop("repeated", False):
            self.changed(doc)
        return doc

    async def change_status(self, case_no: str, status: str, *, note: str = "",
                            department: str = "", update_id: str | None = None,
                            actor: str = "core", at: datetime | None = None) -> dict:
        """The case moves on (the core platform, or a replay of history with its own `at`)."""
        request = {"status": status, "note": note, "department": department}
        at = at or now()
        doc = await self.store.update_workorder(
            case_no,
            self.timed(lambda doc: workorders.apply_status(doc, status, at, note=note, department=department), at),
            actor=actor, action="status", detail=request, update_id=update_id, request=request)
        if not doc.pop("repeated", False):
            self.metrics.status_changes.labels(status).inc()
            self.changed(doc)
        return doc

    async def mark_overdue(self) -> int:
        """Mark every open case past its due time overdue (a change in the feed); how many.
        Waits while a replay of history is running (it marks them at their due time)."""
        if self.replaying:
            return 0
        at = now()
        done = 0
        for case_no in await self.store.overdue_candidates(iso(at), workorders.OPEN_STATUSES):
            try:
                doc = await self.store.update_workorder(
                    case_no, lambda doc: workorders.mark_overdue(doc, at),
                    actor="gateway", action="overdue", detail={"at": iso(at)})
            except Refusal:  # it changed meanwhile (closed, or marked by another sweep)
                continue
            self.changed(doc)
            done += 1
        return done

    async def rate(self, case_no: str, channel: str, contact_id: str, rating: str) -> dict:
        doc = await self.store.update_workorder(
            case_no, lambda doc: workorders.rate(doc, channel, contact_id, rating, now()),
            actor=f"{channel}:reporter", action="rated", detail={"rating": rating})
        self.changed(doc)
        return doc

    def _published(self, docs: dict[str, dict]) -> None:
        for doc in docs.values():
            if not doc.pop("repeated", False):
                self.changed(doc)

    async def merge(self, source: str, target: str, *, note: str = "",
                    update_id: str | None = None, actor: str = "core") -> dict[str, dict]:
        """`source` is a duplicate of `target`: it is closed as merged into it."""
        at = now()

        def mutate(docs: dict[str, dict]) -> dict[str, dict]:
            merged, into = workorders.merge(docs[source], docs[target], at, note)
            return {source: self.clock.follow(docs[source], merged, at),
                    target: self.clock.follow(docs[target], into, at)}

        docs = await self.store.update_workorders(
            [source, target], mutate, actor=actor, action="merge",
            detail={"source": source, "target": target, "note": note}, update_id=update_id,
            request={"into": target, "note": note})
        self._published(docs)
        return docs

    async def unmerge(self, target: str, merged_case: str, *, update_id: str | None = None,
                      actor: str = "core") -> dict[str, dict]:
        """Undo a merge: `merged_case` is open again and leaves `target`."""
        at = now()

        def mutate(docs: dict[str, dict]) -> dict[str, dict]:
            source, into = workorders.unmerge(docs[merged_case], docs[target], at)
            return {target: self.clock.follow(docs[target], into, at),
                    merged_case: self.clock.follow(docs[merged_case], source, at)}

        docs = await self.store.update_workorders(
            [target, merged_case], mutate, actor=actor, action="unmerge",
            detail={"source": merged_case, "target": target}, update_id=update_id,
            request={"merged_case": merged_case})
        self._published(docs)
        return docs

    async def split_report(self, case_no: str, channel: str, channel_ref: str, *,
                           actor: str = "core") -> dict[str, dict]:
        """A report that joined `case_no` by mistake becomes a case of its own. Asking
        again for a report already split off answers with the same two cases."""
        record = await self.store.find_intake(channel, channel_ref)
        if record["case_no"] != case_no:
            new = await self.store.get_workorder(record["case_no"])
            if new.get("split_from") == case_no:
                return {case_no: await self.store.get_workorder(case_no), new["case_no"]: new}
            raise workorders.InvalidTransition(
                f"该反映属于工单 {record['case_no']}，不在工单 {case_no} 中", code="invalid_split")
        intake = intake_from_plain(record["payload"])
        stages = await self.stages.run(intake, check_duplicates=False)
        at = now()

        def build(new_case_no: str, check_code: str) -> dict:
            doc = workorders.new_workorder(new_case_no, check_code, intake, stages, at,
                                           self.public_url, hold=False)
            return self.clock.start({**doc, "split_from": case_no}, at)

        old, new = await self.store.split_report(
            case_no, record["id"], at.strftime("%Y%m%d"), build,
            lambda doc, new_case_no: workorders.detach_report(doc, channel, channel_ref,
                                                              new_case_no, at),
            to_json(stages), actor=actor)
        self._published({case_no: old, new["case_no"]: new})
        return {case_no: old, new["case_no"]: new}

    # -- what a seat operator does ----------------------------------------------------------

    async def act(self, case_no: str, action: str, operator: str, fields: dict | None = None,
                  *, text: str = "", target: str = "") -> dict:
        """One operator action: "save" (edit only), "confirm", "consult", "discard" or
        "duplicate" (of `target`); edits in `fields` are applied in the same commit."""
        fields = dict(fields or {})
        category = None
        if fields.get("category"):
            category = self.stages.categorize(str(fields.pop("category")), "operator")
            if category is None:
                raise Refusal("未知的问题类别", code="unknown_category", http_status=422)
        fields.pop("category", None)
        located = None
        if isinstance(fields.get("address"), str) and fields["address"].strip():
            located = await self.stages.locate(fields["address"].strip()[:200])
        at = now()
        steps = {
            "save": lambda d: d,
            "confirm": lambda d: tickets.confirm(d, at, operator),
            "consult": lambda d: tickets.answer(d, text, at, operator),
            "discard": lambda d: tickets.discard(d, text, at, operator),
            "duplicate": lambda d: d,
        }
        if action not in steps:
            raise Refusal(f"未知操作 {action}", code="unknown_action", http_status=422)
        if action == "duplicate" and not target:
            raise Refusal("请选择重复的工单", code="target_required", http_status=422)
        before: dict = {}

        def mutate(doc: dict) -> dict:
            before.update(doc)
            return self.clock.follow(doc, steps[action](tickets.edit(doc, fields, category, at, operator, located)), at)

        doc = await self.store.update_workorder(
            case_no, mutate, actor=f"console:{operator}", action=f"operator_{action}",
            detail={"fields": {**fields, **({"category": category.code} if category else {})},
                    "text": text, "target": target})
        self.changed(doc)
        if action == "duplicate":
            docs = await self.merge(case_no, target, note=text or "", actor=f"console:{operator}")
            doc = {**docs[case_no], "settled_by": operator}
        await self.console.audit(iso(at), operator, action, case_no,
                                 {"fields": {**fields, **({"category": category.code} if category else {})},
                                  "text": text, "target": target, "status": doc["status"]})
        if action in ("confirm", "consult") and doc["category"].get("code"):
            suggested = before.get("category", {}).get("code", "")
            await self.console.add_label(doc["description"], doc["category"]["code"], suggested,
                                         operator, case_no, iso(at))
        return doc

    async def retext(self, case_no: str, text: str) -> dict | None:
        """A transcript that arrived after the call was filed: if nobody has settled the
        ticket yet and it has no text, it gets the transcript and fresh suggestions."""
        try:
            doc = await self.store.get_workorder(case_no)
        except NotFound:
            return None
        if doc["status"] != workorders.HELD_STATUS or not workorders.lacks_text(doc):
            return None
        intake = Intake(channel=doc["channel"], external_id=doc["channel_ref"], text=text)
        stages = await self.stages.run(intake)

        def mutate(current: dict) -> dict:
            if current["status"] != workorders.HELD_STATUS or not workorders.lacks_text(current):
                raise tickets.AlreadyHandled("工单已由坐席修改")
            new = workorders.restage(current, stages)
            new["description"] = text
            new["title"] = workorders.make_title(intake, stages)
            new["duplicate_candidates"] = (to_plain(stages.duplicates.candidates)
                                           if stages.duplicates.candidates else [])
            new["updated_at"] = iso(now())
            return self.clock.follow(current, new, now())

        try:
            doc = await self.store.update_workorder(case_no, mutate, actor="gateway",
                                                    action="transcript", detail={"chars": len(text)})
        except tickets.AlreadyHandled:
            return None
        self.changed(doc)
        return doc

