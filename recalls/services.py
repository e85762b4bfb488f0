"""Recall writes. `recall_open_draft` is the one way other apps open a draft recall; every
state change goes through `recall_transition` (the API and the admin alike)."""

import uuid
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.choices import AlertKind, AlertSeverity, Role
from core.dates import add_months
from core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from core.messages import render_stored
from core.models import Alert
from core.rules import rule
from core.services import alert_raise
from core.workdays import due_after
from notices.choices import NoticeMeasure, NoticeSource
from notices.services import notices_order
from traceability.models import Lot, Party

from .choices import ObjectionOutcome, RecallKind, RecallState
from .models import FIGURES, Recall, RecallObjection, RecallProgress
from .states import recall_machine

# The plan fields a draft may change (besides lots and units_affected).
PLAN_FIELDS = (
    "kind",
    "title",
    "category",
    "hazard",
    "defect",
    "remedy",
    "risk_level",
    "scope_description",
    "production_from",
    "production_to",
    "sale_regions",
    "remedy_details",
    "consumer_contact",
    "notice_text",
)
PROGRESS_STATES = (RecallState.ANNOUNCED, RecallState.IN_PROGRESS)


def _is_vehicle(recall):
    return recall.category in rule("recalls.vehicle_categories")


def _deadline(recall, name, start):
    """Deadline `name` of §8 counted from `start` (vehicles have their own rule)."""
    return due_after(start, rule(f"recalls.{name}{'_vehicle' if _is_vehicle(recall) else ''}"))


def _check_lots(producer, lots):
    foreign = [lot.lot_code for lot in lots if lot.product.producer_id != producer.pk]
    if foreign:
        raise ApplicationError(
            _("Lots %(lots)s are not lots of %(producer)s.")
            % {"lots": ", ".join(foreign), "producer": producer.name},
            attr="lots",
        )


def _check_period(production_from, production_to):
    if production_from and production_to and production_from > production_to:
        raise ApplicationError(
            _("The affected production period ends before it starts."), attr="production_to"
        )


def _default_category(recall, lots):
    if not recall.category and lots:
        recall.category = lots[0].product.category


def recall_insert(*, recall, actor, lots=(), source=None):
    """Save a new recall built by the caller (the services below, or the admin's form):
    gives it its number and deadline and records its creation."""
    lots = list(lots)
    _check_lots(recall.producer, lots)
    _check_period(recall.production_from, recall.production_to)
    _default_category(recall, lots)
    with transaction.atomic():
        recall.recall_no = f"pending-{uuid.uuid4().hex[:20]}"
        recall.state = RecallState.DRAFT
        recall.created_by = actor if getattr(actor, "pk", None) else None
        if source is not None:
            recall.source_type = source._meta.label_lower
            recall.source_id = str(source.pk)
        recall.save()
        # RC{year}{id:06d}: derived from the row id, so concurrent drafts never collide.
        recall.recall_no = f"RC{timezone.localdate().year}{recall.pk:06d}"
        recall.plan_due_at = _deadline(recall, "plan_due", recall.created_at)
        recall.save(update_fields=["recall_no", "plan_due_at"])
        recall.lots.set(lots)
        recall_machine.record_creation(
            recall,
            actor=actor,
            payload={
                "source": f"{recall.source_type}:{recall.source_id}" if source else None,
                "kind": recall.kind,
            },
        )
    return recall


def recall_open_draft(
    *,
    producer,
    lots=(),
    hazard="",
    defect="",
    kind=RecallKind.ORDERED,
    risk_level="",
    source=None,
    actor=None,
):
    """Open a draft recall for `lots` of `producer`, linked back to `source` (the model
    instance that opened it, e.g. a sample's disposition or a risk assessment)."""
    recall = Recall(
        kind=kind, producer=producer, hazard=hazard, defect=defect, risk_level=risk_level or ""
    )
    return recall_insert(recall=recall, actor=actor, lots=lots, source=source)


def _check_visible_lots(actor, lots):
    """Lots outside the actor's scope are refused by id, never named by their code."""
    if actor is None or actor.is_levee_admin or not lots:
        return
    ids = [lot.pk for lot in lots]
    visible = set(Lot.objects.restrict(actor).filter(pk__in=ids).values_list("pk", flat=True))
    unseen = [str(pk) for pk in ids if pk not in visible]
    if unseen:
        raise ApplicationError(
            _("No such lots: %(items)s.") % {"items": ", ".join(unseen)}, attr="lots"
        )


def _check_enterprise_kind(actor, kind):
    """An enterprise opens and edits voluntary recalls of its own products only (DESIGN.md
    §7); an ordered recall's plan is the regulator's."""
    if getattr(actor, "role", None) == Role.ENTERPRISE and kind != RecallKind.VOLUNTARY:
        raise PermissionDenied(_("An enterprise opens and edits voluntary recalls only."))


def recall_create(*, actor, producer, lots=(), units_affected=None, **fields):
    """A recall opened through the API: regulators for producers of their region, an
    enterprise (a voluntary recall, 主动召回) for its own products."""
    if getattr(actor, "role", None) == Role.ENTERPRISE:
        fields.setdefault("kind", RecallKind.VOLUNTARY)
        _check_enterprise_kind(actor, fields["kind"])
    if (
        actor is not None
        and not actor.is_levee_admin
        and not Party.objects.restrict(actor).filter(pk=producer.pk).exists()
    ):
        raise ApplicationError(_("No such party in your scope."), attr="producer")
    _check_visible_lots(actor, list(lots))
    recall = Recall(producer=producer, units_affected_override=units_affected, **fields)
    return recall_insert(recall=recall, actor=actor, lots=lots)


def _not_draft(recall, what):
    return Conflict(
        _("Recall %(number)s is in state “%(state)s”: %(what)s only while it is a draft.")
        % {"number": recall.recall_no, "state": recall.get_state_display(), "what": what},
        code="not_draft",
        extra={"state": recall.state, "allowed_actions": recall_machine.allowed_actions(recall)},
    )


def recall_update(*, recall, actor, lots=None, **fields):
    """Edit the plan of a draft. `units_affected` (None: back to the lots' total)."""
    with transaction.atomic():
        recall = Recall.objects.select_for_update().get(pk=recall.pk)
        if recall.state != RecallState.DRAFT:
            raise _not_draft(recall, _("the plan can be edited"))
        _check_enterprise_kind(actor, recall.kind)
        _check_enterprise_kind(actor, fields.get("kind", recall.kind))
        if "units_affected" in fields:
            recall.units_affected_override = fields.pop("units_affected")
        for name, value in fields.items():
            if name not in PLAN_FIELDS:
                raise ApplicationError(
                    _("“%(field)s” is not a plan field.") % {"field": name}, attr=name
                )
            setattr(recall, name, value)
        _check_period(recall.production_from, recall.production_to)
        if lots is not None:
            lots = list(lots)
            _check_visible_lots(actor, lots)
            _check_lots(recall.producer, lots)
            _default_category(recall, lots)
            recall.lots.set(lots)
        recall.save()
    return recall


def recall_transition(*, recall, action, actor, payload=None):
    """Run one of the recall's actions by name (demo data, scripts)."""
    return recall_machine.perform(recall, action, actor=actor, payload=payload)


def _reason(reason):
    reason = str(reason or "").strip()
    if not reason:
        raise ApplicationError("Give a reason.", code="required", attr="reason")
    return reason


def recall_submit_plan(*, recall, actor):
    def effect(locked):
        locked.plan_submitted_at = timezone.now()
        # The figures of the recall count against the units affected as submitted.
        locked.units_affected_fixed = locked.units_affected

    return recall_machine.run(recall, "submit_plan", actor=actor, effect=effect)


def recall_return_plan(*, recall, actor, reason):
    reason = _reason(reason)

    def effect(locked):
        locked.units_affected_fixed = None

    payload = {"reason": reason}
    return recall_machine.run(recall, "return_plan", actor=actor, payload=payload, effect=effect)


def recall_approve(*, recall, actor):
    def effect(locked):
        locked.approved_at = timezone.now()
        locked.announce_due_at = _deadline(locked, "announce_due", locked.approved_at)

    return recall_machine.run(recall, "approve", actor=actor, effect=effect)


def recall_announce(*, recall, actor):
    def effect(locked):
        locked.announced_at = timezone.now()
        notices_order(
            source_kind=NoticeSource.RECALL,
            source_id=locked.pk,
            source_number=locked.recall_no,
            lot_ids=locked.lots.values_list("pk", flat=True),
            measure=NoticeMeasure.RECALL,
            producer_id=locked.producer_id,
            actor=actor,
        )

    return recall_machine.run(recall, "announce", actor=actor, effect=effect)


def recall_complete(*, recall, actor, summary=""):
    def effect(locked):
        locked.completed_at = timezone.now()
        locked.summary_due_at = due_after(locked.completed_at, rule("recalls.summary_due"))
        locked.summary = summary or locked.summary

    payload = {"summary": summary} if summary else {}
    return recall_machine.run(recall, "complete", actor=actor, payload=payload, effect=effect)


def recall_close(*, recall, actor, summary=""):
    def effect(locked):
        locked.closed_at = timezone.now()
        locked.summary = summary or locked.summary

    payload = {"summary": summary} if summary else {}
    return recall_machine.run(recall, "close", actor=actor, payload=payload, effect=effect)


def recall_terminate(*, recall, actor, reason, objection=False):
    reason = _reason(reason)

    def effect(locked):
        locked.terminated_at = timezone.now()
        locked.termination_reason = reason

    payload = {"reason": reason, **({"objection": True} if objection else {})}
    return recall_machine.run(recall, "terminate", actor=actor, payload=payload, effect=effect)


def recall_check_plan(*, producer, lots=None, production_from=None, production_to=None):
    """The plan's own consistency, for the API and the admin's form alike."""
    if lots is not None:
        _check_lots(producer, list(lots))
    _check_period(production_from, production_to)


def progress_report_check(*, recall, period_end, figures):
    """The rules of a progress report (the API's and the admin's): the recall takes
    reports, the period ends after the announcement, after the last report and not in the
    future, no figure is negative and no running total exceeds the units affected.
    Returns the running totals with `figures` added."""
    for name, value in figures.items():
        if value < 0:
            raise ApplicationError(_("Must not be negative."), code="min_value", attr=name)
    if period_end > timezone.localdate():
        raise ApplicationError(_("The period cannot end in the future."), attr="period_end")
    if recall.state not in PROGRESS_STATES:
        raise Conflict(
            _(
                "Recall %(recall_no)s is in state “%(state)s”: progress is reported once it "
                "is announced and until it is completed."
            )
            % {"recall_no": recall.recall_no, "state": recall.get_state_display()},
            code="not_in_progress",
            extra={"state": recall.state, "allowed_actions": []},
        )
    if period_end < timezone.localtime(recall.announced_at).date():
        raise ApplicationError(
            _("The period cannot end before the recall was announced."), attr="period_end"
        )
    last = recall.progress_reports.order_by("-period_end").first()
    if last and period_end < last.period_end:
        raise ApplicationError(
            _("The period cannot end before the last report's (%(period_end)s).")
            % {"period_end": last.period_end},
            attr="period_end",
        )
    units = recall.units_affected
    totals = {}
    for name, value in figures.items():
        totals[name] = getattr(recall, name) + value
        if totals[name] > units:
            raise ApplicationError(
                _(
                    "Cumulative %(figure)s would be %(total)s, more than the %(units)s "
                    "units affected."
                )
                % {
                    "figure": Recall._meta.get_field(name).verbose_name,
                    "total": f"{totals[name].normalize():f}",
                    "units": f"{units.normalize():f}",
                },
                code="exceeds_units_affected",
                attr=name,
            )
    return totals


def recall_report_progress(
    *,
    recall,
    actor,
    period_end,
    recovered=0,
    repaired=0,
    replaced=0,
    refunded=0,
    note="",
):
    """File a progress report. The figures are the period's; the recall's running totals
    may not exceed the units affected. The first report moves an announced recall to
    in_progress."""
    figures = {
        "recovered": Decimal(recovered),
        "repaired": Decimal(repaired),
        "replaced": Decimal(replaced),
        "refunded": Decimal(refunded),
    }
    with transaction.atomic():
        recall = Recall.objects.select_for_update().get(pk=recall.pk)
        if (
            actor is not None
            and actor.role == Role.ENTERPRISE
            and actor.party_uscc != recall.producer.uscc
        ):
            raise NotFound(_("No such recall."))
        totals = progress_report_check(recall=recall, period_end=period_end, figures=figures)
        for name, total in totals.items():
            setattr(recall, name, total)
        report = RecallProgress.objects.create(
            recall=recall,
            period_end=period_end,
            note=note,
            reported_by=actor if getattr(actor, "pk", None) else None,
            **figures,
        )
        recall.last_progress_at = report.created_at
        recall.save(update_fields=[*FIGURES, "last_progress_at", "updated_at"])
        if recall.state == RecallState.ANNOUNCED:
            recall_machine.run(
                recall,
                "report_progress",
                actor=actor,
                payload={"progress_report": report.pk, "period_end": period_end.isoformat()},
            )
    return report


def recall_object(*, recall, actor, reason):
    """The producer objects to an ordered recall within the window of §8."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give the grounds of the objection."), attr="reason")
    with transaction.atomic():
        recall = Recall.objects.select_for_update().get(pk=recall.pk)
        if recall.kind != RecallKind.ORDERED:
            raise ApplicationError(
                _("Only an ordered recall can be objected to."), code="not_ordered", attr="kind"
            )
        if RecallObjection.objects.filter(recall=recall).exists():
            raise Conflict(
                _("Recall %(number)s already has an objection.") % {"number": recall.recall_no},
                code="already_objected",
            )
        if recall.state in (RecallState.CLOSED, RecallState.TERMINATED):
            raise Conflict(
                _("Recall %(number)s is %(state)s.")
                % {"number": recall.recall_no, "state": recall.get_state_display()},
                code="recall_finished",
                extra={"state": recall.state, "allowed_actions": []},
            )
        window_ends_at = due_after(recall.created_at, rule("recalls.objection_window"))
        if timezone.now() > window_ends_at:
            raise ApplicationError(
                _("The objection window closed on %(date)s.")
                % {"date": f"{timezone.localtime(window_ends_at):%Y-%m-%d}"},
                code="objection_window_closed",
            )
        return RecallObjection.objects.create(
            recall=recall,
            reason=reason,
            filed_by=actor if getattr(actor, "pk", None) else None,
            window_ends_at=window_ends_at,
        )


def recall_review_objection(*, recall, actor, outcome, notes=""):
    """Record the review of an objection. Upheld, the order is withdrawn: the recall is
    terminated (when it still can be)."""
    if outcome not in (ObjectionOutcome.UPHELD, ObjectionOutcome.REJECTED):
        raise ApplicationError(_("Outcome is “upheld” or “rejected”."), attr="outcome")
    with transaction.atomic():
        objection = RecallObjection.objects.select_for_update().filter(recall=recall).first()
        if objection is None:
            raise NotFound(_("Recall %(number)s has no objection.") % {"number": recall.recall_no})
        if objection.outcome != ObjectionOutcome.PENDING:
            raise Conflict(
                _("The objection was already reviewed (%(outcome)s).")
                % {"outcome": objection.get_outcome_display()},
                code="already_reviewed",
            )
        objection.outcome = outcome
        objection.review_notes = notes
        objection.reviewed_by = actor if getattr(actor, "pk", None) else None
        objection.reviewed_at = timezone.now()
        objection.save()
        recall = Recall.objects.get(pk=recall.pk)
        if outcome == ObjectionOutcome.UPHELD and "terminate" in recall_machine.allowed_actions(
            recall
        ):
            recall_terminate(
                recall=recall,
                actor=actor,
                reason=render_stored(
                    gettext_noop("Objection upheld. %(notes)s"), {"notes": notes}
                ).strip(),
                objection=True,
            )
    return objection


def _raise_once(*, kind, dedup_key, recall, message, message_args, severity, payload):
    """Raise an alert unless this condition ever raised one (even since resolved)."""
    if Alert.objects.filter(dedup_key=dedup_key).exists():
        return False
    return (
        alert_raise(
            kind=kind,
            dedup_key=dedup_key,
            message=message,
            message_args=message_args,
            region=recall.producer.region,
            severity=severity,
            subject=recall,
            payload=payload,
        )
        is not None
    )


# Stages with a deadline: (stage, state waited in, deadline field, what is awaited).
DEADLINE_STAGES = (
    ("plan_submission", RecallState.DRAFT, "plan_due_at", gettext_noop("recall plan submission")),
    ("announcement", RecallState.APPROVED, "announce_due_at", gettext_noop("public announcement")),
    ("summary", RecallState.COMPLETED, "summary_due_at", gettext_noop("summary report")),
)


def recall_due(recall):
    """The deadline of the stage the recall waits in (None when it waits on none)."""
    for stage, state, field, _label in DEADLINE_STAGES:
        if recall.state == state and not (stage == "summary" and recall.summary):
            return getattr(recall, field)
    return None


def recall_overdue_q(now):
    """The recalls past the deadline of the stage they wait in."""
    q = Q(pk__in=[])
    for stage, state, field, _label in DEADLINE_STAGES:
        stage_q = Q(state=state, **{f"{field}__lt": now})
        q |= stage_q & Q(summary="") if stage == "summary" else stage_q
    return q


def recall_sweep_deadlines(*, now=None):
    """deadline_overdue alerts for recalls past a §8 deadline, once per recall and stage."""
    now = now or timezone.now()
    raised = 0
    for stage, state, field, what in DEADLINE_STAGES:
        overdue = Recall.objects.filter(state=state, **{f"{field}__lt": now}).select_related(
            "producer"
        )
        if stage == "summary":
            overdue = overdue.filter(summary="")
        for recall in overdue:
            due = getattr(recall, field)
            with transaction.atomic():
                raised += _raise_once(
                    kind=AlertKind.DEADLINE_OVERDUE,
                    dedup_key=f"deadline_overdue:recall:{recall.pk}:{stage}",
                    recall=recall,
                    message=gettext_noop("Recall %(recall_no)s: the %(what)s was due %(due)s."),
                    message_args={
                        "recall_no": recall.recall_no,
                        "what": what,
                        "due": f"{timezone.localtime(due):%Y-%m-%d %H:%M}",
                    },
                    severity=AlertSeverity.HIGH,
                    payload={"stage": stage, "due": timezone.localtime(due).isoformat()},
                )
    return {"recall_deadlines_overdue": raised}


def progress_periods(recall, now):
    """The ended reporting periods of an announced recall: (number, start, due)."""
    every = rule("recalls.progress_every_months")
    announced = timezone.localtime(recall.announced_at)
    periods, number = [], 1
    while True:
        start = add_months(announced, every * (number - 1))
        due = add_months(announced, every * number)
        if due > now:
            return periods
        periods.append((number, start, due))
        number += 1


def recall_missed_periods(recall, *, now):
    """The ended reporting periods (number, due) that no report filed by their end
    covers: period N (every 3 months from the announcement) is covered by a report whose
    period ends after N starts."""
    reports = list(recall.progress_reports.values_list("period_end", "created_at"))
    missed = []
    for number, start, due in progress_periods(recall, now):
        start_day = timezone.localtime(start).date()
        if not any(end > start_day and filed <= due for end, filed in reports):
            missed.append((number, due))
    return missed


def recall_next_progress_due(recall, *, now):
    """When the next progress report of an announced recall falls due."""
    every = rule("recalls.progress_every_months")
    ended = len(progress_periods(recall, now))
    return add_months(timezone.localtime(recall.announced_at), every * (ended + 1))


def recall_check_progress(*, now=None):
    """recall_progress_overdue, once per missed period: period N (every 3 months from the
    announcement) is missed when no report filed by its end covers a day of it."""
    now = now or timezone.now()
    raised = 0
    recalls = Recall.objects.filter(
        state__in=PROGRESS_STATES,
        announced_at__lte=add_months(now, -rule("recalls.progress_every_months")),
    ).select_related("producer")
    for recall in recalls:
        for number, due in recall_missed_periods(recall, now=now):
            with transaction.atomic():
                raised += _raise_once(
                    kind=AlertKind.RECALL_PROGRESS_OVERDUE,
                    dedup_key=f"recall_progress_overdue:recall:{recall.pk}:period:{number}",
                    recall=recall,
                    message=gettext_noop(
                        "Recall %(recall_no)s: no progress report for period %(period)s "
                        "(due %(due)s)."
                    ),
                    message_args={
                        "recall_no": recall.recall_no,
                        "period": number,
                        "due": f"{timezone.localtime(due):%Y-%m-%d}",
                    },
                    severity=AlertSeverity.MEDIUM,
                    payload={"period": number, "due": timezone.localtime(due).isoformat()},
                )
    return {"recall_progress_overdue": raised}
