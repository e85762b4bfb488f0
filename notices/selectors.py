"""Reads of notices: the scoped list and the board a disposition or a recall shows."""

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from core.choices import DeliveryStatus, DeliveryTopic
from core.models import AlertDelivery

from .choices import NoticeSource, NoticeState
from .models import Notice, NoticeIssue


def _delivered():
    return Exists(
        AlertDelivery.objects.filter(
            topic=DeliveryTopic.NOTICE,
            subject_id=OuterRef("pk"),
            status=DeliveryStatus.DELIVERED,
        )
    )


def notice_list(*, user):
    """The notices `user` may see (their party's, their region's, or all), each with
    whether a webhook delivered it."""
    return (
        Notice.objects.restrict(user)
        .select_related("party", "lot", "product")
        .annotate(delivered=_delivered())
    )


def notices_of_disposition(*, lot_id):
    """A lot's disposition notices: one per holder, whichever disposition of the lot
    issued or last updated it."""
    return Notice.objects.filter(source_kind=NoticeSource.DISPOSITION, lot_id=lot_id)


def notices_of_recall(*, recall_id):
    return Notice.objects.filter(source_kind=NoticeSource.RECALL, source_id=recall_id)


def notices_issuing(*, source_kind, source_id):
    """Whether the notices a source ordered are still being issued (the order is
    pending): the board's counts are still growing."""
    return NoticeIssue.objects.filter(
        source_kind=source_kind, source_id=source_id, issued_at__isnull=True
    ).exists()


def notice_board(notices, *, issuing=False, with_list=True):
    """Holders notified, delivered (a webhook answered 2xx), acknowledged, completed and
    overdue, with confirmed and unconfirmed custody counted apart; whether the notices are
    still being issued (`issuing`, from notices_issuing); and the notices."""
    now = timezone.now()
    notices = notices.annotate(delivered=_delivered())
    conditions = {
        "notified": Q(),
        "delivered": Q(delivered=True),
        "acknowledged": Q(acknowledged_at__isnull=False),
        "completed": Q(state=NoticeState.COMPLETED),
        "overdue": Q(state=NoticeState.SENT, due_at__lt=now),
        "custody_confirmed": Q(custody_confirmed=True),
        "custody_unconfirmed": Q(custody_confirmed=False),
    }
    # Aggregates may not share a name with a field or annotation: count under n_<name>.
    totals = notices.aggregate(
        **{f"n_{name}": Count("id", filter=q or None) for name, q in conditions.items()}
    )
    counts = {name: totals[f"n_{name}"] for name in conditions}
    counts["issuing"] = issuing
    if with_list:
        counts["notices"] = list(
            notices.select_related("party", "lot").order_by("party__name", "lot_id", "id")
        )
    return counts
