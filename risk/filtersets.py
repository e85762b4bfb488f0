import django_filters

from .models import RiskAssessment


class RiskAssessmentFilterSet(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="region", lookup_expr="startswith")
    assessed_after = django_filters.IsoDateTimeFilter(field_name="assessed_at", lookup_expr="gte")
    assessed_before = django_filters.IsoDateTimeFilter(field_name="assessed_at", lookup_expr="lt")

    class Meta:
        model = RiskAssessment
        fields = [
            "subject_kind",
            "product",
            "lot",
            "category",
            "region",
            "risk_level",
            "recommended_measure",
            "measure",
            "state",
            "matrix_version",
        ]
