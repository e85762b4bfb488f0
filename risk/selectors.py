"""Reads of the risk app: the public complaint statistics and the ranking of products to
sample first (DESIGN.md §7)."""

import datetime as dt
from collections import Counter, defaultdict

from django.db.models import Count, F, Max
from django.db.models.functions import Trim, Upper
from django.utils import timezone

from core.regions import region_q
from core.rules import rule

from .models import Complaint

STATS_MIN_GROUP = 5
SUGGESTION_DEFAULTS = {
    # Counting windows (days) and the weight of one item of each kind in the score.
    "complaint_days": 90,
    "injury_days": 90,
    "nonconformance_days": 730,
    "weights": {"complaints": 1.0, "injury_reports": 3.0, "nonconforming_samples": 5.0},
}


def counted_complaints():
    """Complaints that count: a repeat by the same contact about the same product does
    not (it stays stored and listed)."""
    return Complaint.objects.filter(duplicate_of__isnull=True)


def _local_bounds(date_from, date_to):
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def complaint_stats(*, group_by, date_from, date_to, min_group=STATS_MIN_GROUP):
    """Complaints received from `date_from` to `date_to` (local dates, inclusive) per
    category or brand (case and surrounding blanks ignored). Groups under `min_group`
    are left out and only counted, so a group that small can be told apart from none,
    not sized: their total is not given either, since it would size a lone one."""
    start, end = _local_bounds(date_from, date_to)
    complaints = counted_complaints().filter(received_at__gte=start, received_at__lt=end)
    if group_by == "brand":
        complaints = complaints.annotate(group=Upper(Trim("brand"))).exclude(group="")
    else:
        complaints = complaints.annotate(group=F("category"))
    rows = list(complaints.values("group").annotate(n=Count("id")).order_by("-n", "group"))
    shown = [{"group": r["group"], "complaints": r["n"]} for r in rows if r["n"] >= min_group]
    return {
        "group_by": group_by,
        "date_from": date_from,
        "date_to": date_to,
        "min_group_size": min_group,
        "suppressed_groups": len(rows) - len(shown),
        "results": shown,
    }


def _params():
    given = rule("risk.suggestions", {}) or {}
    return {
        **SUGGESTION_DEFAULTS,
        **given,
        "weights": {**SUGGESTION_DEFAULTS["weights"], **given.get("weights", {})},
    }


def task_suggestions(*, region, limit=20, now=None):
    """Products to spot-check first in `region`, ranked by a weighted score of the
    complaints filed in the region about them, the injury reports of the region's
    sentinel sites naming them, and their non-conforming samples (tasks of the region or
    products made there); each with its counts and the reasons behind them."""
    from injury.models import InjuryReport
    from sampling.choices import Conclusion
    from sampling.models import Sample
    from traceability.models import Product

    p = _params()
    now = now or timezone.now()
    complaints = (
        counted_complaints()
        .filter(region_q("region", region), product__isnull=False)
        .filter(received_at__gte=now - dt.timedelta(days=p["complaint_days"]))
    )
    complaint_rows = complaints.values_list("product_id", "problem")
    injuries = InjuryReport.objects.filter(
        region_q("site__region", region),
        product__isnull=False,
        occurred_at__gte=now - dt.timedelta(days=p["injury_days"]),
    )
    failing = Sample.objects.filter(
        region_q("task__region", region) | region_q("producer__region", region),
        conclusion=Conclusion.NONCONFORMING,
        sampled_at__gte=now - dt.timedelta(days=p["nonconformance_days"]),
    )

    complaint_counts, problems = Counter(), defaultdict(Counter)
    for product_id, problem in complaint_rows.iterator(chunk_size=2000):
        complaint_counts[product_id] += 1
        problems[product_id].update(problem or ())
    injury_counts, severities = Counter(), defaultdict(Counter)
    for row in injuries.values("product_id", "severity").annotate(n=Count("id")):
        injury_counts[row["product_id"]] += row["n"]
        severities[row["product_id"]][row["severity"]] += row["n"]
    failing_counts = dict(
        failing.values("product_id").annotate(n=Count("id")).values_list("product_id", "n")
    )

    weights = p["weights"]
    scores = Counter()
    for counts, kind in (
        (complaint_counts, "complaints"),
        (injury_counts, "injury_reports"),
        (failing_counts, "nonconforming_samples"),
    ):
        for product_id, n in counts.items():
            scores[product_id] += weights[kind] * n
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
    ids = [product_id for product_id, _ in ranked]
    products = Product.objects.select_related("producer").in_bulk(ids)
    last_sampled = dict(
        Sample.objects.filter(product_id__in=ids)
        .values("product_id")
        .annotate(at=Max("sampled_at"))
        .values_list("product_id", "at")
    )
    results = []
    for rank, (product_id, score) in enumerate(ranked, start=1):
        product = products[product_id]
        reasons = []
        for kind, count, days, detail in (
            ("complaints", complaint_counts[product_id], p["complaint_days"], problems),
            ("injury_reports", injury_counts[product_id], p["injury_days"], severities),
            (
                "nonconforming_samples",
                failing_counts.get(product_id, 0),
                p["nonconformance_days"],
                None,
            ),
        ):
            if count:
                reasons.append(
                    {
                        "kind": kind,
                        "count": count,
                        "window_days": days,
                        "weight": weights[kind],
                        "detail": dict(sorted(detail[product_id].items())) if detail else {},
                    }
                )
        results.append(
            {
                "rank": rank,
                "score": round(score, 3),
                "product": product.pk,
                "product_name": product.name,
                "brand": product.brand,
                "model": product.model,
                "category": product.category,
                "gtin": product.gtin,
                "producer": product.producer_id,
                "producer_name": product.producer.name,
                "producer_region": product.producer.region,
                "last_sampled_at": last_sampled.get(product_id),
                "complaints": complaint_counts[product_id],
                "injury_reports": injury_counts[product_id],
                "nonconforming_samples": failing_counts.get(product_id, 0),
                "reasons": reasons,
            }
        )
    return results
