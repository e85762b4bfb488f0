"""Risk assessment writes: create (the matrix evaluates the scenario) and decide (the
regulator's measure, which opens a draft recall, raises an alert or sets a review date)."""

import datetime as dt
import uuid

import structlog
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import AlertKind, AlertSeverity
from core.exceptions import ApplicationError
from core.regions import covers, validate_region_code
from core.rules import rule
from core.services import alert_raise
from recalls.services import recall_open_draft

from . import matrix
from .choices import Measure, SubjectKind
from .models import RiskAssessment
from .states import assessment_machine

log = structlog.get_logger(__name__)

MEASURE_ALERT_SEVERITY = {
    Measure.TAKE_DOWN: AlertSeverity.HIGH,
    Measure.WARNING: AlertSeverity.MEDIUM,
}


def _validated_steps(steps):
    if not steps:
        raise ApplicationError(_("An injury scenario needs at least one step."), attr="steps")
    cleaned = []
    for index, step in enumerate(steps):
        try:
            probability = matrix.exact(step["probability"])
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            raise ApplicationError(
                _("Step %(index)s: the probability must be a number.") % {"index": index},
                attr="steps",
            ) from exc
        if not 0 < probability <= 1:
            raise ApplicationError(
                _("Step %(index)s: a probability lies in (0, 1].") % {"index": index},
                attr="steps",
                code="out_of_range",
            )
        cleaned.append((str(step.get("description", "")).strip(), probability))
    return cleaned


def _subject(*, actor, subject_kind, product, lot, category, region):
    """The subject's product, lot, category and the assessment's region."""
    if subject_kind == SubjectKind.PRODUCT:
        if product is None or lot is not None:
            raise ApplicationError(
                _("A product assessment names a product (and no lot)."), attr="product"
            )
        category = product.category
    elif subject_kind == SubjectKind.LOT:
        if lot is None:
            raise ApplicationError(_("A lot assessment names a lot."), attr="lot")
        product = lot.product
        category = product.category
    elif subject_kind == SubjectKind.CATEGORY:
        if product is not None or lot is not None or not category:
            raise ApplicationError(
                _("A category assessment names a category (and no product or lot)."),
                attr="category",
            )
    else:
        raise ApplicationError(
            _("Unknown subject kind “%(kind)s”.") % {"kind": subject_kind}, attr="subject_kind"
        )

    if region:
        try:
            validate_region_code(region)
        except DjangoValidationError as exc:
            raise ApplicationError(exc.messages[0], attr="region") from exc
    if actor is not None and not actor.is_levee_admin:
        # A regulator assesses for their own region (or a region inside it).
        if region and not covers(actor.region, region):
            raise ApplicationError(_("The region lies outside your jurisdiction."), attr="region")
        region = region or actor.region
    elif not region:
        if product is None:
            raise ApplicationError(_("A category assessment needs a region."), attr="region")
        region = product.producer.region
    return product, lot, category, region


def assessment_create(
    *,
    actor,
    subject_kind,
    hazard,
    steps,
    severity,
    product=None,
    lot=None,
    category="",
    region="",
    notes="",
    samples=(),
    injury_reports=(),
    accidents=(),
):
    if not isinstance(severity, int) or isinstance(severity, bool) or not 1 <= severity <= 4:
        raise ApplicationError(_("Severity is 1, 2, 3 or 4."), attr="severity")
    if not hazard or not hazard.strip():
        raise ApplicationError(_("Name the hazard."), attr="hazard")
    cleaned = _validated_steps(steps)
    product, lot, category, region = _subject(
        actor=actor,
        subject_kind=subject_kind,
        product=product,
        lot=lot,
        category=category,
        region=region,
    )
    evaluation = matrix.evaluate([p for _, p in cleaned], severity)
    with transaction.atomic():
        assessment = RiskAssessment.objects.create(
            number=f"pending-{uuid.uuid4().hex[:20]}",
            subject_kind=subject_kind,
            product=product,
            lot=lot,
            category=category,
            region=region,
            hazard=hazard.strip(),
            steps=[{"description": d, "probability": float(p)} for d, p in cleaned],
            severity=severity,
            probability=float(evaluation.probability),
            probability_band=evaluation.band,
            risk_level=evaluation.risk_level,
            matrix_version=evaluation.matrix_version,
            sensitivity=evaluation.sensitivity,
            recommended_measure=evaluation.measure,
            assessed_by=actor if getattr(actor, "pk", None) else None,
            notes=notes,
        )
        # RA{year}{id}: derived from the row id, so concurrent creations never collide.
        assessment.number = f"RA{timezone.localdate().year}{assessment.pk:06d}"
        assessment.save(update_fields=["number"])
        assessment.samples.set(samples)
        assessment.injury_reports.set(injury_reports)
        assessment.accidents.set(accidents)
        assessment_machine.record_creation(
            assessment,
            actor=actor,
            payload={
                "risk_level": assessment.risk_level,
                "probability": assessment.probability,
                "matrix_version": assessment.matrix_version,
            },
        )
    log.info("risk.assessed", assessment_id=assessment.pk, risk_level=assessment.risk_level)
    return assessment


def assessment_decide(*, assessment, actor, measure, note="", review_on=None, lots=None):
    """The regulator's measure. `recall` opens a draft recall of the subject's producer
    (for a lot: that lot; for a product: `lots`, which must be its own); `take_down` and
    `warning` raise a risk_measure alert to the assessment's region; `monitor` sets the
    review date (default: in LEVEE_RULES risk.monitor_review_days days)."""
    if measure not in Measure.values:
        raise ApplicationError(
            _("Measure is one of %(measures)s.") % {"measures": ", ".join(Measure.values)},
            attr="measure",
        )
    payload = {"measure": measure, "note": note}

    def effect(locked):
        locked.measure = measure
        locked.decision_note = note
        locked.decided_by = actor if getattr(actor, "pk", None) else None
        locked.decided_at = timezone.now()
        if measure == Measure.RECALL:
            locked.recall = _open_recall(locked, actor, lots)
            payload["recall"] = locked.recall.pk
        elif measure in MEASURE_ALERT_SEVERITY:
            alert = alert_raise(
                kind=AlertKind.RISK_MEASURE,
                dedup_key=f"risk_measure:{locked.pk}",
                message=(
                    f"{measure.replace('_', ' ').capitalize()} decided for {locked.subject_label}: "
                    f"{locked.hazard} ({locked.risk_level} risk, {locked.number})"
                ),
                region=locked.region,
                severity=MEASURE_ALERT_SEVERITY[measure],
                subject=locked,
                subject_label=f"{locked.number} {locked.subject_label}",
                payload={
                    "assessment": locked.pk,
                    "measure": measure,
                    "risk_level": locked.risk_level,
                    "category": locked.category,
                    "product": locked.product_id,
                    "lot": locked.lot_id,
                },
            )
            locked.measure_alert = alert
            payload["alert"] = alert.pk if alert else None
        else:
            today = timezone.localdate()
            review = review_on or today + dt.timedelta(days=rule("risk.monitor_review_days", 90))
            if review <= today:
                raise ApplicationError(_("The review date lies in the future."), attr="review_on")
            locked.review_on = review
            payload["review_on"] = review.isoformat()

    return assessment_machine.run(assessment, "decide", actor=actor, payload=payload, effect=effect)


def _open_recall(assessment, actor, lots):
    if assessment.product_id is None:
        raise ApplicationError(
            _("A recall needs a product or lot subject; this assessment is of a category."),
            attr="measure",
        )
    if assessment.lot_id is not None:
        chosen = [assessment.lot]
    else:
        chosen = list(lots or ())
        if any(lot.product_id != assessment.product_id for lot in chosen):
            raise ApplicationError(_("The lots must be of the assessed product."), attr="lots")
    return recall_open_draft(
        producer=assessment.product.producer,
        lots=chosen,
        hazard=assessment.hazard,
        kind="ordered",
        risk_level=assessment.risk_level,
        source=assessment,
        actor=actor,
    )
