"""The status history of replayed reports (`run.py replay --history FILE.jsonl`): what
happened to each case after it was filed, with its own times, in another system — a city
moving to the gateway brings it along. One JSON object a line:

    id          the message id of the replayed report whose case it is (the channel
                reference, e.g. the board's `id`)
    time        when it happened: ISO 8601 ("2019-02-28T14:05:00+08:00"); without an offset,
                China Standard Time; "2019/2/28 14:05:00" (the board's form) too
    status      the case's new status (dispatched, resolved, closed, rejected, answered …;
                resolved → dispatched is a reopening), or
    clock       "pause" (waiting for the citizen) or "resume" — exactly one of the two
    note        optional, up to 2,000 characters
    department  optional (with a status), up to 100 characters

Only the reading and checking live here; gateway.replay hands each event to the case
service's `change_status` / `clock_action`, the path the core platform's updates take."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import orjson

from gateway.cases.workorders import STATUS_NAMES
from gateway.models import CST, iso

CLOCK_ACTIONS = ("pause", "resume")


class BadEvent(ValueError):
    """A line that is not a status event; the text says which field and why."""


@dataclass(frozen=True)
class StatusEvent:
    line: int
    ref: str  # the replayed message whose case it is
    at: datetime
    status: str = ""  # one of these two
    clock: str = ""
    note: str = ""
    department: str = ""

    @property
    def action(self) -> str:
        return self.status or f"clock_{self.clock}"

    def update_id(self, channel: str) -> str:
        """The idempotency key: replaying the same history again changes nothing."""
        return f"history:{channel}:{self.ref}:{iso(self.at)}:{self.action}"


def parse_time(value) -> datetime:
    if not isinstance(value, str) or not value.strip():
        raise BadEvent(f"time: 须为时间，如 “2019-02-28T14:05:00+08:00”，收到 {value!r}")
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = datetime.strptime(text, "%Y/%m/%d %H:%M:%S")
        except ValueError:
            raise BadEvent(f"time: 不是有效的时间 {value!r}") from None
    return moment.replace(tzinfo=CST) if moment.tzinfo is None else moment.astimezone(CST)


def _text(event: dict, key: str, limit: int) -> str:
    value = event.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise BadEvent(f"{key}: 须为不超过 {limit} 个字符的字符串")
    return value.strip()


def to_event(line: int, event) -> StatusEvent:
    if not isinstance(event, dict):
        raise BadEvent("每行须为一个 JSON 对象")
    ref = event.get("id")
    if isinstance(ref, int) and not isinstance(ref, bool):
        ref = str(ref)
    if not isinstance(ref, str) or not ref.strip() or len(ref) > 128:
        raise BadEvent("id: 须为 1–128 个字符的字符串（所回放反映的编号）")
    status, clock = event.get("status"), event.get("clock")
    if (status is None) == (clock is None):
        raise BadEvent("须有 status（新状态）或 clock（pause/resume）之一，且只能有一个")
    if status is not None and status not in STATUS_NAMES:
        raise BadEvent(f"status: 未知状态 {status!r}，可用：{', '.join(STATUS_NAMES)}")
    if clock is not None and clock not in CLOCK_ACTIONS:
        raise BadEvent(f"clock: 须为 pause 或 resume，收到 {clock!r}")
    return StatusEvent(line=line, ref=ref.strip(), at=parse_time(event.get("time")),
                       status=status or "", clock=clock or "", note=_text(event, "note", 2000),
                       department=_text(event, "department", 100))


def read_events(path: Path, bad: list[tuple[int, str]]) -> Iterable[StatusEvent]:
    """The file's events in file order; a bad line goes to `bad` (number, why)."""
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                yield to_event(number, orjson.loads(line))
            except (orjson.JSONDecodeError, ValueError) as exc:
                bad.append((number, str(exc)))


def by_message(events: Iterable[StatusEvent]) -> dict[str, list[StatusEvent]]:
    """Each message's events in the order they happened (the file's order among equals)."""
    grouped: dict[str, list[StatusEvent]] = {}
    for event in events:
        grouped.setdefault(event.ref, []).append(event)
    for items in grouped.values():
        items.sort(key=lambda e: (e.at, e.line))
    return grouped
