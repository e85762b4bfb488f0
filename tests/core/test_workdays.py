import datetime as dt
import zoneinfo

from hypothesis import given
from hypothesis import strategies as st

from core.workdays import add_working_days, due_after, is_working_day, working_days_between

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_national_day_week_is_skipped_and_make_up_saturday_counts():
    # 2025: Oct 1-8 off; Sunday Sep 28 and Saturday Oct 11 are make-up working days.
    assert is_working_day(dt.date(2025, 9, 28))
    assert add_working_days(dt.date(2025, 9, 30), 1) == dt.date(2025, 10, 9)
    assert add_working_days(dt.date(2025, 9, 30), 3) == dt.date(2025, 10, 11)
    assert add_working_days(dt.date(2025, 9, 26), 5) == dt.date(2025, 10, 10)


def test_spring_festival_2026_is_skipped():
    # Feb 15-23 off; Saturday Feb 14 and Saturday Feb 28 are make-up working days.
    assert add_working_days(dt.date(2026, 2, 13), 1) == dt.date(2026, 2, 14)
    assert add_working_days(dt.date(2026, 2, 14), 1) == dt.date(2026, 2, 24)
    assert add_working_days(dt.date(2026, 2, 13), 5) == dt.date(2026, 2, 27)


def test_working_day_deadline_ends_at_close_of_the_last_day_in_shanghai_time():
    sampled_at = dt.datetime(2025, 9, 30, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai
    due = due_after(sampled_at, (5, "working_days"))
    assert due == dt.datetime(2025, 10, 14, 23, 59, 59, tzinfo=SHANGHAI)


def test_calendar_day_and_hour_deadlines():
    start = dt.datetime(2025, 10, 1, 10, 0, tzinfo=SHANGHAI)
    assert due_after(start, (15, "days")) == dt.datetime(2025, 10, 16, 23, 59, 59, tzinfo=SHANGHAI)
    assert due_after(start, (24, "hours")) == start + dt.timedelta(hours=24)


def test_a_year_without_calendar_data_falls_back_to_weekdays():
    assert is_working_day(dt.date(2099, 1, 5))  # a Monday
    assert not is_working_day(dt.date(2099, 1, 4))  # a Sunday


@given(
    st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2026, 6, 30)),
    st.integers(min_value=1, max_value=40),
)
def test_adding_n_working_days_crosses_exactly_n_working_days(day, n):
    end = add_working_days(day, n)
    assert is_working_day(end)
    assert working_days_between(day, end) == n
