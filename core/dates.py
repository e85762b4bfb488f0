"""Date arithmetic every app shares: months, and how far ahead of ours a clock may be."""

import calendar
import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from .exceptions import ApplicationError
from .rules import rule


def add_months(moment, months):
    """`moment` moved by whole calendar months; a day past the end of the target month
    becomes its last day (31 January + 1 month = 28 or 29 February)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(
        year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1])
    )


def clock_skew():
    """How far ahead of the server a device's clock may run before a time it sends counts
    as in the future (LEVEE_RULES clock_skew_seconds)."""
    return dt.timedelta(seconds=rule("clock_skew_seconds"))


def is_future(value, *, now=None):
    return value > (now or timezone.now()) + clock_skew()


def not_in_future(value, attr):
    """`value`, or a 400 on `attr` when it lies in the future (beyond the clock skew)."""
    if is_future(value):
        raise ApplicationError(_("This time is in the future."), attr=attr)
    return value
