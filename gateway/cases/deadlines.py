"""Time limits (办理时限): which tier a case falls in, its due time in working days and
hours, the clock that pauses while the case waits for the citizen, the 80 % and overdue
marks, and the figures a command centre is judged by. The owner of `doc["deadline"]`
(and of `doc["due_at"]`, which mirrors it). Pure: the calendar is handed in.

A work order's `deadline`:

    tier, tier_name, limit, unit        the tier chosen by the rules (time_limits.toml)
    limit_hours                          the limit in the unit's hours (working or calendar)
    started_at                           when the clock started (the case's creation)
    due_at, warn_at                      when the time runs out / crosses `warn_share`
                                         (null while paused or when the calendar is unknown)
    paused_since, pauses, paused_hours   the clock stopped while waiting for the citizen
    dispatched_at, stopped_at            first dispatch; when the case was done
    used_hours, used_share, checked_at   time used so far (same unit as limit_hours)
    state                                running | warning | overdue | paused | on_time |
                                         late | void (merged, rejected) | unknown
    problem                              why there is no due time (a year the calendar
                                         does not know)
    history                              every (re)computation: at, tier, due_at, reason
"""
from __future__ import annotations

import statistics
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from gateway.cases.calendar import CalendarUnknown, WorkCalendar, parse_periods
from gateway.errors import Refusal
from gateway.models import iso

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
UNITS = ("hours", "working_hours", "working_days")
# When the clock stops, and how the case counts.
DONE_STATUSES = frozenset({"resolved", "closed", "answered"})
VOID_STATUSES = frozenset({"merged", "rejected"})
RUNNING_STATES = frozenset({"running", "warning", "overdue"})
STATE_NAMES = {"running": "办理中", "warning": "即将超时", "overdue": "已超时", "paused": "暂停计时",
               "on_time": "按时办结", "late": "超时办结", "void": "不计时", "unknown": "无法计算时限"}


class ClockRefusal(Refusal):
    code = "invalid_clock"


@dataclass
class DeadlineSettings:
    # The tiers, the rules that choose one and business hours (data, checked at start-up).
    time_limits: str = "gateway/cases/time_limits.toml"
    # May a case waiting for the citizen (more details, access to the home …) stop its clock?
    pause_waiting_citizen: bool = True
    # Share of its time at which a case is announced as about to run out (feed + console).
    warn_share: float = 0.8
    # Seconds between looks for cases crossing `warn_share` or their due time.
    check_interval_s: float = 60.0
    # The local administration's own days off and extra working days, "YYYY-MM-DD".
    local_days_off: list[str] = field(default_factory=list)
    local_working_days: list[str] = field(default_factory=list)

    def path(self) -> Path:
        path = Path(self.time_limits)
        return path if path.is_absolute() else PROJECT_ROOT / path

    def problems(self) -> list[str]:
        found = []
        if not 0 < self.warn_share < 1:
            found.append(f"warn_share: must be between 0 and 1, got {self.warn_share}")
        if self.check_interval_s <= 0:
            found.append("check_interval_s: must be positive")
        for key in ("local_days_off", "local_working_days"):
            for value in getattr(self, key):
                try:
                    date.fromisoformat(value)
                except ValueError:
                    found.append(f"{key}: not a date YYYY-MM-DD: {value!r}")
        try:
            TimeLimits.load(self.path())
        except ValueError as exc:
            found.append(f"time_limits: {exc}")
        return found

    def clock(self) -> Clock:
        limits = TimeLimits.load(self.path())
        calendar = WorkCalendar(limits.periods,
                                days_off=[date.fromisoformat(d) for d in self.local_days_off],
                                working_days=[date.fromisoformat(d) for d in self.local_working_days])
        return Clock(limits, calendar, warn_share=self.warn_share, can_pause=self.pause_waiting_citizen)


@dataclass(frozen=True)
class Tier:
    code: str
    name: str
    limit: float
    unit: str


@dataclass
class TimeLimits:
    periods: list
    tiers: dict[str, Tier]
    default: str
    urgent: str
    rules: list[tuple[str, str]]  # (category code or ancestor's, tier), most specific first

    @classmethod
    def load(cls, path: Path) -> TimeLimits:
        """Read and check the file; ValueError names the file, the key and the fault."""
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ValueError(f"{path}: file not found") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"{path}: not valid TOML: {exc}") from None
        try:
            periods = parse_periods(data.get("business_hours", []))
        except ValueError as exc:
            raise ValueError(f"{path}: business_hours: {exc}") from None
        tiers = {}
        for i, raw in enumerate(data.get("tier", [])):
            where = f"{path}: tier[{i}]"
            if not isinstance(raw.get("code"), str) or not raw["code"]:
                raise ValueError(f"{where}.code: required")
            limit = raw.get("limit")
            if isinstance(limit, bool) or not isinstance(limit, (int, float)) or limit <= 0:
                raise ValueError(f"{where}.limit: must be a positive number, got {limit!r}")
            if raw.get("unit") not in UNITS:
                raise ValueError(f"{where}.unit: must be one of {', '.join(UNITS)}, got {raw.get('unit')!r}")
            if raw["code"] in tiers:
                raise ValueError(f"{where}.code: {raw['code']!r} defined twice")
            tiers[raw["code"]] = Tier(raw["code"], str(raw.get("name", raw["code"])), float(limit), raw["unit"])
        for key in ("default_tier", "urgent_tier"):
            if data.get(key) not in tiers:
                raise ValueError(f"{path}: {key}: {data.get(key)!r} is not a tier ({', '.join(tiers) or 'none defined'})")
        rules = []
        for i, raw in enumerate(data.get("rule", [])):
            if raw.get("tier") not in tiers:
                raise ValueError(f"{path}: rule[{i}].tier: {raw.get('tier')!r} is not a tier")
            codes = raw.get("categories")
            if not isinstance(codes, list) or not codes or not all(isinstance(c, str) and c for c in codes):
                raise ValueError(f"{path}: rule[{i}].categories: a list of category codes is required")
            rules += [(code, raw["tier"]) for code in codes]
        rules.sort(key=lambda r: -len(r[0]))
        return cls(periods, tiers, data["default_tier"], data["urgent_tier"], rules)

    def tier_for(self, category_code: str, urgent: bool) -> Tier:
        if urgent:
            return self.tiers[self.urgent]
        for code, tier in self.rules:
            if category_code == code or category_code.startswith(code + "-"):
                return self.tiers[tier]
        return self.tiers[self.default]


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _moved(old: str | None, new: str | None) -> bool:
    """A due time changed by a minute or more (or set, or cleared)."""
    if not old or not new:
        return bool(old) != bool(new)
    return abs((_dt(new) - _dt(old)).total_seconds()) >= 60


class Clock:
    def __init__(self, limits: TimeLimits, calendar: WorkCalendar, *, warn_share: float = 0.8,
                 can_pause: bool = True):
        self.limits = limits
        self.calendar = calendar
        self.warn_share = warn_share
        self.can_pause = can_pause

    # -- arithmetic in a tier's unit -------------------------------------------------------

    def _limit_hours(self, tier: Tier) -> float:
        return tier.limit * self.calendar.hours_per_day if tier.unit == "working_days" else tier.limit

    def _add(self, unit: str, start: datetime, hours: float) -> datetime:
        if unit == "hours":
            return start + timedelta(hours=hours)
        return self.calendar.add(start, hours)

    def _between(self, unit: str, start: datetime, end: datetime) -> float:
        if unit == "hours":
            return max(0.0, (end - start).total_seconds() / 3600)
        return self.calendar.between(start, end)

    # -- the deadline's life ---------------------------------------------------------------

    def start(self, doc: dict, at: datetime | None = None, *, started_at: str | None = None) -> dict:
        """A new case (or one filed before time limits existed): its tier and due time. The
        clock starts at the case's creation, or at `started_at` (a replayed report's own
        time)."""
        tier = self.limits.tier_for(doc["category"].get("code", ""), doc.get("urgency") == "urgent")
        deadline = {"started_at": started_at or doc["created_at"], "paused_since": None, "pauses": [],
                    "paused_hours": 0.0, "dispatched_at": None, "stopped_at": None, "history": []}
        doc = {**doc, "deadline": self._with_tier(deadline, tier)}
        at = at or datetime.fromisoformat(deadline["started_at"])
        return self._stamp(self._recorded(doc, at, "filed"), at)

    @staticmethod
    def _with_tier(deadline: dict, tier: Tier) -> dict:
        return {**deadline, "tier": tier.code, "tier_name": tier.name, "limit": tier.limit,
                "unit": tier.unit}

    def _recorded(self, doc: dict, at: datetime, reason: str) -> dict:
        deadline = self._due(doc["deadline"])
        deadline["history"] = [*deadline["history"],
                               {"at": iso(at), "tier": deadline["tier"], "due_at": deadline["due_at"],
                                "reason": reason}]
        return {**doc, "deadline": deadline, "due_at": deadline["due_at"]}

    def _due(self, deadline: dict) -> dict:
        """Due and warning times from the tier, the start and the pauses so far."""
        tier = self.limits.tiers.get(deadline["tier"]) or Tier(deadline["tier"], deadline["tier_name"],
                                                               deadline["limit"], deadline["unit"])
        deadline = {**deadline, "limit_hours": round(self._limit_hours(tier), 4), "problem": ""}
        if deadline.get("override_due_at"):
            due = _dt(deadline["override_due_at"])
            start = _dt(deadline["started_at"])
            deadline["due_at"] = deadline["override_due_at"]
            deadline["warn_at"] = iso(start + (due - start) * self.warn_share) if due > start else deadline["due_at"]
            return deadline
        if deadline["paused_since"]:
            return {**deadline, "due_at": None, "warn_at": None}
        start = _dt(deadline["started_at"])
        limit, paused = deadline["limit_hours"], deadline["paused_hours"]
        try:
            deadline["due_at"] = iso(self._add(tier.unit, start, limit + paused))
            deadline["warn_at"] = iso(self._add(tier.unit, start, limit * self.warn_share + paused))
        except CalendarUnknown as exc:
            deadline.update(due_at=None, warn_at=None, problem=str(exc))
        return deadline

    def _stamp(self, doc: dict, at: datetime) -> dict:
        """Time used and state as of `at`."""
        deadline = dict(doc["deadline"])
        status = doc["status"]
        end = _dt(deadline["stopped_at"]) or at
        unit = "hours" if deadline.get("override_due_at") else deadline["unit"]
        start = _dt(deadline["started_at"])
        try:
            used = self._between(unit, start, end) - deadline["paused_hours"]
            if deadline["paused_since"]:
                used -= self._between(unit, _dt(deadline["paused_since"]), end)
        except CalendarUnknown:
            used = deadline.get("used_hours", 0.0)
        limit = deadline["limit_hours"]
        if deadline.get("override_due_at"):
            limit = max(0.0, (_dt(deadline["due_at"]) - start).total_seconds() / 3600)
        deadline["used_hours"] = round(max(0.0, used), 2)
        deadline["used_share"] = round(used / limit, 3) if limit else 0.0
        deadline["checked_at"] = iso(at)
        due, warn = _dt(deadline["due_at"]), _dt(deadline["warn_at"])
        if status in VOID_STATUSES:
            state = "void"
        elif status in DONE_STATUSES and deadline["stopped_at"]:
            state = "late" if due is not None and end > due else "on_time"
        elif deadline["paused_since"]:
            state = "paused"
        elif due is None:
            state = "unknown"
        elif at >= due:
            state = "overdue"
        elif warn is not None and at >= warn:
            state = "warning"
        else:
            state = "running"
        deadline["state"] = state
        deadline["state_name"] = STATE_NAMES[state]
        return {**doc, "deadline": deadline, "due_at": deadline["due_at"]}

    def follow(self, before: dict | None, after: dict, at: datetime) -> dict:
        """`after` is `before` changed (status, category, urgency, an operator's due time):
        the deadline follows, keeping its history."""
        if "deadline" not in after:
            return self.start(after, at) if before is None or "deadline" not in before else \
                self.follow(before, {**after, "deadline": before["deadline"]}, at)
        doc = after
        deadline = dict(doc["deadline"])
        if before is not None and _moved(before.get("due_at"), doc.get("due_at")) \
                and _moved(deadline.get("due_at"), doc.get("due_at")):
            # An operator set the due time by hand (the console shows it to the minute, so
            # a save that leaves it alone sends it back without its seconds).
            deadline["override_due_at"] = doc["due_at"]
            doc = self._recorded({**doc, "deadline": deadline}, at, "operator")
            deadline = doc["deadline"]
        tier = self.limits.tier_for(doc["category"].get("code", ""), doc.get("urgency") == "urgent")
        if tier.code != deadline["tier"] and not deadline.get("override_due_at"):
            reason = ("category_change" if before is None
                      or doc["category"].get("code") != before["category"].get("code") else "urgency_change")
            doc = self._recorded({**doc, "deadline": self._with_tier(deadline, tier)}, at, reason)
            deadline = doc["deadline"]
        status, was = doc["status"], (before or {}).get("status")
        if status != was:
            if status == "dispatched" and not deadline["dispatched_at"]:
                deadline["dispatched_at"] = iso(at)
            if status in DONE_STATUSES | VOID_STATUSES:
                if deadline["paused_since"]:  # done while waiting: the pause ends here
                    deadline = self._resumed(deadline, at, "")
                deadline["stopped_at"] = deadline["stopped_at"] or iso(at)
            elif was in DONE_STATUSES | VOID_STATUSES:  # reopened (the check found it not done)
                deadline["stopped_at"] = None
            doc = {**doc, "deadline": deadline}
        return self._stamp(doc, at)

    def pause(self, doc: dict, at: datetime, note: str) -> dict:
        """The case waits for the citizen: its clock stops."""
        if not self.can_pause:
            raise ClockRefusal("本系统未启用“等待群众补充”暂停计时", code="clock_pause_disabled")
        if doc["status"] not in ("received", "confirmed", "dispatched"):
            raise ClockRefusal(f"工单 {doc['case_no']} 已{doc['status_name']}，不能暂停计时")
        deadline = dict(doc["deadline"])
        if deadline["paused_since"]:
            raise ClockRefusal(f"工单 {doc['case_no']} 已在暂停计时中", code="clock_already_paused")
        deadline["paused_since"] = iso(at)
        deadline["pauses"] = [*deadline["pauses"], {"from": iso(at), "to": None, "note": note}]
        doc = self._recorded({**doc, "deadline": deadline, "updated_at": iso(at)}, at, "paused")
        return self._stamp(doc, at)

    def resume(self, doc: dict, at: datetime, note: str) -> dict:
        deadline = dict(doc["deadline"])
        if not deadline["paused_since"]:
            raise ClockRefusal(f"工单 {doc['case_no']} 没有暂停计时", code="clock_not_paused")
        deadline = self._resumed(deadline, at, note)
        doc = self._recorded({**doc, "deadline": deadline, "updated_at": iso(at)}, at, "resumed")
        return self._stamp(doc, at)

    def _resumed(self, deadline: dict, at: datetime, note: str) -> dict:
        since = _dt(deadline["paused_since"])
        unit = "hours" if deadline.get("override_due_at") else deadline["unit"]
        try:
            hours = self._between(unit, since, at)
        except CalendarUnknown:
            hours = (at - since).total_seconds() / 3600
        last = {**deadline["pauses"][-1], "to": iso(at), "hours": round(hours, 2)}
        if note:
            last["resume_note"] = note
        return {**deadline, "paused_since": None, "paused_hours": deadline["paused_hours"] + hours,
                "pauses": [*deadline["pauses"][:-1], last]}

    def crossed(self, doc: dict, at: datetime) -> dict | None:
        """The document stamped as of `at` when its clock has crossed into a new state
        (warning, overdue) since it was last stamped; else None."""
        deadline = doc.get("deadline")
        if not deadline or deadline["state"] not in RUNNING_STATES:
            return None
        new = self._stamp(doc, at)
        state = new["deadline"]["state"]
        if state != deadline["state"] and state in ("warning", "overdue"):
            return new
        return None

    def next_mark(self, doc: dict) -> str | None:
        """When the running clock next crosses a mark (ISO time), or None."""
        deadline = doc.get("deadline")
        if not deadline or deadline["state"] not in ("running", "warning"):
            return None
        return deadline["warn_at"] if deadline["state"] == "running" else deadline["due_at"]


# -- the figures --------------------------------------------------------------------------

def _share(good: int, bad: int) -> float | None:
    return round(good / (good + bad), 4) if good + bad else None


def _median_hours(pairs: list[tuple[str, str]]) -> float | None:
    hours = [(_dt(b) - _dt(a)).total_seconds() / 3600 for a, b in pairs if a and b]
    return round(statistics.median(hours), 2) if hours else None


def figures(docs: list[dict], at: datetime) -> dict:
    """On-time share — cases done in time over cases done plus those done late **and those
    still open past their due time** (leaving those out flatters a centre that sits on its
    hardest cases) — overall and by category, grid and channel; median hours to dispatch
    and to resolve."""
    groups: dict[str, dict[str, list[int]]] = {"category": defaultdict(lambda: [0, 0, 0]),
                                               "grid": defaultdict(lambda: [0, 0, 0]),
                                               "channel": defaultdict(lambda: [0, 0, 0])}
    total = [0, 0, 0]  # on time, late (done late or open overdue), open overdue
    dispatch, resolve = [], []
    for doc in docs:
        deadline = doc.get("deadline")
        if not deadline or doc["status"] in VOID_STATUSES:
            continue
        due = _dt(deadline.get("due_at"))
        stopped = _dt(deadline.get("stopped_at"))
        if doc["status"] in DONE_STATUSES and stopped is not None:
            outcome = 0 if due is None or stopped <= due else 1
            resolve.append((deadline["started_at"], deadline["stopped_at"]))
        elif due is not None and at >= due and not deadline.get("paused_since"):
            outcome = 2
        else:
            outcome = None
        if deadline.get("dispatched_at"):
            dispatch.append((deadline["started_at"], deadline["dispatched_at"]))
        if outcome is None:
            continue
        grid_path = doc["location"].get("grid_path") or []
        keys = {"category": doc["category"].get("name") or "未分类",
                "grid": grid_path[-1]["name"] if grid_path else "未定位",
                "channel": doc["channel"]}
        for counts in [total, *(groups[g][k] for g, k in keys.items())]:
            counts[min(outcome, 1)] += 1
            if outcome == 2:
                counts[2] += 1

    def row(counts: list[int]) -> dict:
        return {"on_time": counts[0], "late": counts[1], "open_overdue": counts[2],
                "on_time_share": _share(counts[0], counts[1])}

    return {"at": iso(at), **row(total),
            "median_hours_to_dispatch": _median_hours(dispatch),
            "median_hours_to_resolve": _median_hours(resolve),
            **{f"by_{g}": {k: row(v) for k, v in sorted(rows.items())} for g, rows in groups.items()}}
