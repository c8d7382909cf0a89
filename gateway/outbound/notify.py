"""Answers back: which citizens hear of a change, and in which words.

`Notices.__call__(old, new, check_code)` runs inside the store's write transaction (it must
be pure and fast): it lists one outbox row per contact to tell. The delivery worker renders
the row with the templates when it sends it."""
from __future__ import annotations

import string
import tomllib
from collections.abc import Callable
from pathlib import Path

from gateway.cases.workorders import public_view
from gateway.models import contact_key

STATUS_EVENTS = {"dispatched", "resolved", "closed", "answered", "rejected", "merged"}
EVENTS = STATUS_EVENTS | {"filed", "attached"}
PLACEHOLDERS = {"case_no", "check_code", "title", "status_name", "status_note", "department",
                "due_at", "category", "address", "duplicate_of", "report_count", "status_url"}
DEFAULT_TEMPLATES = Path(__file__).parent / "templates" / "messages.toml"


class TemplateError(Exception):
    pass


class Templates:
    def __init__(self, path: Path = DEFAULT_TEMPLATES):
        self.path = path
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise TemplateError(f"{path}: message templates not found") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise TemplateError(f"{path}: not valid TOML: {exc}") from None
        self.templates: dict[str, dict[str, str]] = {}
        for key, value in data.items():
            if key in EVENTS:
                self.templates[key] = self._check(key, value)
            elif isinstance(value, dict):  # [channel.event] overrides
                for event, override in value.items():
                    if event not in EVENTS:
                        raise TemplateError(f"{path}: [{key}.{event}]: unknown event '{event}'")
                    self.templates[f"{key}.{event}"] = self._check(f"{key}.{event}", override)
            else:
                raise TemplateError(f"{path}: unknown entry '{key}'")
        missing = EVENTS - self.templates.keys()
        if missing:
            raise TemplateError(f"{path}: no template for {', '.join(sorted(missing))}")

    def _check(self, where: str, entry) -> dict[str, str]:
        if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
            raise TemplateError(f"{self.path}: [{where}] needs a text = \"…\"")
        for field in ("text", "subject"):
            value = entry.get(field, "")
            if not isinstance(value, str):
                raise TemplateError(f"{self.path}: [{where}].{field} must be text")
            try:
                names = {name for _, name, _, _ in string.Formatter().parse(value) if name}
            except ValueError as exc:
                raise TemplateError(f"{self.path}: [{where}].{field}: {exc}") from None
            unknown = names - PLACEHOLDERS
            if unknown:
                raise TemplateError(f"{self.path}: [{where}].{field}: unknown placeholder "
                                    f"{{{', '.join(sorted(unknown))}}}")
        return {"text": entry["text"], "subject": entry.get("subject", "")}

    def render(self, event: str, channel: str, context: dict) -> tuple[str, str]:
        """(subject, text) for an event on a channel."""
        entry = self.templates.get(f"{channel}.{event}") or self.templates[event]
        values = {name: "" for name in PLACEHOLDERS}
        values.update({k: ("" if v is None else v) for k, v in context.items() if k in PLACEHOLDERS})
        return entry["subject"].format_map(values), entry["text"].format_map(values)


class Notices:
    """Decides who hears of a change. `push_channels` can send messages (they have a
    `deliver`); `ack_channels` want the case number sent as a message too (e-mail), where
    the others answer it in their own reply."""

    def __init__(self, push_channels: set[str], ack_channels: set[str], public_url: str = ""):
        self.push_channels = push_channels
        self.ack_channels = ack_channels
        self.public_url = public_url

    def __call__(self, old: dict | None, new: dict, check_code: str, *,
                 contacts: Callable[[], list[str]] = list, joined: str = "") -> list[dict]:
        """The outbox rows for a change. `contacts()`: everyone who ever reported the case
        ("channel:id"), asked only when they all hear of it; `joined`: the contact of a
        report that just joined it."""
        if old is None:  # a new case: its reporter gets the case number
            first = new["reporters"][0]["reporter"]
            contact = contact_key(first.get("contact_channel", ""), first.get("contact_id", ""))
            return self._rows("filed", new, [contact], check_code, self.ack_channels)
        if new["status"] != old["status"] and new["status"] in STATUS_EVENTS:
            # A status change is news for everyone who reported the case, however many.
            return self._rows(new["status"], new, contacts(), "", self.push_channels)
        if joined:
            return self._rows("attached", new, [joined], check_code, self.ack_channels)
        return []

    def _rows(self, event: str, doc: dict, contacts: list[str], check_code: str,
              channels: set[str]) -> list[dict]:
        context = {**public_view(doc), "check_code": check_code}
        if check_code:
            context["status_url"] = (f"{self.public_url}/report/status?case_no={doc['case_no']}"
                                     f"&code={check_code}")
        rows = []
        for contact in dict.fromkeys(contacts):
            channel, _, contact_id = contact.partition(":")
            if channel in channels and contact_id:
                rows.append({"channel": channel, "contact_id": contact_id, "event": event,
                             "context": context})
        return rows
