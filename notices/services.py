"""Notices to holders (DESIGN.md §7): issued in bulk to every party a forward trace
reaches, acknowledged and completed by the holder, and watched for overdue ones.

Sampling (a disposition that orders `take_down` or `recall`) and recalls (`announce`) call
`notices_order` in their transaction; this app never imports them, and names its source
by kind and id. The order is carried out (`notices_issue`: trace, notices, outbox) after
the transaction commits, by a Celery task, so the deciding request stays fast however many
holders the lot reached; the board says `issuing` until it is done.
"""

from decimal import Decimal

import structlog
from django.conf import settings
from django.db import transaction
from django.db.models import F
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
from traceability.models import Lot
from traceability.selectors import lot_trace

from .choices import MEASURE_RANK, NoticeMeasure, NoticeSource, NoticeState
from .models import Notice, NoticeIssue
from .states import notice_machine

log = structlog.get_logger(__name__)


def notice_due_at(*, measure, urgent, sent_at):
    """24 hours for a recall or a serious risk, 72 otherwise (LEVEE_RULES)."""
    kind = "urgent" if urgent or measure == NoticeMeasure.RECALL else "default"
    return due_after(sent_at, rule(f"notices.due.{kind}"))


def _holders(*, lots, producer_id):
    """(lot, party row of the trace) for every party the forward trace of each lot
    reaches, the producer excepted: holders of confirmed and unconfirmed custody alike
    (the row's `confirmed`, DESIGN.md §5.2)."""
    for lot in lots:
        for party in lot_trace(lot_ids=[lot.pk])["parties"]:
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
    local_due = timezone.localtime(notice.due_at)
    due = local_due.isoformat()
    # The instruction is read by a person: the minute and the zone, not microseconds.
    by_when = local_due.strftime("%Y-%m-%d %H:%M (UTC%z)")
    zh, en = INSTRUCTIONS[notice.measure]
    return {
        "type": "notice",
        "id": notice.pk,
        "revision": notice.revision,
        "state": notice.state,
        "measure": notice.measure,
        "instruction": f"{zh}。请于 {by_when} 前确认在库数量与已下架数量。",
        "instruction_en": f"{en}; acknowledge the quantity on hand and removed by {by_when}.",
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


def _check_source(source_kind, measure):
    if source_kind not in NoticeSource.values or measure not in NoticeMeasure.values:
        raise ValueError(f"notice from {source_kind!r} with measure {measure!r}")


def notices_order(
    *,
    source_kind,
    source_id,
    source_number,
    lot_ids,
    measure,
    producer_id,
    urgent=False,
    actor=None,
):
    """Order notices to every holder the forward trace of `lot_ids` reaches, in the
    caller's transaction: the order commits (or rolls back) with the decision, and a
    Celery task carries it out after commit (`notice_issue_run`). Enqueueing never fails
    the caller: with the broker down the order stays pending and `deliver_pending_alerts`
    carries it out. Where tasks run inline (LEVEE_NOTICES_INLINE: Celery eager, tests)
    it is carried out at once, in this transaction. Returns the order."""
    _check_source(source_kind, measure)
    order = NoticeIssue.objects.create(
        source_kind=source_kind,
        source_id=source_id,
        source_number=source_number,
        measure=measure,
        urgent=urgent,
        lot_ids=sorted(set(lot_ids)),
        producer_id=producer_id,
        actor=actor if getattr(actor, "pk", None) else None,
    )
    if settings.LEVEE_NOTICES_INLINE:
        _carry_out(order)
    else:
        transaction.on_commit(lambda: _enqueue(order.pk))
    return order


def _enqueue(order_id):
    from .tasks import issue_notices

    try:
        issue_notices.apply_async(
            (order_id,),
            retry=True,
            retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.2},
        )
    except Exception as exc:  # any broker or transport error: the sweep carries it out
        log.warning(
            "notices.issue.enqueue_failed",
            order_id=order_id,
            error=f"{exc.__class__.__name__}: {exc}"[:300],
        )


def _carry_out(order):
    summary = notices_issue(
        source_kind=order.source_kind,
        source_id=order.source_id,
        source_number=order.source_number,
        lots=Lot.objects.filter(pk__in=order.lot_ids).order_by("pk"),
        measure=order.measure,
        producer_id=order.producer_id,
        urgent=order.urgent,
        actor=order.actor,
    )
    order.issued_at, order.summary, order.attempts = timezone.now(), summary, order.attempts + 1
    order.save(update_fields=["issued_at", "summary", "attempts"])
    return summary


def notice_issue_run(*, order_id):
    """Carry out a pending order (the Celery task's body), in one transaction: the
    notices, their history and their deliveries commit together with the order marked
    issued. None when it is issued already or another worker is carrying it out. A
    failure is counted on the order and raised (the task retries)."""
    try:
        with transaction.atomic():
            order = (
                NoticeIssue.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("actor")
                .filter(pk=order_id, issued_at__isnull=True)
                .first()
            )
            if order is None:
                return None
            summary = _carry_out(order)
    except Exception as exc:
        NoticeIssue.objects.filter(pk=order_id, issued_at__isnull=True).update(
            attempts=F("attempts") + 1, last_error=f"{exc.__class__.__name__}: {exc}"[:2000]
        )
        raise
    log.info("notices.issued", order_id=order_id, **summary)
    return summary


def notices_issue_pending():
    """Carry out every pending order, oldest first (after a broker outage or a crashed
    worker; run by `deliver_pending_alerts` before it sends). An order that fails is
    left pending for the next run, and the others go on."""
    issued = failed = 0
    pending = NoticeIssue.objects.filter(issued_at__isnull=True).order_by("id")
    for order_id in list(pending.values_list("id", flat=True)):
        try:
            issued += notice_issue_run(order_id=order_id) is not None
        except Exception as exc:
            failed += 1
            log.warning("notices.issue.failed", order_id=order_id, error=str(exc)[:300])
    return {"notice_orders_issued": issued, "notice_orders_failed": failed}


def notices_issue(
    *,
    source_kind,
    source_id,
    source_number,
    lots,
    measure,
    producer_id,
    urgent=False,
    actor=None,
):
    """Send a notice to every party the forward trace of `lots` reaches (the producer
    excepted), in the caller's transaction, in a handful of statements however many
    holders there are. A holder already noticed for the same lot (by an earlier
    disposition of it, or by this recall) is updated, never noticed twice; a stronger
    measure (recall after take_down) reissues its notice. Returns what was done.

    Requests do not call this: they order notices (`notices_order`), carried out here
    after they commit."""
    _check_source(source_kind, measure)
    lots = list(lots)
    holders = list(_holders(lots=lots, producer_id=producer_id))
    summary = {"created": 0, "updated": 0, "reissued": 0, "deliveries": 0}
    if not holders:
        return summary
    now = timezone.now()
    due_at = notice_due_at(measure=measure, urgent=urgent, sent_at=now)
    with transaction.atomic():
        # Two issuers of the same lots (orders carried out at once by two workers) take
        # turns, so the second updates what the first created instead of colliding with
        # it. NO KEY: recording events of the lot meanwhile is not held up.
        list(
            Lot.objects.select_for_update(no_key=True)
            .filter(pk__in=[lot.pk for lot in lots])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
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
            if notice is not None and notice.source_id > source_id:
                # A later disposition of the lot has updated it already (orders carried
                # out out of turn): its figures stand; only a stronger measure counts.
                fields = {name: getattr(notice, name) for name in fields}
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
