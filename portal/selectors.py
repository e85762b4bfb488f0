"""The portal's reads: the public product lookup (DESIGN.md §7: "is my product affected?")
and the enterprise overview. They gather from every app below; nothing here writes."""

from django.db.models import Q
from django.utils.translation import gettext as _

from recalls.selectors import public_recall_list
from risk.choices import AssessmentState, Measure
from risk.models import RiskAssessment
from sampling import selectors as sampling_selectors
from traceability.models import Lot, Product

REMEDY_ACTION = {
    "repair": "to have it repaired free of charge",
    "replace": "to have it replaced free of charge",
    "refund": "for a refund",
}


def product_lookup(*, query):
    """The announced recalls, published non-conforming spot-check results and consumer
    warnings that name the queried product, or only its lot when a lot is given; an
    unknown product has none. Five indexed queries at most."""
    product = Product.objects.select_related("producer").filter(gtin=query.gtin).first()
    result = {"gtin": query.gtin, "lot": query.lot_code, "product": None, "results": []}
    if product is None:
        return result
    lot = None
    if query.lot_code:
        lot = Lot.objects.filter(product=product, lot_code=query.lot_code).first()
    result["product"] = {
        "name": product.name,
        "brand": product.brand,
        "model": product.model,
        "category": product.category,
        "producer": product.producer.name,
    }
    if query.lot_code and lot is None:
        # A lot the records do not know: only what concerns every lot of the product.
        result["results"] = _warnings(product, lot, product_wide_only=True)
        return result
    result["results"] = [
        *_recalls(product, lot),
        *_spot_checks(product, lot),
        *_warnings(product, lot),
    ]
    return result


def _recalls(product, lot):
    recalls = public_recall_list()
    if lot is not None:
        recalls = recalls.filter(lots=lot)
    else:
        recalls = recalls.filter(lots__product=product).distinct()
    items = []
    for recall in recalls:
        lots = sorted(x.lot_code for x in recall.lots.all() if x.product_id == product.pk)
        contact = recall.consumer_contact or recall.producer.name
        action = REMEDY_ACTION.get(recall.remedy, "about what to do")
        what = _("Stop using it and contact %(contact)s %(action)s.") % {
            "contact": contact,
            "action": _(action),
        }
        if recall.remedy_details:
            what = f"{what} {recall.remedy_details}"
        items.append(
            {
                "kind": "recall",
                "reference": recall.recall_no,
                "title": recall.title or _("Recall of %(product)s") % {"product": product},
                "date": recall.announced_at,
                "lots": lots,
                "hazard": recall.hazard,
                "what_to_do": what,
                "details": {
                    "state": recall.state,
                    "remedy": recall.remedy,
                    "remedy_details": recall.remedy_details,
                    "consumer_contact": recall.consumer_contact,
                    "producer": recall.producer.name,
                    "production_from": recall.production_from,
                    "production_to": recall.production_to,
                },
            }
        )
    return items


def _spot_checks(product, lot):
    # The seam to sampling's publication (issue 12); until it lands nothing is published.
    finder = getattr(sampling_selectors, "published_nonconforming_results", None)
    results = finder(product=product, lot=lot) if finder else ()
    items = []
    for result in results:
        row = result.row
        failing = [item["item"] for item in row.get("failing_items", ())]
        items.append(
            {
                "kind": "spot_check",
                "reference": row["sample_no"],
                "title": _("Failed a government spot check: %(items)s")
                % {"items": ", ".join(failing) or _("see the results notice")},
                "date": result.published_at,
                "lots": [row["lot_code"]],
                "hazard": "",
                "what_to_do": _(
                    "This lot did not conform. Stop using it and ask the seller or the "
                    "producer (%(producer)s) for a return; you may also complain through "
                    "12315."
                )
                % {"producer": row["producer"]},
                "details": {
                    "task": result.task.code,
                    "sampled_on": row.get("sampled_on"),
                    "failing_items": row.get("failing_items", []),
                    "lab": row.get("lab"),
                },
            }
        )
    return items


def _warnings(product, lot, product_wide_only=False):
    subject = Q(product=product, lot__isnull=True)
    if lot is not None:
        subject |= Q(lot=lot)
    elif not product_wide_only:
        subject |= Q(lot__product=product)
    assessments = (
        RiskAssessment.objects.filter(
            subject, state=AssessmentState.DECIDED, measure=Measure.WARNING
        )
        .select_related("lot")
        .order_by("-decided_at", "-id")
    )
    return [
        {
            "kind": "warning",
            "reference": a.number,
            "title": _("Consumer warning: %(hazard)s") % {"hazard": a.hazard},
            "date": a.decided_at,
            "lots": [a.lot.lot_code] if a.lot_id else [],
            "hazard": a.hazard,
            "what_to_do": _(
                "Heed the warning: use it only as its instructions say, or stop using it."
            ),
            "details": {"risk_level": a.risk_level},
        }
        for a in assessments
    ]
