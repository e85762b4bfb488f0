"""Recalls in the Django admin: the same services, rules and messages as the API."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from core.admin import KeptOnRecordMixin
from core.exceptions import ApplicationError
from core.models import StateHistory

from . import selectors, services
from .choices import RecallState
from .models import FIGURES, Recall, RecallObjection, RecallProgress
from .states import ACTIONS, recall_machine

# Actions that need a reason, asked for on an intermediate page.
REASON_ACTIONS = ("terminate", "return_plan")


class RecallForm(forms.ModelForm):
    class Meta:
        model = Recall
        fields = ["producer", "lots", *services.PLAN_FIELDS, "units_affected_override"]

    def clean(self):
        data = super().clean()
        producer, lots = data.get("producer") or self.instance.producer_id, data.get("lots")
        if producer and lots is not None:
            producer = data.get("producer") or self.instance.producer
            foreign = [lot.lot_code for lot in lots if lot.product.producer_id != producer.pk]
            if foreign:
                self.add_error("lots", f"Lots {', '.join(foreign)} are not lots of {producer}.")
        start, end = data.get("production_from"), data.get("production_to")
        if start and end and start > end:
            self.add_error("production_to", "The affected production period ends before it starts.")
        return data


class ProgressFormSet(forms.BaseInlineFormSet):
    """New reports are checked here with the rules of services.recall_report_progress,
    which then saves them."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        new = [f for f in self.extra_forms if f.has_changed()]
        if not new:
            return
        recall = self.instance
        if recall.state not in services.PROGRESS_STATES:
            raise ValidationError(
                f"Progress is reported once the recall is announced and until it is "
                f"completed; it is {recall.state}."
            )
        units = recall.units_affected
        for name in FIGURES:
            total = getattr(recall, name) + sum(f.cleaned_data.get(name) or 0 for f in new)
            if total > units:
                raise ValidationError(
                    f"Cumulative {name} would be {total.normalize():f}, more than the "
                    f"{units.normalize():f} units affected."
                )


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


def _transition_action(action_name):
    def run(modeladmin, request, queryset):
        if action_name in REASON_ACTIONS:
            return modeladmin.ask_reason(request, queryset, action_name)
        for recall in queryset:
            modeladmin.run_transition(request, recall, action_name)
        return None

    run.__name__ = action_name
    run.short_description = f"{action_name.replace('_', ' ').capitalize()} the selected recalls"
    return run


@admin.register(Recall)
class RecallAdmin(KeptOnRecordMixin, admin.ModelAdmin):
    form = RecallForm
    change_form_template = "admin/recalls/recall/change_form.html"
    list_display = [
        "recall_no",
        "producer",
        "category",
        "kind",
        "state",
        "risk_level",
        "units_affected_display",
        "completion_display",
        "announced_at",
        "created_at",
    ]
    list_filter = [
        "state",
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
    actions = [_transition_action(name) for name in ACTIONS]
    fieldsets = [
        (None, {"fields": ["recall_no", "state", "kind", "producer", "lots", "title", "category"]}),
        (
            "Plan",
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
            "Progress",
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
            "Deadlines and dates",
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
        ("Affected parties (forward trace of the lots)", {"fields": ["affected_parties_table"]}),
        ("History", {"fields": ["history_table"]}),
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

    @admin.display(description="units affected")
    def units_affected_display(self, obj):
        return f"{obj.units_affected.normalize():f}"

    @admin.display(description="completion")
    def completion_display(self, obj):
        rate = obj.completion_rate
        return "—" if rate is None else f"{rate:.1%}"

    @admin.display(description="affected parties")
    def affected_parties_table(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        rows = selectors.recall_affected_parties(recall=obj)
        if not rows:
            return "No party downstream of these lots has been recorded."
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((r["uscc"], r["name"], r["kind"], r["region"], r["quantity"]) for r in rows),
        )
        return format_html(
            '<table class="affected-parties"><thead><tr><th>USCC</th><th>Name</th>'
            "<th>Kind</th><th>Region</th><th>Quantity received</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            body,
        )

    @admin.display(description="state history")
    def history_table(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        rows = StateHistory.objects.for_object(obj)
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} → {}</td><td>{}</td></tr>",
            (
                (
                    h.at.strftime("%Y-%m-%d %H:%M"),
                    h.actor_username,
                    h.action,
                    h.from_state or "—",
                    h.to_state,
                    h.payload or "",
                )
                for h in rows
            ),
        )
        return format_html(
            '<table class="state-history"><thead><tr><th>At</th><th>Actor</th><th>Action</th>'
            "<th>State</th><th>Payload</th></tr></thead><tbody>{}</tbody></table>",
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
                    request, f"Progress report refused: {exc.message}", messages.ERROR
                )
            else:
                formset.new_objects.append(report)
        return None

    # --- transitions: admin actions and the buttons on a recall's page

    def run_transition(self, request, recall, action_name, payload=None):
        try:
            recall = services.recall_transition(
                recall=recall, action=action_name, actor=request.user, payload=payload
            )
        except ApplicationError as exc:
            self.message_user(request, f"{recall.recall_no}: {exc.message}", messages.ERROR)
            return False
        self.message_user(
            request,
            f"{recall.recall_no}: {action_name} done; now {recall.state}.",
            messages.SUCCESS,
        )
        return True

    def ask_reason(self, request, queryset, action_name):
        if request.POST.get("reason_given"):
            reason = request.POST.get("reason", "").strip()
            for recall in queryset:
                self.run_transition(request, recall, action_name, {"reason": reason})
            return None
        return TemplateResponse(
            request,
            "admin/recalls/recall/reason.html",
            {
                **self.admin_site.each_context(request),
                "title": f"{action_name.replace('_', ' ').capitalize()}: give a reason",
                "recalls": queryset,
                "action_name": action_name,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/transition/<str:action_name>/",
                self.admin_site.admin_view(self.transition_view),
                name="recalls_recall_transition",
            ),
            *super().get_urls(),
        ]

    def transition_view(self, request, pk, action_name):
        recall = get_object_or_404(Recall, pk=pk)
        change_url = reverse("admin:recalls_recall_change", args=[pk])
        if request.method != "POST" or action_name not in ACTIONS:
            return HttpResponseRedirect(change_url)
        if not self.has_change_permission(request, recall):
            self.message_user(request, "You may not change recalls.", messages.ERROR)
            return HttpResponseRedirect(change_url)
        payload = (
            {"reason": request.POST.get("reason", "")} if action_name in REASON_ACTIONS else {}
        )
        self.run_transition(request, recall, action_name, payload)
        return HttpResponseRedirect(change_url)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["recall_actions"] = [
                (name, name in REASON_ACTIONS)
                for name in recall_machine.allowed_actions(obj, request.user)
                if name in ACTIONS
            ]
        return super().render_change_form(request, context, add, change, form_url, obj)
