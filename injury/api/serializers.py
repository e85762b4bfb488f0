from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from core.models import SentinelSite
from core.regions import validate_region_code
from core.validators import validate_category
from traceability.models import Lot, Product

from ..choices import (
    EstimateGroup,
    Interval,
    Measure,
    Reporter,
    RootCause,
)
from ..models import Accident, AccidentCategory, InjuryReport

# What each request field is, for the OpenAPI schema (English, like the whole schema):
# core.api.schema reads FIELD_HELP for fields without help_text, "Serializer.field" first.
FIELD_HELP = {
    "SiteSerializer.code": "The site's code, unique (e.g. site-bj-hospital).",
    "SiteSerializer.name": "The site's name.",
    "SiteSerializer.kind": "hospital, school or community.",
    "SiteSerializer.region": "Where the site is: a 6-digit GB/T 2260 code.",
    "stratum": "The sampling stratum the site stands for in the national estimates.",
    "weight": "The site's sampling weight in the national estimates, greater than 0.",
    "active_from": "First day the site reports (YYYY-MM-DD).",
    "active_to": "Last day the site reports (YYYY-MM-DD), empty while active.",
    "InjuryReportSerializer.site": "The code of the sentinel site (a sentinel: its own).",
    "InjuryReportSerializer.occurred_at": (
        "When the injury happened: ISO 8601 with offset, not in the future; the site must have "
        "been active then."
    ),
    "age": "The patient's age in whole years, 0-120 (no names or ID numbers are kept).",
    "sex": "male, female or unknown.",
    "place": "Where it happened (national injury surveillance card item 伤害发生地点).",
    "activity": "What the patient was doing (card item 伤害发生时活动).",
    "mechanism": "The external cause (card item 伤害发生原因).",
    "intent": "unintentional, self_harm, assault, other or unknown.",
    "nature": "The nature of the injury (fracture, burn, ...).",
    "body_part": "The body part injured.",
    "InjuryReportSerializer.severity": "mild, moderate or severe.",
    "disposition": "What happened to the patient (treated and released, admitted, ...).",
    "product_category": "The product category involved, a slug; default: the product's.",
    "product": "The id of the product involved, if known.",
    "product_relation": (
        "How the product was involved: misuse, product quality, accident in normal use, uncertain "
        "or other."
    ),
    "narrative": "What happened, in words (no personal data).",
    "AccidentCategorySerializer.code": "The key category's slug (e.g. electric_bicycle).",
    "AccidentCategorySerializer.name": "The category's name.",
    "deadline_amount": "How soon the first report is due, in deadline_unit.",
    "deadline_unit": "working_days, days or hours.",
    "casualty_deadline_amount": (
        "How soon it is due when someone died or was injured, in casualty_deadline_unit (empty: "
        "as deadline_amount)."
    ),
    "casualty_deadline_unit": "working_days, days or hours.",
    "full_report_amount": (
        "How soon the full report is due after the first, in full_report_unit (empty: no full "
        "report)."
    ),
    "full_report_unit": "working_days, days or hours.",
    "active": "Whether the category is in use.",
    "AccidentSerializer.category": "The key category's code (see accident-categories/).",
    "AccidentSerializer.region": (
        "Where it happened: a 6-digit GB/T 2260 code (default: the reporter's)."
    ),
    "AccidentSerializer.occurred_at": (
        "When the accident happened: ISO 8601 with offset, not in the future."
    ),
    "learned_at": (
        "When the reporter learned of it (ISO 8601 with offset); default occurred_at; decides "
        "whether the report is late."
    ),
    "reported_at": "When it was reported (ISO 8601 with offset); default now.",
    "deaths": "How many people died, 0-100000.",
    "injuries": "How many people were injured, 0-100000.",
    "property_loss": "The property loss in yuan, at least 0.",
    "lot": "The id of the lot involved, if known (of the product given).",
    "reporter": (
        "Who reports: producer, seller, hospital, consumer or regulator (an enterprise: producer "
        "or seller)."
    ),
    "description": "What happened, in words.",
    "full_report": "The full report (完整报告) after the first, in words.",
    "experts": "The investigating experts, at least one, each {name, field}.",
    "ExpertSerializer.name": "The expert's name.",
    "field": "The expert's field (e.g. electrical safety).",
    "findings": "What the investigation found.",
    "root_cause": "design, manufacturing, warning or instructions, misuse or unknown.",
    "measure": ("The measure taken: recall, take_down, warning, monitor, revise_standard or none."),
    "measure_note": "Details of the measure.",
}


class SiteSerializer(serializers.ModelSerializer):
    region = serializers.CharField(validators=[validate_region_code])
    weight = serializers.DecimalField(
        max_digits=12, decimal_places=4, min_value=Decimal("0.0001"), required=False
    )

    class Meta:
        model = SentinelSite
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "region",
            "stratum",
            "weight",
            "active_from",
            "active_to",
        ]
        read_only_fields = ["id"]
        # Uniqueness is checked in the service (the model's validator would query too).
        extra_kwargs = {"code": {"validators": []}}


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A scald from a kettle",
            request_only=True,
            value={
                "site": "site-bj-hospital",
                "occurred_at": "2026-11-29T19:20:00+08:00",
                "age": 4,
                "sex": "female",
                "place": "home",
                "activity": "leisure",
                "mechanism": "burn",
                "intent": "unintentional",
                "nature": "burn",
                "body_part": "hand",
                "severity": "moderate",
                "disposition": "treated_released",
                "product_category": "electric_kettle",
                "product_relation": "product_quality",
                "narrative": "水壶倾倒，热水烫伤手部。",
            },
        )
    ]
)
class InjuryReportSerializer(serializers.ModelSerializer):
    """Only the coded fields below are read; anything else in the body (a name, an ID
    number, a phone) is dropped before it reaches the service."""

    site = serializers.SlugRelatedField(
        slug_field="code", queryset=SentinelSite.objects.all(), required=False
    )
    age = serializers.IntegerField(min_value=0, max_value=120)
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.all(), required=False, allow_null=True
    )
    product_category = serializers.CharField(
        required=False, allow_blank=True, validators=[validate_category], max_length=64
    )
    narrative = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")

    class Meta:
        model = InjuryReport
        fields = [
            "id",
            "site",
            "occurred_at",
            "age",
            "sex",
            "place",
            "activity",
            "mechanism",
            "intent",
            "nature",
            "body_part",
            "severity",
            "disposition",
            "product_category",
            "product",
            "product_relation",
            "narrative",
            "weight",
            "created_at",
        ]
        read_only_fields = ["id", "weight", "created_at"]


class EstimateQuerySerializer(serializers.Serializer):
    group_by = serializers.ChoiceField(
        choices=EstimateGroup.choices, default=EstimateGroup.PRODUCT_CATEGORY
    )
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    interval = serializers.ChoiceField(choices=Interval.choices, required=False)
    region = serializers.CharField(required=False, validators=[validate_region_code])

    def to_internal_value(self, data):
        # `from` and `to` are Python keywords; the query string uses them as is.
        data = {
            "group_by": data.get("group_by"),
            "date_from": data.get("from"),
            "date_to": data.get("to"),
            "interval": data.get("interval"),
            "region": data.get("region"),
        }
        return super().to_internal_value({k: v for k, v in data.items() if v not in (None, "")})

    def validate(self, attrs):
        date_to = attrs.get("date_to") or timezone.localdate()
        date_from = attrs.get("date_from") or _a_year_before(date_to)
        if date_from > date_to:
            raise serializers.ValidationError({"from": _("“from” is after “to”.")})
        if date_to.year - date_from.year > 50:
            raise serializers.ValidationError({"from": _("That range is too long.")})
        return {**attrs, "date_from": date_from, "date_to": date_to}


def _a_year_before(day):
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


class EstimateRowSerializer(serializers.Serializer):
    period = serializers.DateField(required=False, help_text="With ?interval: first day.")
    period_end = serializers.DateField(required=False, help_text="With ?interval: last day.")
    group = serializers.CharField()
    cases = serializers.IntegerField()
    estimate = serializers.FloatField()
    se = serializers.FloatField()
    cv = serializers.FloatField(allow_null=True)
    ci_low = serializers.FloatField()
    ci_high = serializers.FloatField()
    unstable = serializers.BooleanField()


class EstimatesSerializer(serializers.Serializer):
    group_by = serializers.CharField()
    interval = serializers.CharField(allow_null=True)
    region = serializers.CharField(allow_null=True)
    results = EstimateRowSerializer(many=True)

    def get_fields(self):
        # `from` and `to` are Python keywords: declared here rather than as attributes.
        return {
            **super().get_fields(),
            "from": serializers.DateField(),
            "to": serializers.DateField(),
        }


class AccidentCategorySerializer(serializers.ModelSerializer):
    code = serializers.CharField(validators=[validate_category], max_length=64)

    class Meta:
        model = AccidentCategory
        fields = [
            "id",
            "code",
            "name",
            "deadline_amount",
            "deadline_unit",
            "casualty_deadline_amount",
            "casualty_deadline_unit",
            "full_report_amount",
            "full_report_unit",
            "active",
        ]
        read_only_fields = ["id"]


class ExpertSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    field = serializers.CharField(max_length=200)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "An e-bike fire",
            request_only=True,
            value={
                "category": "electric_bicycle",
                "region": "110105",
                "occurred_at": "2026-11-29T22:10:00+08:00",
                "learned_at": "2026-11-30T08:00:00+08:00",
                "deaths": 0,
                "injuries": 1,
                "property_loss": "30000.00",
                "reporter": "regulator",
                "description": "电动自行车充电时起火。",
            },
        ),
        OpenApiExample(
            "A new-energy car fire (a full report follows within 48 hours)",
            request_only=True,
            value={
                "category": "motor_vehicle",
                "region": "110105",
                "occurred_at": "2026-12-01T18:40:00+08:00",
                "learned_at": "2026-12-01T19:05:00+08:00",
                "deaths": 0,
                "injuries": 0,
                "property_loss": "180000.00",
                "description": "新能源汽车在地下车库充电时冒烟起火，无人员伤亡。",
            },
        ),
    ]
)
class AccidentSerializer(serializers.ModelSerializer):
    category = serializers.CharField(
        source="category_id", validators=[validate_category], max_length=64
    )
    region = serializers.CharField(
        required=False, allow_blank=True, validators=[validate_region_code]
    )
    learned_at = serializers.DateTimeField(required=False)
    reported_at = serializers.DateTimeField(required=False)
    reporter = serializers.ChoiceField(choices=Reporter.choices, required=False, allow_blank=True)
    deaths = serializers.IntegerField(min_value=0, max_value=100000, default=0)
    injuries = serializers.IntegerField(min_value=0, max_value=100000, default=0)
    property_loss = serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=0, default=0
    )
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.all(), required=False, allow_null=True
    )
    lot = serializers.PrimaryKeyRelatedField(
        queryset=Lot.objects.all(), required=False, allow_null=True
    )
    description = serializers.CharField(max_length=10000)
    site = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    experts = ExpertSerializer(many=True, read_only=True)
    root_cause = serializers.ChoiceField(
        choices=RootCause.choices, read_only=True, allow_blank=True
    )
    measure = serializers.ChoiceField(choices=Measure.choices, read_only=True, allow_blank=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Accident
        fields = [
            "id",
            "accident_no",
            "category",
            "state",
            "region",
            "occurred_at",
            "learned_at",
            "reported_at",
            "deadline",
            "late",
            "full_report_due",
            "full_report",
            "full_reported_at",
            "deaths",
            "injuries",
            "property_loss",
            "product",
            "lot",
            "reporter",
            "description",
            "site",
            "experts",
            "findings",
            "root_cause",
            "measure",
            "measure_note",
            "concluded_at",
            "allowed_actions",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "accident_no",
            "state",
            "deadline",
            "late",
            "full_report_due",
            "full_report",
            "full_reported_at",
            "site",
            "experts",
            "findings",
            "root_cause",
            "measure",
            "measure_note",
            "concluded_at",
            "created_at",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, obj):
        from ..states import accident_machine

        request = self.context.get("request")
        return accident_machine.allowed_actions(obj, getattr(request, "user", None))


class FullReportSerializer(serializers.Serializer):
    full_report = serializers.CharField(max_length=20000)


class OpenInvestigationSerializer(serializers.Serializer):
    experts = ExpertSerializer(many=True, allow_empty=False)


class ConcludeSerializer(serializers.Serializer):
    findings = serializers.CharField(max_length=20000)
    root_cause = serializers.ChoiceField(choices=RootCause.choices)
    measure = serializers.ChoiceField(choices=Measure.choices)
    measure_note = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, default=""
    )
