from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext
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

    recall_no = models.CharField(verbose_name=_("recall number"), max_length=32, unique=True)
    kind = models.CharField(
        verbose_name=_("kind"),
        max_length=16,
        choices=RecallKind.choices,
        default=RecallKind.VOLUNTARY,
    )
    state = models.CharField(
        verbose_name=_("state"),
        max_length=16,
        choices=RecallState.choices,
        default=RecallState.DRAFT,
        db_index=True,
    )
    producer = models.ForeignKey(
        Party, verbose_name=_("producer"), on_delete=models.PROTECT, related_name="recalls"
    )
    lots = models.ManyToManyField(Lot, verbose_name=_("lots"), related_name="recalls", blank=True)
    title = models.CharField(
        verbose_name=_("title"), max_length=200, blank=True, help_text=_("Headline of the notice.")
    )
    category = models.CharField(
        verbose_name=_("category"),
        max_length=64,
        blank=True,
        db_index=True,
        validators=[validate_category],
        help_text=_("Product category; defaults to the category of the recall's lots."),
    )
    hazard = models.TextField(verbose_name=_("hazard"), blank=True)
    defect = models.TextField(verbose_name=_("defect"), blank=True)
    remedy = models.CharField(
        verbose_name=_("remedy"), max_length=16, choices=Remedy.choices, blank=True
    )
    risk_level = models.CharField(
        verbose_name=_("risk level"), max_length=16, choices=RiskLevel.choices, blank=True
    )
    units_affected_override = _quantity(
        verbose_name=_("units affected (override)"),
        null=True,
        validators=[MinValueValidator(0)],
        blank=True,
        help_text=_("Leave empty to use the total quantity of the recall's lots."),
    )
    # units_affected as it stood when the plan was submitted: later corrections of the
    # lots' quantities do not move the figures of a recall under way.
    units_affected_fixed = _quantity(null=True, blank=True, editable=False)
    # The plan (召回计划) beyond the fields above.
    scope_description = models.TextField(verbose_name=_("scope description"), blank=True)
    production_from = models.DateField(verbose_name=_("production from"), null=True, blank=True)
    production_to = models.DateField(verbose_name=_("production to"), null=True, blank=True)
    sale_regions = models.JSONField(
        verbose_name=_("sale regions"),
        default=list,
        blank=True,
        validators=[validate_sale_regions],
        help_text=_("Regions (GB/T 2260 codes) and countries (ISO 3166 alpha-2) of sale."),
    )
    remedy_details = models.TextField(verbose_name=_("remedy details"), blank=True)
    consumer_contact = models.CharField(
        verbose_name=_("consumer contact"),
        max_length=300,
        blank=True,
        help_text=_("Hotline, website or address for consumers."),
    )
    notice_text = models.TextField(verbose_name=_("notice text"), blank=True)
    summary = models.TextField(
        verbose_name=_("summary"), blank=True, help_text=_("Summary report at completion.")
    )
    termination_reason = models.TextField(verbose_name=_("termination reason"), blank=True)
    # Cumulative progress, kept with the row so lists and checks need no aggregate.
    recovered = _quantity(verbose_name=_("recovered"), default=Decimal(0))
    repaired = _quantity(verbose_name=_("repaired"), default=Decimal(0))
    replaced = _quantity(verbose_name=_("replaced"), default=Decimal(0))
    refunded = _quantity(verbose_name=_("refunded"), default=Decimal(0))
    last_progress_at = models.DateTimeField(
        verbose_name=_("last progress at"), null=True, blank=True
    )
    # Milestones and the deadlines of DESIGN.md §8.
    plan_due_at = models.DateTimeField(verbose_name=_("plan due at"), null=True, blank=True)
    plan_submitted_at = models.DateTimeField(
        verbose_name=_("plan submitted at"), null=True, blank=True
    )
    approved_at = models.DateTimeField(verbose_name=_("approved at"), null=True, blank=True)
    announce_due_at = models.DateTimeField(verbose_name=_("announce due at"), null=True, blank=True)
    announced_at = models.DateTimeField(
        verbose_name=_("announced at"), null=True, blank=True, db_index=True
    )
    completed_at = models.DateTimeField(verbose_name=_("completed at"), null=True, blank=True)
    summary_due_at = models.DateTimeField(verbose_name=_("summary due at"), null=True, blank=True)
    closed_at = models.DateTimeField(verbose_name=_("closed at"), null=True, blank=True)
    terminated_at = models.DateTimeField(verbose_name=_("terminated at"), null=True, blank=True)
    # What opened it (a sample's disposition, a risk decision): "app.model" and id.
    source_type = models.CharField(verbose_name=_("source type"), max_length=64, blank=True)
    source_id = models.CharField(verbose_name=_("source ID"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

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


def _figure(verbose_name):
    return _quantity(
        verbose_name=verbose_name, default=Decimal(0), validators=[MinValueValidator(0)]
    )


class RecallProgress(models.Model):
    """A progress report (召回进展报告) for one period, filed by the producer or an admin.
    Figures are those of the period; the recall keeps the running totals."""

    recall = models.ForeignKey(
        Recall, verbose_name=_("recall"), on_delete=models.PROTECT, related_name="progress_reports"
    )
    period_end = models.DateField(verbose_name=_("period end"))
    recovered = _figure(_("recovered"))
    repaired = _figure(_("repaired"))
    replaced = _figure(_("replaced"))
    refunded = _figure(_("refunded"))
    note = models.TextField(verbose_name=_("note"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    created_at = models.DateTimeField(
        verbose_name=_("created at"), auto_now_add=True, db_index=True
    )

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
        return gettext("%(recall)s, period to %(end)s") % {
            "recall": self.recall,
            "end": self.period_end,
        }


class RecallObjection(models.Model):
    """The producer's objection to an ordered recall (DESIGN.md §8), and its review."""

    recall = models.OneToOneField(
        Recall, verbose_name=_("recall"), on_delete=models.PROTECT, related_name="objection"
    )
    reason = models.TextField(verbose_name=_("reason"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    filed_at = models.DateTimeField(verbose_name=_("filed at"), auto_now_add=True)
    window_ends_at = models.DateTimeField(verbose_name=_("window ends at"))
    outcome = models.CharField(
        verbose_name=_("outcome"),
        max_length=16,
        choices=ObjectionOutcome.choices,
        default=ObjectionOutcome.PENDING,
    )
    review_notes = models.TextField(verbose_name=_("review notes"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(verbose_name=_("reviewed at"), null=True, blank=True)

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
        return gettext("Objection to %(recall)s") % {"recall": self.recall}
