from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Notice, NoticeIssue


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
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


@admin.register(NoticeIssue)
class NoticeIssueAdmin(ReadOnlyAdmin):
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
