"""The scheduled risk-alert jobs (DESIGN.md §7): `detect_injury_signals`,
`detect_nonconformance_clusters` and `detect_complaint_clusters`. Each runs under celery
beat through core.jobs (which holds a lock so two beat instances never run one at once),
or by hand with `python manage.py run_job NAME`; each is idempotent through the alerts'
dedup_key.

The counting is done by PostgreSQL (GROUP BY over the reports or samples of the window);
Python only sees one row per (province, category, day) or per (province, category,
nature), so a million reports cost what the database needs to count them.

detect_injury_signals
=====================
Series: injury reports per province (the sentinel site's region, first two digits) and
product category, counted per calendar day in Asia/Shanghai. The day evaluated is
yesterday (the last complete day); `as_of` moves it for back-filling and tests.

Temporal aberration: the CDC Early Aberration Reporting System (EARS; Hutwagner et al.,
"The bioterrorism preparedness and response Early Aberration Reporting System", J Urban
Health 2003; Fricker, Hegler & Dunfee, Stat Med 2008):
  C1: baseline = the 7 days before day t;                   C1_t = (x_t - mean) / sd
  C2: baseline = the 7 days before day t-2 (a 2-day lag);   C2_t = (x_t - mean) / sd
  C3: C3_t = sum over i = t, t-1, t-2 of max(0, C2_i - 1)
  a flag when C1 > 3, C2 > 3 or C3 > 2 (`ears_threshold`, `c3_threshold`).
  sd is the sample standard deviation of the baseline, floored at `sigma_floor` (0.5):
  in a sparse series the baseline is often all zeros and sd = 0 would make any report an
  infinite aberration.
  Minimum-count guard: no flag unless x_t >= `min_count` (5): a jump from 0 to 2 reports
  is not a signal however small the baseline's spread.
  Alert: dedup_key `injury_signal:ears:{province}:{category}:{day}`; the payload carries
  the day's count, both baselines' mean and sd, C1, C2, C3 and which of them fired.

Weekly counts: the last 7 days' reports against the `baseline_weeks` (4) weeks before
  them, score = (x_week - mean) / max(sd, sigma_floor), a flag when the score > 3 and
  x_week >= `weekly_min_count` (10): a slower rise that no single day shows. Alert:
  dedup_key `injury_signal:weekly:{province}:{category}` (one open alert per series).

Disproportionality: the proportional reporting ratio (PRR; Evans, Waller & Davis,
Pharmacoepidemiol Drug Saf 2001) of an injury nature, and of a body part, for a category
against all other categories, within the province, over the last `prr_window_days` (28):
      a = reports of the category with that nature   b = of the category, other natures
      c = other categories with that nature          d = other categories, other natures
  PRR = [a / (a + b)] / [c / (c + d)]
  chi2 = N (|ad - bc| - N/2)^2 / [(a+b)(c+d)(a+c)(b+d)]   (Yates-corrected, 1 df)
  a signal when a >= 3, PRR >= 2 and chi2 >= 4 (Evans' criteria). When c = 0 the PRR is
  computed with 0.5 added to every cell (Haldane's correction) rather than skipped.
  Alert: dedup_key `injury_signal:prr:{province}:{category}:{dimension}:{value}` (one open
  alert per combination while the disproportion lasts); the payload carries a, b, c, d,
  PRR and chi2.

Every parameter is in LEVEE_RULES["risk"]["signals"] (settings).

detect_nonconformance_clusters
==============================
Samples whose final conclusion is non-conforming, sampled within the last `window_days`
(90), grouped by product category and by producer. A group is a cluster when its samples
come from at least `min_regions` (3) distinct task regions, or number at least
`min_samples` (5). Alert `nonconformance_cluster`, dedup_key
`nonconformance_cluster:category:{category}` or `...:producer:{party id}` (one open alert
per subject). A producer's cluster goes to the producer's region; a category's to the
smallest region covering every sample's task region (a province, or national, 000000).
Parameters: LEVEE_RULES["risk"]["clusters"].

detect_complaint_clusters
=========================
Series: counted complaints (repeats by one contact about one product left out) per day,
for each matched product and for each brand (upper-cased) x category, nationwide: a
product is sold everywhere, and a cluster spread thin over provinces is still one. The
day evaluated is yesterday. Method: EARS C1/C2/C3 as above, with the same parameters
and its own minimum count (`min_count`, 5). Alert `complaint_cluster`, one per subject
and ISO week, ever (a resolved one is not raised again that week): dedup_key
`complaint_cluster:product:{id}:{year}-W{week}` or
`complaint_cluster:brand:{BRAND}:{category}:{year}-W{week}`. A product's cluster goes to
its producer's region; a brand's to the smallest region covering the day's complaints.
Parameters: LEVEE_RULES["risk"]["complaints"] over LEVEE_RULES["risk"]["signals"].
"""

import datetime as dt
import math
import statistics
from collections import defaultdict

import structlog
from django.db import connection, transaction
from django.db.models import Count, Max, Min
from django.db.models.functions import Substr, Trim, TruncDate, Upper
from django.utils import timezone
from django.utils.translation import gettext_noop

from core.choices import AlertKind, AlertSeverity
from core.jobs import job
from core.rules import rule
from core.services import alert_dedup_keys_raised, alert_raise

log = structlog.get_logger(__name__)


def params(name):
    return rule(f"risk.{name}")


def province_code(prefix):
    return f"{prefix}0000" if prefix else "000000"


# --- EARS


def _stats(values, floor):
    mean = statistics.fmean(values)
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return mean, sd, max(sd, floor)


def ears(series, day, p):
    """C1, C2, C3 for `day` in `series` (date -> count; missing days are zero)."""
    n, lag, floor = p["baseline_days"], p["c2_lag_days"], p["sigma_floor"]

    def count(d):
        return series.get(d, 0)

    def c2(d):
        base = [count(d - dt.timedelta(days=lag + i)) for i in range(1, n + 1)]
        mean, sd, sigma = _stats(base, floor)
        return (count(d) - mean) / sigma, mean, sd

    c1_base = [count(day - dt.timedelta(days=i)) for i in range(1, n + 1)]
    c1_mean, c1_sd, c1_sigma = _stats(c1_base, floor)
    c1 = (count(day) - c1_mean) / c1_sigma
    c2_today, c2_mean, c2_sd = c2(day)
    c3 = sum(
        max(0.0, (c2_today if i == 0 else c2(day - dt.timedelta(days=i))[0]) - 1) for i in range(3)
    )
    fired = [
        name
        for name, value, threshold in (
            ("C1", c1, p["ears_threshold"]),
            ("C2", c2_today, p["ears_threshold"]),
            ("C3", c3, p["c3_threshold"]),
        )
        if value > threshold
    ]
    return {
        "count": count(day),
        "c1": round(c1, 3),
        "c1_baseline_mean": round(c1_mean, 3),
        "c1_baseline_sd": round(c1_sd, 3),
        "c2": round(c2_today, 3),
        "c2_baseline_mean": round(c2_mean, 3),
        "c2_baseline_sd": round(c2_sd, 3),
        "c3": round(c3, 3),
        "fired": fired if count(day) >= p["min_count"] else [],
    }


def _bounds(first_day, last_day):
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first_day, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


# The rules' figures an EARS alert carries, so the reader sees what it was judged by.
EARS_PARAMETERS = (
    "baseline_days",
    "c2_lag_days",
    "sigma_floor",
    "ears_threshold",
    "c3_threshold",
    "min_count",
)

_GROUPING_SETS_SQL = """
SELECT province, category, day, nature, body_part, count(*)
FROM (
    SELECT substr(s.region, 1, 2) AS province, r.product_category AS category,
           CASE WHEN r.occurred_at >= %(daily_from)s
                THEN (r.occurred_at AT TIME ZONE %(tz)s)::date END AS day,
           CASE WHEN r.occurred_at >= %(prr_from)s THEN r.nature END AS nature,
           CASE WHEN r.occurred_at >= %(prr_from)s THEN r.body_part END AS body_part
    FROM injury_injuryreport r JOIN core_sentinelsite s ON s.id = r.site_id
    WHERE r.occurred_at >= %(since)s AND r.occurred_at < %(until)s
) AS windowed
GROUP BY GROUPING SETS ((province, category, day), (province, category, nature),
                        (province, category, body_part))
"""


def aggregate(day, p):
    """Daily counts for EARS and the nature and body-part cross-tables for PRR:
    ({(province, category): {day: n}}, {dimension: {province: {(category, value): n}}}).
    On PostgreSQL one scan of the window (GROUPING SETS); elsewhere three GROUP BYs."""
    # C3 needs C2 two days back; the weekly check needs its baseline weeks.
    span = max(p["baseline_days"] + p["c2_lag_days"] + 2, 7 * (p["baseline_weeks"] + 1) - 1)
    daily_from, until = _bounds(day - dt.timedelta(days=span), day)
    prr_from = until - dt.timedelta(days=p["prr_window_days"])
    series = defaultdict(dict)
    tables = {"nature": defaultdict(dict), "body_part": defaultdict(dict)}
    if connection.vendor == "postgresql":
        params_ = {
            "daily_from": daily_from,
            "prr_from": prr_from,
            "since": min(daily_from, prr_from),
            "until": until,
            "tz": str(timezone.get_current_timezone()),
        }
        with connection.cursor() as cursor:
            cursor.execute(_GROUPING_SETS_SQL, params_)
            for province, category, day_, nature, body_part, n in cursor:
                if day_ is not None:
                    series[(province, category)][day_] = n
                elif nature is not None:
                    tables["nature"][province][(category, nature)] = n
                elif body_part is not None:
                    tables["body_part"][province][(category, body_part)] = n
        return series, tables

    from injury.models import InjuryReport

    tz = timezone.get_current_timezone()
    reports = InjuryReport.objects.annotate(province=Substr("site__region", 1, 2)).order_by()
    daily = (
        reports.filter(occurred_at__gte=daily_from, occurred_at__lt=until)
        .annotate(day=TruncDate("occurred_at", tzinfo=tz))
        .values_list("province", "product_category", "day")
        .annotate(n=Count("id"))
    )
    for province, category, day_, n in daily.iterator(chunk_size=5000):
        series[(province, category)][day_] = n
    for dimension, table in tables.items():
        rows = (
            reports.filter(occurred_at__gte=prr_from, occurred_at__lt=until)
            .values_list("province", "product_category", dimension)
            .annotate(n=Count("id"))
        )
        for province, category, value, n in rows.iterator(chunk_size=5000):
            table[province][(category, value)] = n
    return series, tables


def detect_ears(series, day, p):
    raised = flagged = 0
    for (province, category), counts in sorted(series.items()):
        if counts.get(day, 0) < p["min_count"]:
            continue
        figures = ears(counts, day, p)
        if not figures["fired"]:
            continue
        flagged += 1
        region = province_code(province)
        alert = alert_raise(
            kind=AlertKind.INJURY_SIGNAL,
            dedup_key=f"injury_signal:ears:{province}:{category}:{day.isoformat()}",
            message=gettext_noop(
                "%(count)s injury reports for %(category)s on %(day)s in %(region)s, above the "
                "7-day baseline of %(baseline)s (%(fired)s)."
            ),
            message_args={
                "count": figures["count"],
                "category": category,
                "day": day.isoformat(),
                "region": region,
                "baseline": f"{figures['c1_baseline_mean']:.1f}",
                "fired": ", ".join(figures["fired"]),
            },
            region=region,
            severity=AlertSeverity.HIGH,
            subject_label=f"{category} {day.isoformat()}",
            payload={
                "method": "ears",
                "category": category,
                "province": region,
                "day": day.isoformat(),
                **figures,
                "parameters": {k: p[k] for k in EARS_PARAMETERS},
            },
        )
        raised += alert is not None
    return {"ears_flagged": flagged, "ears_raised": raised}


def weekly(series, day, p):
    """The last 7 days' count against the `baseline_weeks` weeks before, EARS-C1 style."""
    weeks = [
        sum(series.get(day - dt.timedelta(days=7 * w + i), 0) for i in range(7))
        for w in range(p["baseline_weeks"] + 1)
    ]
    mean, sd, sigma = _stats(weeks[1:], p["sigma_floor"])
    score = (weeks[0] - mean) / sigma
    fired = score > p["ears_threshold"] and weeks[0] >= p["weekly_min_count"]
    return {
        "count": weeks[0],
        "baseline_weeks": weeks[1:],
        "baseline_mean": round(mean, 3),
        "baseline_sd": round(sd, 3),
        "score": round(score, 3),
        "fired": fired,
    }


def detect_weekly(series, day, p):
    raised = flagged = 0
    for (province, category), counts in sorted(series.items()):
        figures = weekly(counts, day, p)
        if not figures["fired"]:
            continue
        flagged += 1
        region = province_code(province)
        first = day - dt.timedelta(days=6)
        alert = alert_raise(
            kind=AlertKind.INJURY_SIGNAL,
            # One open alert per series: the 7-day window slides daily over one rise.
            dedup_key=f"injury_signal:weekly:{province}:{category}",
            message=gettext_noop(
                "%(count)s injury reports for %(category)s in the week to %(day)s in %(region)s, "
                "against %(baseline)s a week over the %(weeks)s weeks before."
            ),
            message_args={
                "count": figures["count"],
                "category": category,
                "day": day.isoformat(),
                "region": region,
                "baseline": f"{figures['baseline_mean']:.1f}",
                "weeks": p["baseline_weeks"],
            },
            region=region,
            severity=AlertSeverity.MEDIUM,
            subject_label=f"{category} week to {day.isoformat()}",
            payload={
                "method": "weekly",
                "category": category,
                "province": region,
                "from": first.isoformat(),
                "to": day.isoformat(),
                **figures,
                "parameters": {
                    k: p[k]
                    for k in ("baseline_weeks", "sigma_floor", "ears_threshold", "weekly_min_count")
                },
            },
        )
        raised += alert is not None
    return {"weekly_flagged": flagged, "weekly_raised": raised}


# --- PRR


def prr(a, b, c, d):
    """The PRR and Yates-corrected chi-square of a 2x2 table (None when undefined)."""
    n = a + b + c + d
    if a + b == 0 or c + d == 0:
        return None, None
    if c == 0:  # Haldane's correction: a nature seen only in this category
        ha, hb, hc, hd = a + 0.5, b + 0.5, c + 0.5, d + 0.5
        ratio = (ha / (ha + hb)) / (hc / (hc + hd))
    else:
        ratio = (a / (a + b)) / (c / (c + d))
    denominator = (a + b) * (c + d) * (a + c) * (b + d)
    if denominator == 0:
        return ratio, None
    chi2 = n * max(abs(a * d - b * c) - n / 2, 0) ** 2 / denominator
    return ratio, chi2


def detect_prr(tables, day, p):
    since, until = _bounds(day - dt.timedelta(days=p["prr_window_days"] - 1), day)
    raised = flagged = 0
    for dimension, table in tables.items():
        for province, cells in sorted(table.items()):
            by_category, by_value = defaultdict(int), defaultdict(int)
            for (category, value), n in cells.items():
                by_category[category] += n
                by_value[value] += n
            total = sum(by_category.values())
            for (category, value), a in sorted(cells.items()):
                if a < p["prr_min_a"]:
                    continue
                b = by_category[category] - a
                c = by_value[value] - a
                d = total - a - b - c
                ratio, chi2 = prr(a, b, c, d)
                if ratio is None or chi2 is None:
                    continue
                if ratio < p["prr_min"] or chi2 < p["chi2_min"]:
                    continue
                flagged += 1
                region = province_code(province)
                alert = alert_raise(
                    kind=AlertKind.INJURY_SIGNAL,
                    dedup_key=f"injury_signal:prr:{province}:{category}:{dimension}:{value}",
                    message=gettext_noop(
                        "%(dimension)s “%(value)s” is reported %(ratio)s times as often for "
                        "%(category)s as for other categories in %(region)s (a=%(a)s, "
                        "chi2=%(chi2)s, last %(days)s days)."
                    ),
                    message_args={
                        "dimension": dimension,
                        "value": value,
                        "ratio": f"{ratio:.1f}",
                        "category": category,
                        "region": region,
                        "a": a,
                        "chi2": f"{chi2:.1f}",
                        "days": p["prr_window_days"],
                    },
                    region=region,
                    severity=AlertSeverity.MEDIUM,
                    subject_label=f"{category} {dimension}={value}",
                    payload={
                        "method": "prr",
                        "category": category,
                        "province": region,
                        "dimension": dimension,
                        "value": value,
                        "a": a,
                        "b": b,
                        "c": c,
                        "d": d,
                        "prr": round(ratio, 3) if math.isfinite(ratio) else None,
                        "chi2": round(chi2, 3),
                        "window": [since.isoformat(), until.isoformat()],
                        "parameters": {
                            k: p[k] for k in ("prr_window_days", "prr_min_a", "prr_min", "chi2_min")
                        },
                    },
                )
                raised += alert is not None
    return {"prr_flagged": flagged, "prr_raised": raised}


@job("detect_injury_signals")
def detect_injury_signals(as_of=None):
    """Injury report aberrations (EARS C1/C2/C3, weekly counts) and disproportions (PRR)
    per province and product category; raises injury_signal alerts."""
    p = params("signals")
    day = as_of or timezone.localdate() - dt.timedelta(days=1)
    series, tables = aggregate(day, p)
    # One transaction for every alert of the run: each alert with its history and
    # deliveries (the outbox), and one commit rather than one per alert.
    with transaction.atomic():
        return {
            "series": len(series),
            **detect_ears(series, day, p),
            **detect_weekly(series, day, p),
            **detect_prr(tables, day, p),
        }


# --- Non-conformance clusters


def covering_region(codes):
    """The smallest region (province, city or district code) covering every code."""
    low, high = min(codes), max(codes)
    prefix = ""
    for x, y in zip(low, high, strict=True):
        if x != y:
            break
        prefix += x
    for length in (6, 4, 2):
        if len(prefix) >= length:
            return prefix[:length].ljust(6, "0")
    return "000000"


CLUSTER_MESSAGES = {
    "category": gettext_noop(
        "%(samples)s non-conforming samples of category %(label)s in %(regions)s regions "
        "within %(days)s days."
    ),
    "producer": gettext_noop(
        "%(samples)s non-conforming samples of producer %(label)s in %(regions)s regions "
        "within %(days)s days."
    ),
}


@job("detect_nonconformance_clusters")
def detect_nonconformance_clusters(as_of=None):
    """The same product category or producer failing in several regions or samples within
    the window; raises nonconformance_cluster alerts."""
    from sampling.choices import Conclusion
    from sampling.models import Sample

    p = params("clusters")
    now = as_of or timezone.now()
    failing = Sample.objects.filter(
        conclusion=Conclusion.NONCONFORMING,
        sampled_at__gte=now - dt.timedelta(days=p["window_days"]),
        sampled_at__lte=now,
    )
    groups = {"category": "product__category", "producer": "producer"}
    result = {}
    with transaction.atomic():  # every alert with its history and deliveries, one commit
        for kind, field in groups.items():
            result.update(_clusters(failing, kind, field, p))
    return result


def _clusters(failing, kind, field, p):
    from traceability.models import Party

    rows = (
        failing.values(field)
        .annotate(
            samples=Count("id"),
            regions=Count("task__region", distinct=True),
            low=Min("task__region"),
            high=Max("task__region"),
        )
        .filter(samples__gte=min(p["min_samples"], p["min_regions"]))
        .order_by(field)
    )
    raised = flagged = 0
    for row in rows:
        if row["regions"] < p["min_regions"] and row["samples"] < p["min_samples"]:
            continue
        flagged += 1
        key = row[field]
        members = failing.filter(**{field: key}).order_by("sampled_at")
        detail = list(members.values_list("id", "sample_no", "task__region")[:50])
        if kind == "producer":
            party = Party.objects.get(pk=key)
            region, label = party.region, f"{party.name} ({party.uscc})"
        else:
            region, label = covering_region([row["low"], row["high"]]), key
        alert = alert_raise(
            kind=AlertKind.NONCONFORMANCE_CLUSTER,
            dedup_key=f"nonconformance_cluster:{kind}:{key}",
            message=CLUSTER_MESSAGES[kind],
            message_args={
                "samples": row["samples"],
                "label": label,
                "regions": row["regions"],
                "days": p["window_days"],
            },
            region=region,
            severity=AlertSeverity.HIGH,
            subject_label=f"{kind} {label}",
            payload={
                "group": kind,
                kind: key,
                "samples": row["samples"],
                "regions": row["regions"],
                "sample_ids": [s[0] for s in detail],
                "sample_nos": [s[1] for s in detail],
                "sample_regions": sorted({s[2] for s in detail}),
                "window_days": p["window_days"],
                "parameters": p,
            },
        )
        raised += alert is not None
    return {f"{kind}_clusters": flagged, f"{kind}_raised": raised}


# --- Complaint clusters


def complaint_series(day, p):
    """Daily counts of counted complaints per matched product and per brand x category
    (brand upper-cased, blanks left out), over the days EARS needs up to `day`:
    ({("product", id): {day: n}}, {("brand", BRAND, category): {day: n}})."""
    from .selectors import counted_complaints

    span = p["baseline_days"] + p["c2_lag_days"] + 2
    since, until = _bounds(day - dt.timedelta(days=span), day)
    tz = timezone.get_current_timezone()
    complaints = (
        counted_complaints()
        .filter(received_at__gte=since, received_at__lt=until)
        .annotate(day=TruncDate("received_at", tzinfo=tz), brand_key=Upper(Trim("brand")))
        .order_by()
    )
    series = defaultdict(dict)
    by_product = (
        complaints.filter(product__isnull=False)
        .values_list("product_id", "day")
        .annotate(n=Count("id"))
    )
    for product_id, day_, n in by_product:
        series[("product", product_id)][day_] = n
    by_brand = (
        complaints.exclude(brand_key="")
        .values_list("brand_key", "category", "day")
        .annotate(n=Count("id"))
    )
    for brand, category, day_, n in by_brand:
        series[("brand", brand, category)][day_] = n
    return series


def _cluster_subject(key, day):
    """Region, label and payload fields of a cluster's subject."""
    from traceability.models import Product

    from .selectors import counted_complaints

    since, until = _bounds(day, day)
    if key[0] == "product":
        product = Product.objects.select_related("producer").get(pk=key[1])
        return (
            product.producer.region,
            f"{product} ({product.producer.name})",
            {"product": product.pk, "category": product.category, "brand": product.brand},
        )
    _, brand, category = key
    regions = list(
        counted_complaints()
        .filter(received_at__gte=since, received_at__lt=until, category=category)
        .annotate(brand_key=Upper(Trim("brand")))
        .filter(brand_key=brand)
        .values_list("region", flat=True)
        .distinct()
    )
    return covering_region(regions), f"{brand} {category}", {"brand": brand, "category": category}


@job("detect_complaint_clusters")
def detect_complaint_clusters(as_of=None):
    """Complaints about one product, or one brand in one category, rising above their
    baseline (EARS C1/C2/C3 as for injury signals, with their own minimum count);
    raises one complaint_cluster alert per subject and ISO week, ever."""
    p = {**params("signals"), **params("complaints")}
    day = as_of or timezone.localdate() - dt.timedelta(days=1)
    year, week, _ = day.isocalendar()
    series = complaint_series(day, p)
    flagged = []
    for key, counts in sorted(series.items(), key=lambda item: tuple(map(str, item[0]))):
        if counts.get(day, 0) < p["min_count"]:
            continue
        figures = ears(counts, day, p)
        if figures["fired"]:
            subject = ":".join(str(part) for part in key)
            flagged.append((key, f"complaint_cluster:{subject}:{year}-W{week:02d}", figures))
    seen = alert_dedup_keys_raised([dedup_key for _, dedup_key, _ in flagged])
    raised = 0
    with transaction.atomic():  # every alert with its history and deliveries, one commit
        for key, dedup_key, figures in flagged:
            if dedup_key in seen:
                continue
            region, label, subject = _cluster_subject(key, day)
            alert = alert_raise(
                kind=AlertKind.COMPLAINT_CLUSTER,
                dedup_key=dedup_key,
                message=gettext_noop(
                    "%(count)s complaints about %(label)s on %(day)s, above the 7-day baseline "
                    "of %(baseline)s (%(fired)s)."
                ),
                message_args={
                    "count": figures["count"],
                    "label": label,
                    "day": day.isoformat(),
                    "baseline": f"{figures['c1_baseline_mean']:.1f}",
                    "fired": ", ".join(figures["fired"]),
                },
                region=region,
                severity=AlertSeverity.HIGH,
                subject_label=label,
                payload={
                    "method": "ears",
                    "group": key[0],
                    **subject,
                    "day": day.isoformat(),
                    "week": f"{year}-W{week:02d}",
                    **figures,
                    "parameters": {k: p[k] for k in EARS_PARAMETERS},
                },
            )
            raised += alert is not None
    return {"series": len(series), "flagged": len(flagged), "raised": raised}
