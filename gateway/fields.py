"""Checks for the text fields requests carry, shared by every endpoint and channel, so the
same fault gets the same answer everywhere and nothing unstorable reaches the store:
control characters (NUL, which PostgreSQL text refuses, and the rest of C0 but tab and new
line) are removed from free text and refused in identifiers; lone surrogates (which no
UTF-8 store accepts) are refused."""
from __future__ import annotations

import dataclasses
import math
import re
from typing import Any

from gateway.errors import ValidationError
from gateway.models import GeoPoint, Intake

UNIX_SECONDS = re.compile(r"^\d{1,12}$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SURROGATE = re.compile(r"[\ud800-\udfff]")
UNSTORABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def strip_controls(text: str) -> str:
    """Free text as it can be stored: new lines kept, other control characters and lone
    surrogates (undecodable bytes) removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return SURROGATE.sub("", CONTROL.sub("", text))


def text_field(value: Any, field: str, limit: int, *, label: str = "") -> str:
    """A free-text field: a string of at most `limit` characters, control characters
    removed. None is the empty string."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(field, f"{label or field} 必须是文本")
    if SURROGATE.search(value):
        raise ValidationError(field, f"{label or field} 含有无法识别的字符（不完整的 Unicode 代理对）")
    if len(value) > limit:
        raise ValidationError(field, f"{label or field}不能超过 {limit} 个字")
    return strip_controls(value)


def identifier(value: Any, field: str, limit: int, *, required: bool = True) -> str:
    """An id the caller chose (update_id, call_id …): a non-empty string of at most `limit`
    printable characters."""
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(field, f"缺少 {field}（1–{limit} 个字符的字符串）")
    if len(value) > limit or CONTROL.search(value) or SURROGATE.search(value) or "\n" in value or "\t" in value:
        raise ValidationError(field, f"{field} 须为 1–{limit} 个可打印字符")
    return value.strip()


def sanitize_intake(intake: Intake) -> Intake:
    """The intake's text fields as they can be stored (the last guard before the store,
    whatever the channel)."""
    if not any(UNSTORABLE.search(v) for v in (intake.text, intake.title, intake.address,
                                              intake.reporter.name, intake.reporter.phone) if v):
        return intake  # the usual case: nothing to change, nothing copied
    reporter = dataclasses.replace(intake.reporter, name=strip_controls(intake.reporter.name),
                                   phone=strip_controls(intake.reporter.phone))
    return dataclasses.replace(intake, text=strip_controls(intake.text), title=strip_controls(intake.title),
                               address=strip_controls(intake.address), reporter=reporter)


def unix_seconds(value: str) -> int | None:
    """A Unix timestamp as a webhook sends it (decimal seconds), or None: checked as text
    before any arithmetic, so a 400-digit "timestamp" is refused instead of overflowing."""
    return int(value) if isinstance(value, str) and UNIX_SECONDS.match(value) else None


def geo_point(lat: Any, lng: Any) -> GeoPoint | None:
    """A position from numbers or numeric text: finite and on the globe, else None."""
    try:
        if isinstance(lat, bool) or isinstance(lng, bool):
            return None
        point = GeoPoint(float(lat), float(lng))
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(point.lat) and math.isfinite(point.lng)
            and -90 <= point.lat <= 90 and -180 <= point.lng <= 180):
        return None
    return point
