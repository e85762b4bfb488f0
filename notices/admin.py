from django.contrib import admin

from .models import Notice, NoticeIssue


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    """Read-only: notices are issued by dispositions and recalls and moved by their
    holders through the API."""

    list_display = [
        "id",
        "party",
        "lot",
        "measure",
        "state",
        "custody_confirmed",
        "source_kind",
        "source_number",
        "due_at",
    ]
    list_filter = ["state", "measure", "source_kind", "custody_confirmed"]
    list_select_related = ["party", "lot"]
    search_fields = ["party__name", "party__uscc", "lot__lot_code", "source_number"]
    date_hierarchy = "sent_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NoticeIssue)
class NoticeIssueAdmin(admin.ModelAdmin):
    """Read-only: the orders to issue notices, to see one that is still pending (its
    attempts and last error); deliver_pending_alerts carries those out."""

    list_display = [
        "id",
        "source_kind",
        "source_number",
        "measure",
        "created_at",
        "issued_at",
        "attempts",
        "last_error",
    ]
    list_filter = ["source_kind", "measure", ("issued_at", admin.EmptyFieldListFilter)]
    search_fields = ["source_number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
