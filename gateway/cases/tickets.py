"""What a seat operator does to a ticket: edit its fields, confirm it (it enters the core
feed), mark it a duplicate of a listed case, answer it as a consultation, or discard it.

Pure document changes (like gateway/workorders.py) applied through the store's serialised
`update_workorder`, so two operators acting on one ticket at once cannot both win: the
second one's change is refused because the status has already moved."""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from gateway.cases import workorders
from gateway.errors import Refusal
from gateway.models import Location, iso, now

log = logging.getLogger("gateway.tickets")

URGENCIES = {"normal": "一般", "urgent": "紧急"}


class AlreadyHandled(Refusal):
    code = "already_handled"
    http_status = 409


def _must_be_pending(doc: dict) -> None:
    """A ticket an operator may still settle: held (received), or open and flagged."""
    if doc["status"] == workorders.HELD_STATUS:
        return
    if doc["status"] in workorders.REVIEWABLE_STATUSES and workorders.needs_a_person(doc):
        return
    raise AlreadyHandled(f"工单 {doc['case_no']} 已由他人处理（当前状态：{doc['status_name']}），"
                         "请刷新后查看")


def edit(doc: dict, fields: dict, category, at: datetime, operator: str,
         located: Location | None = None) -> dict:
    """The document with the operator's corrections. `category` is the Classification of
    a newly chosen code (or None); `located`, where a corrected address lies."""
    _must_be_pending(doc)
    doc = dict(doc)
    explicit = set(fields)
    if category is not None and category.code != doc["category"]["code"]:
        doc["category"] = {
            "code": category.code, "name": category.name, "path": category.path,
            "confidence": 1.0, "source": "operator",
            "alternatives": doc["category"].get("alternatives", []),
            "evidence": {"operator": operator, "suggested": doc["category"].get("code", "")},
            "consultation": category.consultation,
        }
        if "department" not in explicit:
            doc["department"] = category.department
        if "urgency" not in explicit:
            doc["urgency"] = "urgent" if category.urgent else "normal"
    if "description" in fields:
        doc["description"] = _text(fields["description"], "description", 8000)
    if "title" in fields and str(fields["title"]).strip():
        doc["title"] = _text(fields["title"], "title", 60)
    if "address" in fields:
        address = _text(fields["address"], "address", 200)
        if address != doc["location"]["address"]:
            if located is not None and located.grid_code:  # the corrected place's own grid
                doc["location"] = {**workorders.location_entry(located, address),
                                   "address": address, "source": "operator"}
            else:  # a place the registry does not know: the grid stays as it was
                doc["location"] = {**doc["location"], "address": address, "source": "operator"}
            if address:  # the operator has asked for the place
                doc["missing"] = []
    if "urgency" in fields:
        if fields["urgency"] not in URGENCIES:
            raise Refusal("紧急程度须为 normal 或 urgent", code="invalid_field", http_status=422)
        doc["urgency"] = fields["urgency"]
    if "department" in fields:
        doc["department"] = _text(fields["department"], "department", 60)
    if "due_at" in fields:
        doc["due_at"] = _due_at(fields["due_at"])
    doc["updated_at"] = iso(at)
    return doc


def confirm(doc: dict, at: datetime, operator: str) -> dict:
    """received → confirmed: the work order enters the core feed. An open ticket flagged for
    review is settled (the flag clears) without changing its status."""
    _must_be_pending(doc)
    if not doc["category"].get("code"):
        raise Refusal("请先选择问题类别再确认", code="category_required", http_status=422)
    if workorders.lacks_text(doc):
        raise Refusal("请先填写诉求内容再确认", code="description_required", http_status=422)
    if doc["status"] == workorders.HELD_STATUS:
        doc = workorders.apply_status(doc, "confirmed", at, note=f"坐席 {operator} 确认立案")
    return _settled(doc, at, operator)


def answer(doc: dict, text: str, at: datetime, operator: str) -> dict:
    """A consultation (咨询) answered on the phone: no dispatch."""
    _must_be_pending(doc)
    text = _text(text, "answer", 2000)
    if not text:
        raise Refusal("请填写答复内容", code="answer_required", http_status=422)
    doc = workorders.apply_status(doc, "answered", at, note=text)
    return _settled(doc, at, operator)


def discard(doc: dict, reason: str, at: datetime, operator: str) -> dict:
    _must_be_pending(doc)
    reason = _text(reason, "reason", 500)
    if not reason:
        raise Refusal("请填写作废原因", code="reason_required", http_status=422)
    doc = workorders.apply_status(doc, "rejected", at, note=f"无效来电：{reason}")
    return _settled(doc, at, operator)


def _settled(doc: dict, at: datetime, operator: str) -> dict:
    return {**doc, "needs_review": False, "review_reasons": [], "missing": [], "settled_by": operator,
            "settled_at": iso(at)}


def _text(value: Any, name: str, limit: int) -> str:
    if not isinstance(value, str):
        raise Refusal(f"{name} 须为文本", code="invalid_field", http_status=422)
    return value.strip()[:limit]


def _due_at(value: Any) -> str | None:
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise Refusal("办结时限格式应为 2024-05-01T18:00", code="invalid_field", http_status=422) from None
    return iso(moment if moment.tzinfo else moment.replace(tzinfo=now().tzinfo))
