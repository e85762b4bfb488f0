"""Weighted national injury estimates after NEISS (DESIGN.md §8), in one SQL query.

For a group in a period, with strata h and the n_h sites of stratum h active in the period
(sites with no reports count as zeros), y_hi being the sum of the report weights of site i
in the group:

    estimate = Σ_h Σ_i y_hi
    variance = Σ_h n_h/(n_h - 1) · Σ_i (y_hi - ȳ_h)²      (0 for a stratum of one site)

The query sums y and y² over the sites that have reports; Σ_i (y_hi - ȳ_h)² is then
S2 - S1²/n_h, where n_h counts every active site, so the zeros need no rows of their own.
"""

import datetime as dt
import math
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.models import SentinelSite
from core.regions import region_q
from core.rules import rule

from .choices import EstimateGroup, Interval
from .models import InjuryReport

MAX_PERIODS = 530  # ten years of weeks

_AGE_BAND = (
    "CASE WHEN r.age < 5 THEN '0-4' WHEN r.age < 15 THEN '5-14' WHEN r.age < 25 THEN '15-24' "
    "WHEN r.age < 45 THEN '25-44' WHEN r.age < 65 THEN '45-64' ELSE '65+' END"
)
# group_by -> (expression over the report r, expression over the site s after grouping)
_GROUPS = {
    EstimateGroup.PRODUCT_CATEGORY: ("r.product_category", "ps.grp"),
    EstimateGroup.BODY_PART: ("r.body_part", "ps.grp"),
    EstimateGroup.MECHANISM: ("r.mechanism", "ps.grp"),
    EstimateGroup.SEX: ("r.sex", "ps.grp"),
    EstimateGroup.AGE_BAND: (_AGE_BAND, "ps.grp"),
    EstimateGroup.REGION: ("''", "s.region"),
}


class EstimatesUnavailable(ApplicationError):
    status_code = 501
    default_code = "not_implemented"


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


def injury_estimates(*, user, group_by, date_from, date_to, interval=None, region=""):
    """Rows of {period?, group, cases, estimate, se, cv, ci_low, ci_high, unstable} over
    the sentinel sites in the user's scope (and within `region`, when given)."""
    if connection.vendor != "postgresql":
        raise EstimatesUnavailable("National estimates need PostgreSQL.")
    periods = estimate_periods(date_from, date_to, interval)
    sites = SentinelSite.objects.restrict(user).order_by()
    if region:
        sites = sites.filter(region_q("region", region))
    try:
        sites_sql, sites_params = sites.values_list(
            "id", "stratum", "region", "active_from", "active_to"
        ).query.sql_with_params()
    except EmptyResultSet:
        return []
    # psycopg takes one parameter style per query: name the sites' positional parameters.
    positional = {f"site_{i}": value for i, value in enumerate(sites_params)}
    sites_sql = sites_sql % tuple(f"%({name})s" for name in positional)
    report_group, site_group = _GROUPS[group_by]
    # Every report belongs to some site: a nationwide view needs no filter (and no join).
    nationwide = getattr(user, "is_levee_admin", False) and not region
    site_filter = "" if nationwide else "AND r.site_id IN (SELECT id FROM scoped_sites)"
    if interval:
        key_expr = "date_trunc(%(unit)s, r.occurred_at AT TIME ZONE %(tz)s)::date"
    else:
        key_expr = "%(date_from)s::date"
    sql = f"""
        WITH scoped_sites(id, stratum, region, active_from, active_to) AS NOT MATERIALIZED (
            {sites_sql}
        ),
        periods AS (
            SELECT * FROM unnest(%(keys)s::date[], %(firsts)s::date[], %(lasts)s::date[])
                AS p(key, first_day, last_day)
        ),
        per_site AS (
            SELECT {key_expr} AS key, {report_group} AS grp, r.site_id,
                   count(*) AS cases, sum(r.weight::float8) AS y
            FROM {InjuryReport._meta.db_table} r
            WHERE r.occurred_at >= %(from_ts)s AND r.occurred_at < %(to_ts)s
              {site_filter}
            GROUP BY 1, 2, 3
        ),
        active AS (
            SELECT p.key, s.id, s.stratum
            FROM periods p JOIN scoped_sites s
              ON (s.active_from IS NULL OR s.active_from <= p.last_day)
             AND (s.active_to IS NULL OR s.active_to >= p.first_day)
            UNION
            SELECT ps.key, ps.site_id, s.stratum
            FROM per_site ps JOIN scoped_sites s ON s.id = ps.site_id
        ),
        strata AS (SELECT key, stratum, count(*) AS n FROM active GROUP BY 1, 2),
        per_stratum AS (
            SELECT ps.key, {site_group} AS grp, s.stratum, sum(ps.cases) AS cases,
                   sum(ps.y) AS s1, sum(ps.y * ps.y) AS s2
            FROM per_site ps JOIN scoped_sites s ON s.id = ps.site_id
            GROUP BY 1, 2, 3
        )
        SELECT st.key, st.grp, sum(st.cases)::bigint, sum(st.s1),
               sum(CASE WHEN n.n > 1
                        THEN n.n::float8 / (n.n - 1) * GREATEST(st.s2 - st.s1 * st.s1 / n.n, 0)
                        ELSE 0 END)
        FROM per_stratum st JOIN strata n ON n.key = st.key AND n.stratum = st.stratum
        GROUP BY 1, 2
        ORDER BY 1, 4 DESC, 2
    """
    named = {
        "keys": [p.key for p in periods],
        "firsts": [p.first_day for p in periods],
        "lasts": [p.last_day for p in periods],
        "from_ts": _local_midnight(date_from),
        "to_ts": _local_midnight(date_to + dt.timedelta(days=1)),
        "date_from": date_from,
        "unit": interval or "",
        "tz": settings.TIME_ZONE,
    }
    thresholds = rule("injury_estimates")
    by_key = {p.key: p for p in periods}
    with connection.cursor() as cursor:
        cursor.execute(sql, {**named, **positional})
        rows = cursor.fetchall()
    results = []
    for key, group, cases, estimate, variance in rows:
        row = {"group": group}
        if interval:
            period = by_key[key]
            row = {"period": period.first_day, "period_end": period.last_day, **row}
        row.update(
            summarise(cases=cases, estimate=estimate, variance=variance, thresholds=thresholds)
        )
        results.append(row)
    return results
