from django.contrib import admin

from core.admin_tools import category_column, region_column

from .models import Complaint, RiskAssessment


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "subject_kind",
        "category_display",
        "hazard",
        "severity",
        "probability",
        "risk_level",
        "recommended_measure",
        "measure",
        "state",
        "region_display",
        "assessed_at",
    ]
    region_display = region_column()
    category_display = category_column()
    list_filter = ["risk_level", "state", "subject_kind", "measure", "matrix_version"]
    search_fields = ["number", "hazard", "category"]
    list_select_related = ["product", "lot"]
    raw_id_fields = ["product", "lot", "recall", "measure_alert"]
    # The matrix computes these; the decision goes through the decide action.
    readonly_fields = [
        "number",
        "probability",
        "probability_band",
        "risk_level",
        "matrix_version",
        "sensitivity",
        "recommended_measure",
        "state",
        "assessed_by",
        "assessed_at",
        "measure",
        "decided_by",
        "decided_at",
        "recall",
        "measure_alert",
    ]

    def has_add_permission(self, request):
        return False  # created through the API, where the matrix evaluates the scenario


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    """Complaints are filed through the API (which matches the product, masks personal
    data and hashes the contact); here they are read and their coding corrected."""

    list_display = [
        "receipt_no",
        "channel",
        "received_at",
        "region_display",
        "category_display",
        "brand",
        "model",
        "gtin",
        "product",
        "lot",
        "duplicate_of",
    ]
    list_filter = ["channel", "category"]
    region_display = region_column()
    category_display = category_column()
    search_fields = ["receipt_no", "gtin", "brand", "model", "product_name", "lot_code"]
    date_hierarchy = "received_at"
    list_select_related = ["product", "lot"]
    raw_id_fields = ["product", "lot", "duplicate_of"]
    readonly_fields = [
        "receipt_no",
        "channel",
        "received_at",
        "narrative",
        "contact_hash",
        "duplicate_of",
        "filed_by",
        "created_at",
    ]
    exclude = ["request_key", "request_hash"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
