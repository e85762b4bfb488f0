"""Recalls in the Django admin: the same services, rules and messages as the API."""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin import KeptOnRecordMixin
from core.admin_tools import (
    category_column,
    due_label,
    overdue_filter,
    province_filter,
    region_label,
)
from core.exceptions import ApplicationError
from core.transition_admin import TransitionAdminMixin
from traceability.choices import PartyKind

from . import selectors, services
from .choices import RecallState
from .models import FIGURES, Recall, RecallObjection, RecallProgress
from .states import recall_machine


class RecallForm(forms.ModelForm):
    class Meta:
        model = Recall
        fields = ["producer", "lots", *services.PLAN_FIELDS, "units_affected_override"]

    def clean(self):
        data = super().clean()
        producer = data.get("producer") or getattr(self.instance, "producer", None)
        if producer is not None:
            try:
                services.recall_check_plan(
                    producer=producer,
                    lots=data.get("lots"),
                    production_from=data.get("production_from"),
                    production_to=data.get("production_to"),
                )
            except ApplicationError as exc:
                self.add_error(exc.attr if exc.attr in self.fields else None, exc.message)
        return data


class ProgressFormSet(forms.BaseInlineFormSet):
    """New reports are checked here with the service's rules (which checks them again,
    under the row lock, when it saves them)."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        figures = dict.fromkeys(FIGURES, Decimal(0))
        for form in self.extra_forms:
            if not form.has_changed():
                continue
            for name in FIGURES:
                figures[name] += form.cleaned_data.get(name) or 0
            try:
                services.progress_report_check(
                    recall=self.instance,
                    period_end=form.cleaned_data["period_end"],
                    figures=figures,
                )
            except ApplicationError as exc:
                raise ValidationError(exc.message) from exc


class RecallProgressInline(admin.TabularInline):
    model = RecallProgress
    formset = ProgressFormSet
    fields = ["period_end", *FIGURES, "note", "reported_by", "created_at"]
    readonly_fields = ["reported_by", "created_at"]
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is not None and obj.state in services.PROGRESS_STATES else 0

    def has_add_permission(self, request, obj=None):
        return obj is not None and obj.state in services.PROGRESS_STATES


class RecallObjectionInline(admin.StackedInline):
    model = RecallObjection
    fk_name = "recall"
    readonly_fields = [
        "reason",
        "filed_by",
        "filed_at",
        "window_ends_at",
        "outcome",
        "review_notes",
        "reviewed_by",
        "reviewed_at",
    ]
    fields = readonly_fields
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Recall)
class RecallAdmin(TransitionAdminMixin, KeptOnRecordMixin, admin.ModelAdmin):
    form = RecallForm
    machine = recall_machine
    confirm_actions = ("terminate",)
    category_display = category_column()
    list_display = [
        "recall_no",
        "producer",
        "category_display",
        "kind",
        "state",
        "risk_level",
        "units_affected_display",
        "completion_display",
        "region_display",
        "due_display",
        "announced_at",
        "created_at",
    ]
    list_filter = [
        "state",
        overdue_filter(services.recall_overdue_q),
        province_filter("producer__region"),
        "kind",
        "risk_level",
        "category",
        ("producer", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = [
        "recall_no",
        "title",
        "producer__name",
        "producer__uscc",
        "lots__lot_code",
        "lots__product__name",
        "hazard",
    ]
    list_select_related = ["producer"]
    date_hierarchy = "created_at"
    raw_id_fields = ["producer", "lots"]
    inlines = [RecallProgressInline, RecallObjectionInline]
    fieldsets = [
        (None, {"fields": ["recall_no", "state", "kind", "producer", "lots", "title", "category"]}),
        (
            _("Plan"),
            {
                "fields": [
                    "hazard",
                    "defect",
                    "risk_level",
                    "remedy",
                    "remedy_details",
                    "units_affected_override",
                    "scope_description",
                    ("production_from", "production_to"),
                    "sale_regions",
                    "consumer_contact",
                    "notice_text",
                ]
            },
        ),
        (
            _("Progress"),
            {
                "fields": [
                    "units_affected_display",
                    ("recovered", "repaired", "replaced", "refunded"),
                    "completion_display",
                    "summary",
                    "termination_reason",
                ]
            },
        ),
        (
            _("Deadlines and dates"),
            {
                "classes": ["collapse"],
                "fields": [
                    ("plan_due_at", "plan_submitted_at"),
                    ("approved_at", "announce_due_at", "announced_at"),
                    ("completed_at", "summary_due_at"),
                    ("closed_at", "terminated_at"),
                    ("source_type", "source_id", "created_by", "created_at"),
                ],
            },
        ),
        (_("Affected parties (forward trace of the lots)"), {"fields": ["affected_parties_table"]}),
        (_("History"), {"fields": ["history_table"]}),
    ]

    ALWAYS_READONLY = (
        "recall_no",
        "state",
        *FIGURES,
        "units_affected_display",
        "completion_display",
        "summary",
        "termination_reason",
        "plan_due_at",
        "plan_submitted_at",
        "approved_at",
        "announce_due_at",
        "announced_at",
        "completed_at",
        "summary_due_at",
        "closed_at",
        "terminated_at",
        "source_type",
        "source_id",
        "created_by",
        "created_at",
        "affected_parties_table",
        "history_table",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("lots")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.state != RecallState.DRAFT:
            # The plan is frozen once submitted (the API answers 409 the same way).
            return [
                *self.ALWAYS_READONLY,
                "kind",
                "producer",
                "lots",
                "title",
                "category",
                *services.PLAN_FIELDS,
                "units_affected_override",
            ]
        if obj is not None:
            return [*self.ALWAYS_READONLY, "producer"]
        return list(self.ALWAYS_READONLY)

    def get_fieldsets(self, request, obj=None):
        if obj is None:  # adding: the plan only
            return self.fieldsets[:2]
        return self.fieldsets

    @admin.display(description=_("region"), ordering="producer__region")
    def region_display(self, recall):
        return region_label(recall.producer.region)

    @admin.display(description=_("due"))
    def due_display(self, recall):
        return due_label(services.recall_due(recall))

    @admin.display(description=_("units affected"))
    def units_affected_display(self, obj):
        return f"{obj.units_affected.normalize():f}"

    @admin.display(description=_("completion"))
    def completion_display(self, obj):
        rate = obj.completion_rate
        return "—" if rate is None else f"{rate:.1%}"

    @admin.display(description=_("affected parties"))
    def affected_parties_table(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        rows = selectors.recall_affected_parties(recall=obj)
        kinds = dict(PartyKind.choices)
        if not rows:
            return gettext("No party downstream of these lots has been recorded.")
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    r["uscc"],
                    r["name"],
                    kinds.get(r["kind"], r["kind"]),
                    region_label(r["region"]),
                    r["quantity"],
                )
                for r in rows
            ),
        )
        return format_html(
            '<table class="affected-parties"><thead><tr><th>USCC</th><th>{}</th>'
            "<th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
            gettext("Name"),
            gettext("Kind"),
            gettext("Region"),
            gettext("Quantity received"),
            body,
        )

    # --- saving through the services

    def save_model(self, request, obj, form, change):
        if not change:
            services.recall_insert(recall=obj, actor=request.user, lots=form.cleaned_data["lots"])
        elif obj.state == RecallState.DRAFT:
            data = form.cleaned_data
            fields = {name: data[name] for name in services.PLAN_FIELDS if name in data}
            if "units_affected_override" in data:
                fields["units_affected"] = data["units_affected_override"]
            services.recall_update(recall=obj, actor=request.user, lots=data.get("lots"), **fields)

    def save_related(self, request, form, formsets, change):
        # Lots were set by the service in save_model; only the inlines remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not RecallProgress:
            return super().save_formset(request, form, formset, change)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for sub in formset.extra_forms:
            if not sub.has_changed():
                continue
            data = sub.cleaned_data
            try:
                report = services.recall_report_progress(
                    recall=form.instance,
                    actor=request.user,
                    period_end=data["period_end"],
                    note=data.get("note", ""),
                    **{name: data.get(name) or 0 for name in FIGURES},
                )
            except ApplicationError as exc:
                self.message_user(
                    request,
                    gettext("Progress report refused: %(reason)s") % {"reason": exc.message},
                    messages.ERROR,
                )
            else:
                formset.new_objects.append(report)
        return None
