from decimal import Decimal

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
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
        date_from = attrs.get("date_from") or date_to.replace(year=date_to.year - 1)
        if date_from > date_to:
            raise serializers.ValidationError({"from": "'from' is after 'to'."})
        if date_to.year - date_from.year > 50:
            raise serializers.ValidationError({"from": "That range is too long."})
        return {**attrs, "date_from": date_from, "date_to": date_to}


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
