"""Risk writes: assessments, created (the matrix evaluates the scenario) and decided (the
regulator's measure, which opens a draft recall, raises an alert or sets a review date),
and consumer complaints, filed by anyone or by a regulator."""

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import uuid

import structlog
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.choices import AlertKind, AlertSeverity
from core.exceptions import ApplicationError, Conflict, Unprocessable
from core.messages import choice
from core.regions import covers, validate_region_code
from core.rules import rule
from core.services import alert_raise
from recalls.choices import RiskLevel
from recalls.services import recall_open_draft
from traceability.models import Lot, Product, normalize_gtin

from . import matrix
from .choices import ComplaintProblem, Measure, SubjectKind
from .models import Complaint, RiskAssessment
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
                message=gettext_noop(
                    "%(measure)s decided for %(subject)s: %(hazard)s (%(level)s risk, %(number)s)."
                ),
                message_args={
                    "measure": choice(Measure, measure),
                    "subject": locked.subject_label,
                    "hazard": locked.hazard,
                    "level": choice(RiskLevel, locked.risk_level),
                    "number": locked.number,
                },
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
            review = review_on or today + dt.timedelta(days=rule("risk.monitor_review_days"))
            if review <= today:
                raise ApplicationError(_("The review date lies in the future."), attr="review_on")
            locked.review_on = review
            payload["review_on"] = review.isoformat()
        return payload  # with what the effect decided, for the history entry

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


# --- Complaints (DESIGN.md §7)

# Patterns of personal data a consumer may type into a narrative: mainland mobile and
# landline numbers, resident ID numbers, e-mail addresses. They are masked before storing.
_PERSONAL_DATA = re.compile(
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"  # e-mail
    r"|(?<!\d)\d{17}[\dXx](?![\dXx])"  # resident ID number (GB 11643)
    r"|(?<!\d)(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)"  # mobile
    r"|(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)"  # landline with area code
)
MASK = "[已隐去 removed]"


def mask_personal_data(text):
    return _PERSONAL_DATA.sub(MASK, text or "")


def contact_hash(contact):
    """Keyed hash of a contact (phone or e-mail), normalised so that one person's
    spellings meet. Keyed (HMAC with a server secret) because a phone number has too few
    digits for a plain hash to hide it."""
    normalised = re.sub(r"[\s()+-]", "", str(contact or "")).lower()
    if normalised.startswith("86") and len(normalised) == 13:
        normalised = normalised[2:]
    if not normalised:
        return ""
    return hmac.new(
        settings.LEVEE_CONTACT_HASH_KEY.encode(), normalised.encode(), hashlib.sha256
    ).hexdigest()


def complaint_match(*, gtin="", lot_code="", brand="", model=""):
    """The stored product (by GTIN, else by brand and model when they name exactly one
    product) and its lot (by lot code) that a complaint's printed details name."""
    product = None
    if gtin:
        product = Product.objects.filter(gtin=gtin).select_related("producer").first()
    elif brand and model:
        candidates = list(
            Product.objects.filter(brand__iexact=brand.strip(), model__iexact=model.strip())
            .select_related("producer")
            .order_by("id")[:2]
        )
        product = candidates[0] if len(candidates) == 1 else None
    lot = None
    if product is not None and lot_code:
        lot = Lot.objects.filter(product=product, lot_code=lot_code.strip()).first()
    return product, lot


def _validated_complaint(*, region, category, problem, product):
    try:
        validate_region_code(region)
    except DjangoValidationError as exc:
        raise ApplicationError(exc.messages[0], attr="region") from exc
    problem = list(dict.fromkeys(problem or ()))
    unknown = [p for p in problem if p not in ComplaintProblem.values]
    if unknown or not problem:
        raise ApplicationError(
            _("Problem is a list of: %(items)s.") % {"items": ", ".join(ComplaintProblem.values)},
            attr="problem",
        )
    category = category or (product.category if product else "")
    if not category:
        raise ApplicationError(
            _("Name the product category (or a GTIN of a known product)."), attr="category"
        )
    return category, problem


def _duplicate_of(*, digest, product, gtin, brand, model, received_at):
    """The first complaint by the same contact about the same product within the window."""
    if not digest:
        return None
    window = dt.timedelta(days=rule("risk.complaints.duplicate_days"))
    same = Complaint.objects.filter(
        contact_hash=digest,
        duplicate_of__isnull=True,
        received_at__range=(received_at - window, received_at + window),
    )
    if product is not None:
        same = same.filter(product=product)
    elif gtin:
        same = same.filter(gtin=gtin)
    elif brand or model:
        same = same.filter(brand__iexact=brand, model__iexact=model, product__isnull=True)
    else:
        return None
    return same.order_by("received_at", "id").first()


def _receipt_no():
    return f"TS{timezone.localdate():%Y%m%d}{secrets.token_hex(4).upper()}"


def _body_hash(fields):
    canonical = json.dumps(fields, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def complaint_file(
    *,
    actor,
    channel,
    region,
    problem,
    category="",
    received_at=None,
    product_name="",
    brand="",
    model="",
    gtin="",
    lot_code="",
    narrative="",
    contact="",
    idempotency_key=None,
):
    """File a complaint: by anyone through the public endpoint (`actor` None, channel
    `web`) or by a regulator for their region. Returns (complaint, replayed): a public
    filing repeated with the same Idempotency-Key and body returns the first complaint."""
    fields = {
        "channel": channel,
        "region": region,
        "problem": problem,
        "category": category,
        "received_at": received_at,
        "product_name": product_name,
        "brand": brand,
        "model": model,
        "gtin": gtin,
        "lot_code": lot_code,
        "narrative": narrative,
        "contact": contact_hash(contact),
    }
    request_key = request_hash = None
    if idempotency_key:
        request_key = hashlib.sha256(f"complaint:{idempotency_key}".encode()).hexdigest()
        request_hash = _body_hash(fields)
        replay = _replayed(request_key, request_hash)
        if replay is not None:
            return replay, True
    if actor is not None and not actor.is_levee_admin and not covers(actor.region, region):
        raise ApplicationError(_("The region lies outside your jurisdiction."), attr="region")
    gtin = normalize_gtin(gtin) if gtin else ""
    product, lot = complaint_match(gtin=gtin, lot_code=lot_code, brand=brand, model=model)
    category, problem = _validated_complaint(
        region=region, category=category, problem=problem, product=product
    )
    received_at = received_at or timezone.now()
    if received_at > timezone.now() + dt.timedelta(minutes=5):
        raise ApplicationError(_("A complaint is not received in the future."), attr="received_at")
    digest = fields["contact"]
    complaint = Complaint(
        channel=channel,
        received_at=received_at,
        region=region,
        category=category,
        product_name=product_name.strip(),
        brand=brand.strip(),
        model=model.strip(),
        gtin=gtin,
        lot_code=lot_code.strip(),
        product=product,
        lot=lot,
        problem=problem,
        narrative=mask_personal_data(narrative).strip(),
        contact_hash=digest,
        duplicate_of=_duplicate_of(
            digest=digest,
            product=product,
            gtin=gtin,
            brand=brand.strip(),
            model=model.strip(),
            received_at=received_at,
        ),
        filed_by=actor if getattr(actor, "pk", None) else None,
        request_key=request_key,
        request_hash=request_hash or "",
    )
    for _attempt in range(3):
        complaint.receipt_no = _receipt_no()
        try:
            with transaction.atomic():
                complaint.save()
            break
        except IntegrityError:
            if request_key:
                replay = _replayed(request_key, request_hash)
                if replay is not None:  # the same filing, sent twice at once
                    return replay, True
            complaint.pk = None
    else:
        raise Conflict(_("Could not give the complaint a receipt number; retry."))
    log.info("risk.complaint_filed", complaint_id=complaint.pk, channel=channel)
    return complaint, False


def _replayed(request_key, request_hash):
    first = Complaint.objects.filter(request_key=request_key).first()
    if first is None:
        return None
    if first.request_hash != request_hash:
        raise Unprocessable(
            _("This Idempotency-Key was used for a different complaint; use a new key."),
            code="idempotency_key_reused",
        )
    return first
