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


def public_recall_q(prefix=""):
    """The recalls consumers see, as a filter on `prefix` (a path to a recall)."""
    return Q(**{f"{prefix}state__in": PUBLIC_STATES}) | Q(
        **{f"{prefix}state": RecallState.TERMINATED, f"{prefix}announced_at__isnull": False}
    )


def public_recall_list():
    return _with_lots(Recall.objects.filter(public_recall_q())).order_by("-announced_at", "-id")


PUBLIC_LOT_COLUMNS = {
    "recall_no": "recall__recall_no",
    "state": "recall__state",
    "title": "recall__title",
    "hazard": "recall__hazard",
    "remedy": "recall__remedy",
    "remedy_details": "recall__remedy_details",
    "consumer_contact": "recall__consumer_contact",
    "producer": "recall__producer__name",
    "production_from": "recall__production_from",
    "production_to": "recall__production_to",
    "lot_code": "lot__lot_code",
}


def public_recall_links(*, product, lot=None):
    """The links (recall, lot) of the public recalls that name the product's lots (or
    `lot`), one per lot of the product each recall names. `product` and `lot` are ids or
    expressions (subqueries) giving one; a null lot matches no recall."""
    links = Recall.lots.through.objects.filter(public_recall_q("recall__"), lot__product_id=product)
    if lot is not None:
        links = links.filter(
            recall_id__in=Recall.lots.through.objects.filter(lot_id=lot).values("recall_id")
        )
    return links


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
