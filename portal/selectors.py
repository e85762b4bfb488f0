"""The portal's reads: the public product lookup (DESIGN.md §7: "is my product affected?")
and the enterprise overview. They gather from every app below; nothing here writes."""

import datetime as dt
import functools
import json

from django.apps import apps
from django.db import connection
from django.db.models import Count, DateTimeField, F, Q, Subquery, Value
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recalls.choices import RecallState
from recalls.selectors import PUBLIC_LOT_COLUMNS, public_recall_links, recall_list
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


# The order of the kinds in an answer; within a kind, newest first.
KINDS = ("product", "recall", "spot_check", "warning")


def product_lookup(*, query):
    """The announced recalls, published non-conforming spot-check results and consumer
    warnings that name the queried product, or only its lot when a lot is given (a lot the
    records do not know: only what concerns every lot); an unknown product has none.

    One statement (see _statement), compiled once per process for each shape."""
    sql, params, gtin_at, lot_at = _statement(connection.vendor, bool(query.lot_code))
    params = list(params)
    for i in gtin_at:
        params[i] = query.gtin
    for i in lot_at:
        params[i] = query.lot_code
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [(kind, _datetime(at), key, json.loads(data)) for kind, at, key, data in cursor]
    rows.sort(key=_newest_first)
    result = {"gtin": query.gtin, "lot": query.lot_code, "product": None, "results": []}
    if not rows or rows[0][0] != "product":
        return result
    product = result["product"] = rows[0][3]
    recalls = {}
    for kind, at, key, data in rows[1:]:
        if kind == "recall":
            recall = recalls.get(key)
            if recall is None:
                recall = recalls[key] = _recall(product, at, data)
                result["results"].append(recall)
            recall["lots"].append(data["lot_code"])
        elif kind == "spot_check":
            result["results"].append(_spot_check(at, json.loads(data["row"])))
        else:
            result["results"].append(_warning(at, data))
    for recall in recalls.values():
        recall["lots"].sort()
    return result


# Stand-ins for the GTIN and the lot code while the statement is compiled; a request's
# values take their places (by position, so no value a consumer sends is ever matched).
_GTIN, _LOT = "\x00gtin", "\x00lot"


@functools.cache
def _statement(vendor, with_lot):
    """The lookup's SQL and parameters, with the positions of the GTIN and the lot code.

    The product and each kind's rows in one UNION ALL, every part selecting by the
    product's and the lot's ids (subqueries on the GTIN and lot code) and returning only
    what the answer shows, as JSON: (kind, date, id, JSON). Compiling this with the ORM
    costs more than running it, and its text depends only on the backend and on whether a
    lot is asked for."""
    product_id = Subquery(Product.objects.filter(gtin=_GTIN).order_by().values("pk")[:1])
    if with_lot:
        lots = Lot.objects.filter(product__gtin=_GTIN, lot_code=_LOT)
        lot_id = Subquery(lots.order_by().values("pk")[:1])
    else:
        lot_id = None
    parts = [
        _part(
            Product.objects.filter(gtin=_GTIN),
            "product",
            at=Value(None, output_field=DateTimeField()),
            name=F("name"),
            brand=F("brand"),
            model=F("model"),
            category=F("category"),
            producer=F("producer__name"),
        ),
        _part(
            public_recall_links(product=product_id, lot=lot_id),
            "recall",
            at=F("recall__announced_at"),
            key=F("recall_id"),
            **{name: F(path) for name, path in PUBLIC_LOT_COLUMNS.items()},
        ),
        _part(
            published_nonconforming_results(product=product_id, lot=lot_id),
            "spot_check",
            at=F("published_at"),
            row=F("row_text"),
        ),
        _part(_warnings(product_id, lot_id), "warning", at=F("decided_at"), **WARNING_COLUMNS),
    ]
    sql, params = parts[0].union(*parts[1:], all=True).query.sql_with_params()
    gtin_at = tuple(i for i, value in enumerate(params) if value == _GTIN)
    lot_at = tuple(i for i, value in enumerate(params) if value == _LOT)
    return sql, tuple(params), gtin_at, lot_at


def _newest_first(row):
    kind, at, key, _data = row
    return KINDS.index(kind), -(at.timestamp() if at else 0), -key


def _datetime(value):
    """A timestamp as the backend returned it (aware, or UTC text on SQLite)."""
    if isinstance(value, str):
        return timezone.make_aware(parse_datetime(value), dt.UTC)
    return value


def _part(queryset, kind, *, at, key=None, **columns):
    """A part of the lookup's UNION: (kind, date, id, the columns as a JSON object)."""
    return (
        queryset.order_by()
        .annotate(kind=Value(kind), at=at, key=key or F("pk"), data=JSONObject(**columns))
        .values_list("kind", "at", "key", "data")
    )


def _recall(product, announced_at, recall):
    contact = recall["consumer_contact"] or recall["producer"]
    action = REMEDY_ACTION.get(recall["remedy"]) or _("about what to do")
    what = _("Stop using it and contact %(contact)s %(action)s.") % {
        "contact": contact,
        "action": _(action),
    }
    if recall["remedy_details"]:
        what = f"{what} {recall['remedy_details']}"
    name = " ".join(product[k] for k in ("brand", "name", "model") if product[k])
    return {
        "kind": "recall",
        "reference": recall["recall_no"],
        "title": recall["title"] or _("Recall of %(product)s") % {"product": name},
        "date": announced_at,
        "lots": [],
        "hazard": recall["hazard"],
        "what_to_do": what,
        "details": {
            "state": recall["state"],
            "remedy": recall["remedy"],
            "remedy_details": recall["remedy_details"],
            "consumer_contact": recall["consumer_contact"],
            "producer": recall["producer"],
            "production_from": recall["production_from"],
            "production_to": recall["production_to"],
        },
    }


def _spot_check(published_at, row):
    failing = [item["item"] for item in row.get("failing_items", ())]
    return {
        "kind": "spot_check",
        "reference": row["sample_no"],
        "title": _("Failed a government spot check: %(items)s")
        % {"items": ", ".join(failing) or _("see the results notice")},
        "date": published_at,
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


WARNING_COLUMNS = {
    "number": F("number"),
    "hazard": F("hazard"),
    "risk_level": F("risk_level"),
    "lot_code": F("lot__lot_code"),
}


def _warnings(product_id, lot_id):
    """The decided consumer warnings about the product as a whole, or about the lot when
    one is asked for (an assessment of a lot carries the lot's product too:
    risk.services._subject)."""
    if lot_id is not None:
        subject = Q(product_id=product_id, lot__isnull=True) | Q(lot_id=lot_id)
    else:
        subject = Q(product_id=product_id)
    return RiskAssessment.objects.filter(
        subject, state=AssessmentState.DECIDED, measure=Measure.WARNING
    )


def _warning(decided_at, assessment):
    return {
        "kind": "warning",
        "reference": assessment["number"],
        "title": _("Consumer warning: %(hazard)s") % {"hazard": assessment["hazard"]},
        "date": decided_at,
        "lots": [assessment["lot_code"]] if assessment["lot_code"] is not None else [],
        "hazard": assessment["hazard"],
        "what_to_do": _("Heed the warning: use it only as its instructions say, or stop using it."),
        "details": {"risk_level": assessment["risk_level"]},
    }


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
