from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import RegionField
from core.scoping import RestrictedQuerySet, Scope
from core.validators import validate_category

from .choices import (
    AssessmentState,
    ComplaintChannel,
    Measure,
    RiskLevel,
    SubjectKind,
)


class RiskAssessment(models.Model):
    """A risk assessment after the EU Safety Gate method (DESIGN.md §7, §8): a hazard, an
    injury scenario of steps with probabilities, a severity, and the level the matrix
    gives, with its sensitivity and the measure it recommends."""

    number = models.CharField(verbose_name=_("number"), max_length=32, unique=True)
    subject_kind = models.CharField(
        verbose_name=_("subject kind"), max_length=16, choices=SubjectKind.choices
    )
    product = models.ForeignKey(
        "traceability.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risk_assessments",
    )
    lot = models.ForeignKey(
        "traceability.Lot",
        verbose_name=_("lot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risk_assessments",
    )
    # Always set: given for a category subject, the product's category otherwise.
    category = models.CharField(
        verbose_name=_("category"), max_length=64, validators=[validate_category], db_index=True
    )
    region = RegionField(verbose_name=_("region"))
    hazard = models.CharField(verbose_name=_("hazard"), max_length=500)
    steps = models.JSONField(
        verbose_name=_("steps"), help_text='[{"description": ..., "probability": 0 < p <= 1}]'
    )
    severity = models.PositiveSmallIntegerField(verbose_name=_("severity"))
    probability = models.FloatField(
        verbose_name=_("probability"), help_text=_("Product of the steps' probabilities")
    )
    probability_band = models.CharField(verbose_name=_("probability band"), max_length=32)
    risk_level = models.CharField(
        verbose_name=_("risk level"), max_length=16, choices=RiskLevel.choices, db_index=True
    )
    matrix_version = models.CharField(verbose_name=_("matrix version"), max_length=32)
    sensitivity = models.JSONField(verbose_name=_("sensitivity"), default=dict)
    recommended_measure = models.CharField(
        verbose_name=_("recommended measure"), max_length=16, choices=Measure.choices
    )
    state = models.CharField(
        verbose_name=_("state"),
        max_length=16,
        choices=AssessmentState.choices,
        default=AssessmentState.ASSESSED,
        db_index=True,
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assessed_at = models.DateTimeField(
        verbose_name=_("assessed at"), auto_now_add=True, db_index=True
    )
    notes = models.TextField(verbose_name=_("notes"), blank=True)
    # The decision.
    measure = models.CharField(
        verbose_name=_("measure"), max_length=16, choices=Measure.choices, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(verbose_name=_("decided at"), null=True, blank=True)
    decision_note = models.TextField(verbose_name=_("decision note"), blank=True)
    review_on = models.DateField(verbose_name=_("review on"), null=True, blank=True)
    recall = models.ForeignKey(
        "recalls.Recall",
        verbose_name=_("recall"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="risk_assessments",
    )
    measure_alert = models.ForeignKey(
        "core.Alert",
        verbose_name=_("measure alert"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The evidence it draws on.
    samples = models.ManyToManyField(
        "sampling.Sample", verbose_name=_("samples"), blank=True, related_name="risk_assessments"
    )
    injury_reports = models.ManyToManyField(
        "injury.InjuryReport",
        verbose_name=_("injury reports"),
        blank=True,
        related_name="risk_assessments",
    )
    accidents = models.ManyToManyField(
        "injury.Accident", verbose_name=_("accidents"), blank=True, related_name="risk_assessments"
    )
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    scope = Scope(region=("region",), roles=frozenset({"regulator"}))

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["-assessed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__gte=1, severity__lte=4), name="risk_severity_1_to_4"
            ),
            models.CheckConstraint(
                condition=Q(probability__gte=0, probability__lte=1),
                name="risk_probability_0_to_1",
            ),
            models.CheckConstraint(
                condition=(
                    Q(subject_kind="product", product__isnull=False, lot__isnull=True)
                    | Q(subject_kind="lot", lot__isnull=False)
                    | Q(subject_kind="category", product__isnull=True, lot__isnull=True)
                ),
                name="risk_subject_matches_kind",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.hazard[:60]}"

    @property
    def subject_label(self):
        if self.lot_id:
            return str(self.lot)
        if self.product_id:
            return str(self.product)
        return self.category


class Complaint(models.Model):
    """A consumer complaint about a product (DESIGN.md §7, 消费投诉). The product is recorded
    as printed on it and matched to a stored product and lot where they exist. No name,
    phone or ID of the consumer is stored: a contact, when given, is kept only as a keyed
    hash (HMAC-SHA256) so that repeated complaints by one person can be told apart."""

    receipt_no = models.CharField(verbose_name=_("receipt number"), max_length=32, unique=True)
    channel = models.CharField(
        verbose_name=_("channel"), max_length=16, choices=ComplaintChannel.choices
    )
    received_at = models.DateTimeField(verbose_name=_("received at"), db_index=True)
    region = RegionField(verbose_name=_("region"))
    category = models.CharField(
        verbose_name=_("category"), max_length=64, validators=[validate_category], db_index=True
    )
    product_name = models.CharField(verbose_name=_("product name"), max_length=200, blank=True)
    brand = models.CharField(verbose_name=_("brand"), max_length=100, blank=True)
    model = models.CharField(verbose_name=_("model"), max_length=100, blank=True)
    gtin = models.CharField("GTIN", max_length=14, blank=True, db_index=True)
    lot_code = models.CharField(verbose_name=_("lot code"), max_length=64, blank=True)
    product = models.ForeignKey(
        "traceability.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    lot = models.ForeignKey(
        "traceability.Lot",
        verbose_name=_("lot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    problem = models.JSONField(
        verbose_name=_("problem"),
        default=list,
        help_text=_("Codes of risk.choices.ComplaintProblem"),
    )
    narrative = models.TextField(verbose_name=_("narrative"), blank=True)
    contact_hash = models.CharField(
        verbose_name=_("contact hash"), max_length=64, blank=True, db_index=True
    )
    # An earlier complaint by the same contact about the same product: kept, not counted.
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A public filing's Idempotency-Key (hashed) and the hash of its body, for replays.
    request_key = models.CharField(
        verbose_name=_("request key"), max_length=64, null=True, blank=True, unique=True
    )
    request_hash = models.CharField(verbose_name=_("request hash"), max_length=64, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    scope = Scope(region=("region",), roles=frozenset({"regulator"}))

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["product", "received_at"]),
            models.Index(fields=["category", "received_at"]),
        ]

    def __str__(self):
        return self.receipt_no
