"""The gateway's value types: the normalized intake, the stage results and the work order.

Every channel produces an `Intake`; the pipeline's stages turn it into a `Classification`,
a `Location` and a `DuplicateCheck`; the store files a work order (a plain dict, see
`workorder_doc`) from them. These types hold no I/O and import nothing from the rest of
the gateway, so channels and classifiers can depend on them freely.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import orjson

# Work orders are stamped in China Standard Time (+08:00), the platform's local time.
CST = timezone(timedelta(hours=8), "CST")


def now() -> datetime:
    return datetime.now(CST)


def iso(moment: datetime) -> str:
    if moment.tzinfo is not CST:
        moment = moment.astimezone(CST)
    return moment.isoformat(timespec="seconds")


@dataclass(frozen=True)
class GeoPoint:
    lat: float
    lng: float


@dataclass
class Attachment:
    kind: str  # image | audio | video | file
    content_type: str
    size: int
    sha256: str
    filename: str = ""


@dataclass
class Reporter:
    name: str = ""
    phone: str = ""
    contact_channel: str = ""  # the channel that can reach this person (webform, wechat, …)
    contact_id: str = ""  # the channel's own id for them: OpenID, chat id, e-mail address
    anonymous: bool = False


def contact_key(channel: str, contact_id: str) -> str:
    """How one citizen is known to the case's contact list: "channel:id"."""
    return f"{channel}:{contact_id}"


def reporter_contacts(doc: dict) -> set[str]:
    """The contacts ("channel:id") of a work order's listed reporters."""
    return {contact_key(e["reporter"].get("contact_channel", ""), e["reporter"]["contact_id"])
            for e in doc["reporters"] if e["reporter"].get("contact_id")}


# Where the hotline keeps its call records (channel, kind of state): the console lists them.
CALL_RECORDS = ("hotline", "call")

# Case numbers: the day (China Standard Time) and its sequence number.
CASE_NO_PATTERN = r"\d{8}-\d{6}"


@dataclass
class Intake:
    """One report as a channel received it, normalized."""

    channel: str
    external_id: str  # the channel's own message id: the idempotency key
    text: str
    title: str = ""
    reporter: Reporter = field(default_factory=Reporter)
    attachments: list[Attachment] = field(default_factory=list)
    address: str = ""  # free-text place the citizen gave, if any, besides the text
    point: GeoPoint | None = None
    # The point's coordinate system: "wgs84" (GPS, browsers) or "gcj02" (WeChat and Chinese
    # map apps, shifted by a few hundred metres); the gateway converts.
    point_crs: str = "wgs84"
    received_at: datetime = field(default_factory=now)
    raw: Any = None  # the channel's native payload, stored verbatim
    hold_for_review: bool = False  # True: an operator must confirm before the core sees it
    # Join this case rather than look for duplicates (the citizen chose it, or an e-mail
    # replies to it); if it is no longer open, a new case is filed that refers to it.
    case_hint: str = ""
    # A taxonomy code the citizen picked from the choices offered (used instead of guessing).
    category_hint: str = ""
    # The citizen said this is none of the open cases offered: never joined automatically
    # (a close match is still shown to an operator).
    not_duplicate: bool = False
    # What the channel counts of others' support, where it has it: {"likes": n, "dislikes": n,
    # "joins": n ("me too")}; part of the hot-issue heat.
    engagement: dict[str, int] = field(default_factory=dict)
    # A report replayed from another system's history (`run.py replay`): its case's clock
    # starts at `received_at`, when it was really made, not when it is filed here.
    historical: bool = False


@dataclass
class Alternative:
    code: str
    name: str
    confidence: float


@dataclass
class Classification:
    code: str = ""
    name: str = ""
    path: list[str] = field(default_factory=list)
    confidence: float = 0.0
    source: str = "none"  # rules | model | operator | none
    department: str = ""
    time_limit_hours: float | None = None
    urgent: bool = False
    consultation: bool = False  # 咨询: answered, not dispatched
    alternatives: list[Alternative] = field(default_factory=list)
    evidence: dict[str, Any] = field(default_factory=dict)  # matched words, winning rule …
    needs_review: bool = False
    review_reasons: list[str] = field(default_factory=list)


@dataclass
class GridLevel:
    level: str  # district | street | community | grid
    code: str
    name: str


@dataclass
class Location:
    address: str = ""
    point: GeoPoint | None = None
    grid_code: str = ""
    grid_path: list[GridLevel] = field(default_factory=list)
    confidence: float = 0.0
    evidence: list[str] = field(default_factory=list)
    needs_review: bool = False
    review_reasons: list[str] = field(default_factory=list)
    # The place as the citizen named it, structured (road, number, compound, building, gate,
    # side …; docs/places.md), whether or not the registry knows it; {} when none was named.
    place: dict[str, Any] = field(default_factory=dict)
    # How precisely the report says where: "spot" (a grid, a map pin, a house number, a
    # junction, a building, a landmark …), "road" (a road or compound alone), "area" (a
    # district or street alone), "" (nothing). A chat asks for a place only at "", and for
    # a more precise one at "area" or "road".
    precision: str = ""
    # Those of the review reasons that ask the citizen for more (no place at all, only a road
    # or an area, a name the district has several of): something to ask, not a doubt of the
    # machine. The work order lists them under `missing`, apart from its review reasons.
    missing: list[str] = field(default_factory=list)


# The location stage's reason for a place the citizen named precisely but the registry does
# not hold: the dispatcher assigns its grid. Routine work, not a doubt: it does not mark the
# whole ticket for review.
PLACE_NOT_REGISTERED = "地点未登记"


@dataclass
class Candidate:
    case_no: str
    score: float
    explanation: dict[str, Any] = field(default_factory=dict)


@dataclass
class DuplicateCheck:
    action: str = "new"  # new | attach | suggest
    case_no: str = ""  # the case to attach to when action == "attach"
    candidates: list[Candidate] = field(default_factory=list)


@dataclass
class StageResults:
    classification: Classification
    location: Location
    duplicates: DuplicateCheck


# Satisfaction ratings a reporter gives at the end (综合评价).
RATINGS = {"satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意"}

# What `submit` answers; each channel maps it to its own terms (HTTP status, SMTP code, a reply).
ACCEPTED = "accepted"  # a new case was filed
ATTACHED = "attached"  # joined an existing open case
REJECTED = "rejected"  # the report itself is unacceptable (reason given)
UNAVAILABLE = "unavailable"  # temporary fault: the sender should retry


@dataclass
class SubmitResult:
    outcome: str
    case_no: str = ""
    check_code: str = ""  # lets the reporter open the case's public status page
    repeated: bool = False  # True when this answers a retry of an earlier submission
    reason: str = ""
    status: str = ""
    needs_review: bool = False  # a person will check it: a doubt, or a place still to ask for


def intake_from_plain(data: dict) -> Intake:
    """Rebuild a stored intake (the inverse of `to_plain` for `Intake`)."""
    point = data.get("point")
    return Intake(
        channel=data["channel"],
        external_id=data["external_id"],
        text=data.get("text", ""),
        title=data.get("title", ""),
        reporter=Reporter(**data.get("reporter", {})),
        attachments=[Attachment(**a) for a in data.get("attachments", [])],
        address=data.get("address", ""),
        point=GeoPoint(**point) if point else None,
        received_at=datetime.fromisoformat(data["received_at"]),
        hold_for_review=data.get("hold_for_review", False),
        case_hint=data.get("case_hint", ""),
        category_hint=data.get("category_hint", ""),
        not_duplicate=data.get("not_duplicate", False),
        point_crs=data.get("point_crs", "wgs84"),
        engagement=dict(data.get("engagement") or {}),
        historical=data.get("historical", False),
    )


_PRIMITIVES = (str, int, float, bool, type(None))


def to_plain(value: Any) -> Any:
    """Dataclasses (nested) to JSON-ready dicts; datetimes to ISO 8601 strings.
    orjson walks the dataclasses in C: this runs several times on every report's path,
    and the recursive Python version was a tenth of the intake's time."""
    if type(value) in _PRIMITIVES:
        return value
    return orjson.loads(_encode(value))


def to_json(value: Any) -> str:
    """JSON text of `to_plain(value)`, in one pass (for storing)."""
    return _encode(value).decode()


def intake_json(intake: Intake) -> str:
    """The normalized intake as stored: everything but the channel's raw payload, which
    is stored verbatim beside it."""
    raw, intake.raw = intake.raw, None  # no await in between: nobody sees the gap
    try:
        return to_json(intake)
    finally:
        intake.raw = raw


def _encode(value: Any) -> bytes:
    # Numpy scalars may come from a model's scores; they are written as plain numbers.
    return orjson.dumps(value, default=_plain_default,
                        option=orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_SERIALIZE_NUMPY)


def _plain_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, (set, frozenset)):
        return list(value)
    raise TypeError(f"not JSON-ready: {type(value).__name__}")
