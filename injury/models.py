"""Injury surveillance (sentinel reports) and mandatory accident reports (DESIGN.md §7).

Sentinel sites are core.SentinelSite (users link to them). An injury report holds no
patient identity: no name, ID number or phone field exists, by design.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.choices import Role
from core.models import RegionField, SentinelSite
from core.scoping import RestrictedQuerySet, Scope
from core.validators import validate_category

from .choices import (
    AccidentState,
    Activity,
    BodyPart,
    DeadlineUnit,
    Disposition,
    Intent,
    Measure,
    Mechanism,
    Nature,
    Place,
    ProductRelation,
    Reporter,
    RootCause,
    Severity,
    Sex,
)


class InjuryReport(models.Model):
    """One injury case seen at a sentinel site. `weight` is the site's statistical weight
    when the case was filed, so a later re-weighting does not rewrite past estimates."""

    site = models.ForeignKey(SentinelSite, on_delete=models.PROTECT, related_name="injury_reports")
    occurred_at = models.DateTimeField()
    age = models.PositiveSmallIntegerField(validators=[MaxValueValidator(120)])
    sex = models.CharField(max_length=8, choices=Sex.choices)
    place = models.CharField(max_length=16, choices=Place.choices)
    activity = models.CharField(max_length=16, choices=Activity.choices)
    mechanism = models.CharField(max_length=24, choices=Mechanism.choices)
    intent = models.CharField(max_length=16, choices=Intent.choices)
    nature = models.CharField(max_length=16, choices=Nature.choices)
    body_part = models.CharField(max_length=16, choices=BodyPart.choices)
    severity = models.CharField(max_length=16, choices=Severity.choices)
    disposition = models.CharField(max_length=24, choices=Disposition.choices)
    product_category = models.CharField(max_length=64, validators=[validate_category])
    product = models.ForeignKey(
        "traceability.Product",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="injury_reports",
    )
    product_relation = models.CharField(
        max_length=24, choices=ProductRelation.choices, default=ProductRelation.UNCERTAIN
    )
    narrative = models.TextField(blank=True, max_length=4000)
    weight = models.DecimalField(max_digits=12, decimal_places=4)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    scope = Scope(
        region=("site__region",),
        site=("site_id",),
        roles=frozenset({Role.REGULATOR, Role.SENTINEL}),
    )

    class Meta:
        verbose_name = _("injury report")
        verbose_name_plural = _("injury reports")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["occurred_at"]),
            models.Index(fields=["site", "occurred_at"]),
            models.Index(fields=["product_category", "occurred_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(age__gte=0, age__lte=120), name="injury_age_0_120"
            ),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="injury_weight_positive"),
        ]

    def __str__(self):
        return f"injury {self.pk} at {self.site_id} ({self.product_category})"


class ReferenceQuerySet(models.QuerySet):
    """Reference data: every signed-in user reads all of it."""

    def restrict(self, user):
        return self if getattr(user, "is_authenticated", False) else self.none()


class AccidentCategory(models.Model):
    """A key product category with mandatory accident reporting, and its deadline (§8).
    Seeded from LEVEE_RULES["accidents"]; admins add more."""

    code = models.CharField(max_length=64, unique=True, validators=[validate_category])
    name = models.CharField(max_length=200, blank=True)
    deadline_amount = models.PositiveIntegerField(default=2)
    deadline_unit = models.CharField(
        max_length=16, choices=DeadlineUnit.choices, default=DeadlineUnit.WORKING_DAYS
    )
    # A shorter first-report deadline when anyone was hurt or killed (vehicles: 6 h).
    casualty_deadline_amount = models.PositiveIntegerField(null=True, blank=True)
    casualty_deadline_unit = models.CharField(
        max_length=16, choices=DeadlineUnit.choices, blank=True
    )
    # The full report after a first one (vehicles: 48 h).
    full_report_amount = models.PositiveIntegerField(null=True, blank=True)
    full_report_unit = models.CharField(max_length=16, choices=DeadlineUnit.choices, blank=True)
    active = models.BooleanField(default=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("accident category")
        verbose_name_plural = _("accident categories")
        ordering = ["code"]

    def __str__(self):
        return self.code


class Accident(models.Model):
    """A mandatory accident report for a key product category, and its investigation."""

    accident_no = models.CharField(max_length=32, unique=True, null=True, blank=True)
    category = models.ForeignKey(
        AccidentCategory,
        to_field="code",
        db_column="category",
        on_delete=models.PROTECT,
        related_name="accidents",
    )
    state = models.CharField(
        max_length=16, choices=AccidentState.choices, default=AccidentState.REPORTED
    )
    region = RegionField()
    occurred_at = models.DateTimeField()
    # When the reporter learned of it; the deadline counts from here (§8).
    learned_at = models.DateTimeField()
    reported_at = models.DateTimeField()
    deadline = models.DateTimeField()
    late = models.BooleanField(default=False)
    full_report_due = models.DateTimeField(null=True, blank=True)
    full_report = models.TextField(max_length=20000, blank=True)
    full_reported_at = models.DateTimeField(null=True, blank=True)
    deaths = models.PositiveIntegerField(default=0)
    injuries = models.PositiveIntegerField(default=0)
    property_loss = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    product = models.ForeignKey(
        "traceability.Product",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accidents",
    )
    lot = models.ForeignKey(
        "traceability.Lot", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reporter = models.CharField(max_length=16, choices=Reporter.choices)
    description = models.TextField(max_length=10000)
    # The sentinel hospital that filed it, if one did.
    site = models.ForeignKey(
        SentinelSite, null=True, blank=True, on_delete=models.PROTECT, related_name="accidents"
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    experts = models.JSONField(default=list, blank=True)
    findings = models.TextField(blank=True)
    root_cause = models.CharField(max_length=16, choices=RootCause.choices, blank=True)
    measure = models.CharField(max_length=24, choices=Measure.choices, blank=True)
    measure_note = models.TextField(blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    scope = Scope(
        region=("region",),
        party=("product__producer__uscc",),
        site=("site_id",),
    )

    class Meta:
        verbose_name = _("accident report")
        verbose_name_plural = _("accident reports")
        ordering = ["-reported_at", "-id"]
        indexes = [models.Index(fields=["category", "occurred_at"])]

    def __str__(self):
        return self.accident_no or f"accident {self.pk}"

    @property
    def casualties(self):
        return self.deaths + self.injuries
