"""Working time: which days are working days in China (public holidays and the adjusted
working weekends, 调休), the business hours of a working day, and arithmetic over them.

The national calendar comes from `chinese-calendar` (the State Council's schedule, year
by year, 调休 working weekends included). It knows only the years whose schedule has been
published; past them it refuses (`CalendarUnknown`) rather than guess. The local
administration's own days off and extra working days come from the configuration."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

import chinese_calendar

# Working days looked at, at most, in one computation (a 15-working-day limit across the
# Spring Festival spans about 30 calendar days).
MAX_DAYS = 400


class CalendarUnknown(Exception):
    """The calendar does not know whether a day is a working day."""


def parse_periods(specs: Iterable[str]) -> list[tuple[time, time]]:
    """["09:00-12:00", "13:30-17:30"] → sorted, non-overlapping (start, end) pairs.
    Raises ValueError naming the faulty period."""
    periods = []
    for spec in specs:
        try:
            start_s, end_s = spec.split("-")
            start, end = time.fromisoformat(start_s.strip()), time.fromisoformat(end_s.strip())
        except ValueError:
            raise ValueError(f"not a period HH:MM-HH:MM: {spec!r}") from None
        if end <= start:
            raise ValueError(f"period ends before it starts: {spec!r}")
        periods.append((start, end))
    periods.sort()
    for (_, end), (start, _) in zip(periods, periods[1:], strict=False):
        if start < end:
            raise ValueError(f"periods overlap: {', '.join(specs)}")
    if not periods:
        raise ValueError("no business hours")
    return periods


def _hours(a: time, b: time) -> float:
    return (datetime.combine(date.min, b) - datetime.combine(date.min, a)).total_seconds() / 3600


class WorkCalendar:
    def __init__(self, periods: list[tuple[time, time]], *, days_off: Iterable[date] = (),
                 working_days: Iterable[date] = ()):
        self.periods = periods
        self.days_off = frozenset(days_off)
        self.working_days = frozenset(working_days)
        self.hours_per_day = sum(_hours(a, b) for a, b in periods)
        self._days: dict[date, bool] = {}  # the answers so far (a few hundred days at most)

    @staticmethod
    def known_years() -> tuple[int, int]:
        years = sorted({d.year for d in chinese_calendar.holidays})
        return years[0], years[-1]

    def is_workday(self, day: date) -> bool:
        known = self._days.get(day)
        if known is None:
            known = self._days[day] = self._is_workday(day)
        return known

    def _is_workday(self, day: date) -> bool:
        if day in self.working_days:
            return True
        if day in self.days_off:
            return False
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            first, last = self.known_years()
            raise CalendarUnknown(
                f"{day.year} 年的节假日安排未知（日历只知 {first}–{last} 年），无法计算工作日") from None

    def _spans(self, start: datetime, days: int = MAX_DAYS):
        """The working periods from `start` on, as (from, to) datetimes, in order."""
        tz = start.tzinfo
        day = start.date()
        for _ in range(days):
            if self.is_workday(day):
                for a, b in self.periods:
                    lo = datetime.combine(day, a, tz)
                    hi = datetime.combine(day, b, tz)
                    if hi <= start:
                        continue
                    yield max(lo, start), hi
            day += timedelta(days=1)
        if days == MAX_DAYS:  # adding time: it must end somewhere
            raise CalendarUnknown(f"{days} 天内没有足够的工作时间")

    def add(self, start: datetime, hours: float) -> datetime:
        """The moment `hours` working hours after `start`."""
        left = timedelta(hours=hours)
        for lo, hi in self._spans(start):
            if hi - lo >= left:
                return lo + left
            left -= hi - lo
        raise AssertionError("unreachable")

    def between(self, start: datetime, end: datetime) -> float:
        """Working hours from `start` to `end` (0 when `end` is not after `start`)."""
        if end <= start:
            return 0.0
        total = timedelta()
        for lo, hi in self._spans(start, (end.date() - start.date()).days + 2):
            if lo >= end:
                break
            total += min(hi, end) - lo
        return total.total_seconds() / 3600
