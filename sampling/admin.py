"""Read-mostly admin: samples change only through the services' transitions, offered here
as admin actions that obey the same rules as the API."""

from django.contrib import admin, messages

from core.exceptions import ApplicationError

from . import services
from .models import Disposition, Objection, Sample, Task, TestItem


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "title",
        "level",
        "region",
        "category",
        "mode",
        "lab",
        "starts_on",
        "ends_on",
        "emergency",
    ]
    list_filter = ["level", "mode", "emergency", "category"]
    search_fields = ["code", "title"]
    readonly_fields = ["created_by", "created_at"]

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


def _transition_action(name, service, description, **kwargs):
    def run(modeladmin, request, queryset):
        done = 0
        for sample in queryset:
            try:
                service(sample=sample, actor=request.user, **kwargs)
                done += 1
            except ApplicationError as exc:
                modeladmin.message_user(request, f"{sample}: {exc.message}", messages.ERROR)
        if done:
            modeladmin.message_user(request, f"{description}: {done} sample(s).", messages.SUCCESS)

    run.__name__ = name
    run.short_description = description
    return run


@admin.register(Sample)
class SampleAdmin(admin.ModelAdmin):
    list_display = [
        "sample_no",
        "task",
        "state",
        "producer",
        "sampled_party",
        "sampled_at",
        "conclusion",
        "due_stage",
        "due_at",
    ]
    list_filter = ["state", "conclusion", "due_stage", "task__mode", "task__level"]
    search_fields = ["sample_no", "producer__name", "producer__uscc", "sampled_party__name"]
    list_select_related = ["task", "producer", "sampled_party"]
    date_hierarchy = "sampled_at"
    inlines = [TestItemInline, ObjectionInline, DispositionInline]
    actions = [
        _transition_action("receive", services.sample_receive, "Receive at the lab"),
        _transition_action("notify", services.sample_notify, "Notify the parties"),
        _transition_action("close", services.sample_close, "Close", note="Closed in the admin"),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]
