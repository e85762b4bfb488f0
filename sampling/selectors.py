"""Sampling reads: the task tree, the statistics of spot checks (合格率), computed in SQL,
and the published results (公布抽查结果)."""

import json

from django.db.models import Case, Count, F, FloatField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from notices.choices import NoticeSource
from notices.selectors import notice_board, notices_issuing, notices_of_disposition

from .choices import Conclusion, SampleState, TaskState, Verdict
from .deadlines import objection_deadline
from .models import PublishedCorrection, PublishedResult, Sample, Task, TestItem

# A task tree is at most national → provincial → municipal → county: children lie strictly
# inside their parent's region.
_DESCENDANT_PATHS = ("parent", "parent__parent", "parent__parent__parent")


def disposition_notice_board(sample, *, with_list=True):
    """The board of the notices to the holders of the sample's lot, `issuing` while its
    disposition's notices are still being issued."""
    disposition = getattr(sample, "disposition", None)  # None before it is disposed
    issuing = disposition is not None and notices_issuing(
        source_kind=NoticeSource.DISPOSITION, source_id=disposition.pk
    )
    return notice_board(
        notices_of_disposition(lot_id=sample.lot_id), issuing=issuing, with_list=with_list
    )


def task_chain(task):
    """The task and every task above it, the task first."""
    chain = [task]
    while chain[-1].parent_id:
        chain.append(Task.objects.get(pk=chain[-1].parent_id))
    return chain


def task_tree_ids(task):
    """The ids of the task and of every task allocated from it, below it (one query)."""
    q = Q(pk=task.pk)
    for path in _DESCENDANT_PATHS:
        q |= Q(**{path: task.pk})
    return list(Task.objects.filter(q).values_list("pk", flat=True))


def _taken(task_q):
    return Coalesce(
        Subquery(
            Sample.objects.filter(task_q)
            .exclude(state=SampleState.VOIDED)
            .order_by()
            .values(one=Value(1))
            .annotate(n=Count("id"))
            .values("n")[:1]
        ),
        0,
    )


def with_sample_counts(tasks):
    """Annotate `samples_taken` (under the task itself) and `samples_taken_total` (the
    task and every task allocated from it), voided samples not counted."""
    root = OuterRef("pk")
    # The task list's row, seen from inside the samples' subquery.
    outer_root = OuterRef(OuterRef("pk"))
    tree = Q(pk=outer_root)
    for path in _DESCENDANT_PATHS:
        tree |= Q(**{path: outer_root})
    # Through the tree's task ids, so that the samples are found by their task index.
    total = Q(task_id__in=Task.objects.filter(tree).values("pk"))
    return tasks.annotate(samples_taken=_taken(Q(task=root)), samples_taken_total=_taken(total))


def task_open_samples(*, task):
    """(sample_no, state) of the samples of the task's tree that are not final yet: final
    is closed, disposed, voided, or reported with no objection window left."""
    now = timezone.now()
    samples = (
        Sample.objects.filter(task_id__in=task_tree_ids(task))
        .exclude(state__in=[SampleState.CLOSED, SampleState.DISPOSED, SampleState.VOIDED])
        .order_by("sample_no")
        .only("sample_no", "state", "conclusion", "notified_at")
    )
    return [
        (s.sample_no, s.state)
        for s in samples
        if not (
            s.state == SampleState.REPORTED
            and (s.conclusion == Conclusion.CONFORMING or objection_deadline(s) < now)
        )
    ]


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


# --- Published results (DESIGN.md §6.1) ---------------------------------------------------

# The columns of a SAMR results notice, in order (one row per sample).
PUBLIC_COLUMNS = (
    "sample_no",
    "task",
    "product",
    "brand",
    "model",
    "lot_code",
    "produced_on",
    "producer",
    "producer_region",
    "sampled_party",
    "sampled_party_region",
    "sampled_on",
    "conclusion",
    "failing_items",
    "lab",
)
_ITEM_FIELDS = ("item", "standard", "requirement", "measured_value", "unit")


def failing_items(items):
    """The failing items of a sample by their final verdict (a re-inspected item's last)."""
    final = {}
    for item in sorted(items, key=lambda i: i.pk):
        final[item.item] = item
    return [
        {field: getattr(item, field) for field in _ITEM_FIELDS}
        for item in final.values()
        if item.verdict == Verdict.FAIL
    ]


def published_rows(samples):
    """The notice rows of `samples`: two queries (the samples, their test items)."""
    samples = list(
        samples.select_related("product", "lot", "producer", "sampled_party", "task__lab")
    )
    items = {}
    for item in TestItem.objects.filter(sample__in=[s.pk for s in samples]).order_by("id"):
        items.setdefault(item.sample_id, []).append(item)
    rows = []
    for s in samples:
        failing = failing_items(items.get(s.pk, ()))
        row = {
            "sample_no": s.sample_no,
            "task": s.task.code,
            "product": s.product.name,
            "brand": s.product.brand,
            "model": s.product.model,
            "lot_code": s.lot.lot_code,
            "produced_on": s.lot.produced_on.isoformat() if s.lot.produced_on else None,
            "producer": s.producer.name,
            "producer_region": s.producer.region,
            "sampled_party": s.sampled_party.name,
            "sampled_party_region": s.region,
            "sampled_on": timezone.localtime(s.sampled_at).date().isoformat(),
            "conclusion": s.conclusion,
            "failing_items": failing,
            "lab": s.task.lab.name,
        }
        rows.append(
            {
                "sample_id": s.pk,
                "task_id": s.task_id,
                "product_id": s.product_id,
                "lot_id": s.lot_id,
                "conclusion": s.conclusion,
                "row": row,
            }
        )
    return rows


def public_spot_checks():
    """Published tasks, with their tree's published sample count and conformance rate."""
    return (
        Task.objects.filter(state=TaskState.PUBLISHED)
        .select_related("lab")
        .annotate(
            sample_count=F("published_samples"),
            conforming=F("published_conforming"),
            nonconforming=F("published_samples") - F("published_conforming"),
            conformance_rate=_rate("published_conforming", "published_samples"),
        )
        .order_by("-published_at", "code")
    )


def public_spot_check(*, code):
    """The published task with this code and its tree's task ids, or None."""
    task = public_spot_checks().filter(code=code).first()
    if task is None:
        return None
    return {"task": task, "tree": task_tree_ids(task)}


def _published_in(tree):
    return PublishedResult.objects.filter(task_id__in=tree).order_by("sample_id")


def public_rows(tree):
    """The notice's rows as published, in sample order (one query)."""
    return [json.loads(row) for row in _published_in(tree).values_list("row_text", flat=True)]


def public_rows_json(tree):
    """The same rows as one JSON array, joined from the stored JSON texts (never decoded
    and encoded again): one query."""
    return "[" + ",".join(_published_in(tree).values_list("row_text", flat=True)) + "]"


def public_corrections(tree):
    """The dated corrections of the notice's rows, oldest first (one query)."""
    return [
        {
            "sample_no": c.result.row["sample_no"],
            "at": c.at,
            "conclusion": c.conclusion,
            "failing_items": c.failing_items,
            "note": c.note,
        }
        for c in PublishedCorrection.objects.filter(result__task_id__in=tree)
        .select_related("result")
        .order_by("at", "id")
    ]


def published_nonconforming_results(*, product=None, lot=None):
    """Published non-conforming results of a product or lot (for the public lookup),
    leaving out those a later correction found conforming; newest first."""
    latest = PublishedCorrection.objects.filter(result=OuterRef("pk")).order_by("-at", "-id")
    # No correction, or the latest one still non-conforming (the subquery written once).
    standing = Coalesce(Subquery(latest.values("conclusion")[:1]), Value(Conclusion.NONCONFORMING))
    results = (
        PublishedResult.objects.filter(conclusion=Conclusion.NONCONFORMING)
        .alias(standing=standing)
        .filter(standing=Conclusion.NONCONFORMING)
        .select_related("task")
        .order_by("-published_at", "-id")
    )
    if product is not None:
        results = results.filter(product=product)
    if lot is not None:
        results = results.filter(lot=lot)
    return results
