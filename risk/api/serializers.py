from decimal import Decimal, InvalidOperation

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import ScopedPrimaryKeyRelatedField
from core.validators import validate_category
from injury.models import Accident, InjuryReport
from sampling.models import Sample
from traceability.models import Lot, Product

from ..choices import Measure, SubjectKind
from ..models import RiskAssessment


@extend_schema_field({"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": 1})
class ProbabilityField(serializers.Field):
    """A probability in (0, 1], read exactly (as a decimal) so that the matrix bands'
    boundaries are not blurred by binary floating point."""

    default_error_messages = {
        "invalid": "A probability is a number.",
        "range": "A probability lies in (0, 1].",
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
