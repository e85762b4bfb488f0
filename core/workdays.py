"""Deadlines in Chinese working days (chinese-calendar: weekends, public holidays and
make-up working days), calendar days or hours.

A deadline of N working or calendar days counted from an event ends at the close of the
Nth such day after the event's local date (Asia/Shanghai); hours are counted exactly.
"""

import datetime as dt
from functools import lru_cache

import chinese_calendar
import structlog
from django.utils import timezone

log = structlog.get_logger(__name__)


@lru_cache(maxsize=4096)
def is_working_day(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        # A year the calendar has no data for yet: weekdays only, until the package
        # ships the State Council's notice for that year.
        log.warning("workdays.year_not_in_calendar", year=day.year)
        return day.weekday() < 5


def add_working_days(day: dt.date, n: int) -> dt.date:
    """The Nth working day after `day` (n >= 1); n == 0 gives `day` itself."""
    current = day
    remaining = n
    while remaining > 0:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end`."""
    count, current = 0, start
    while current < end:
        current += dt.timedelta(days=1)
        count += is_working_day(current)
    return count


def _end_of_day(day: dt.date) -> dt.datetime:
    tz = timezone.get_default_timezone()
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=tz)


def due_after(start: dt.datetime, period) -> dt.datetime:
    """The deadline `period` = (amount, unit) after `start`; unit is working_days, days
    or hours."""
    amount, unit = period
    if unit == "hours":
        return start + dt.timedelta(hours=amount)
    local_day = timezone.localtime(start).date()
    if unit == "working_days":
        return _end_of_day(add_working_days(local_day, amount))
    if unit == "days":
        return _end_of_day(local_day + dt.timedelta(days=amount))
    raise ValueError(f"unknown deadline unit {unit!r}")
