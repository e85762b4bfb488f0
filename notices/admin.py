from django.contrib import admin

from .models import Notice


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
