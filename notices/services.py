"""Notices to holders (DESIGN.md §7): issued in bulk to every party a forward trace
reaches, acknowledged and completed by the holder, and watched for overdue ones.

Sampling (a disposition that orders `take_down` or `recall`) and recalls (`announce`) call
`notices_issue`; this app never imports them, and names its source by kind and id.
"""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.choices import AlertKind, AlertSeverity, DeliveryTopic
from core.db import bulk_insert
from core.delivery import outbox_add
from core.exceptions import ApplicationError
from core.messages import choice
from core.rules import rule
from core.services import alert_raise
from core.states import record_history_bulk
from core.workdays import due_after
from traceability.selectors import lot_trace

from .choices import MEASURE_RANK, NoticeMeasure, NoticeSource, NoticeState
from .models import Notice
from .states import notice_machine


def notice_due_at(*, measure, urgent, sent_at):
    """24 hours for a recall or a serious risk, 72 otherwise (LEVEE_RULES)."""
    kind = "urgent" if urgent or measure == NoticeMeasure.RECALL else "default"
    return due_after(sent_at, rule(f"notices.due.{kind}"))


def _holders(*, lots, producer_id, trace):
    """(lot, party row of the trace) for every party the forward trace of each lot
    reaches, the producer excepted: holders of confirmed and unconfirmed custody alike
    (the row's `confirmed`, DESIGN.md §5.2)."""
    for lot in lots:
        lot_trace_ = trace if trace is not None else lot_trace(lot_ids=[lot.pk])
        for party in lot_trace_["parties"]:
            if party["id"] != producer_id and party["quantity"]:
                yield lot, party


def acknowledge_url(notice_id):
    return f"{settings.LEVEE_BASE_URL}/api/v1/notices/{notice_id}/acknowledge/"


INSTRUCTIONS = {
    NoticeMeasure.TAKE_DOWN: (
        "立即下架该批次产品、停止销售、封存库存",
        "Take this lot off sale at once and set its stock aside",
    ),
    NoticeMeasure.RECALL: (
        "立即停止销售该批次产品、封存库存、配合召回",
        "Stop selling this lot at once, set its stock aside and return it under the recall",
    ),
}


def notice_bodies(notice_ids):
    """{notice id: webhook body} (the outbox's renderer for topic `notice`)."""
    notices = Notice.objects.filter(pk__in=notice_ids).select_related("party", "lot", "product")
    return {notice.pk: notice_body(notice) for notice in notices}


def notice_body(notice):
    """The webhook body: what to do, with which lot, by when, and where to acknowledge."""
    party, lot, product = notice.party, notice.lot, notice.product
    due = timezone.localtime(notice.due_at).isoformat()
    zh, en = INSTRUCTIONS[notice.measure]
    return {
        "type": "notice",
        "id": notice.pk,
        "revision": notice.revision,
        "state": notice.state,
        "measure": notice.measure,
        "instruction": f"{zh}。请于 {due} 前确认在库数量与已下架数量。",
        "instruction_en": f"{en}; acknowledge the quantity on hand and removed by {due}.",
        "due_at": due,
        "party": {"id": party.pk, "uscc": party.uscc, "name": party.name},
        "lot": {"id": lot.pk, "lot_code": lot.lot_code},
        "product": {
            "id": product.pk,
            "name": product.name,
            "brand": product.brand,
            "model": product.model,
            "gtin": product.gtin or None,
        },
        "quantity_received": f"{notice.quantity_received.normalize():f}",
        "unit": notice.unit,
        "custody_confirmed": notice.custody_confirmed,
        "source": {
            "kind": notice.source_kind,
            "id": notice.source_id,
            "number": notice.source_number,
        },
        "sent_at": timezone.localtime(notice.sent_at).isoformat(),
        "acknowledge_url": acknowledge_url(notice.pk),
    }


def notices_issue(
    *,
    source_kind,
    source_id,
    source_number,
    lots,
    measure,
    producer_id,
    urgent=False,
    trace=None,
    actor=None,
):
    """Send a notice to every party the forward trace of `lots` reaches (the producer
    excepted), in the caller's transaction, in a handful of statements however many
    holders there are. A holder already noticed for the same lot (by an earlier
    disposition of it, or by this recall) is updated, never noticed twice; a stronger
    measure (recall after take_down) reissues its notice. `trace`: the forward trace of
    the single lot in `lots` when the caller has it already. Returns what was done."""
    if source_kind not in NoticeSource.values or measure not in NoticeMeasure.values:
        raise ValueError(f"notice from {source_kind!r} with measure {measure!r}")
    lots = list(lots)
    holders = list(
        _holders(lots=lots, producer_id=producer_id, trace=trace if len(lots) == 1 else None)
    )
    summary = {"created": 0, "updated": 0, "reissued": 0, "deliveries": 0}
    if not holders:
        return summary
    now = timezone.now()
    due_at = notice_due_at(measure=measure, urgent=urgent, sent_at=now)
    with transaction.atomic():
        existing = Notice.objects.select_for_update().filter(
            source_kind=source_kind,
            lot__in=[lot.pk for lot in lots],
            party__in={party["id"] for _, party in holders},
        )
        if source_kind == NoticeSource.RECALL:
            existing = existing.filter(source_id=source_id)
        existing = {(n.party_id, n.lot_id): n for n in existing}
        new, changed, history, outgoing = [], [], [], []  # outgoing: (notice, party uscc)
        for lot, party in holders:
            fields = {
                "source_id": source_id,
                "source_number": source_number,
                "quantity_received": Decimal(str(party["quantity"])),
                "unit": lot.unit,
                "custody_confirmed": party["confirmed"],
            }
            notice = existing.get((party["id"], lot.pk))
            if notice is None:
                notice = Notice(
                    party_id=party["id"],
                    lot=lot,
                    product_id=lot.product_id,
                    measure=measure,
                    source_kind=source_kind,
                    sent_at=now,
                    due_at=due_at,
                    **fields,
                )
                new.append(notice)
                outgoing.append((notice, party["uscc"]))
                continue
            before = {name: getattr(notice, name) for name in fields}
            for name, value in fields.items():
                setattr(notice, name, value)
            if MEASURE_RANK[measure] > MEASURE_RANK[notice.measure]:
                from_state = notice.state
                notice.measure, notice.state, notice.sent_at, notice.due_at = (
                    measure,
                    NoticeState.SENT,
                    now,
                    due_at,
                )
                notice.revision += 1
                notice.overdue_alerted_at = None
                changed.append(notice)
                outgoing.append((notice, party["uscc"]))
                payload = {"measure": measure, "source": f"{source_kind}:{source_id}"}
                history.append((notice, "reissue", from_state, notice.state, payload))
                summary["reissued"] += 1
            elif before != fields:
                changed.append(notice)
                payload = {
                    name: str(value) for name, value in fields.items() if before[name] != value
                }
                history.append((notice, "update", notice.state, notice.state, payload))
                summary["updated"] += 1
        bulk_insert(new)
        history += [
            (
                notice,
                "create",
                None,
                notice.state,
                {"measure": measure, "source": f"{source_kind}:{source_id}"},
            )
            for notice in new
        ]
        if changed:
            Notice.objects.bulk_update(
                changed,
                [
                    "source_id",
                    "source_number",
                    "quantity_received",
                    "unit",
                    "custody_confirmed",
                    "measure",
                    "state",
                    "sent_at",
                    "due_at",
                    "revision",
                    "overdue_alerted_at",
                    "updated_at",
                ],
                batch_size=1000,
            )
        record_history_bulk(history, actor=actor)
        summary["created"] = len(new)
        summary["deliveries"] = outbox_add(
            topic=DeliveryTopic.NOTICE,
            messages=[
                {
                    "party_uscc": uscc,
                    "subject_id": notice.pk,
                    "key": f"notice:{notice.pk}:{notice.revision}",
                }
                for notice, uscc in outgoing
            ],
        )
    return summary


def notice_acknowledge(*, notice, actor, quantity_on_hand, quantity_removed, note=""):
    """The holder says how much of the lot it still holds and how much it has removed;
    neither may be more than the party received."""
    for name, value in (
        ("quantity_on_hand", quantity_on_hand),
        ("quantity_removed", quantity_removed),
    ):
        if Decimal(value) > notice.quantity_received:
            raise ApplicationError(
                _("%(field)s (%(value)s) is more than the %(received)s %(unit)s received.")
                % {
                    "field": capfirst(Notice._meta.get_field(name).verbose_name),
                    "value": f"{Decimal(value).normalize():f}",
                    "received": f"{notice.quantity_received.normalize():f}",
                    "unit": notice.unit,
                },
                code="above_received",
                attr=name,
            )
    payload = {
        "quantity_on_hand": str(quantity_on_hand),
        "quantity_removed": str(quantity_removed),
        "note": note,
    }

    def effect(locked):
        locked.quantity_on_hand = quantity_on_hand
        locked.quantity_removed = quantity_removed
        locked.acknowledged_at = timezone.now()

    return notice_machine.run(notice, "acknowledge", actor=actor, payload=payload, effect=effect)


def notice_complete(*, notice, actor, note=""):
    """The measure is carried out: the notice is closed."""

    def effect(locked):
        locked.completed_at = timezone.now()

    return notice_machine.run(
        notice, "complete", actor=actor, payload={"note": note}, effect=effect
    )


def notice_sweep_overdue(*, now=None):
    """One notice_unacknowledged alert per notice past its due time, for the regulators
    of the holder's region; once per notice (and revision), however often it runs."""
    now = now or timezone.now()
    overdue = (
        Notice.objects.overdue(now)
        .filter(overdue_alerted_at__isnull=True)
        .select_related("party", "lot")
        .order_by("id")
    )
    raised = 0
    for notice in overdue.iterator(chunk_size=500):
        with transaction.atomic():
            alert = alert_raise(
                kind=AlertKind.NOTICE_UNACKNOWLEDGED,
                dedup_key=f"notice_unacknowledged:notice:{notice.pk}:{notice.revision}",
                message=gettext_noop(
                    "%(party)s (%(uscc)s) has not acknowledged the notice (%(measure)s) for "
                    "lot %(lot)s, due %(due)s."
                ),
                message_args={
                    "party": notice.party.name,
                    "uscc": notice.party.uscc,
                    "measure": choice(NoticeMeasure, notice.measure),
                    "lot": notice.lot.lot_code,
                    "due": timezone.localtime(notice.due_at).isoformat(),
                },
                region=notice.party.region,
                severity=(
                    AlertSeverity.HIGH
                    if notice.measure == NoticeMeasure.RECALL
                    else AlertSeverity.MEDIUM
                ),
                subject=notice,
                subject_label=f"{notice.source_number} → {notice.party.name}",
                payload={
                    "notice": notice.pk,
                    "party": notice.party.uscc,
                    "lot": notice.lot_id,
                    "source": f"{notice.source_kind}:{notice.source_id}",
                    "due_at": timezone.localtime(notice.due_at).isoformat(),
                },
            )
            Notice.objects.filter(pk=notice.pk).update(overdue_alerted_at=now)
        raised += alert is not None
    return {"notices_unacknowledged": raised}
