"""The message board of a 问政 site, replayed from a file (`run.py replay --channel board`):
one JSON object a line, the format of `../shared/data/tipdm2020c/hotissues.jsonl`:

    id        the board's message id (the idempotency key: a second replay changes nothing)
    title     the message's title, as its author wrote it
    text      the message
    user      the author's board account (their reporter id on this channel)
    time      when it was posted, China Standard Time: "2019/2/28 11:25:05" or
              "2019-02-28 11:25:05"
    likes     likes (点赞) — engagement, counted in the hot-issue heat
    dislikes  dislikes (反对)
Other keys (e.g. "source") are kept in the raw record and otherwise ignored.

Only the conversion lives here: the replay hands each Intake to the gateway's submit, the
same intake path every channel uses."""
from __future__ import annotations

import re
from datetime import datetime

from gateway.models import CST, Intake, Reporter

NAME = "board"
_TIME = re.compile(r"^\s*(\d{4})[/-](\d{1,2})[/-](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")


class BadMessage(ValueError):
    """A line that is not a board message; the text says which field and why."""


def _count(value, name: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BadMessage(f"{name}: 须为非负整数，收到 {value!r}")
    return value


def posted_at(value) -> datetime:
    match = _TIME.match(value) if isinstance(value, str) else None
    if not match:
        raise BadMessage(f"time: 须为 “2019/2/28 11:25:05” 格式的时间，收到 {value!r}")
    try:
        return datetime(*(int(g or 0) for g in match.groups()), tzinfo=CST)
    except ValueError as exc:
        raise BadMessage(f"time: 不是有效的时间 {value!r}（{exc}）") from None


def to_intake(message) -> Intake:
    """One board message as an Intake (BadMessage when it is not one)."""
    if not isinstance(message, dict):
        raise BadMessage("每行须为一个 JSON 对象")
    ref = message.get("id")
    if not isinstance(ref, str) or not ref.strip() or len(ref) > 128:
        raise BadMessage("id: 须为 1–128 个字符的字符串")
    title, text = message.get("title", ""), message.get("text", "")
    if not isinstance(title, str) or not isinstance(text, str) or not (title.strip() or text.strip()):
        raise BadMessage("title/text: 须为字符串，且不能都为空")
    user = message.get("user", "")
    if not isinstance(user, str):
        raise BadMessage("user: 须为字符串")
    return Intake(
        channel=NAME,
        external_id=ref.strip(),
        title=title.strip(),
        text=text.strip() or title.strip(),
        reporter=Reporter(contact_channel=NAME if user else "", contact_id=user, anonymous=not user),
        received_at=posted_at(message.get("time")),
        raw=message,
        engagement={"likes": _count(message.get("likes"), "likes"),
                    "dislikes": _count(message.get("dislikes"), "dislikes")},
    )
