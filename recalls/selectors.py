"""Non-trivial recall reads: lists with what they show, affected parties from the trace."""

from django.db.models import Prefetch, Q

from traceability.models import Lot
from traceability.selectors import lot_trace

from .choices import RecallState
from .models import Recall

# Consumers see a recall from its announcement on (and a terminated one only if it was
# announced before it was terminated).
PUBLIC_STATES = (
    RecallState.ANNOUNCED,
    RecallState.IN_PROGRESS,
    RecallState.COMPLETED,
    RecallState.CLOSED,
)


def _with_lots(queryset):
    return queryset.select_related("producer").prefetch_related(
        Prefetch("lots", queryset=Lot.objects.select_related("product").order_by("id"))
    )


def recall_list(*, user):
    return _with_lots(Recall.objects.restrict(user)).select_related("objection")


def public_recall_list():
    return _with_lots(
        Recall.objects.filter(
            Q(state__in=PUBLIC_STATES) | Q(state=RecallState.TERMINATED, announced_at__isnull=False)
        )
    ).order_by("-announced_at", "-id")


AFFECTED_PARTY_COLUMNS = ("id", "uscc", "name", "kind", "region", "quantity")


def recall_affected_parties(*, recall, max_depth=10):
    """Every party downstream of the recall's lots (the forward trace), with the quantity
    it received, largest first; the producer itself is left out."""
    lot_ids = [lot.pk for lot in recall.lots.all()]
    parties = lot_trace(lot_ids=lot_ids, direction="forward", max_depth=max_depth)["parties"]
    rows = [
        {name: party[name] for name in AFFECTED_PARTY_COLUMNS}
        for party in parties
        if party["id"] != recall.producer_id
    ]
    rows.sort(key=lambda row: (-(row["quantity"] or 0), row["name"]))
    return rows
