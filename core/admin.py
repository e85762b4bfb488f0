from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import Q
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import delivery
from .admin_tools import due_label, overdue_filter, province_filter, region_column, region_label
from .choices import AlertKind, DeliveryStatus
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

admin.site.site_header = _("Levee: product quality safety supervision")
admin.site.site_title = _("Levee admin")
admin.site.index_title = _("Supervision administration")


@admin.register(User)
class LeveeUserAdmin(UserAdmin):
    list_display = ["username", "role", "region_display", "party_uscc", "lab", "site", "is_active"]
    region_display = region_column()
    list_filter = ["role", "is_active"]
    fieldsets = [
        *UserAdmin.fieldsets,
        (_("Role and links"), {"fields": ["role", "region", "party_uscc", "lab", "site"]}),
    ]
    # The role and its link at creation too (a user without them fails User.clean); the
    # password goes through AUTH_PASSWORD_VALIDATORS, as in add_user.
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "username",
                    "usable_password",
                    "password1",
                    "password2",
                    "role",
                    "region",
                    "party_uscc",
                    "lab",
                    "site",
                ],
            },
        )
    ]


@admin.register(Lab)
class LabAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "accreditation_no", "region_display"]
    region_display = region_column()
    search_fields = ["code", "name"]


@admin.register(SentinelSite)
class SentinelSiteAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "region_display", "stratum", "weight"]
    region_display = region_column()
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
    list_display = [
        "created_at",
        "kind",
        "severity",
        "status",
        "region_display",
        "subject",
        "due_display",
    ]
    list_filter = [
        "status",
        # Alerts about a missed deadline.
        overdue_filter(
            lambda now: Q(kind__in=[AlertKind.DEADLINE_OVERDUE, AlertKind.RECALL_PROGRESS_OVERDUE])
        ),
        province_filter("region"),
        "kind",
        "severity",
    ]

    @admin.display(description=_("region"), ordering="region")
    def region_display(self, alert):
        return region_label(alert.region)

    @admin.display(description=_("due"))
    def due_display(self, alert):
        """The missed deadline a deadline alert is about (its payload's due time)."""
        due = alert.payload.get("due_at") or alert.payload.get("due")
        moment = parse_datetime(due) if isinstance(due, str) else None
        return due_label(moment) if moment else "—"

    search_fields = ["subject", "message", "dedup_key"]
    exclude = ["message", "message_text", "message_args"]

    @admin.display(description=_("message"))
    def localized_message(self, alert):
        return alert.localized_message

    readonly_fields = [
        "kind",
        "severity",
        "subject_type",
        "subject_id",
        "subject",
        "region",
        "localized_message",
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

    @admin.action(description=_("Retry the selected dead or pending deliveries"))
    def retry_deliveries(self, request, queryset):
        retried = 0
        for item in queryset.exclude(status=DeliveryStatus.DELIVERED):
            delivery.delivery_retry(delivery=item)
            retried += 1
        self.message_user(
            request,
            ngettext("%(count)d delivery re-armed.", "%(count)d deliveries re-armed.", retried)
            % {"count": retried},
        )
