"""What a channel is, and what it may use of the gateway.

A channel turns its native payloads into `Intake` records and hands them to
`IntakeService.submit`; it maps the `SubmitResult` to its own answer. It may keep small
per-conversation state, look up a citizen's own cases, and store a satisfaction rating.
It sends the gateway's answers back (status changes) in `deliver`. Channels import this
module and gateway.models only: never storage, never classifiers."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from aiohttp import web

from gateway.models import RATINGS, Attachment, Intake, SubmitResult

__all__ = ["RATINGS", "Outbound", "DeliveryError", "Channel", "BaseChannel", "IntakeService", "StateShelf",
           "DAY_S"]


@dataclass
class Outbound:
    """One message to one citizen, rendered from the administrators' templates."""

    id: int
    channel: str
    contact_id: str  # the channel's own id for the citizen: OpenID, chat id, e-mail address
    case_no: str
    event: str  # filed | attached | dispatched | resolved | closed | answered | rejected | merged
    subject: str
    text: str
    context: dict[str, Any] = field(default_factory=dict)  # the case's public fields
    attempts: int = 0


class DeliveryError(Exception):
    """A message could not be sent. `permanent`: do not retry (the user blocked the bot, the
    address does not exist); otherwise it is retried later."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class Channel(Protocol):
    name: str
    # True: the gateway may send this channel's citizens messages (status changes …).
    can_deliver: bool
    # True: the channel wants the case number sent as a message after filing (e-mail);
    # False: it answers with the case number itself, in its reply to the citizen.
    ack_by_message: bool

    def add_routes(self, app: web.Application) -> None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def deliver(self, message: Outbound) -> None: ...


class BaseChannel:
    """Defaults for a channel: no routes, nothing to start, no answers back."""

    name = "base"
    can_deliver = False
    ack_by_message = False

    def add_routes(self, app: web.Application) -> None:
        pass

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def deliver(self, message: Outbound) -> None:
        raise DeliveryError(f"渠道 {self.name} 不能主动发送消息", permanent=True)


class IntakeService(Protocol):
    async def submit(self, intake: Intake) -> SubmitResult: ...

    async def save_attachment(self, data: bytes, *, filename: str = "",
                              allowed_types: list[str] | None = None,
                              max_bytes: int | None = None) -> Attachment: ...

    async def save_attachments(self, files: list[tuple[bytes, str]], *,
                               allowed_types: list[str] | None = None,
                               max_bytes: int | None = None) -> list[Attachment]:
        """Several files (data, filename) of one report: all checked before any is kept, so
        a refused one leaves nothing behind. Photos lose their metadata (EXIF, GPS)."""
        ...

    def categories(self) -> list[dict]:
        """The categories a report can be filed under (the taxonomy's leaves): {"code",
        "name", "path", "group", "keywords", "department", "time_limit_hours", "urgent",
        "consultation"}."""
        ...

    async def find_cases(self, *, case_nos: list[str] | None = None, categories: list[str] | None = None,
                         created_from: str = "", created_to: str = "",
                         open_cases: bool | None = None, limit: int = 200) -> list[dict]:
        """Cases by number, or by category codes, creation time (ISO 8601, +08:00) and
        whether they are open (True), done (False) or either (None), newest first: the
        public view plus "open", "category_code", "description", "lat", "lng" — never a
        reporter's name or number."""
        ...

    async def public_status(self, case_no: str, check_code: str, client: str = "") -> dict:
        """The case as its reporter may see it; raises NotFound for an unknown case or a
        wrong check code (the same answer for both, so case numbers cannot be probed), and
        TooManyAttempts (429) once the case or the `client` (its address) guessed too often."""
        ...

    async def cases_of(self, channel: str, contact_id: str, limit: int = 10) -> list[dict]:
        """The public view of the cases this contact reported (newest first)."""
        ...

    async def case_of(self, case_no: str, channel: str, contact_id: str) -> dict:
        """One case this contact reported (public view); NotFound if it is not theirs."""
        ...

    async def rate(self, case_no: str, channel: str, contact_id: str, rating: str) -> dict:
        """Store a reporter's satisfaction (a key of RATINGS) on the case."""
        ...

    async def assess(self, intake: Intake) -> dict:
        """What the gateway would make of a report, without filing it: {"classification":
        {…, "alternatives"}, "location": {…, "confidence", "needs_review"}, "duplicates":
        {"action", "candidates": [public view + "score"]}}. Chat uses it to ask what is
        missing ("where exactly?", "which of these?", "already reported?")."""
        ...

    async def read_attachment(self, sha256: str) -> bytes:
        """The bytes of an attachment saved earlier (e.g. a recording to transcribe again)."""
        ...

    async def transcribe(self, data: bytes, content_type: str) -> str | None:
        """Speech to text (Mandarin); None when no engine is configured or it failed."""
        ...

    async def transcribe_call(self, data: bytes, content_type: str) -> dict | None:
        """A call's transcript: {"text": the caller's words, "dialogue": "市民：…\n坐席：…",
        "segments": [{"speaker": caller|seat|call, "start", "end", "text", "confidence",
        "words": [{"text", "start", "end", "confidence"}]}], …}; None as for transcribe."""
        ...

    def announce(self, topic: str, data: dict) -> None:
        """Tell live views (the operator console) that something happened, e.g. a call."""
        ...

    async def load_state(self, channel: str, kind: str, key: str) -> dict | None:
        """A channel's small state saved earlier (None when there is none, or it expired)."""
        ...

    async def save_state(self, channel: str, kind: str, key: str, state: dict | None,
                         keep_s: float) -> None:
        """Keep a channel's small state (a conversation, a call) for `keep_s` seconds after
        this change; None forgets it."""
        ...


DAY_S = 86400.0


@dataclass(frozen=True)
class StateShelf:
    """One kind of a channel's durable state (conversations, call records, message ids …),
    kept for `keep_s` seconds after its last change and then removed, so that state which
    grows with traffic does not grow for ever."""

    service: IntakeService
    channel: str
    kind: str
    keep_s: float

    def exclusive(self, key: str):
        """`async with shelf.exclusive(key):` load, change and save `key` with no other node
        doing the same meanwhile."""
        return self.service.exclusive_state(self.channel, self.kind, key)

    async def load(self, key: str) -> dict | None:
        return await self.service.load_state(self.channel, self.kind, key)

    async def save(self, key: str, value: dict) -> None:
        await self.service.save_state(self.channel, self.kind, key, value, self.keep_s)

    async def forget(self, key: str) -> None:
        await self.service.save_state(self.channel, self.kind, key, None, self.keep_s)
