from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from core.validators import validate_category
from injury.models import Accident, InjuryReport
from sampling.models import Sample
from traceability.models import Lot, Product

from ..choices import Measure, SubjectKind
from ..models import RiskAssessment

# What each request field is, for the OpenAPI schema (English, like the whole schema):
# core.api.schema reads FIELD_HELP for fields without help_text, "Serializer.field" first.
FIELD_HELP = {
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
        "The step's probability, greater than 0 and at most 1 (a number, or a string such as "
        "1/100)."
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
                "product": 3,
                "hazard": "底座漏电导致触电",
                "steps": [
                    {"description": "绝缘失效", "probability": "1/100"},
                    {"description": "用户接触带电部件", "probability": 0.5},
                ],
                "severity": 4,
            },
        )
    ]
)
class RiskAssessmentCreateSerializer(serializers.Serializer):
    subject_kind = serializers.ChoiceField(choices=SubjectKind.choices)
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.none(), required=False, allow_null=True
    )
    lot = serializers.PrimaryKeyRelatedField(
        queryset=Lot.objects.none(), required=False, allow_null=True
    )
    category = serializers.CharField(
        required=False, allow_blank=True, default="", validators=[validate_category]
    )
    region = serializers.CharField(required=False, allow_blank=True, default="", max_length=6)
    hazard = serializers.CharField(max_length=500)
    steps = StepSerializer(many=True, min_length=1, max_length=20)
    severity = serializers.IntegerField(min_value=1, max_value=4)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    samples = serializers.PrimaryKeyRelatedField(
        queryset=Sample.objects.none(), many=True, required=False, default=list
    )
    injury_reports = serializers.PrimaryKeyRelatedField(
        queryset=InjuryReport.objects.none(), many=True, required=False, default=list
    )
    accidents = serializers.PrimaryKeyRelatedField(
        queryset=Accident.objects.none(), many=True, required=False, default=list
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # Only products and lots the user may see can be assessed; others "do not exist".
            self.fields["product"].queryset = Product.objects.restrict(request.user)
            self.fields["lot"].queryset = Lot.objects.select_related("product").restrict(
                request.user
            )
            # The evidence, likewise: what the user may see.
            for name, model in (
                ("samples", Sample),
                ("injury_reports", InjuryReport),
                ("accidents", Accident),
            ):
                self.fields[name].child_relation.queryset = model.objects.restrict(request.user)


class DecideSerializer(serializers.Serializer):
    measure = serializers.ChoiceField(choices=Measure.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    review_on = serializers.DateField(required=False, allow_null=True, default=None)
    lots = serializers.PrimaryKeyRelatedField(
        queryset=Lot.objects.all(), many=True, required=False, default=list
    )
