from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from . import delivery
from .choices import DeliveryStatus
from .models import (
    Alert,
    AlertDelivery,
    AlertDeliveryAttempt,
    AlertSubscription,
    IdempotencyKey,
    Lab,
    SentinelSite,
    StateHistory,
    User,
)


@admin.register(User)
class LeveeUserAdmin(UserAdmin):
    list_display = ["username", "role", "region", "party_uscc", "lab", "site", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = [
        *UserAdmin.fieldsets,
        ("Levee", {"fields": ["role", "region", "party_uscc", "lab", "site"]}),
    ]


@admin.register(Lab)
class LabAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "accreditation_no", "region"]
    search_fields = ["code", "name"]


@admin.register(SentinelSite)
class SentinelSiteAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "region", "stratum", "weight"]
    list_filter = ["kind", "stratum"]
    search_fields = ["code", "name"]


class KeptOnRecordMixin:
    """Records that are never hard-deleted (DESIGN.md §5.2): no delete view, no bulk
    delete action, for superusers too."""

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StateHistory)
class StateHistoryAdmin(ReadOnlyAdmin):
    list_display = [
        "at",
        "content_type",
        "object_id",
        "action",
        "from_state",
        "to_state",
        "actor_username",
    ]
    list_filter = ["content_type", "action"]


@admin.register(Alert)
class AlertAdmin(KeptOnRecordMixin, admin.ModelAdmin):
    list_display = ["created_at", "kind", "severity", "status", "region", "subject"]
    list_filter = ["kind", "severity", "status"]
    search_fields = ["subject", "message", "dedup_key"]
    readonly_fields = [
        "kind",
        "severity",
        "subject_type",
        "subject_id",
        "subject",
        "region",
        "message",
        "payload",
        "dedup_key",
        "created_at",
    ]


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "key", "method", "path", "status_code"]


@admin.register(AlertSubscription)
class AlertSubscriptionAdmin(KeptOnRecordMixin, admin.ModelAdmin):
    """A subscription is switched off (`active`), never deleted: its deliveries stay."""

    list_display = ["id", "name", "url", "active", "kinds", "regions", "created_at"]
    list_filter = ["active"]
    search_fields = ["name", "url"]


class AlertDeliveryAttemptInline(admin.TabularInline):
    model = AlertDeliveryAttempt
    extra = 0
    can_delete = False
    fields = readonly_fields = ["number", "at", "status_code", "error", "duration_ms", "succeeded"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(KeptOnRecordMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "alert",
        "subscription",
        "status",
        "attempt_count",
        "next_attempt_at",
        "last_status_code",
        "delivered_at",
    ]
    list_filter = ["status", "subscription"]
    list_select_related = ["alert", "subscription"]
    readonly_fields = [
        "alert",
        "subscription",
        "status",
        "attempt_count",
        "next_attempt_at",
        "last_status_code",
        "last_error",
        "delivered_at",
        "created_at",
    ]
    inlines = [AlertDeliveryAttemptInline]
    actions = ["retry_deliveries"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Retry the selected dead or pending deliveries")
    def retry_deliveries(self, request, queryset):
        retried = 0
        for item in queryset.exclude(status=DeliveryStatus.DELIVERED):
            delivery.delivery_retry(delivery=item)
            retried += 1
        self.message_user(request, f"{retried} deliveries re-armed.")
