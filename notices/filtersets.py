import django_filters
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils import timezone

from .choices import NoticeMeasure, NoticeState
from .models import Notice


class NoticeFilterSet(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=NoticeState.choices)
    source = django_filters.CharFilter(
        method="filter_source",
        validators=[
            RegexValidator(r"^(disposition|recall)(:[0-9]+)?$", "disposition or recall[:id]")
        ],
        help_text="`disposition` or `recall`, optionally with the source's id: `recall:12`.",
    )
    lot = django_filters.NumberFilter(field_name="lot_id")
    party = django_filters.NumberFilter(field_name="party_id")
    measure = django_filters.ChoiceFilter(choices=NoticeMeasure.choices)
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", help_text="Sent and not acknowledged by its due time."
    )

    class Meta:
        model = Notice
        fields = ["state", "source", "lot", "party", "measure", "overdue"]

    def filter_source(self, queryset, name, value):
        kind, _, source_id = value.partition(":")
        queryset = queryset.filter(source_kind=kind)
        return queryset.filter(source_id=int(source_id)) if source_id else queryset

    def filter_overdue(self, queryset, name, value):
        late = Q(state=NoticeState.SENT, due_at__lt=timezone.now())
        return queryset.filter(late) if value else queryset.exclude(late)
