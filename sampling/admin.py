"""Read-mostly admin: samples change only through the rows of their machine, offered here
as buttons and list actions that run the same services as the API."""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.admin_tools import (
    category_column,
    due_label,
    overdue_filter,
    province_filter,
    region_column,
    region_label,
)
from core.transition_admin import TransitionAdminMixin

from .models import Disposition, Objection, Sample, Task, TestItem
from .states import sample_machine


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "title",
        "level",
        "region_display",
        "category_display",
        "mode",
        "lab",
        "starts_on",
        "ends_on",
        "emergency",
    ]
    list_filter = ["level", "mode", "emergency", "category"]
    search_fields = ["code", "title"]
    readonly_fields = ["created_by", "created_at"]
    region_display = region_column()
    category_display = category_column()

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class TestItemInline(admin.TabularInline):
    model = TestItem
    extra = 0
    can_delete = False
    fields = ["round", "item", "standard", "requirement", "measured_value", "unit", "verdict"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ObjectionInline(admin.StackedInline):
    model = Objection
    extra = 0
    can_delete = False
    readonly_fields = ["party", "filed_by", "reason", "items", "filed_at"]

    def has_add_permission(self, request, obj=None):
        return False


class DispositionInline(admin.StackedInline):
    model = Disposition
    extra = 0
    can_delete = False
    readonly_fields = [
        "measures",
        "note",
        "decided_by",
        "decided_at",
        "follow_up_due_at",
        "recall",
        "trace",
    ]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Sample)
class SampleAdmin(TransitionAdminMixin, admin.ModelAdmin):
    machine = sample_machine
    confirm_actions = ("void", "dispose")
    list_display = [
        "sample_no",
        "task",
        "state",
        "producer",
        "sampled_party",
        "region_display",
        "sampled_at",
        "conclusion",
        "due_stage",
        "due_display",
    ]
    list_filter = [
        "state",
        overdue_filter(lambda now: Q(due_at__lt=now)),
        province_filter("region"),
        "conclusion",
        "due_stage",
        "task__mode",
        "task__level",
    ]
    search_fields = ["sample_no", "producer__name", "producer__uscc", "sampled_party__name"]
    list_select_related = ["task", "producer", "sampled_party"]
    date_hierarchy = "sampled_at"
    inlines = [TestItemInline, ObjectionInline, DispositionInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        # Region codes with their province's name, as in the list.
        shown = {"region": "region_display", "handling_region": "handling_region_display"}
        return [*(shown.get(f.name, f.name) for f in self.model._meta.fields), "history_table"]

    @admin.display(description=_("handling region"))
    def handling_region_display(self, sample):
        return region_label(sample.handling_region)

    @admin.display(description=_("region"), ordering="region")
    def region_display(self, sample):
        return region_label(sample.region)

    @admin.display(description=_("due"), ordering="due_at")
    def due_display(self, sample):
        return due_label(sample.due_at)
