import django_filters

from core.regions import region_q

from .models import Complaint, RiskAssessment


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


class ComplaintFilterSet(django_filters.FilterSet):
    region = django_filters.CharFilter(method="within_region", label="Within this region")
    received_after = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="lt")
    receipt_no = django_filters.CharFilter()
    gtin = django_filters.CharFilter()
    counted = django_filters.BooleanFilter(
        field_name="duplicate_of", lookup_expr="isnull", label="Leave out repeats (true)"
    )

    class Meta:
        model = Complaint
        fields = ["channel", "category", "product", "lot", "region", "gtin", "receipt_no"]

    def within_region(self, queryset, name, value):
        return queryset.filter(region_q(name, value))
