from django.contrib import admin

from .models import RiskAssessment


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "subject_kind",
        "category",
        "hazard",
        "severity",
        "probability",
        "risk_level",
        "recommended_measure",
        "measure",
        "state",
        "region",
        "assessed_at",
    ]
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
