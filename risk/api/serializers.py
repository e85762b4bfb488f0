from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from stdnum import ean
from stdnum.exceptions import ValidationError as StdnumError

from core.api.fields import ScopedPrimaryKeyRelatedField
from core.regions import validate_region_code
from core.validators import validate_category
from injury.models import Accident, InjuryReport
from sampling.models import Sample
from traceability.models import Lot, Product

from ..choices import ComplaintChannel, ComplaintProblem, Measure, SubjectKind
from ..models import Complaint, RiskAssessment

# What each request field is, for the OpenAPI schema (English, like the whole schema):
# core.api.schema reads FIELD_HELP for fields without help_text, "Serializer.field" first.
FIELD_HELP = {
    "product_name": "The product's name as printed on it or its package.",
    "brand": "The brand as printed on the product.",
    "model": "The model (型号) as printed on the product.",
    "lot_code": "The lot or batch code as printed, if any.",
    "problem": "What is wrong: injury, fire, electric shock, chemical, choking, quality defect, "
    "labelling or other.",
    "narrative": "What happened, in words; numbers that look like phones or IDs are masked.",
    "channel": "How the complaint came in: 12315 hotline, web, platform or regulator.",
    "received_at": "When it came in (ISO 8601 with offset); default now.",
    "subject_kind": "What is assessed: product, lot or category.",
    "product": "product: the id of the product assessed.",
    "RiskAssessmentCreateSerializer.lot": "lot: the id of the lot assessed.",
    "category": "category: the product category assessed, a slug.",
    "region": (
        "The region the assessment is for: a 6-digit GB/T 2260 code within yours (default: yours, "
        "or the producer's)."
    ),
    "hazard": "The hazard assessed (e.g. electric shock from the base).",
    "steps": (
        "The injury scenario, step by step (EU Safety Gate method), each {description, "
        "probability}; the scenario's probability is their product."
    ),
    "description": "What happens at this step.",
    "probability": (
        "The step's probability, a number greater than 0 and at most 1 (e.g. 0.01 for one in a "
        "hundred), read exactly as a decimal."
    ),
    "severity": "The severity of the injury, 1 (minor) to 4 (fatal or permanent).",
    "notes": "Notes kept with the assessment.",
    "samples": "Ids of samples the assessment rests on.",
    "injury_reports": "Ids of injury reports the assessment rests on.",
    "accidents": "Ids of accident reports the assessment rests on.",
    "measure": (
        "The measure decided: recall (opens a draft recall), take_down, warning (both raise an "
        "alert) or monitor (sets review_on)."
    ),
    "note": "Why this measure, kept in the history.",
    "review_on": "monitor: when to review (YYYY-MM-DD), in the future.",
    "DecideSerializer.lots": (
        "recall of a product assessment: the ids of the lots to recall, all of that product."
    ),
}


@extend_schema_field({"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": 1})
class ProbabilityField(serializers.Field):
    """A probability in (0, 1], read exactly (as a decimal) so that the matrix bands'
    boundaries are not blurred by binary floating point."""

    default_error_messages = {
        "invalid": _("A probability is a number."),
        "range": _("A probability lies in (0, 1]."),
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, float, str)):
            self.fail("invalid")
        try:
            value = Decimal(str(data).strip())
        except (InvalidOperation, ValueError):
            self.fail("invalid")
        if not value.is_finite():
            self.fail("invalid")
        if not 0 < value <= 1:
            self.fail("range")
        return value

    def to_representation(self, value):
        return float(value)


class StepSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=500)
    probability = ProbabilityField()


class SensitivityScenarioSerializer(serializers.Serializer):
    probability = serializers.FloatField()
    risk_level = serializers.CharField()


class SensitivityStepSerializer(serializers.Serializer):
    step = serializers.IntegerField()
    higher = serializers.CharField()
    lower = serializers.CharField()


class SensitivitySerializer(serializers.Serializer):
    higher = SensitivityScenarioSerializer(help_text="Every step ten times more likely (cap 1)")
    lower = SensitivityScenarioSerializer(help_text="Every step ten times less likely")
    steps = SensitivityStepSerializer(
        many=True, help_text="Each step alone times 10 and divided by 10"
    )
    stable = serializers.BooleanField(help_text="The level holds in both directions")


class RiskAssessmentSerializer(serializers.ModelSerializer):
    steps = StepSerializer(many=True)
    sensitivity = SensitivitySerializer()
    assessed_by = serializers.CharField(
        source="assessed_by.username", default=None, allow_null=True
    )
    decided_by = serializers.CharField(source="decided_by.username", default=None, allow_null=True)

    class Meta:
        model = RiskAssessment
        fields = [
            "id",
            "number",
            "subject_kind",
            "product",
            "lot",
            "category",
            "region",
            "hazard",
            "steps",
            "severity",
            "probability",
            "probability_band",
            "risk_level",
            "matrix_version",
            "sensitivity",
            "recommended_measure",
            "state",
            "assessed_by",
            "assessed_at",
            "notes",
            "measure",
            "decided_by",
            "decided_at",
            "decision_note",
            "review_on",
            "recall",
            "measure_alert",
            "samples",
            "injury_reports",
            "accidents",
        ]
        read_only_fields = fields


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Electric shock from a kettle",
            request_only=True,
            value={
                "subject_kind": "product",
                "product": 1,
                "hazard": "底座漏电导致触电",
                "steps": [
                    {"description": "绝缘失效", "probability": 0.01},
                    {"description": "用户接触带电部件", "probability": 0.5},
                ],
                "severity": 4,
            },
        )
    ]
)
class RiskAssessmentCreateSerializer(serializers.Serializer):
    subject_kind = serializers.ChoiceField(choices=SubjectKind.choices)
    # Only what the user may see can be assessed or cited; the rest "does not exist".
    product = ScopedPrimaryKeyRelatedField(
        queryset=Product.objects.all(), required=False, allow_null=True
    )
    lot = ScopedPrimaryKeyRelatedField(
        queryset=Lot.objects.select_related("product"), required=False, allow_null=True
    )
    category = serializers.CharField(
        required=False, allow_blank=True, default="", validators=[validate_category]
    )
    region = serializers.CharField(required=False, allow_blank=True, default="", max_length=6)
    hazard = serializers.CharField(max_length=500)
    steps = StepSerializer(many=True, min_length=1, max_length=20)
    severity = serializers.IntegerField(min_value=1, max_value=4)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    samples = ScopedPrimaryKeyRelatedField(
        queryset=Sample.objects.all(), many=True, required=False, default=list
    )
    injury_reports = ScopedPrimaryKeyRelatedField(
        queryset=InjuryReport.objects.all(), many=True, required=False, default=list
    )
    accidents = ScopedPrimaryKeyRelatedField(
        queryset=Accident.objects.all(), many=True, required=False, default=list
    )


class DecideSerializer(serializers.Serializer):
    measure = serializers.ChoiceField(choices=Measure.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    review_on = serializers.DateField(required=False, allow_null=True, default=None)
    lots = ScopedPrimaryKeyRelatedField(
        queryset=Lot.objects.all(), many=True, required=False, default=list
    )


# --- Complaints


def validate_gtin_field(value):
    try:
        return ean.validate(value)
    except StdnumError as exc:
        raise serializers.ValidationError(
            _("'%(value)s' is not a valid GTIN: %(exc)s") % {"value": value, "exc": exc}
        ) from exc


class ComplaintSerializer(serializers.ModelSerializer):
    """A complaint as a regulator reads it. The contact's hash is not shown; a repeated
    complaint by the same contact names the first in `duplicate_of`."""

    class Meta:
        model = Complaint
        fields = [
            "id",
            "receipt_no",
            "channel",
            "received_at",
            "region",
            "category",
            "product_name",
            "brand",
            "model",
            "gtin",
            "lot_code",
            "product",
            "lot",
            "problem",
            "narrative",
            "duplicate_of",
            "created_at",
        ]
        read_only_fields = fields


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A kettle that gave a shock",
            request_only=True,
            value={
                "region": "110105",
                "category": "electric_kettle",
                "product_name": "电热水壶",
                "brand": "Levee",
                "model": "KT-1",
                "lot_code": "20261101A",
                "problem": ["electric_shock"],
                "narrative": "烧水时手碰到壶身有麻电感。",
            },
        )
    ]
)
class PublicComplaintSerializer(serializers.Serializer):
    """What anyone files: the product as printed, the problem and what happened. Give no
    name or ID number; a phone or e-mail in `contact` is kept only as a hash (to tell
    repeated complaints apart), and numbers in the narrative are masked."""

    region = serializers.CharField(
        max_length=6,
        validators=[validate_region_code],
        help_text="Where the product was bought or used (GB/T 2260 code).",
    )
    category = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        validators=[validate_category],
        help_text="Product category; may be left out when the GTIN names a known product.",
    )
    product_name = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200
    )
    brand = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    model = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    gtin = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=14,
        validators=[validate_gtin_field],
        help_text="The barcode number (GTIN-8/12/13/14).",
    )
    lot_code = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)
    problem = serializers.ListField(
        child=serializers.ChoiceField(choices=ComplaintProblem.choices),
        min_length=1,
        max_length=len(ComplaintProblem.values),
    )
    narrative = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    contact = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=100,
        write_only=True,
        help_text="Phone or e-mail, optional; stored only as a keyed hash.",
    )

    def validate(self, attrs):
        if not (attrs["product_name"] or attrs["brand"] or attrs["gtin"]):
            raise serializers.ValidationError(
                {"product_name": "Name the product, its brand or its GTIN."}
            )
        return attrs


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A 12315 hotline call",
            request_only=True,
            value={
                "channel": "hotline_12315",
                "received_at": "2026-12-02T14:05:00+08:00",
                "region": "110105",
                "category": "electric_kettle",
                "product_name": "电热水壶",
                "brand": "Levee",
                "model": "KT-1",
                "problem": ["fire", "quality_defect"],
                "narrative": "使用中底座冒烟，插头烧焦。",
            },
        )
    ]
)
class ComplaintCreateSerializer(PublicComplaintSerializer):
    """What a regulator files: also the channel it came by and when."""

    channel = serializers.ChoiceField(choices=ComplaintChannel.choices)
    received_at = serializers.DateTimeField(required=False, default=None)


class ComplaintReceiptSerializer(serializers.Serializer):
    receipt_no = serializers.CharField()
    received_at = serializers.DateTimeField()


class ComplaintStatsQuerySerializer(serializers.Serializer):
    group_by = serializers.ChoiceField(choices=["category", "brand"], default="category")
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)

    def to_internal_value(self, data):
        # `from` and `to` are Python keywords; the query string uses them as is.
        data = {
            "group_by": data.get("group_by"),
            "date_from": data.get("from"),
            "date_to": data.get("to"),
        }
        return super().to_internal_value({k: v for k, v in data.items() if v not in (None, "")})

    def validate(self, attrs):
        date_to = attrs.get("date_to") or timezone.localdate()
        date_from = attrs.get("date_from") or date_to.replace(year=date_to.year - 1, day=1)
        if date_from > date_to:
            raise serializers.ValidationError({"from": "'from' is after 'to'."})
        for name, value in (("from", date_from), ("to", date_to)):
            if not 1900 <= value.year <= 2100:
                raise serializers.ValidationError({name: "A date between 1900 and 2100."})
        return {**attrs, "date_from": date_from, "date_to": date_to}


class ComplaintStatsRowSerializer(serializers.Serializer):
    group = serializers.CharField()
    complaints = serializers.IntegerField()


class ComplaintStatsSerializer(serializers.Serializer):
    group_by = serializers.CharField()
    min_group_size = serializers.IntegerField(
        help_text="Groups with fewer complaints are left out (and only counted)."
    )
    suppressed_groups = serializers.IntegerField()
    results = ComplaintStatsRowSerializer(many=True)

    def get_fields(self):
        # `from` and `to`, as the query names them (Python keywords, so not attributes).
        fields = super().get_fields()
        fields["from"] = serializers.DateField(source="date_from")
        fields["to"] = serializers.DateField(source="date_to")
        return fields


class SuggestionQuerySerializer(serializers.Serializer):
    region = serializers.CharField(required=False, validators=[validate_region_code])
    limit = serializers.IntegerField(required=False, min_value=1, max_value=200, default=20)


class SuggestionReasonSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["complaints", "injury_reports", "nonconforming_samples"]
    )
    count = serializers.IntegerField()
    window_days = serializers.IntegerField()
    weight = serializers.FloatField()
    detail = serializers.DictField(child=serializers.IntegerField())


class SuggestionSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    score = serializers.FloatField()
    product = serializers.IntegerField()
    product_name = serializers.CharField()
    brand = serializers.CharField()
    model = serializers.CharField()
    category = serializers.CharField()
    gtin = serializers.CharField(allow_null=True)
    producer = serializers.IntegerField()
    producer_name = serializers.CharField()
    producer_region = serializers.CharField()
    last_sampled_at = serializers.DateTimeField(allow_null=True)
    complaints = serializers.IntegerField()
    injury_reports = serializers.IntegerField()
    nonconforming_samples = serializers.IntegerField()
    reasons = SuggestionReasonSerializer(many=True)


class SuggestionsSerializer(serializers.Serializer):
    region = serializers.CharField()
    results = SuggestionSerializer(many=True)
