"""Sampling reads: the statistics of spot checks (合格率), computed in SQL."""

from django.db.models import Case, Count, F, FloatField, Q, Value, When
from django.db.models.functions import Cast

from .choices import Conclusion, SampleState
from .models import Sample

GROUPS = {
    "category": ("task__category",),
    "region": ("task__region",),
    "producer": ("producer_id", "producer__uscc", "producer__name"),
}


def _rate(part, whole):
    return Case(
        When(
            **{f"{whole}__gt": 0}, then=Cast(F(part), FloatField()) / Cast(F(whole), FloatField())
        ),
        default=Value(None, output_field=FloatField()),
        output_field=FloatField(),
    )


def sample_stats(*, user, group_by, date_from=None, date_to=None):
    """Counts and the non-conformance rate per group, over the samples `user` may see that
    were taken between date_from and date_to (local dates, inclusive). Voided samples do
    not count; the rate is over the samples with a conclusion."""
    fields = GROUPS[group_by]
    samples = Sample.objects.restrict(user).exclude(state=SampleState.VOIDED)
    if date_from:
        samples = samples.filter(sampled_at__date__gte=date_from)
    if date_to:
        samples = samples.filter(sampled_at__date__lte=date_to)
    rows = (
        samples.order_by()
        .values(*fields)
        .annotate(
            samples=Count("id"),
            tested=Count("id", filter=~Q(conclusion="")),
            nonconforming=Count("id", filter=Q(conclusion=Conclusion.NONCONFORMING)),
        )
        .annotate(
            conforming=F("tested") - F("nonconforming"),
            nonconformance_rate=_rate("nonconforming", "tested"),
            conformance_rate=_rate("conforming", "tested"),
        )
        .order_by(fields[0])
    )
    result = []
    for row in rows:
        entry = {"key": str(row[fields[0]])}
        if group_by == "producer":
            entry["uscc"], entry["name"] = row["producer__uscc"], row["producer__name"]
        for name in ("samples", "tested", "conforming", "nonconforming"):
            entry[name] = row[name]
        for name in ("nonconformance_rate", "conformance_rate"):
            entry[name] = None if row[name] is None else round(row[name], 4)
        result.append(entry)
    return result
