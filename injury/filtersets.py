import django_filters

from core.models import SentinelSite

from .choices import AccidentState, BodyPart, Mechanism, Reporter, Severity, Sex
from .models import Accident, InjuryReport


class SiteFilterSet(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="region", lookup_expr="startswith")

    class Meta:
        model = SentinelSite
        fields = ["kind", "stratum", "region"]


class InjuryReportFilterSet(django_filters.FilterSet):
    site = django_filters.CharFilter(field_name="site__code")
    occurred_from = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")
    product_category = django_filters.CharFilter()
    product = django_filters.NumberFilter(field_name="product_id")
    mechanism = django_filters.ChoiceFilter(choices=Mechanism.choices)
    body_part = django_filters.ChoiceFilter(choices=BodyPart.choices)
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    sex = django_filters.ChoiceFilter(choices=Sex.choices)
    age_min = django_filters.NumberFilter(field_name="age", lookup_expr="gte")
    age_max = django_filters.NumberFilter(field_name="age", lookup_expr="lte")

    class Meta:
        model = InjuryReport
        fields = []


class AccidentFilterSet(django_filters.FilterSet):
    category = django_filters.CharFilter(field_name="category_id")
    state = django_filters.ChoiceFilter(choices=AccidentState.choices)
    reporter = django_filters.ChoiceFilter(choices=Reporter.choices)
    region = django_filters.CharFilter(field_name="region", lookup_expr="startswith")
    late = django_filters.BooleanFilter()
    product = django_filters.NumberFilter(field_name="product_id")
    occurred_from = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = Accident
        fields = []
