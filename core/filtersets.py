import django_filters

from .models import Alert, AlertDelivery


class AlertFilterSet(django_filters.FilterSet):
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    region = django_filters.CharFilter(field_name="region", lookup_expr="startswith")

    class Meta:
        model = Alert
        fields = ["kind", "severity", "status", "region", "dedup_key", "subject_type", "subject_id"]


class AlertDeliveryFilterSet(django_filters.FilterSet):
    class Meta:
        model = AlertDelivery
        fields = ["status", "alert", "subscription"]
