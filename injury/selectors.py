"""Weighted national injury estimates after NEISS (DESIGN.md §8).

For a group in a period, with strata h and the n_h sites of stratum h active in the period
(sites with no reports count as zeros), y_hi being the sum of the report weights of site i
in the group:

    estimate = Σ_h Σ_i y_hi
    variance = Σ_h n_h/(n_h - 1) · Σ_i (y_hi - ȳ_h)²      (0 for a stratum of one site)

One statement sums the cases and weights per period, group and site, and those sums per
stratum; Σ_i (y_hi - ȳ_h)² is then S2 - S1²/n_h over the sites that have reports, where n_h
counts every site active in the period (and any site that reported in it while inactive), so
the zeros need no rows of their own. The same code runs on PostgreSQL and on SQLite, with the
same numbers; on PostgreSQL a report finds its period by a binary search over the periods'
first instants (WIDTH_BUCKET) rather than by converting every timestamp to local time.
"""

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateField,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.models import SentinelSite
from core.regions import region_q
from core.rules import rule

from .choices import EstimateGroup, Interval
from .models import InjuryReport

MAX_PERIODS = 530  # ten years of weeks


def _age_band():
    bands = ((5, "0-4"), (15, "5-14"), (25, "15-24"), (45, "25-44"), (65, "45-64"))
    return Case(
        *(When(age__lt=upper, then=Value(band)) for upper, band in bands), default=Value("65+")
    )


# group_by -> the report's grouping expression; region is the site's, so it is grouped by
# site in SQL and named from the site rows.
_GROUPS = {
    EstimateGroup.PRODUCT_CATEGORY: lambda: F("product_category"),
    EstimateGroup.BODY_PART: lambda: F("body_part"),
    EstimateGroup.MECHANISM: lambda: F("mechanism"),
    EstimateGroup.SEX: lambda: F("sex"),
    EstimateGroup.AGE_BAND: _age_band,
    EstimateGroup.REGION: lambda: Value(""),
}


@dataclass(frozen=True)
class Period:
    key: dt.date  # the week's Monday or the month's first day (or `from` for one period)
    first_day: dt.date  # clipped to the requested range
    last_day: dt.date


def estimate_periods(date_from, date_to, interval=None):
    if interval is None:
        return [Period(date_from, date_from, date_to)]
    if interval == Interval.WEEK:
        start = date_from - dt.timedelta(days=date_from.weekday())
    else:
        start = date_from.replace(day=1)
    periods = []
    while start <= date_to:
        if interval == Interval.WEEK:
            following = start + dt.timedelta(days=7)
        else:
            following = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        periods.append(
            Period(start, max(start, date_from), min(following - dt.timedelta(days=1), date_to))
        )
        if len(periods) > MAX_PERIODS:
            raise ApplicationError(
                _("That asks for more than %(max)s periods; shorten the range.")
                % {"max": MAX_PERIODS},
                attr="interval",
            )
        start = following
    return periods


def summarise(*, cases, estimate, variance, thresholds=None):
    """se, cv, the 95% interval and the stability flag of one group (§8)."""
    thresholds = thresholds or rule("injury_estimates")
    se = math.sqrt(max(variance, 0.0))
    cv = se / estimate if estimate > 0 else None
    z = thresholds.get("z", 1.96)
    unstable = (
        cases < thresholds["min_cases"]
        or estimate < thresholds["min_estimate"]
        or cv is None
        or cv > thresholds["max_cv"]
    )
    return {
        "cases": cases,
        "estimate": round(estimate, 4),
        "se": round(se, 4),
        "cv": None if cv is None else round(cv, 4),
        "ci_low": round(max(estimate - z * se, 0.0), 4),
        "ci_high": round(estimate + z * se, 4),
        "unstable": unstable,
    }


def _local_midnight(day):
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())


class PeriodIndex(Func):
    """PostgreSQL: the 1-based index of the period an instant falls in, given the periods'
    first instants in order (a binary search per row)."""

    function = "WIDTH_BUCKET"
    template = "%(function)s(%(expressions)s::timestamptz[])"
    output_field = IntegerField()


def _period_key(periods, interval):
    """The period a report falls in: its key (a date) or, on PostgreSQL, its index + 1."""
    tz = timezone.get_default_timezone()
    if interval is None:
        return Value(periods[0].key, output_field=DateField())
    if connection.vendor == "postgresql":
        starts = [_local_midnight(p.key) for p in periods]
        return PeriodIndex("occurred_at", Value(starts))
    if interval == Interval.WEEK:
        return TruncWeek("occurred_at", output_field=DateField(), tzinfo=tz)
    return TruncMonth("occurred_at", output_field=DateField(), tzinfo=tz)


def _active_sites(sites, period, stratum):
    return {
        site.pk
        for site in sites
        if site.stratum == stratum
        and (site.active_from is None or site.active_from <= period.last_day)
        and (site.active_to is None or site.active_to >= period.first_day)
    }


def _outside_windows(sites):
    """Reports filed at a site outside its active window (by local date), or None when no
    site has a window."""
    q = Q()
    for site in sites:
        if site.active_from is not None:
            q |= Q(site_id=site.pk, occurred_at__lt=_local_midnight(site.active_from))
        if site.active_to is not None:
            after = _local_midnight(site.active_to + dt.timedelta(days=1))
            q |= Q(site_id=site.pk, occurred_at__gte=after)
    return q or None


def _site_sums(reports, sites, *, period_key, group, by_site_region):
    """One statement: per (period, group, stratum) the cases and Σy, Σy² over the sites
    (rows 'cell'), and every (period, site) with a report outside the site's active window
    (rows 'site': a site that reported in a period it was not active in still counts)."""
    per_site = (
        reports.order_by()
        .annotate(period_key=period_key, grp=group)
        .values("period_key", "grp", "site_id")
        .annotate(cases=Count("id"), y=Sum(Cast("weight", FloatField())))
    )
    inner_sql, params = per_site.query.sql_with_params()
    site_table = SentinelSite._meta.db_table
    cell_group = "s.region" if by_site_region else "ps.grp"
    sql = f"""
        SELECT 'cell', ps.period_key, {cell_group}, s.stratum, NULL, SUM(ps.cases),
               SUM(ps.y), SUM(ps.y * ps.y)
        FROM ({inner_sql}) ps JOIN {site_table} s ON s.id = ps.site_id
        GROUP BY ps.period_key, {cell_group}, s.stratum
    """
    outside = _outside_windows(sites)
    if outside is not None:
        seen = (
            reports.filter(outside)
            .order_by()
            .annotate(period_key=period_key)
            .values("period_key", "site_id")
            .distinct()
        )
        seen_sql, seen_params = seen.query.sql_with_params()
        sql += f"""
            UNION ALL
            SELECT 'site', o.period_key, NULL, NULL, o.site_id, NULL, NULL, NULL
            FROM ({seen_sql}) o
        """
        params = (*params, *seen_params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _as_date(value):
    """A period key as the database returned it (a date, or text on SQLite)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


def injury_estimates(*, user, group_by, date_from, date_to, interval=None, region=""):
    """Rows of {period?, group, cases, estimate, se, cv, ci_low, ci_high, unstable} over
    the sentinel sites in the user's scope (and within `region`, when given).

    One statement sums the cases and weights per period, group and site and then per
    stratum (on PostgreSQL and SQLite alike); the strata's variance is taken over those
    sums here, with every site active in a period counted (as a zero if it saw none).
    """
    periods = estimate_periods(date_from, date_to, interval)
    scoped = SentinelSite.objects.restrict(user).order_by()
    if region:
        scoped = scoped.filter(region_q("region", region))
    sites = {site.pk: site for site in scoped.only("stratum", "region", "active_from", "active_to")}
    if not sites:
        return []
    reports = InjuryReport.objects.filter(
        occurred_at__gte=_local_midnight(date_from),
        occurred_at__lt=_local_midnight(date_to + dt.timedelta(days=1)),
    )
    # Every report belongs to some site: a nationwide view needs no site filter.
    if not (getattr(user, "is_levee_admin", False) and not region):
        reports = reports.filter(site_id__any_of=list(sites))
    grouping = {
        "period_key": _period_key(periods, interval),
        "group": _GROUPS[group_by](),
        "by_site_region": group_by == EstimateGroup.REGION,
    }
    # (period key, group, stratum) -> (cases, Σy, Σy²); (period key, stratum) -> the sites
    # that reported outside their window
    sums, outside = {}, defaultdict(set)
    rows = _site_sums(reports, sites.values(), **grouping)
    for kind, key, group, stratum, site_id, cases, s1, s2 in rows:
        key = periods[key - 1].key if isinstance(key, int) else _as_date(key)
        if kind == "cell":
            sums[key, group, stratum] = (int(cases), float(s1), float(s2))
        else:
            outside[key, sites[site_id].stratum].add(site_id)
    by_key = {p.key: p for p in periods}
    stratum_sizes = {}
    for key, _group, stratum in sums:
        if (key, stratum) not in stratum_sizes:
            active = _active_sites(sites.values(), by_key[key], stratum)
            stratum_sizes[key, stratum] = len(active | outside[key, stratum])
    totals = defaultdict(lambda: [0, 0.0, 0.0])
    for (key, group, stratum), (cases, s1, s2) in sums.items():
        n = stratum_sizes[key, stratum]
        total = totals[key, group]
        total[0] += cases
        total[1] += s1
        if n > 1:
            total[2] += n / (n - 1) * max(s2 - s1 * s1 / n, 0.0)
    thresholds = rule("injury_estimates")
    ordered = sorted(totals.items(), key=lambda item: (item[0][0], -item[1][1], item[0][1]))
    results = []
    for (key, group), (cases, estimate, variance) in ordered:
        row = {"group": group}
        if interval:
            period = by_key[key]
            row = {"period": period.first_day, "period_end": period.last_day, **row}
        row.update(
            summarise(cases=cases, estimate=estimate, variance=variance, thresholds=thresholds)
        )
        results.append(row)
    return results
