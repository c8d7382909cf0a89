"""submit(): store the report durably, then run its stages (classify → locate → check
duplicates) and file a new work order or join an open one. Reports stored but never filed
(a crash between the two commits) are finished by `recover`."""
from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable

from gateway.cases import workorders
from gateway.cases.service import CaseService
from gateway.errors import StorageUnavailable
from gateway.fields import sanitize_intake
from gateway.metrics import Metrics
from gateway.models import (
    ACCEPTED,
    ATTACHED,
    UNAVAILABLE,
    Intake,
    StageResults,
    SubmitResult,
    contact_key,
    intake_from_plain,
    intake_json,
    iso,
    now,
    to_json,
)
from gateway.stages.runner import StageRunner
from gateway.store import Store

log = logging.getLogger("gateway.intake")
# Sweeps a stored report may fail before it is set aside for a person to look at.
GIVE_UP_AFTER = 3


class Pipeline:
    def __init__(self, store: Store, stages: StageRunner, cases: CaseService, *,
                 public_url: str, metrics: Metrics | None = None):
        self.store = store
        self.stages = stages
        self.cases = cases
        self.public_url = public_url
        self.metrics = metrics or Metrics()
        self._inflight: dict[int, asyncio.Future[SubmitResult]] = {}
        # Called with (intake, stages, case_no) after each report is filed or joined a case.
        self._filed: list[Callable[[Intake, StageResults, str], None]] = []

    def on_filed(self, listener: Callable[[Intake, StageResults, str], None]) -> None:
        self._filed.append(listener)

    async def submit(self, intake: Intake) -> SubmitResult:
        intake = sanitize_intake(intake)
        payload = intake_json(intake)
        raw = intake.raw if isinstance(intake.raw, str) or intake.raw is None else to_json(intake.raw)
        # The stage workers classify and locate while the report is being stored.
        early = self.stages.start_early(intake)
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
        stages = await self.stages.run(intake, check_duplicates=False)
        doc = await self.store.update_workorder(
            record["case_no"], self.cases.timed(lambda doc: workorders.restage(doc, stages), now()),
            actor="gateway", action="restaged", detail={"intake": intake_id})
        self.cases.changed(doc)
        return _result(record["result"])

    async def recover(self) -> int:
        """File every report that was stored but never filed (e.g. the process died
        between the two commits). One that keeps failing is set aside after
        `GIVE_UP_AFTER` sweeps (state "failed", counted in /metrics, retried with
        `run.py retry-failed`) and never holds up the others. Each report is claimed
        first, so with several nodes one sweep runs its stages. Returns how many were filed."""
        done = after = 0
        while True:
            # Claimed a batch at a time (another node's sweep takes the others meanwhile).
            batch = await self.store.claim_pending(after)
            if not batch:
                return done
            after = batch[-1]
            done += await self._recover(batch)

    async def _recover(self, intake_ids: list[int]) -> int:
        done = 0
        for intake_id in intake_ids:
            try:
                result = await self.reprocess(intake_id)  # waits for one already in flight
            except StorageUnavailable:
                raise  # the database itself: the next sweep tries everything again
            except Exception as exc:
                log.exception("stored report %s could not be filed", intake_id, extra={"intake": intake_id})
                if await self.store.record_failure(intake_id, f"{type(exc).__name__}: {exc}", GIVE_UP_AFTER):
                    log.error("stored report %s set aside after %d attempts", intake_id, GIVE_UP_AFTER,
                              extra={"intake": intake_id})
                continue
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
        stages = await self.stages.run(intake, pure=early)
        stage_record = to_json(stages)
        at = now()
        # A replayed report's clock runs from when it was made, as it would have then.
        started = min(intake.received_at, at) if intake.historical else at
        filed: dict = {}

        def answer(outcome: str) -> Callable[[dict, str], dict]:
            def make(doc: dict, check_code: str) -> dict:
                filed["doc"] = doc
                return {"outcome": outcome, "case_no": doc["case_no"], "check_code": check_code,
                        "status": doc["status"],
                        # the citizen is told a person will check: a doubt, or a place to ask for
                        "needs_review": workorders.needs_a_person(doc)}
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
                    contact=contact_key(reporter.contact_channel, reporter.contact_id) if reporter.contact_id else "")
            if saved is None:  # nothing to join, or that case is no longer open
                saved = await self.store.file_workorder(
                    intake_id, at.strftime("%Y%m%d"),
                    lambda case_no, code: self.cases.clock.start(workorders.new_workorder(
                        case_no, code, intake, stages, at, self.public_url, intake.hold_for_review,
                        related_to=intake.case_hint), started, started_at=iso(started)),
                    answer(ACCEPTED), stage_record, in_feed=not intake.hold_for_review)
        except StorageUnavailable as exc:
            return self._unavailable(exc)
        for listener in self._filed:
            try:
                listener(intake, stages, saved["case_no"])
            except Exception:
                log.exception("filed listener failed", extra={"case_no": saved["case_no"]})
        if "doc" in filed:
            self.cases.changed(filed["doc"])
            log.info("report %s", saved["outcome"], extra={
                "case_no": saved["case_no"], "channel": intake.channel, "intake": intake_id})
        return _result(saved)

    def _unavailable(self, exc: Exception) -> SubmitResult:
        log.warning("storage unavailable: %s", exc)
        return SubmitResult(outcome=UNAVAILABLE, reason="系统暂时无法保存，请稍后重试")

    def _count(self, channel: str, result: SubmitResult) -> SubmitResult:
        outcome = "repeated" if result.repeated else result.outcome
        self.metrics.of(self.metrics.intake, channel, outcome).inc()
        return result


def _result(data: dict, repeated: bool = False) -> SubmitResult:
    return SubmitResult(outcome=data["outcome"], case_no=data["case_no"],
                        check_code=data.get("check_code", ""), status=data.get("status", ""),
                        needs_review=data.get("needs_review", False), repeated=repeated)
