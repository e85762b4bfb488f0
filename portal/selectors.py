"""The portal's reads: the public product lookup (DESIGN.md §7: "is my product affected?")
and the enterprise overview. They gather from every app below; nothing here writes."""

import datetime as dt

from django.apps import apps
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recalls.choices import RecallState
from recalls.selectors import public_recall_list, recall_list
from recalls.services import recall_missed_periods, recall_next_progress_due
from risk.choices import AssessmentState, Measure
from risk.models import RiskAssessment
from risk.selectors import counted_complaints
from sampling.choices import Conclusion
from sampling.models import Sample
from sampling.selectors import published_nonconforming_results
from traceability.models import Lot, Party, Product

REMEDY_ACTION = {
    "repair": gettext_lazy("to have it repaired free of charge"),
    "replace": gettext_lazy("to have it replaced free of charge"),
    "refund": gettext_lazy("for a refund"),
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
        action = REMEDY_ACTION.get(recall.remedy) or _("about what to do")
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
    results = published_nonconforming_results(product=product, lot=lot)
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
                    "task": row.get("task"),
                    "sampled_on": row.get("sampled_on"),
                    "failing_items": row.get("failing_items", []),
                    "lab": row.get("lab"),
                },
            }
        )
    return items


def _warnings(product, lot, product_wide_only=False):
    # An assessment of a lot carries the lot's product too (risk.services._subject).
    if lot is not None:
        subject = Q(product=product, lot__isnull=True) | Q(lot=lot)
    elif product_wide_only:
        subject = Q(product=product, lot__isnull=True)
    else:
        subject = Q(product=product)
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


# --- The enterprise overview

RECENT = 20


def enterprise_overview(*, user, now=None):
    """Everything that concerns an enterprise's own party, and nothing else: its samples
    (as sampled party or producer) and their results, the notices to it, the complaints
    about its products, and its recalls with what falls due next."""
    now = now or timezone.now()
    party = Party.objects.get(uscc=user.party_uscc)
    return {
        "party": {"id": party.pk, "uscc": party.uscc, "name": party.name, "region": party.region},
        "samples": _samples(user, party, now),
        "notices": _notices(user, now),
        "complaints": _complaints(party, now),
        "recalls": _recalls_due(user, now),
    }


def _samples(user, party, now):
    samples = Sample.objects.restrict(user)
    by_state = dict(
        samples.order_by().values("state").annotate(n=Count("id")).values_list("state", "n")
    )
    recent = samples.select_related("product", "lot", "task").order_by("-sampled_at", "-id")
    return {
        "total": sum(by_state.values()),
        "by_state": by_state,
        "nonconforming": samples.filter(conclusion=Conclusion.NONCONFORMING).count(),
        "recent": [
            {
                "id": s.pk,
                "sample_no": s.sample_no,
                "task": s.task.code,
                "as": "producer" if s.producer_id == party.pk else "sampled_party",
                "product": s.product.name,
                "lot_code": s.lot.lot_code,
                "sampled_at": s.sampled_at,
                "state": s.state,
                "conclusion": s.conclusion or None,
                "due_stage": s.due_stage or None,
                "due_at": s.due_at,
                "overdue": bool(s.due_at and s.due_at < now),
            }
            for s in recent[:RECENT]
        ],
    }


def _notices(user, now):
    """The notices to the party (the notices app, issue 13): the seam until it lands."""
    if not apps.is_installed("notices"):
        return {"total": 0, "by_state": {}, "overdue": 0, "open": []}
    from notices.selectors import notice_list

    notices = notice_list(user=user)
    by_state = dict(
        notices.order_by().values("state").annotate(n=Count("id")).values_list("state", "n")
    )
    open_notices = notices.exclude(state="completed").order_by("due_at", "id")
    return {
        "total": sum(by_state.values()),
        "by_state": by_state,
        "overdue": open_notices.filter(state="sent", due_at__lt=now).count(),
        "open": [
            {
                "id": n.pk,
                "measure": n.measure,
                "lot_code": n.lot.lot_code,
                "product": n.product.name,
                "source": n.source_kind,
                "source_number": n.source_number,
                "state": n.state,
                "due_at": n.due_at,
                "overdue": n.state == "sent" and n.due_at < now,
            }
            for n in open_notices[:RECENT]
        ],
    }


def _complaints(party, now):
    """Complaints about the party's products: what was complained of, where and when; not
    the complainant's words (they are the regulator's to read) nor the receipt number."""
    complaints = counted_complaints().filter(product__producer=party)
    recent_since = now - dt.timedelta(days=90)
    by_product = (
        complaints.filter(received_at__gte=recent_since)
        .order_by()
        .values("product_id", "product__name", "product__model")
        .annotate(n=Count("id"))
        .order_by("-n", "product_id")
    )
    return {
        "total": complaints.count(),
        "last_90_days": [
            {
                "product": row["product_id"],
                "name": row["product__name"],
                "model": row["product__model"],
                "complaints": row["n"],
            }
            for row in by_product
        ],
        "recent": [
            {
                "received_at": c.received_at,
                "channel": c.channel,
                "region": c.region,
                "category": c.category,
                "product": c.product_id,
                "lot_code": c.lot.lot_code if c.lot_id else (c.lot_code or None),
                "problem": c.problem,
            }
            for c in complaints.select_related("lot").order_by("-received_at", "-id")[:RECENT]
        ],
    }


def _due(recall, now):
    """What the recall waits for next, and by when."""
    if recall.state == RecallState.DRAFT:
        return "submit_plan", recall.plan_due_at
    if recall.state == RecallState.APPROVED:
        return "announce", recall.announce_due_at
    if recall.state in (RecallState.ANNOUNCED, RecallState.IN_PROGRESS):
        return "progress_report", recall_next_progress_due(recall, now=now)
    if recall.state == RecallState.COMPLETED:
        return "summary", recall.summary_due_at
    return None, None


def _recalls_due(user, now):
    rows = []
    for recall in recall_list(user=user).order_by("-created_at", "-id"):
        step, due_at = _due(recall, now)
        missed = (
            recall_missed_periods(recall, now=now)
            if recall.state in (RecallState.ANNOUNCED, RecallState.IN_PROGRESS)
            else []
        )
        rows.append(
            {
                "id": recall.pk,
                "recall_no": recall.recall_no,
                "kind": recall.kind,
                "state": recall.state,
                "title": recall.title,
                "units_affected": recall.units_affected,
                "recovered": recall.recovered,
                "completion_rate": recall.completion_rate,
                "last_progress_at": recall.last_progress_at,
                "next_step": step,
                "due_at": due_at,
                "overdue": bool(due_at and due_at < now) or bool(missed),
                "missed_progress_periods": [number for number, _ in missed],
            }
        )
    return rows
