"""submit(): store the report durably, then classify → locate → check duplicates → file a
new work order or join an open one. Also the other changes a work order goes through
(status updates from the core), so that every change passes one place."""
from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable
from typing import Any

from classifiers.locate.registry import gcj02_to_wgs84
from gateway.cases import workorders
from gateway.errors import StorageUnavailable
from gateway.metrics import Metrics
from gateway.models import (
    ACCEPTED,
    ATTACHED,
    UNAVAILABLE,
    Classification,
    DuplicateCheck,
    GeoPoint,
    Intake,
    Location,
    StageResults,
    SubmitResult,
    intake_from_plain,
    intake_json,
    iso,
    now,
    to_json,
)
from gateway.stages.pool import StageAnswer, StagePool, StageTimeout, WorkerLost
from gateway.stages.protocols import Classifier, DuplicateFinder, Locator
from gateway.store import Store

log = logging.getLogger("gateway.pipeline")


class Pipeline:
    def __init__(self, store: Store, *, classifier: Classifier, locator: Locator,
                 duplicates: DuplicateFinder, public_url: str, metrics: Metrics | None = None,
                 inline_chars: int = 1000, pool: StagePool | None = None):
        self.store = store
        self.classifier = classifier
        self.locator = locator
        self.duplicates = duplicates
        self.public_url = public_url
        self.metrics = metrics or Metrics()
        self.inline_chars = inline_chars
        self.pool = pool  # worker processes for classify and locate, when configured
        self._inflight: dict[int, asyncio.Future[SubmitResult]] = {}
        self._listeners: list[Callable[[dict], Any]] = []

    def on_change(self, listener: Callable[[dict], Any]) -> None:
        """Call `listener(workorder)` after every committed change (notifiers, indexes)."""
        self._listeners.append(listener)

    # -- intake -------------------------------------------------------------------------

    async def submit(self, intake: Intake) -> SubmitResult:
        payload = intake_json(intake)
        raw = intake.raw if isinstance(intake.raw, str) or intake.raw is None else to_json(intake.raw)
        early = None
        if self.pool is not None and self.pool.ready:
            # The stage workers classify and locate while the report is being stored.
            early = asyncio.ensure_future(self._pure_stages(intake))
        try:
            try:
                stored = await self.store.save_intake(
                    intake.channel, intake.external_id, iso(intake.received_at), payload, raw)
            except StorageUnavailable as exc:
                return self._count(intake.channel, self._unavailable(exc))
            if stored.result is not None:  # a retry of a report already filed
                return self._count(intake.channel, _result(stored.result, repeated=True))
            if not stored.created:  # a retry of a report stored but not filed: the stored one
                intake = intake_from_plain(stored.payload)
                if early is not None:
                    early.cancel()
                    early = None
            result = await self._process(stored.id, intake, early)
        finally:
            if early is not None and not early.done():
                early.cancel()
        if not stored.created:
            result = dataclasses.replace(result, repeated=True)
        return self._count(intake.channel, result)

    async def reprocess(self, intake_id: int) -> SubmitResult:
        """Run the stages again for a stored report: finish it if it was never filed (a
        crash between stages), or refresh its work order's category and place (the
        classifier improved) unless an operator has settled them."""
        record = await self.store.get_intake(intake_id)
        intake = intake_from_plain(record["payload"])
        if record["state"] != "done":
            return await self._process(intake_id, intake)
        stages = await self.run_stages(intake, check_duplicates=False)
        doc = await self.store.update_workorder(
            record["case_no"], lambda doc: workorders.restage(doc, stages),
            actor="gateway", action="restaged", detail={"intake": intake_id})
        self.changed(doc)
        return _result(record["result"])

    async def recover(self) -> int:
        """File every report that was stored but never filed (e.g. the process died
        between the two commits). Returns how many were finished."""
        done = 0
        for intake_id in await self.store.pending_intakes():
            result = await self.reprocess(intake_id)  # waits for one already in flight
            if result.outcome != UNAVAILABLE:
                done += 1
                log.info("recovered report", extra={"case_no": result.case_no, "intake": intake_id})
        return done

    async def _process(self, intake_id: int, intake: Intake,
                       early: asyncio.Future | None = None) -> SubmitResult:
        running = self._inflight.get(intake_id)
        if running is not None:  # the same report is being processed right now
            return await asyncio.shield(running)
        future: asyncio.Future[SubmitResult] = asyncio.get_running_loop().create_future()
        self._inflight[intake_id] = future
        try:
            result = await self._file(intake_id, intake, early)
            future.set_result(result)
            return result
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters get it, nobody else must
            raise
        finally:
            del self._inflight[intake_id]

    async def _file(self, intake_id: int, intake: Intake,
                    early: asyncio.Future | None = None) -> SubmitResult:
        stages = await self.run_stages(intake, pure=early)
        stage_record = to_json(stages)
        at = now()
        filed: dict = {}

        def answer(outcome: str) -> Callable[[dict, str], dict]:
            def make(doc: dict, check_code: str) -> dict:
                filed["doc"] = doc
                return {"outcome": outcome, "case_no": doc["case_no"], "check_code": check_code,
                        "status": doc["status"], "needs_review": doc["needs_review"]}
            return make

        join = intake.case_hint or (stages.duplicates.case_no if stages.duplicates.action == "attach" else "")
        try:
            saved = None
            if join:
                reporter = intake.reporter
                saved = await self.store.attach_intake(
                    intake_id, join,
                    lambda doc: workorders.attach_report(doc, intake, at, self.public_url),
                    answer(ATTACHED), stage_record,
                    contact=f"{reporter.contact_channel}:{reporter.contact_id}" if reporter.contact_id else "")
            if saved is None:  # nothing to join, or that case is no longer open
                saved = await self.store.file_workorder(
                    intake_id, at.strftime("%Y%m%d"),
                    lambda case_no, code: workorders.new_workorder(
                        case_no, code, intake, stages, at, self.public_url, intake.hold_for_review,
                        related_to=intake.case_hint),
                    answer(ACCEPTED), stage_record, in_feed=not intake.hold_for_review)
        except StorageUnavailable as exc:
            return self._unavailable(exc)
        if "doc" in filed:
            self.changed(filed["doc"])
            log.info("report %s", saved["outcome"], extra={
                "case_no": saved["case_no"], "channel": intake.channel, "intake": intake_id})
        return _result(saved)

    async def run_stages(self, intake: Intake, *, check_duplicates: bool = True,
                         pure: asyncio.Future | None = None) -> StageResults:
        """All stages for a report; `pure`: its classification and location, if already
        under way (submit starts them while the report is being stored)."""
        classification, location, prepared = await (pure or self._pure_stages(intake))
        if check_duplicates and not intake.case_hint:
            duplicates = self._stage("dedupe", DuplicateCheck, self.duplicates.check,
                                     intake, classification, location, prepared)
            # Never joined without a person deciding: the citizen said it is something else,
            # or an operator will see the ticket anyway (hotline) and can mark it duplicate.
            if (intake.not_duplicate or intake.hold_for_review) and duplicates.action == "attach":
                duplicates = DuplicateCheck(action="suggest", candidates=duplicates.candidates)
        else:
            duplicates = DuplicateCheck()
        return StageResults(classification, location, duplicates)

    async def _pure_stages(self, intake: Intake) -> tuple[Classification, Location, Any]:
        """Classify, locate and prepare the text for the duplicate check: in a stage worker
        if there is one, else here (the duplicate check then prepares the text itself)."""
        chosen = self._chosen_category(intake)
        text, place_text, point = _stage_inputs(intake)
        try:
            answer = await self._in_worker(None if chosen else text, place_text, point, intake.text)
        except StageTimeout:
            log.error("stage worker timed out; filing the report for review")
            return chosen or _failed("classify", Classification), _failed("locate", Location), None
        if answer is not None:
            return (chosen or answer.classification or _failed("classify", Classification),
                    answer.location or _failed("locate", Location), answer.prepared)
        # Without workers, a short report runs on the loop (well under a millisecond: a
        # thread would give no parallelism under the GIL, only a hop); a long one off it.
        if len(intake.text) + len(intake.title) + len(intake.address) <= self.inline_chars:
            return self._local_stages(chosen, text, place_text, point)
        return await asyncio.get_running_loop().run_in_executor(
            None, self._local_stages, chosen, text, place_text, point)

    async def locate(self, place: str) -> Location:
        """Where a place description is (an operator's corrected address)."""
        try:
            answer = await self._in_worker(None, place, None)
        except StageTimeout:
            answer = None
        if answer is not None and answer.location is not None:
            return answer.location
        return self._stage("locate", Location, self.locator.locate, place, None)

    async def _in_worker(self, text: str | None, place_text: str, point: GeoPoint | None,
                         dedupe_text: str | None = None) -> StageAnswer | None:
        """The stages' answer from a worker; None when there is none to ask (or it died:
        then the caller runs them here). Raises StageTimeout for a stuck worker."""
        if self.pool is None or not self.pool.ready:
            return None
        try:
            answer = await self.pool.run(text, place_text, point, dedupe_text)
        except WorkerLost:
            return None
        if text is not None:
            self.metrics.of(self.metrics.stage_seconds, "classify").observe(answer.classify_s)
        self.metrics.of(self.metrics.stage_seconds, "locate").observe(answer.locate_s)
        return answer

    def _chosen_category(self, intake: Intake) -> Classification | None:
        if intake.category_hint and hasattr(self.classifier, "categorize"):
            return self.classifier.categorize(intake.category_hint, "citizen")
        return None

    def _local_stages(self, chosen: Classification | None, text: str, place_text: str,
                      point: GeoPoint | None) -> tuple[Classification, Location, None]:
        classification = chosen or self._stage("classify", Classification, self.classifier.classify, text)
        return classification, self._stage("locate", Location, self.locator.locate, place_text, point), None

    def _stage(self, name: str, empty: type, fn: Callable, *args: Any) -> Any:
        started = time.perf_counter()
        try:
            return fn(*args)
        except Exception:
            # A stage fault must not lose the report: file it for a person to look at.
            log.exception("stage %s failed", name)
            return _failed(name, empty)
        finally:
            self.metrics.of(self.metrics.stage_seconds, name).observe(time.perf_counter() - started)

    # -- changes from the core and operators --------------------------------------------

    async def change_status(self, case_no: str, status: str, *, note: str = "",
                            department: str = "", update_id: str | None = None,
                            actor: str = "core") -> dict:
        request = {"status": status, "note": note, "department": department}
        doc = await self.store.update_workorder(
            case_no,
            lambda doc: workorders.apply_status(doc, status, now(), note=note, department=department),
            actor=actor, action="status", detail=request, update_id=update_id, request=request)
        if not doc.pop("repeated", False):
            self.metrics.status_changes.labels(status).inc()
            self.changed(doc)
        return doc

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
            return {source: merged, target: into}

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
            return {target: into, merged_case: source}

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
        stages = await self.run_stages(intake, check_duplicates=False)
        at = now()

        def build(new_case_no: str, check_code: str) -> dict:
            doc = workorders.new_workorder(new_case_no, check_code, intake, stages, at,
                                           self.public_url, hold=False)
            return {**doc, "split_from": case_no}

        old, new = await self.store.split_report(
            case_no, record["id"], at.strftime("%Y%m%d"), build,
            lambda doc, new_case_no: workorders.detach_report(doc, channel, channel_ref,
                                                              new_case_no, at),
            to_json(stages), actor=actor)
        self._published({case_no: old, new["case_no"]: new})
        return {case_no: old, new["case_no"]: new}

    # -- helpers ------------------------------------------------------------------------

    def changed(self, doc: dict) -> None:
        """A work order changed (committed): keep the duplicate index and listeners current."""
        self.duplicates.track(doc)
        for listener in self._listeners:
            try:
                listener(doc)
            except Exception:
                log.exception("change listener failed", extra={"case_no": doc.get("case_no")})

    def _unavailable(self, exc: Exception) -> SubmitResult:
        log.warning("storage unavailable: %s", exc)
        return SubmitResult(outcome=UNAVAILABLE, reason="系统暂时无法保存，请稍后重试")

    def _count(self, channel: str, result: SubmitResult) -> SubmitResult:
        outcome = "repeated" if result.repeated else result.outcome
        self.metrics.of(self.metrics.intake, channel, outcome).inc()
        return result


STAGE_NAMES = {"classify": "分类", "locate": "定位", "dedupe": "查重"}


def _failed(name: str, empty: type) -> Any:
    """The result of a stage that failed: empty, and marked for a person to handle."""
    result = empty()
    if hasattr(result, "needs_review"):
        result.needs_review = True
        result.review_reasons = [f"自动{STAGE_NAMES[name]}失败，请人工处理"]
    return result


def _stage_inputs(intake: Intake) -> tuple[str, str, GeoPoint | None]:
    """What the classifier reads, what the locator reads, and the point in WGS-84."""
    text = f"{intake.title}\n{intake.text}".strip()
    place_text = f"{intake.address}\n{text}".strip() if intake.address else text
    point = intake.point
    if point is not None and intake.point_crs == "gcj02":
        point = gcj02_to_wgs84(point)
    return text, place_text, point


def _result(data: dict, repeated: bool = False) -> SubmitResult:
    return SubmitResult(outcome=data["outcome"], case_no=data["case_no"],
                        check_code=data.get("check_code", ""), status=data.get("status", ""),
                        needs_review=data.get("needs_review", False), repeated=repeated)
