"""A small sentinel survey whose national estimates are computed by hand in
test_estimates.py; the SQLite smoke test checks the embedded default gives the same."""

import datetime as dt

from django.utils import timezone

from tests.factories import SentinelSiteFactory

from .factories import InjuryReportFactory


def at(day, hour=12):
    return dt.datetime(2024, 3, day, hour, tzinfo=timezone.get_default_timezone())


def build_survey():
    """Stratum A: a1 (3 toy cases), a2 (1 toy, 1 kettle), a3 (no cases), all weight 10, and
    a4, no longer active in March; stratum B: b1 alone (2 toy cases, weight 50)."""
    a1 = SentinelSiteFactory(code="a1", stratum="A", weight=10, region="110105")
    a2 = SentinelSiteFactory(code="a2", stratum="A", weight=10, region="110108")
    SentinelSiteFactory(code="a3", stratum="A", weight=10, region="110105")
    SentinelSiteFactory(
        code="a4", stratum="A", weight=10, region="110105", active_to=dt.date(2024, 2, 1)
    )
    b1 = SentinelSiteFactory(code="b1", stratum="B", weight=50, region="120101")
    for day in (1, 2, 31):
        InjuryReportFactory(site=a1, occurred_at=at(day), product_category="toy")
    InjuryReportFactory(site=a2, occurred_at=at(5), product_category="toy", age=70)
    InjuryReportFactory(site=a2, occurred_at=at(6), product_category="electric_kettle", age=3)
    for day in (10, 11):
        InjuryReportFactory(site=b1, occurred_at=at(day), product_category="toy")
    # Outside March (Shanghai time): not counted.
    InjuryReportFactory(site=a1, occurred_at=at(1, 0) - dt.timedelta(minutes=1))
    InjuryReportFactory(site=b1, occurred_at=at(31, 23) + dt.timedelta(hours=1))
    # A later re-weighting leaves filed cases as they were.
    a1.weight = 99
    a1.save()
    return {"a1": a1, "a2": a2, "b1": b1}
