"""The normalized work order: how it is built from a report, how reports join it, and
which status changes the grid-management loop allows. Pure functions over plain dicts."""
from __future__ import annotations

from datetime import datetime

from gateway.errors import NotFound, Refusal
from gateway.models import PLACE_NOT_REGISTERED, RATINGS, Intake, StageResults, iso, to_plain

# received → confirmed (filed) → dispatched → resolved → closed, plus the side exits.
STATUS_NAMES = {
    "received": "已受理",
    "confirmed": "已立案",
    "dispatched": "已派遣",
    "resolved": "已处置",
    "closed": "已结案",
    "merged": "已合并",
    "rejected": "不予受理",
    "answered": "已答复",
}
TRANSITIONS = {
    "received": {"confirmed", "merged", "rejected", "answered"},
    "confirmed": {"dispatched", "resolved", "closed", "merged", "rejected", "answered"},
    # dispatched → dispatched: handed on to another department
    "dispatched": {"dispatched", "resolved", "rejected", "merged"},
    # resolved → dispatched: the on-site check found it not done
    "resolved": {"closed", "dispatched"},
    "answered": {"closed"},
    "closed": set(),
    "merged": set(),
    "rejected": set(),
}
OPEN_STATUSES = frozenset({"received", "confirmed", "dispatched", "resolved"})
CLOSED_STATUSES = frozenset(STATUS_NAMES) - OPEN_STATUSES
# A reporter may say how satisfied they are once the case is done.
RATEABLE_STATUSES = frozenset({"resolved", "closed", "answered"})
# Open cases that an operator must still look at in the console: held ones, and filed ones
# flagged for review.
HELD_STATUS = "received"
REVIEWABLE_STATUSES = frozenset({"confirmed", "dispatched"})
# The description of a call filed without a transcript, for the operator to type.
NO_TRANSCRIPT = "（无转写，请人工填写）"
# Reporters listed in the document; beyond this only the count grows (every report stays in
# the intake table), so a hot case's document stays small to rewrite.
MAX_REPORTERS_KEPT = 50


class InvalidTransition(Refusal):
    code = "invalid_transition"


def attachment_entry(att, public_url: str) -> dict:
    return {
        "type": att.kind,
        "content_type": att.content_type,
        "size": att.size,
        "sha256": att.sha256,
        "filename": att.filename,
        "url": f"{public_url}/api/v1/attachments/{att.sha256}",
    }


def reporter_entry(intake: Intake) -> dict:
    reporter = to_plain(intake.reporter)
    if intake.reporter.anonymous:  # the core never learns who an anonymous reporter is
        reporter["name"] = ""
        reporter["phone"] = ""
    return {
        "channel": intake.channel,
        "channel_ref": intake.external_id,
        "received_at": iso(intake.received_at),
        "reporter": reporter,
    }


def make_title(intake: Intake, stages: StageResults) -> str:
    if intake.title.strip():
        return intake.title.strip()[:60]
    text = " ".join(intake.text.split())
    place = stages.location.address if stages.location.grid_code or stages.location.place else ""
    what = stages.classification.name
    if what and place:
        return f"{place} {what}"[:60]
    return (text[:30] + ("…" if len(text) > 30 else "")) or what or "市民反映"


def _category(cls) -> dict:
    return {
        "code": cls.code, "name": cls.name, "path": cls.path,
        "confidence": round(cls.confidence, 3), "source": cls.source,
        "alternatives": to_plain(cls.alternatives), "evidence": to_plain(cls.evidence),
        "consultation": cls.consultation,
        # The classification's own doubts (the ticket's review_reasons hold every stage's).
        "needs_review": bool(cls.needs_review or cls.review_reasons), "review_reasons": list(cls.review_reasons),
    }


def needs_a_person(doc: dict) -> bool:
    """A person must look at the work order: a doubt of the machine (needs_review), or
    something still to ask the citizen (missing). The console's queue holds these."""
    return bool(doc.get("needs_review") or doc.get("missing"))


def ticket_doubts(loc) -> list[str]:
    """The location stage's reasons that mark the whole ticket for review: its doubts. Not a
    precisely named place that only lacks its grid (the location entry keeps that one), and
    not what the citizen has yet to say (the ticket's `missing`)."""
    return [r for r in loc.review_reasons
            if not r.startswith(PLACE_NOT_REGISTERED) and r not in loc.missing]


def location_entry(loc, fallback_address: str) -> dict:
    """A Location as the work order carries it."""
    return {
        "address": loc.address or fallback_address,
        "lat": loc.point.lat if loc.point else None,
        "lng": loc.point.lng if loc.point else None,
        "grid_code": loc.grid_code,
        "grid_path": to_plain(loc.grid_path),
        "confidence": round(loc.confidence, 3),
        "evidence": loc.evidence,
        "source": "gateway",
        "place": dict(loc.place),
        "needs_review": bool(loc.needs_review or loc.review_reasons), "review_reasons": list(loc.review_reasons),
    }


def new_workorder(case_no: str, check_code: str, intake: Intake, stages: StageResults,
                  at: datetime, public_url: str, hold: bool, related_to: str = "") -> dict:
    cls, loc, dup = stages.classification, stages.location, stages.duplicates
    review_reasons = [*cls.review_reasons, *ticket_doubts(loc)]
    if dup.action == "suggest":
        review_reasons.append("可能与已有工单重复，请人工确认")
    entry = reporter_entry(intake)
    stamp = iso(at)
    return {
        "case_no": case_no,
        "created_at": stamp,
        "updated_at": stamp,
        "channel": intake.channel,
        "channel_ref": intake.external_id,
        "title": make_title(intake, stages),
        "description": intake.text,
        "category": _category(cls),
        "location": location_entry(loc, intake.address),
        "reporter": entry["reporter"],
        "reporters": [entry],
        "report_count": 1,
        "attachments": [attachment_entry(a, public_url) for a in intake.attachments],
        "urgency": "urgent" if cls.urgent else "normal",
        "department": cls.department,
        "due_at": None,  # set with the deadline (gateway.cases.deadlines)
        "status": "received" if hold else "confirmed",
        "status_name": STATUS_NAMES["received" if hold else "confirmed"],
        "status_note": "",
        "duplicate_of": None,
        "duplicates": [],
        "duplicate_candidates": to_plain(dup.candidates) if dup.action == "suggest" else [],
        "needs_review": bool(review_reasons) or cls.needs_review,
        "review_reasons": review_reasons,
        # What the citizen has yet to say (the place, or a more precise one): the chat asks,
        # the console shows it; not a doubt, so it does not set needs_review.
        "missing": list(loc.missing),
        "related_to": related_to or None,
        "satisfaction": [],
    }


def restage(doc: dict, stages: StageResults) -> dict:
    """Refresh an open work order's category and place from a new run of the stages;
    what an operator has settled stays as it is."""
    if doc["status"] not in OPEN_STATUSES:
        raise InvalidTransition(f"工单 {doc['case_no']} 已{doc['status_name']}，不再重新分类定位")
    doc = dict(doc)
    cls, loc = stages.classification, stages.location
    reasons = []
    if doc["category"]["source"] != "operator":
        doc["category"] = _category(cls)
        doc["urgency"] = "urgent" if cls.urgent else "normal"
        doc["department"] = cls.department
        reasons += cls.review_reasons
    if doc["location"].get("source") != "operator":
        doc["location"] = location_entry(loc, doc["location"]["address"])
        reasons += ticket_doubts(loc)
        doc["missing"] = list(loc.missing)
    doc["review_reasons"] = reasons
    doc["needs_review"] = bool(reasons)
    return doc


def attach_report(doc: dict, intake: Intake, at: datetime, public_url: str) -> dict | None:
    """The document after another report of the same problem joins it, or None when the
    case is no longer open (the caller then files a new case)."""
    if doc["status"] not in OPEN_STATUSES:
        return None
    doc = dict(doc)
    if len(doc["reporters"]) < MAX_REPORTERS_KEPT:
        doc["reporters"] = [*doc["reporters"], reporter_entry(intake)]
    doc["report_count"] = doc["report_count"] + 1
    known = {a["sha256"] for a in doc["attachments"]}
    doc["attachments"] = [*doc["attachments"],
                          *(attachment_entry(a, public_url) for a in intake.attachments
                            if a.sha256 not in known)]
    doc["updated_at"] = iso(at)
    return doc


def apply_status(doc: dict, status: str, at: datetime, *, note: str = "",
                 department: str = "") -> dict:
    current = doc["status"]
    if status not in STATUS_NAMES:
        raise InvalidTransition(f"未知状态 '{status}'，可用状态：{', '.join(STATUS_NAMES)}",
                                code="unknown_status")
    if status not in TRANSITIONS[current]:
        allowed = "、".join(sorted(TRANSITIONS[current])) or "无（已是终态）"
        raise InvalidTransition(
            f"工单 {doc['case_no']} 当前状态为 {current}（{STATUS_NAMES[current]}），"
            f"不能变更为 {status}（{STATUS_NAMES[status]}）；允许：{allowed}")
    doc = dict(doc)
    doc["status"] = status
    doc["status_name"] = STATUS_NAMES[status]
    doc["status_note"] = note
    if department:
        doc["department"] = department
    doc["updated_at"] = iso(at)
    return doc


def public_view(doc: dict) -> dict:
    """What the reporter may see on the status page: no names, phones or other reporters."""
    location = doc["location"]
    return {
        "case_no": doc["case_no"],
        "status": doc["status"],
        "status_name": doc["status_name"],
        "status_note": doc["status_note"],
        "created_at": doc["created_at"],
        "updated_at": doc["updated_at"],
        "title": doc["title"],
        "category": doc["category"]["name"],
        "address": location["address"],
        "grid": location["grid_path"][-1]["name"] if location["grid_path"] else "",
        "department": doc["department"],
        "due_at": doc["due_at"],
        "report_count": doc["report_count"],
        "duplicate_of": doc["duplicate_of"],
    }


# What a change of a case is, for push subscribers choosing what to hear of.
CHANGE_KINDS = ("created", "status", "merged", "overdue", "changed")


def change_kind(old: dict | None, new: dict) -> str:
    """created: the case enters the feed (filed, or a held ticket confirmed); merged: it
    was merged into another; overdue: it passed its due time while open; status: any other
    status change; changed: anything else (a report joined, an operator's edit, a rating …)."""
    if old is None or (old["status"] == HELD_STATUS and new["status"] != HELD_STATUS):
        return "created"
    if new["status"] == "merged" and old["status"] != "merged":
        return "merged"
    if new.get("overdue") and not old.get("overdue"):
        return "overdue"
    if new["status"] != old["status"]:
        return "status"
    return "changed"


def mark_overdue(doc: dict, at: datetime) -> dict:
    """An open case past its due time is marked overdue (once)."""
    if doc["status"] not in OPEN_STATUSES or doc.get("overdue") or not doc.get("due_at"):
        raise InvalidTransition(f"工单 {doc['case_no']} 不是未办结的超期工单")
    if datetime.fromisoformat(doc["due_at"]) > at:
        raise InvalidTransition(f"工单 {doc['case_no']} 尚未到期")
    return {**doc, "overdue": True, "overdue_at": iso(at), "updated_at": iso(at)}


def published_view(doc: dict) -> dict:
    """What a public interface (Open311) may show of a case: the public view plus the
    category's code, the description and the point; never a reporter's name or number."""
    location = doc["location"]
    return {**public_view(doc), "open": doc["status"] in OPEN_STATUSES, "category_code": doc["category"]["code"],
            "description": doc["description"], "lat": location.get("lat"), "lng": location.get("lng"),
            "channel": doc["channel"]}


def merge(source: dict, target: dict, at: datetime, note: str = "") -> tuple[dict, dict]:
    """`source` is the same problem as `target`: it closes as merged and its reporters,
    count and attachments join `target`. Both keep the link."""
    if source["case_no"] == target["case_no"]:
        raise InvalidTransition("不能把工单合并到它自己", code="invalid_merge")
    for doc in (source, target):
        if doc["status"] not in OPEN_STATUSES:
            raise InvalidTransition(f"工单 {doc['case_no']} 已{doc['status_name']}，不能合并",
                                    code="invalid_merge")
    if target.get("duplicate_of"):
        raise InvalidTransition(f"工单 {target['case_no']} 已并入 {target['duplicate_of']}，"
                                f"请合并到 {target['duplicate_of']}", code="invalid_merge")
    stamp = iso(at)
    source = {**source, "status_before_merge": source["status"], "status": "merged",
              "status_name": STATUS_NAMES["merged"], "duplicate_of": target["case_no"],
              "status_note": note or f"与工单 {target['case_no']} 为同一问题，已合并办理",
              "updated_at": stamp}
    joined = [{**entry, "via": source["case_no"]} for entry in source["reporters"]]
    known = {a["sha256"] for a in target["attachments"]}
    target = {**target,
              "duplicates": [*target["duplicates"], source["case_no"]],
              "reporters": [*target["reporters"], *joined][:MAX_REPORTERS_KEPT],
              "report_count": target["report_count"] + source["report_count"],
              "attachments": [*target["attachments"],
                              *({**a, "via": source["case_no"]} for a in source["attachments"]
                                if a["sha256"] not in known)],
              "updated_at": stamp}
    return source, target


def unmerge(source: dict, target: dict, at: datetime) -> tuple[dict, dict]:
    """Undo `merge`: `source` is open again as it was, and leaves `target`."""
    if source.get("duplicate_of") != target["case_no"]:
        raise InvalidTransition(f"工单 {source['case_no']} 并未并入 {target['case_no']}",
                                code="invalid_split")
    stamp = iso(at)
    restored = source.get("status_before_merge", "confirmed")
    source = {**source, "status": restored, "status_name": STATUS_NAMES[restored],
              "duplicate_of": None, "status_note": f"已从工单 {target['case_no']} 拆分，单独办理",
              "updated_at": stamp}
    source.pop("status_before_merge", None)
    mine = source["case_no"]
    target = {**target,
              "duplicates": [c for c in target["duplicates"] if c != mine],
              "reporters": [e for e in target["reporters"] if e.get("via") != mine],
              "report_count": max(1, target["report_count"] - source["report_count"]),
              "attachments": [a for a in target["attachments"] if a.get("via") != mine],
              "split_out": [*target.get("split_out", []), mine],
              "updated_at": stamp}
    return source, target


def detach_report(doc: dict, channel: str, channel_ref: str, new_case_no: str,
                  at: datetime) -> dict:
    """Take one report that was joined to `doc` by mistake out of it (it becomes
    `new_case_no`)."""
    entries = [e for e in doc["reporters"]
               if e["channel"] == channel and e["channel_ref"] == channel_ref and not e.get("via")]
    if not entries:
        raise InvalidTransition(f"工单 {doc['case_no']} 中没有来自 {channel}/{channel_ref} 的反映",
                                code="invalid_split")
    if doc["channel"] == channel and doc["channel_ref"] == channel_ref:
        raise InvalidTransition("这是工单的首个反映，不能拆出；请拆出其他反映", code="invalid_split")
    return {**doc,
            "reporters": [e for e in doc["reporters"] if e is not entries[0]],
            "report_count": max(1, doc["report_count"] - 1),
            "split_out": [*doc.get("split_out", []), new_case_no],
            "updated_at": iso(at)}


def is_reporter(doc: dict, channel: str, contact_id: str) -> bool:
    return bool(contact_id) and any(
        e["reporter"].get("contact_channel") == channel and e["reporter"].get("contact_id") == contact_id
        for e in doc["reporters"])


def rate(doc: dict, channel: str, contact_id: str, rating: str, at: datetime) -> dict:
    """A reporter's satisfaction with the handling; a later answer replaces an earlier one."""
    if rating not in RATINGS:
        raise Refusal(f"评价须为：{'、'.join(RATINGS.values())}", code="invalid_rating", http_status=422)
    if not is_reporter(doc, channel, contact_id):
        raise NotFound(f"未找到您反映的工单 {doc['case_no']}")
    if doc["status"] not in RATEABLE_STATUSES:
        raise InvalidTransition(f"工单 {doc['case_no']} 尚未办结（{doc['status_name']}），办结后再请您评价")
    entry = {"channel": channel, "contact_id": contact_id, "rating": rating,
             "rating_name": RATINGS[rating], "at": iso(at)}
    kept = [e for e in doc.get("satisfaction", [])
            if (e["channel"], e["contact_id"]) != (channel, contact_id)]
    return {**doc, "satisfaction": [*kept, entry], "updated_at": iso(at)}


def lacks_text(doc: dict) -> bool:
    """A ticket still without the caller's words (filed from a call with no transcript)."""
    return doc["description"].strip() in ("", NO_TRANSCRIPT)
