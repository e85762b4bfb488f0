import django_filters
from django.db.models import Q

from .choices import RecallKind, RecallState, Remedy, RiskLevel
from .models import Recall


class RecallFilterSet(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=RecallState.choices)
    kind = django_filters.ChoiceFilter(choices=RecallKind.choices)
    risk_level = django_filters.ChoiceFilter(choices=RiskLevel.choices)
    remedy = django_filters.ChoiceFilter(choices=Remedy.choices)
    category = django_filters.CharFilter()
    producer = django_filters.NumberFilter(field_name="producer_id")
    lot = django_filters.NumberFilter(field_name="lots", distinct=True)
    recall_no = django_filters.CharFilter()
    source_type = django_filters.CharFilter()
    source_id = django_filters.CharFilter()
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    announced_after = django_filters.DateFilter(field_name="announced_at__date", lookup_expr="gte")
    announced_before = django_filters.DateFilter(field_name="announced_at__date", lookup_expr="lte")

    class Meta:
        model = Recall
        fields = []


class PublicRecallFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", label="Recall number, title, producer or product name contains"
    )
    category = django_filters.CharFilter()
    announced_after = django_filters.DateFilter(field_name="announced_at__date", lookup_expr="gte")
    announced_before = django_filters.DateFilter(field_name="announced_at__date", lookup_expr="lte")

    class Meta:
        model = Recall
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(recall_no__icontains=value)
            | Q(title__icontains=value)
            | Q(producer__name__icontains=value)
            | Q(
                pk__in=Recall.lots.through.objects.filter(
                    lot__product__name__icontains=value
                ).values("recall_id")
            )
        )
