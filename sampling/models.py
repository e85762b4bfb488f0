import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.choices import Role
from core.models import Lab, RegionField
from core.regions import ancestors, region_q
from core.scoping import RestrictedQuerySet, Scope
from core.validators import validate_category
from recalls.models import Recall
from traceability.models import Lot, Party, Product

from .choices import (
    Conclusion,
    LocationKind,
    SampleState,
    Stage,
    TaskLevel,
    TaskMode,
    TaskState,
    TestRound,
    Verdict,
)


def _tasks_above(user):
    """Regulators and inspectors also see the tasks that cover their region (the
    provincial and national plans they carry out)."""
    if user.role in (Role.REGULATOR, Role.INSPECTOR) and user.region:
        return Q(region__in=ancestors(user.region))
    return None


class Task(models.Model):
    """A spot-check task (监督抽查任务) set by a regulator for a region; a national or
    higher task is allocated to lower regions as child tasks with quotas (DESIGN.md §6.1)."""

    code = models.SlugField(verbose_name=_("code"), max_length=64, unique=True)
    title = models.CharField(verbose_name=_("title"), max_length=200)
    level = models.CharField(verbose_name=_("level"), max_length=16, choices=TaskLevel.choices)
    region = RegionField(verbose_name=_("region"))
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    quota = models.PositiveIntegerField(
        verbose_name=_("quota"),
        null=True,
        blank=True,
        help_text=_("Samples to take (set by the allocating task)."),
    )
    state = models.CharField(
        verbose_name=_("state"),
        max_length=16,
        choices=TaskState.choices,
        default=TaskState.OPEN,
        db_index=True,
    )
    published_at = models.DateTimeField(verbose_name=_("published at"), null=True, blank=True)
    # The published figures of the task's tree, fixed at publication (results are immutable).
    published_samples = models.PositiveIntegerField(
        verbose_name=_("published samples"), null=True, blank=True
    )
    published_conforming = models.PositiveIntegerField(
        verbose_name=_("published conforming"), null=True, blank=True
    )
    category = models.CharField(
        verbose_name=_("category"), max_length=64, validators=[validate_category], db_index=True
    )
    mode = models.CharField(
        verbose_name=_("mode"), max_length=16, choices=TaskMode.choices, default=TaskMode.STANDARD
    )
    lab = models.ForeignKey(
        Lab, verbose_name=_("lab"), on_delete=models.PROTECT, related_name="tasks"
    )
    starts_on = models.DateField(verbose_name=_("starts on"))
    ends_on = models.DateField(verbose_name=_("ends on"))
    standard = models.CharField(verbose_name=_("standard"), max_length=200, blank=True)
    emergency = models.BooleanField(verbose_name=_("emergency"), default=False)
    # "Tests done and report issued: 20 working days (per task)" (DESIGN.md §8).
    report_working_days = models.PositiveSmallIntegerField(
        verbose_name=_("report working days"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    scope = Scope(
        region=("region",),
        lab=("lab",),
        roles=frozenset({"regulator", "inspector", "lab"}),
        extra=_tasks_above,
        fans_out=False,
    )

    class Meta:
        verbose_name = _("spot-check task")
        verbose_name_plural = _("spot-check tasks")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="task_ends_after_start"
            )
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


def _sample_beyond_regions(user):
    """Besides the sampling region and the organisers' (DESIGN.md §6.1): the handling
    region's regulators and inspectors once the case is handed over to them, and the
    inspector who filed the sample."""
    if user.role not in (Role.REGULATOR, Role.INSPECTOR) or not user.region:
        return None
    q = Q(handed_over_at__isnull=False) & region_q("handling_region", user.region)
    if user.role == Role.INSPECTOR:
        q |= Q(filed_by=user.pk)
    return q


class SampleQuerySet(RestrictedQuerySet):
    def overdue(self, now=None):
        return self.filter(due_at__lt=now or timezone.now())

    def for_list(self):
        return self.select_related(
            "task__lab", "sampled_party", "producer", "product", "lot", "filed_by"
        )


class Sample(models.Model):
    """A sample taken under a task, followed from sampling to closing (即抽即检即报告即处置)."""

    sample_no = models.CharField(verbose_name=_("sample number"), max_length=96, unique=True)
    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.PROTECT, related_name="samples"
    )
    state = models.CharField(
        verbose_name=_("state"),
        max_length=16,
        choices=SampleState.choices,
        default=SampleState.SAMPLED,
        db_index=True,
    )
    sampled_party = models.ForeignKey(
        Party, verbose_name=_("sampled party"), on_delete=models.PROTECT, related_name="+"
    )
    producer = models.ForeignKey(
        Party, verbose_name=_("producer"), on_delete=models.PROTECT, related_name="+"
    )
    # Where it was taken: the sampled party's region.
    region = RegionField(verbose_name=_("region"))
    # Who handles a non-conforming result (结果处理): the producer's region unless the
    # organiser changes it before `notify`; `notify` hands the case over (移送) there when
    # it is not the task's region.
    handling_region = RegionField(verbose_name=_("handling region"))
    handed_over_at = models.DateTimeField(verbose_name=_("handed over at"), null=True, blank=True)
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="samples"
    )
    lot = models.ForeignKey(
        Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="samples"
    )
    location_kind = models.CharField(
        verbose_name=_("location kind"), max_length=16, choices=LocationKind.choices
    )
    quantity = models.DecimalField(verbose_name=_("quantity"), max_digits=12, decimal_places=3)
    backup_quantity = models.DecimalField(
        verbose_name=_("backup quantity"), max_digits=12, decimal_places=3
    )
    unit = models.CharField(verbose_name=_("unit"), max_length=16, default="pcs")
    price_paid = models.DecimalField(
        verbose_name=_("price paid"), max_digits=12, decimal_places=2, default=0
    )
    sampled_at = models.DateTimeField(verbose_name=_("sampled at"), db_index=True)
    inspectors = models.JSONField(verbose_name=_("inspectors"), default=list)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    seal_intact = models.BooleanField(verbose_name=_("seal intact"), default=True)
    note = models.TextField(verbose_name=_("note"), blank=True)
    # A follow-up check (复查) of an earlier sample is exempt from the no-repeat rule.
    follow_up_of = models.ForeignKey(
        "self",
        verbose_name=_("follow-up of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    # Online mode: the mystery purchase, in place of a seal on the spot.
    order_no = models.CharField(verbose_name=_("order number"), max_length=64, blank=True)
    platform = models.CharField(verbose_name=_("platform"), max_length=100, blank=True)
    shop_url = models.URLField(verbose_name=_("shop URL"), max_length=500, blank=True)
    tracking_no = models.CharField(verbose_name=_("tracking number"), max_length=64, blank=True)
    delivered_at = models.DateTimeField(verbose_name=_("delivered at"), null=True, blank=True)
    # Lab steps.
    received_at = models.DateTimeField(verbose_name=_("received at"), null=True, blank=True)
    tested_at = models.DateTimeField(verbose_name=_("tested at"), null=True, blank=True)
    conclusion = models.CharField(
        verbose_name=_("conclusion"),
        max_length=16,
        choices=Conclusion.choices,
        blank=True,
        db_index=True,
        help_text=_("The final conclusion: the re-inspection's, when there was one."),
    )
    initial_conclusion = models.CharField(
        verbose_name=_("initial conclusion"), max_length=16, choices=Conclusion.choices, blank=True
    )
    report_no = models.CharField(verbose_name=_("report number"), max_length=64, blank=True)
    report_issued_on = models.DateField(verbose_name=_("report issued on"), null=True, blank=True)
    report_issued_at = models.DateTimeField(
        verbose_name=_("report issued at"), null=True, blank=True
    )
    report_file = models.FileField(
        verbose_name=_("report file"), upload_to="sampling/reports/%Y/%m/", blank=True
    )
    notified_at = models.DateTimeField(verbose_name=_("notified at"), null=True, blank=True)
    reinspected_at = models.DateTimeField(verbose_name=_("reinspected at"), null=True, blank=True)
    closed_at = models.DateTimeField(verbose_name=_("closed at"), null=True, blank=True)
    void_reason = models.TextField(verbose_name=_("void reason"), blank=True)
    # The current stage's deadline, stored at each transition so `?overdue=` is plain SQL.
    due_stage = models.CharField(
        verbose_name=_("due stage"), max_length=16, choices=Stage.choices, blank=True
    )
    due_at = models.DateTimeField(verbose_name=_("due at"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    objects = SampleQuerySet.as_manager()
    # The organisers' regions need only the task's: every task above it covers it.
    scope = Scope(
        region=("region", "task__region"),
        lab=("task__lab",),
        party=("sampled_party__uscc", "producer__uscc"),
        extra=_sample_beyond_regions,
        fans_out=False,
    )

    class Meta:
        verbose_name = _("sample")
        verbose_name_plural = _("samples")
        ordering = ["-sampled_at", "-id"]
        indexes = [models.Index(fields=["producer", "product", "sampled_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sample_quantity_positive"),
            models.CheckConstraint(
                condition=Q(backup_quantity__gt=0), name="sample_backup_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(price_paid__gte=0), name="sample_price_not_negative"
            ),
        ]

    def __str__(self):
        return self.sample_no

    @property
    def overdue(self):
        return self.due_at is not None and self.due_at < timezone.now()


class TestItem(models.Model):
    """One tested item of a sample: the lab's test, or the re-inspection of an objected item."""

    sample = models.ForeignKey(
        Sample, verbose_name=_("sample"), on_delete=models.CASCADE, related_name="items"
    )
    round = models.CharField(
        verbose_name=_("round"), max_length=16, choices=TestRound.choices, default=TestRound.TEST
    )
    item = models.CharField(verbose_name=_("item"), max_length=200)
    standard = models.CharField(verbose_name=_("standard"), max_length=200, blank=True)
    requirement = models.CharField(verbose_name=_("requirement"), max_length=500, blank=True)
    measured_value = models.CharField(verbose_name=_("measured value"), max_length=200, blank=True)
    unit = models.CharField(verbose_name=_("unit"), max_length=32, blank=True)
    verdict = models.CharField(verbose_name=_("verdict"), max_length=8, choices=Verdict.choices)

    class Meta:
        verbose_name = _("test item")
        verbose_name_plural = _("test items")
        ordering = ["id"]

    def __str__(self):
        return f"{self.item}: {self.get_verdict_display()}"


class Objection(models.Model):
    """The one objection (异议) a sample may have, filed by its sampled party or producer."""

    sample = models.OneToOneField(
        Sample, verbose_name=_("sample"), on_delete=models.CASCADE, related_name="objection"
    )
    party = models.ForeignKey(
        Party, verbose_name=_("party"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(verbose_name=_("reason"))
    items = models.JSONField(
        verbose_name=_("items"), default=list, help_text=_("The objected test items.")
    )
    filed_at = models.DateTimeField(verbose_name=_("filed at"), default=timezone.now)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self):
        return gettext("Objection to %(sample)s") % {"sample": self.sample}


class Disposition(models.Model):
    """The regulator's decision on a non-conforming sample (处置), with where the lot went."""

    sample = models.OneToOneField(
        Sample, verbose_name=_("sample"), on_delete=models.CASCADE, related_name="disposition"
    )
    measures = models.JSONField(
        verbose_name=_("measures"),
        default=list,
        encoder=DjangoJSONEncoder,
        help_text="[{measure, due_on, note}]",
    )
    note = models.TextField(verbose_name=_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(verbose_name=_("decided at"), default=timezone.now)
    follow_up_due_at = models.DateTimeField(
        verbose_name=_("follow-up due at"), null=True, blank=True
    )
    recall = models.ForeignKey(
        Recall,
        verbose_name=_("recall"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The lot's forward trace when the disposal was decided (严查不合格产品流向).
    trace = models.JSONField(
        verbose_name=_("trace"), default=dict, blank=True, encoder=DjangoJSONEncoder
    )

    class Meta:
        verbose_name = _("disposition")
        verbose_name_plural = _("dispositions")

    def __str__(self):
        return gettext("Disposition of %(sample)s") % {"sample": self.sample}


class PublishedResult(models.Model):
    """One row of a published results notice (公布抽查结果), written when its task is
    published and never changed: a later outcome is a PublishedCorrection."""

    sample = models.OneToOneField(
        Sample, verbose_name=_("sample"), on_delete=models.PROTECT, related_name="published"
    )
    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.PROTECT, related_name="published_results"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    lot = models.ForeignKey(Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="+")
    conclusion = models.CharField(
        verbose_name=_("conclusion"), max_length=16, choices=Conclusion.choices
    )
    published_at = models.DateTimeField(verbose_name=_("published at"))
    # The notice's row as published (selectors.PUBLIC_COLUMNS), kept as JSON text: the
    # notice of ten thousand rows is then joined by the database, not re-encoded.
    row_text = models.TextField(
        verbose_name=_("row text"), help_text=_("The row as JSON text, keys in column order.")
    )

    class Meta:
        verbose_name = _("published result")
        verbose_name_plural = _("published results")
        ordering = ["task", "sample"]
        indexes = [models.Index(fields=["product", "conclusion"])]

    def __str__(self):
        return gettext("Published result of sample %(sample)s") % {"sample": self.sample_id}

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("A published result is never changed; add a correction."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A published result is never deleted."))

    @property
    def row(self):
        """The row as published, as a dict."""
        return json.loads(self.row_text)


class PublishedCorrection(models.Model):
    """A dated correction of a published result (a re-inspection's later outcome)."""

    result = models.ForeignKey(
        PublishedResult,
        verbose_name=_("result"),
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    at = models.DateTimeField(verbose_name=_("at"), default=timezone.now)
    conclusion = models.CharField(
        verbose_name=_("conclusion"), max_length=16, choices=Conclusion.choices
    )
    failing_items = models.JSONField(
        verbose_name=_("failing items"), default=list, encoder=DjangoJSONEncoder
    )
    note = models.TextField(verbose_name=_("note"), blank=True)

    class Meta:
        verbose_name = _("published correction")
        verbose_name_plural = _("published corrections")
        ordering = ["result", "at", "id"]

    def __str__(self):
        return gettext("Correction of %(result)s on %(date)s") % {
            "result": self.result,
            "date": f"{self.at:%Y-%m-%d}",
        }
