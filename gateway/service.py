"""The gateway as channels see it (channels.base.IntakeService)."""
from __future__ import annotations

import hmac

from gateway import workorders
from gateway.attachments import AttachmentStore
from gateway.models import Attachment, Intake, NotFound, SubmitResult
from gateway.pipeline import Pipeline


class GatewayService:
    def __init__(self, pipeline: Pipeline, attachments: AttachmentStore):
        self.pipeline = pipeline
        self.attachments = attachments

    async def submit(self, intake: Intake) -> SubmitResult:
        return await self.pipeline.submit(intake)

    async def save_attachment(self, data: bytes, *, filename: str = "",
                              allowed_types: list[str] | None = None,
                              max_bytes: int | None = None) -> Attachment:
        return await self.attachments.save(data, filename=filename, allowed_types=allowed_types,
                                           max_bytes=max_bytes)

    async def public_status(self, case_no: str, check_code: str) -> dict:
        try:
            doc, expected = await self.pipeline.store.get_public(case_no)
        except NotFound:
            expected, doc = "", None
        if doc is None or not hmac.compare_digest(expected.encode(), check_code.encode()):
            raise NotFound("未找到该工单，请核对工单编号和查询码")
        return workorders.public_view(doc)
