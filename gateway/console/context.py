"""What the console's views share: accounts, tickets, calls, and how each is shown to one
operator (a caller's number in full only to the seat handling the call)."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from channels.phones import mask_phone
from gateway.cases.service import CaseService
from gateway.console.auth import Accounts
from gateway.console.settings import ConsoleSettings
from gateway.errors import NotFound
from gateway.events import EventHub
from gateway.intake.attachments import AttachmentStore
from gateway.store.calls import Calls
from gateway.store.console import ConsoleStore


@dataclass
class Console:
    settings: ConsoleSettings
    accounts: Accounts
    store: ConsoleStore
    calls: Calls
    cases: CaseService
    attachments: AttachmentStore
    events: EventHub
    hotline: Any  # the hotline channel (mark_called_back), or None when it is off
    streams: set[asyncio.Task] = field(default_factory=set)  # open event streams, ended at shutdown

    # -- what one operator sees -----------------------------------------------------------

    @staticmethod
    def handles(call: dict | None, session: dict) -> bool:
        return bool(call and session.get("seat_id") and call.get("seat_id") == session["seat_id"])

    def call_for(self, call: dict, session: dict) -> dict:
        shown = dict(call)
        shown.pop("seen", None)
        shown.pop("caller_raw", None)
        masked = mask_phone(call["caller"]) if call.get("caller") else (call.get("caller_masked") or "未知号码")
        shown["caller"] = call["caller"] if self.handles(call, session) and call.get("caller") else masked
        shown["caller_masked"] = masked
        shown["mine"] = self.handles(call, session)
        return shown

    @staticmethod
    def summary(doc: dict) -> dict:
        return {"case_no": doc["case_no"], "channel": doc["channel"], "channel_ref": doc["channel_ref"],
                "title": doc["title"], "status": doc["status"], "status_name": doc["status_name"],
                "created_at": doc["created_at"], "updated_at": doc["updated_at"],
                "category": doc["category"].get("name", ""), "urgency": doc["urgency"],
                "needs_review": doc.get("needs_review", False),
                "review_reasons": doc.get("review_reasons", []), "missing": doc.get("missing", [])}

    def categories(self) -> list[dict]:
        taxonomy = self.cases.stages.classifier.taxonomy
        return [{"code": n.code, "name": n.name, "path": list(n.path), "department": n.department,
                 "urgent": n.urgent, "consultation": n.consultation} for n in taxonomy.leaves]

    async def ticket_view(self, case_no: str, session: dict) -> dict:
        store = self.cases.store
        doc = await store.get_workorder(case_no)
        call = await self.calls.get(doc["channel_ref"]) if doc["channel"] == "hotline" else None
        mine = self.handles(call, session)
        ticket = dict(doc)
        reporter = dict(doc["reporter"])
        phone = reporter.get("phone", "")
        if not mine:
            reporter["phone"] = mask_phone(phone) if phone.startswith("+") else (phone and "***")
            if reporter.get("contact_id") and reporter.get("contact_channel") == "hotline":
                reporter["contact_id"] = reporter["phone"]
        ticket["reporter"] = reporter
        ticket.pop("reporters", None)
        earlier = []
        channel, contact = doc["reporter"].get("contact_channel"), doc["reporter"].get("contact_id")
        if channel and contact:
            for other in await store.cases_of_contact(f"{channel}:{contact}", 11):
                if other["case_no"] != case_no:
                    earlier.append(self._case_card(other))
        candidates = []
        for cand in doc.get("duplicate_candidates", []):
            try:
                other = await store.get_workorder(cand["case_no"])
            except NotFound:
                continue
            candidates.append({**self._case_card(other), "score": cand.get("score")})
        return {"ticket": ticket, "call": self.call_for(call, session) if call else None,
                "earlier_cases": earlier[:10], "candidates": candidates, "mine": mine,
                "history": await store.history(case_no)}

    @staticmethod
    def _case_card(doc: dict) -> dict:
        return {"case_no": doc["case_no"], "text": doc["description"][:200], "title": doc["title"],
                "address": doc["location"]["address"], "created_at": doc["created_at"],
                "status": doc["status"], "status_name": doc["status_name"],
                "category": doc["category"].get("name", "")}

    def event_for(self, topic: str, data: Any, session: dict) -> tuple[str, dict] | None:
        """The server-sent event for one hub event, as this operator may see it."""
        if topic == "call":
            return "call", self.call_for(data, session)
        if topic == "call.transcript":
            return "transcript", {"call_id": data["call_id"], "case_no": data["case_no"], "text": data["text"]}
        if topic == "workorder":
            return "ticket", self.summary(data)
        if topic == "deadline":  # crossed 80 % of its time, or overdue (no personal data)
            return "deadline", data
        return None


CONSOLE = web.AppKey("console", Console)
