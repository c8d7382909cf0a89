"""The gateway as channels see it (channels.base.IntakeService)."""
from __future__ import annotations

import asyncio
import hmac

from gateway.cases import workorders
from gateway.cases.service import CaseService
from gateway.errors import NotFound
from gateway.events import EventHub
from gateway.guard import GuessLimits
from gateway.intake.attachments import AttachmentStore
from gateway.intake.pipeline import Pipeline
from gateway.models import Attachment, Intake, SubmitResult, contact_key, to_plain
from gateway.store.state import ChannelState


class GatewayService:
    def __init__(self, pipeline: Pipeline, cases: CaseService, attachments: AttachmentStore,
                 state: ChannelState, events: EventHub, transcriber=None,
                 guesses: GuessLimits | None = None):
        self.pipeline = pipeline
        self.cases = cases
        self.store = pipeline.store
        self.guesses = guesses  # limits on guessing check codes
        self.attachments = attachments
        self.state = state
        self.events = events
        # transcriber.transcribe(data, content_type) -> str | None, off the event loop
        self.transcriber = transcriber

    async def submit(self, intake: Intake) -> SubmitResult:
        return await self.pipeline.submit(intake)

    async def save_attachment(self, data: bytes, *, filename: str = "",
                              allowed_types: list[str] | None = None,
                              max_bytes: int | None = None) -> Attachment:
        return await self.attachments.save(data, filename=filename, allowed_types=allowed_types,
                                           max_bytes=max_bytes)

    async def save_attachments(self, files: list[tuple[bytes, str]], *,
                               allowed_types: list[str] | None = None,
                               max_bytes: int | None = None) -> list[Attachment]:
        return await self.attachments.save_all(files, allowed_types=allowed_types, max_bytes=max_bytes)

    async def public_status(self, case_no: str, check_code: str, client: str = "") -> dict:
        if self.guesses is not None:
            self.guesses.check(case_no, client)  # TooManyAttempts (429) while locked out
        try:
            doc, expected = await self.store.get_public(case_no)
        except NotFound:
            expected, doc = "", None
        if doc is None or not hmac.compare_digest(expected.encode(), check_code.encode()):
            if self.guesses is not None:
                self.guesses.failed(case_no, client)
            raise NotFound("未找到该工单，请核对工单编号和查询码")
        return workorders.public_view(doc)

    async def cases_of(self, channel: str, contact_id: str, limit: int = 10) -> list[dict]:
        docs = await self.store.cases_of_contact(contact_key(channel, contact_id), limit)
        return [workorders.public_view(doc) for doc in docs]

    async def case_of(self, case_no: str, channel: str, contact_id: str) -> dict:
        try:
            doc = await self.store.get_workorder(case_no)
        except NotFound:
            doc = None
        if doc is None or not workorders.is_reporter(doc, channel, contact_id):
            raise NotFound(f"未找到您反映的工单 {case_no}")
        return workorders.public_view(doc)

    async def rate(self, case_no: str, channel: str, contact_id: str, rating: str) -> dict:
        return workorders.public_view(await self.cases.rate(case_no, channel, contact_id, rating))

    def categories(self) -> list[dict]:
        """The taxonomy's leaves (the categories a report can be filed under)."""
        taxonomy = self.pipeline.stages.classifier.taxonomy
        return [{"code": n.code, "name": n.name, "path": list(n.path), "group": n.path[0] if n.path else "",
                 "keywords": list(n.terms), "department": n.department,
                 "time_limit_hours": n.time_limit_hours, "urgent": n.urgent,
                 "consultation": n.consultation} for n in taxonomy.leaves]

    async def find_cases(self, *, case_nos: list[str] | None = None, categories: list[str] | None = None,
                         created_from: str = "", created_to: str = "",
                         open_cases: bool | None = None, limit: int = 200) -> list[dict]:
        statuses = None if open_cases is None else (
            workorders.OPEN_STATUSES if open_cases else workorders.CLOSED_STATUSES)
        docs = await self.store.search_workorders(case_nos=case_nos, categories=categories,
                                                  created_from=created_from, created_to=created_to,
                                                  statuses=statuses, limit=limit)
        return [workorders.published_view(doc) for doc in docs]

    def exclusive_state(self, channel: str, kind: str, key: str):
        """An async context in which one state is read, changed and written back by this
        node alone (several nodes over one database)."""
        return self.state.exclusive(channel, kind, key)

    async def load_state(self, channel: str, kind: str, key: str) -> dict | None:
        return await self.state.load(channel, kind, key)

    async def save_state(self, channel: str, kind: str, key: str, state: dict | None,
                         keep_s: float) -> None:
        await self.state.save(channel, kind, key, state, keep_s)

    async def assess(self, intake: Intake) -> dict:
        """What the gateway would make of a report, without filing it: category with
        alternatives, place with confidence, and open cases it may repeat."""
        stages = await self.pipeline.stages.run(intake)
        result = to_plain(stages)
        candidates = []
        for candidate in stages.duplicates.candidates:
            try:
                doc = await self.store.get_workorder(candidate.case_no)
            except NotFound:
                continue
            candidates.append({**workorders.public_view(doc), "score": candidate.score})
        result["duplicates"]["candidates"] = candidates
        return result

    async def read_attachment(self, sha256: str) -> bytes:
        path = await self.attachments.local_path(sha256)
        return await asyncio.get_running_loop().run_in_executor(None, path.read_bytes)

    async def transcribe(self, data: bytes, content_type: str) -> str | None:
        if self.transcriber is None:
            return None
        return await self.transcriber.transcribe(data, content_type)

    async def transcribe_call(self, data: bytes, content_type: str) -> dict | None:
        if self.transcriber is None:
            return None
        result = await self.transcriber.transcribe_call(data, content_type)
        return result.as_dict() if result else None

    def announce(self, topic: str, data: dict) -> None:
        self.events.publish(topic, data)
