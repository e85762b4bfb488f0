import django_filters
from django.utils import timezone

from core.regions import region_q

from .choices import Conclusion, SampleState, TaskLevel, TaskMode, TaskState
from .models import Sample, Task


class TaskFilterSet(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="region", lookup_expr="startswith")
    category = django_filters.CharFilter()
    level = django_filters.ChoiceFilter(choices=TaskLevel.choices)
    mode = django_filters.ChoiceFilter(choices=TaskMode.choices)
    lab = django_filters.CharFilter(field_name="lab__code")
    emergency = django_filters.BooleanFilter()
    active_on = django_filters.DateFilter(method="filter_active_on")
    parent = django_filters.NumberFilter(field_name="parent_id")
    top_level = django_filters.BooleanFilter(
        field_name="parent", lookup_expr="isnull", label="Tasks not allocated from another"
    )
    state = django_filters.ChoiceFilter(choices=TaskState.choices)

    class Meta:
        model = Task
        fields = [
            "region",
            "category",
            "level",
            "mode",
            "lab",
            "emergency",
            "active_on",
            "parent",
            "top_level",
            "state",
        ]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(starts_on__lte=value, ends_on__gte=value)


class SampleFilterSet(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=SampleState.choices)
    task = django_filters.NumberFilter(field_name="task_id")
    task_code = django_filters.CharFilter(field_name="task__code")
    mode = django_filters.ChoiceFilter(field_name="task__mode", choices=TaskMode.choices)
    region = django_filters.CharFilter(method="filter_region", label="Sampled in this region")
    handling_region = django_filters.CharFilter(method="filter_region")
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

    def filter_region(self, queryset, name, value):
        return queryset.filter(region_q(name, value))

    def filter_overdue(self, queryset, name, value):
        now = timezone.now()
        if value:
            return queryset.filter(due_at__lt=now)
        return queryset.exclude(due_at__lt=now)


class PublicSpotCheckFilterSet(django_filters.FilterSet):
    category = django_filters.CharFilter()
    level = django_filters.ChoiceFilter(choices=TaskLevel.choices)
    region = django_filters.CharFilter(method="filter_region")

    class Meta:
        model = Task
        fields = ["category", "level", "region"]

    def filter_region(self, queryset, name, value):
        return queryset.filter(region_q("region", value))
