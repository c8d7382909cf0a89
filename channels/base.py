"""What a channel may use of the gateway: submit a normalized intake, keep an attachment,
and look up the public status of a case. Channels import this and gateway.models only."""
from __future__ import annotations

from typing import Protocol

from gateway.models import Attachment, Intake, SubmitResult


class IntakeService(Protocol):
    async def submit(self, intake: Intake) -> SubmitResult: ...

    async def save_attachment(self, data: bytes, *, filename: str = "",
                              allowed_types: list[str] | None = None,
                              max_bytes: int | None = None) -> Attachment: ...

    async def public_status(self, case_no: str, check_code: str) -> dict:
        """The case as its reporter may see it; raises NotFound for an unknown case or a
        wrong check code (the same answer for both, so case numbers cannot be probed)."""
        ...
