import django_filters
from django.utils import timezone

from .choices import Conclusion, SampleState, TaskLevel, TaskMode
from .models import Sample, Task


class TaskFilterSet(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="region", lookup_expr="startswith")
    category = django_filters.CharFilter()
    level = django_filters.ChoiceFilter(choices=TaskLevel.choices)
    mode = django_filters.ChoiceFilter(choices=TaskMode.choices)
    lab = django_filters.CharFilter(field_name="lab__code")
    emergency = django_filters.BooleanFilter()
    active_on = django_filters.DateFilter(method="filter_active_on")

    class Meta:
        model = Task
        fields = ["region", "category", "level", "mode", "lab", "emergency", "active_on"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(starts_on__lte=value, ends_on__gte=value)


class SampleFilterSet(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=SampleState.choices)
    task = django_filters.NumberFilter(field_name="task_id")
    task_code = django_filters.CharFilter(field_name="task__code")
    mode = django_filters.ChoiceFilter(field_name="task__mode", choices=TaskMode.choices)
    region = django_filters.CharFilter(field_name="task__region", lookup_expr="startswith")
    category = django_filters.CharFilter(field_name="task__category")
    producer = django_filters.NumberFilter(field_name="producer_id")
    sampled_party = django_filters.NumberFilter(field_name="sampled_party_id")
    lot = django_filters.NumberFilter(field_name="lot_id")
    conclusion = django_filters.ChoiceFilter(choices=Conclusion.choices)
    sample_no = django_filters.CharFilter()
    overdue = django_filters.BooleanFilter(method="filter_overdue")
    sampled_from = django_filters.DateFilter(field_name="sampled_at__date", lookup_expr="gte")
    sampled_to = django_filters.DateFilter(field_name="sampled_at__date", lookup_expr="lte")
    due_before = django_filters.IsoDateTimeFilter(field_name="due_at", lookup_expr="lt")
    due_after = django_filters.IsoDateTimeFilter(field_name="due_at", lookup_expr="gte")
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Sample
        fields = []

    def filter_overdue(self, queryset, name, value):
        now = timezone.now()
        if value:
            return queryset.filter(due_at__lt=now)
        return queryset.exclude(due_at__lt=now)
