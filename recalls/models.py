from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scoping import RestrictedQuerySet, Scope
from core.validators import validate_category
from traceability.models import Lot, Party

from .choices import ObjectionOutcome, RecallKind, RecallState, Remedy, RiskLevel
from .validators import validate_sale_regions

# Figures a progress report carries and the recall sums up.
FIGURES = ("recovered", "repaired", "replaced", "refunded")


def _quantity(**kwargs):
    return models.DecimalField(max_digits=14, decimal_places=3, **kwargs)


class Recall(models.Model):
    """A defective-product recall (缺陷产品召回). The plan is the recall's own fields, edited
    while it is a draft."""

    recall_no = models.CharField(max_length=32, unique=True)
    kind = models.CharField(max_length=16, choices=RecallKind.choices, default=RecallKind.VOLUNTARY)
    state = models.CharField(
        max_length=16, choices=RecallState.choices, default=RecallState.DRAFT, db_index=True
    )
    producer = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="recalls")
    lots = models.ManyToManyField(Lot, related_name="recalls", blank=True)
    title = models.CharField(max_length=200, blank=True, help_text="Headline of the notice.")
    category = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        validators=[validate_category],
        help_text="Product category; defaults to the category of the recall's lots.",
    )
    hazard = models.TextField(blank=True)
    defect = models.TextField(blank=True)
    remedy = models.CharField(max_length=16, choices=Remedy.choices, blank=True)
    risk_level = models.CharField(max_length=16, choices=RiskLevel.choices, blank=True)
    units_affected_override = _quantity(
        null=True,
        validators=[MinValueValidator(0)],
        blank=True,
        help_text="Leave empty to use the total quantity of the recall's lots.",
    )
    # units_affected as it stood when the plan was submitted: later corrections of the
    # lots' quantities do not move the figures of a recall under way.
    units_affected_fixed = _quantity(null=True, blank=True, editable=False)
    # The plan (召回计划) beyond the fields above.
    scope_description = models.TextField(blank=True)
    production_from = models.DateField(null=True, blank=True)
    production_to = models.DateField(null=True, blank=True)
    sale_regions = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_sale_regions],
        help_text="Regions (GB/T 2260 codes) and countries (ISO 3166 alpha-2) of sale.",
    )
    remedy_details = models.TextField(blank=True)
    consumer_contact = models.CharField(
        max_length=300, blank=True, help_text="Hotline, website or address for consumers."
    )
    notice_text = models.TextField(blank=True)
    summary = models.TextField(blank=True, help_text="Summary report at completion.")
    termination_reason = models.TextField(blank=True)
    # Cumulative progress, kept with the row so lists and checks need no aggregate.
    recovered = _quantity(default=Decimal(0))
    repaired = _quantity(default=Decimal(0))
    replaced = _quantity(default=Decimal(0))
    refunded = _quantity(default=Decimal(0))
    last_progress_at = models.DateTimeField(null=True, blank=True)
    # Milestones and the deadlines of DESIGN.md §8.
    plan_due_at = models.DateTimeField(null=True, blank=True)
    plan_submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    announce_due_at = models.DateTimeField(null=True, blank=True)
    announced_at = models.DateTimeField(null=True, blank=True, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    summary_due_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    terminated_at = models.DateTimeField(null=True, blank=True)
    # What opened it (a sample's disposition, a risk decision): "app.model" and id.
    source_type = models.CharField(max_length=64, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    scope = Scope(
        region=("producer__region",),
        party=("producer__uscc",),
        roles=frozenset({"regulator", "enterprise"}),
    )

    class Meta:
        verbose_name = _("recall")
        verbose_name_plural = _("recalls")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "announced_at"])]

    def __str__(self):
        return self.recall_no

    @property
    def lots_quantity(self):
        """Total quantity of the lots (uses prefetched lots when there are any)."""
        return sum((lot.quantity or Decimal(0) for lot in self.lots.all()), Decimal(0))

    @property
    def units_affected(self):
        if self.units_affected_fixed is not None:
            return self.units_affected_fixed
        if self.units_affected_override is not None:
            return self.units_affected_override
        return self.lots_quantity

    @property
    def completion_rate(self):
        """recovered / units_affected, from 0 to 1; None while nothing is affected."""
        units = self.units_affected
        if not units:
            return None
        return float(min(self.recovered / units, Decimal(1)))


def _figure():
    return _quantity(default=Decimal(0), validators=[MinValueValidator(0)])


class RecallProgress(models.Model):
    """A progress report (召回进展报告) for one period, filed by the producer or an admin.
    Figures are those of the period; the recall keeps the running totals."""

    recall = models.ForeignKey(Recall, on_delete=models.PROTECT, related_name="progress_reports")
    period_end = models.DateField()
    recovered = _figure()
    repaired = _figure()
    replaced = _figure()
    refunded = _figure()
    note = models.TextField(blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()
    scope = Scope(
        region=("recall__producer__region",),
        party=("recall__producer__uscc",),
        roles=frozenset({"regulator", "enterprise"}),
    )

    class Meta:
        verbose_name = _("recall progress report")
        verbose_name_plural = _("recall progress reports")
        ordering = ["period_end", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recovered__gte=0, repaired__gte=0, replaced__gte=0)
                & models.Q(refunded__gte=0),
                name="recall_progress_non_negative",
            )
        ]

    def __str__(self):
        return f"{self.recall} to {self.period_end}"


class RecallObjection(models.Model):
    """The producer's objection to an ordered recall (DESIGN.md §8), and its review."""

    recall = models.OneToOneField(Recall, on_delete=models.PROTECT, related_name="objection")
    reason = models.TextField()
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    filed_at = models.DateTimeField(auto_now_add=True)
    window_ends_at = models.DateTimeField()
    outcome = models.CharField(
        max_length=16, choices=ObjectionOutcome.choices, default=ObjectionOutcome.PENDING
    )
    review_notes = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope = Scope(
        region=("recall__producer__region",),
        party=("recall__producer__uscc",),
        roles=frozenset({"regulator", "enterprise"}),
    )

    class Meta:
        verbose_name = _("recall objection")
        verbose_name_plural = _("recall objections")
        ordering = ["id"]

    def __str__(self):
        return f"Objection to {self.recall}"
