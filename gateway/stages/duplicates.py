"""The duplicate stage: keeps classifiers.dedupe's in-memory index of open cases in step with
the work orders, and asks it about each new report."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from classifiers.dedupe.index import DuplicateIndex, OpenCase
from gateway.cases.workorders import OPEN_STATUSES
from gateway.models import Classification, DuplicateCheck, GeoPoint, Intake, Location, to_plain


def reporter_keys(reporter: dict) -> set[str]:
    """How one person is recognised across reports: phone, or the channel's own id."""
    keys = set()
    if reporter.get("phone"):
        keys.add(f"phone:{reporter['phone']}")
    if reporter.get("contact_id"):
        keys.add(f"{reporter.get('contact_channel', '')}:{reporter['contact_id']}")
    return keys


def close_codes(alternatives: list[dict], evidence: dict) -> tuple[str, ...]:
    """Categories a report might also be in: the classifier's runners-up and what the keyword
    rules and the model each read on their own (供水管道破裂漏水 is 供水 to both, filed under a city
    code by the kind gate; a neighbour's 自来水管子爆了 filed as 供水 is the same problem)."""
    codes = [a.get("code", "") for a in alternatives]
    for reader in ("rules", "model"):
        said = evidence.get(reader)
        if isinstance(said, dict) and said.get("code"):
            codes.append(said["code"])
    return tuple(dict.fromkeys(c for c in codes if c))


def reported_between(workorder: dict) -> tuple[datetime, datetime]:
    """When the case's problem was first and last reported: what a new report's own time is
    compared with (they differ from the filing time when history is replayed, `run.py replay`)."""
    times = [datetime.fromisoformat(e["received_at"]) for e in workorder.get("reporters") or []
             if e.get("received_at")]
    if not times:
        times = [datetime.fromisoformat(workorder["created_at"])]
    return min(times), max(times)


class IndexedDuplicates:
    def __init__(self, index: DuplicateIndex):
        self.index = index

    def check(self, intake: Intake, classification: Classification, location: Location,
              prepared: Any = None) -> DuplicateCheck:
        # Both sides compare the citizen's own words (titles are often generated).
        # A question ("修好了没有？") is about whatever is open at that place: its category
        # counts as unknown, not as a different problem.
        asks = classification.consultation
        return self.index.check(
            intake.text,
            category_code="" if asks else classification.code,
            category_path=() if asks else classification.path,
            grid_code=location.grid_code,
            point=location.point,
            reporter_keys=reporter_keys(to_plain(intake.reporter)),
            at=intake.received_at,
            prepared=prepared,
            place=location.place,
            close_codes=close_codes([to_plain(a) for a in classification.alternatives], classification.evidence),
        )

    def track(self, workorder: dict) -> None:
        if workorder["status"] not in OPEN_STATUSES or workorder.get("duplicate_of"):
            self.index.remove(workorder["case_no"])
            return
        location = workorder["location"]
        first, last = reported_between(workorder)
        keys: set[str] = set()
        for entry in workorder["reporters"]:
            keys |= reporter_keys(entry["reporter"])
        asks = bool(workorder["category"].get("consultation"))
        self.index.update(OpenCase(
            case_no=workorder["case_no"],
            text=workorder["description"],
            category_code="" if asks else workorder["category"]["code"],
            category_path=[] if asks else workorder["category"]["path"],
            grid_code=location["grid_code"],
            point=GeoPoint(location["lat"], location["lng"]) if location["lat"] is not None else None,
            created_at=first,
            last_reported_at=last,
            reporter_keys=keys,
            status=workorder["status"],
            place=location.get("place") or {},
            close_codes=close_codes(workorder["category"].get("alternatives") or [],
                                    workorder["category"].get("evidence") or {}),
        ))
