"""Injury surveillance (sentinel reports) and mandatory accident reports (DESIGN.md §7).

Sentinel sites are core.SentinelSite (users link to them). An injury report holds no
patient identity: no name, ID number or phone field exists, by design.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext
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

    site = models.ForeignKey(
        SentinelSite,
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        related_name="injury_reports",
    )
    occurred_at = models.DateTimeField(verbose_name=_("occurred at"))
    age = models.PositiveSmallIntegerField(
        verbose_name=_("age"), validators=[MaxValueValidator(120)]
    )
    sex = models.CharField(verbose_name=_("sex"), max_length=8, choices=Sex.choices)
    place = models.CharField(verbose_name=_("place"), max_length=16, choices=Place.choices)
    activity = models.CharField(verbose_name=_("activity"), max_length=16, choices=Activity.choices)
    mechanism = models.CharField(
        verbose_name=_("mechanism"), max_length=24, choices=Mechanism.choices
    )
    intent = models.CharField(verbose_name=_("intent"), max_length=16, choices=Intent.choices)
    nature = models.CharField(verbose_name=_("nature"), max_length=16, choices=Nature.choices)
    body_part = models.CharField(
        verbose_name=_("body part"), max_length=16, choices=BodyPart.choices
    )
    severity = models.CharField(verbose_name=_("severity"), max_length=16, choices=Severity.choices)
    disposition = models.CharField(
        verbose_name=_("disposition"), max_length=24, choices=Disposition.choices
    )
    product_category = models.CharField(
        verbose_name=_("product category"), max_length=64, validators=[validate_category]
    )
    product = models.ForeignKey(
        "traceability.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="injury_reports",
    )
    product_relation = models.CharField(
        verbose_name=_("product relation"),
        max_length=24,
        choices=ProductRelation.choices,
        default=ProductRelation.UNCERTAIN,
    )
    narrative = models.TextField(verbose_name=_("narrative"), blank=True, max_length=4000)
    weight = models.DecimalField(verbose_name=_("weight"), max_digits=12, decimal_places=4)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

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
        return gettext("Injury %(id)s at %(site)s (%(category)s)") % {
            "id": self.pk,
            "site": self.site_id,
            "category": self.product_category,
        }


class ReferenceQuerySet(models.QuerySet):
    """Reference data: every signed-in user reads all of it."""

    def restrict(self, user):
        return self if getattr(user, "is_authenticated", False) else self.none()


class AccidentCategory(models.Model):
    """A key product category with mandatory accident reporting, and its deadline (§8).
    Seeded from LEVEE_RULES["accidents"]; admins add more."""

    code = models.CharField(
        verbose_name=_("code"), max_length=64, unique=True, validators=[validate_category]
    )
    name = models.CharField(verbose_name=_("name"), max_length=200, blank=True)
    deadline_amount = models.PositiveIntegerField(verbose_name=_("deadline amount"), default=2)
    deadline_unit = models.CharField(
        verbose_name=_("deadline unit"),
        max_length=16,
        choices=DeadlineUnit.choices,
        default=DeadlineUnit.WORKING_DAYS,
    )
    # A shorter first-report deadline when anyone was hurt or killed (vehicles: 6 h).
    casualty_deadline_amount = models.PositiveIntegerField(
        verbose_name=_("casualty deadline amount"), null=True, blank=True
    )
    casualty_deadline_unit = models.CharField(
        verbose_name=_("casualty deadline unit"),
        max_length=16,
        choices=DeadlineUnit.choices,
        blank=True,
    )
    # The full report after a first one (vehicles: 48 h).
    full_report_amount = models.PositiveIntegerField(
        verbose_name=_("full report amount"), null=True, blank=True
    )
    full_report_unit = models.CharField(
        verbose_name=_("full report unit"), max_length=16, choices=DeadlineUnit.choices, blank=True
    )
    active = models.BooleanField(verbose_name=_("active"), default=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("accident category")
        verbose_name_plural = _("accident categories")
        ordering = ["code"]

    def __str__(self):
        return self.code


class Accident(models.Model):
    """A mandatory accident report for a key product category, and its investigation."""

    accident_no = models.CharField(
        verbose_name=_("accident number"), max_length=32, unique=True, null=True, blank=True
    )
    category = models.ForeignKey(
        AccidentCategory,
        verbose_name=_("category"),
        to_field="code",
        db_column="category",
        on_delete=models.PROTECT,
        related_name="accidents",
    )
    state = models.CharField(
        verbose_name=_("state"),
        max_length=16,
        choices=AccidentState.choices,
        default=AccidentState.REPORTED,
    )
    region = RegionField(verbose_name=_("region"))
    occurred_at = models.DateTimeField(verbose_name=_("occurred at"))
    # When the reporter learned of it; the deadline counts from here (§8).
    learned_at = models.DateTimeField(verbose_name=_("learned at"))
    reported_at = models.DateTimeField(verbose_name=_("reported at"))
    deadline = models.DateTimeField(verbose_name=_("deadline"))
    late = models.BooleanField(verbose_name=_("late"), default=False)
    full_report_due = models.DateTimeField(verbose_name=_("full report due"), null=True, blank=True)
    full_report = models.TextField(verbose_name=_("full report"), max_length=20000, blank=True)
    full_reported_at = models.DateTimeField(
        verbose_name=_("full reported at"), null=True, blank=True
    )
    deaths = models.PositiveIntegerField(verbose_name=_("deaths"), default=0)
    injuries = models.PositiveIntegerField(verbose_name=_("injuries"), default=0)
    property_loss = models.DecimalField(
        verbose_name=_("property loss"), max_digits=16, decimal_places=2, default=0
    )
    product = models.ForeignKey(
        "traceability.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accidents",
    )
    lot = models.ForeignKey(
        "traceability.Lot",
        verbose_name=_("lot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reporter = models.CharField(verbose_name=_("reporter"), max_length=16, choices=Reporter.choices)
    description = models.TextField(verbose_name=_("description"), max_length=10000)
    # The sentinel hospital that filed it, if one did.
    site = models.ForeignKey(
        SentinelSite,
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accidents",
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    experts = models.JSONField(verbose_name=_("experts"), default=list, blank=True)
    findings = models.TextField(verbose_name=_("findings"), blank=True)
    root_cause = models.CharField(
        verbose_name=_("root cause"), max_length=16, choices=RootCause.choices, blank=True
    )
    measure = models.CharField(
        verbose_name=_("measure"), max_length=24, choices=Measure.choices, blank=True
    )
    measure_note = models.TextField(verbose_name=_("measure note"), blank=True)
    concluded_at = models.DateTimeField(verbose_name=_("concluded at"), null=True, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

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
        return self.accident_no or gettext("Accident %(id)s") % {"id": self.pk}

    @property
    def casualties(self):
        return self.deaths + self.injuries
