from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.validators import validate_category
from traceability.models import Lot, Party

from ..choices import RecallKind, Remedy, RiskLevel
from ..models import Recall, RecallObjection, RecallProgress
from ..states import recall_machine
from ..validators import validate_sale_regions

QUANTITY = {"max_digits": 14, "decimal_places": 3}


class RecallObjectionSerializer(serializers.ModelSerializer):
    filed_by = serializers.CharField(source="filed_by.username", default=None, read_only=True)
    reviewed_by = serializers.CharField(source="reviewed_by.username", default=None, read_only=True)

    class Meta:
        model = RecallObjection
        fields = [
            "reason",
            "filed_by",
            "filed_at",
            "window_ends_at",
            "outcome",
            "review_notes",
            "reviewed_by",
            "reviewed_at",
        ]
        read_only_fields = fields


class RecallLotSerializer(serializers.ModelSerializer):
    product_name = serializers.CharField(source="product.name")
    brand = serializers.CharField(source="product.brand")
    model = serializers.CharField(source="product.model")

    class Meta:
        model = Lot
        fields = ["id", "lot_code", "product", "product_name", "brand", "model", "produced_on"]
        read_only_fields = fields


class RecallSerializer(serializers.ModelSerializer):
    producer_name = serializers.CharField(source="producer.name", read_only=True)
    producer_uscc = serializers.CharField(source="producer.uscc", read_only=True)
    lot_details = RecallLotSerializer(source="lots", many=True, read_only=True)
    units_affected = serializers.DecimalField(**QUANTITY, read_only=True)
    units_affected_given = serializers.SerializerMethodField()
    completion_rate = serializers.FloatField(read_only=True, allow_null=True)
    allowed_actions = serializers.SerializerMethodField()
    objection = serializers.SerializerMethodField()

    class Meta:
        model = Recall
        fields = [
            "id",
            "recall_no",
            "kind",
            "state",
            "allowed_actions",
            "producer",
            "producer_name",
            "producer_uscc",
            "lots",
            "lot_details",
            "title",
            "category",
            "hazard",
            "defect",
            "remedy",
            "risk_level",
            "units_affected",
            "units_affected_given",
            "scope_description",
            "production_from",
            "production_to",
            "sale_regions",
            "remedy_details",
            "consumer_contact",
            "notice_text",
            "summary",
            "termination_reason",
            "recovered",
            "repaired",
            "replaced",
            "refunded",
            "completion_rate",
            "last_progress_at",
            "plan_due_at",
            "plan_submitted_at",
            "approved_at",
            "announce_due_at",
            "announced_at",
            "completed_at",
            "summary_due_at",
            "closed_at",
            "terminated_at",
            "objection",
            "source_type",
            "source_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_units_affected_given(self, recall) -> bool:
        return recall.units_affected_override is not None

    def get_allowed_actions(self, recall) -> list[str]:
        request = self.context.get("request")
        actor = getattr(request, "user", None)
        return recall_machine.allowed_actions(recall, actor)

    @extend_schema_field(RecallObjectionSerializer(allow_null=True))
    def get_objection(self, recall):
        objection = getattr(recall, "objection", None)
        return RecallObjectionSerializer(objection).data if objection else None


class RecallWriteSerializer(serializers.Serializer):
    """The plan fields, for creating a recall and editing its draft."""

    kind = serializers.ChoiceField(choices=RecallKind.choices, required=False)
    producer = serializers.PrimaryKeyRelatedField(queryset=Party.objects.all())
    lots = serializers.PrimaryKeyRelatedField(
        queryset=Lot.objects.select_related("product"), many=True, required=False
    )
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    category = serializers.CharField(
        max_length=64, required=False, allow_blank=True, validators=[validate_category]
    )
    hazard = serializers.CharField(required=False, allow_blank=True)
    defect = serializers.CharField(required=False, allow_blank=True)
    remedy = serializers.ChoiceField(choices=Remedy.choices, required=False, allow_blank=True)
    risk_level = serializers.ChoiceField(
        choices=RiskLevel.choices, required=False, allow_blank=True
    )
    units_affected = serializers.DecimalField(
        **QUANTITY,
        min_value=Decimal(0),
        required=False,
        allow_null=True,
        help_text="Leave out (or null) to use the total quantity of the lots.",
    )
    scope_description = serializers.CharField(required=False, allow_blank=True)
    production_from = serializers.DateField(required=False, allow_null=True)
    production_to = serializers.DateField(required=False, allow_null=True)
    sale_regions = serializers.ListField(
        child=serializers.CharField(max_length=6),
        required=False,
        validators=[validate_sale_regions],
        max_length=500,
    )
    remedy_details = serializers.CharField(required=False, allow_blank=True)
    consumer_contact = serializers.CharField(max_length=300, required=False, allow_blank=True)
    notice_text = serializers.CharField(required=False, allow_blank=True)


class RecallUpdateSerializer(RecallWriteSerializer):
    producer = None  # a recall keeps its producer


class RecallReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


class SummarySerializer(serializers.Serializer):
    summary = serializers.CharField(required=False, allow_blank=True, max_length=20000)


class RecallProgressSerializer(serializers.ModelSerializer):
    recovered = serializers.DecimalField(**QUANTITY, min_value=Decimal(0), default=0)
    repaired = serializers.DecimalField(**QUANTITY, min_value=Decimal(0), default=0)
    replaced = serializers.DecimalField(**QUANTITY, min_value=Decimal(0), default=0)
    refunded = serializers.DecimalField(**QUANTITY, min_value=Decimal(0), default=0)
    reported_by = serializers.CharField(source="reported_by.username", default=None, read_only=True)

    class Meta:
        model = RecallProgress
        fields = [
            "id",
            "period_end",
            "recovered",
            "repaired",
            "replaced",
            "refunded",
            "note",
            "reported_by",
            "created_at",
        ]
        read_only_fields = ["id", "reported_by", "created_at"]
        extra_kwargs = {"note": {"max_length": 4000}}


class ObjectionFileSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=20000)


class ObjectionReviewSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[("upheld", "upheld"), ("rejected", "rejected")])
    notes = serializers.CharField(required=False, allow_blank=True, max_length=20000, default="")


class AffectedPartySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    uscc = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    region = serializers.CharField()
    quantity = serializers.FloatField(allow_null=True)


class PublicLotSerializer(serializers.Serializer):
    lot_code = serializers.CharField()
    produced_on = serializers.DateField(allow_null=True)
    product = serializers.CharField(source="product.name")
    brand = serializers.CharField(source="product.brand")
    model = serializers.CharField(source="product.model")
    gtin = serializers.CharField(source="product.gtin", allow_null=True)


class PublicProductSerializer(serializers.Serializer):
    name = serializers.CharField()
    brand = serializers.CharField()
    model = serializers.CharField()
    gtin = serializers.CharField(allow_null=True)


class PublicRecallSerializer(serializers.ModelSerializer):
    """What a consumer needs: the product and lots, the hazard, the remedy and how to get
    it, and the dates. Nothing internal (risk level, source, progress, people)."""

    producer = serializers.CharField(source="producer.name")
    products = serializers.SerializerMethodField()
    lots = PublicLotSerializer(many=True)
    units_affected = serializers.DecimalField(**QUANTITY)

    class Meta:
        model = Recall
        fields = [
            "id",
            "recall_no",
            "title",
            "category",
            "producer",
            "products",
            "lots",
            "production_from",
            "production_to",
            "units_affected",
            "sale_regions",
            "hazard",
            "defect",
            "remedy",
            "remedy_details",
            "consumer_contact",
            "notice_text",
            "state",
            "announced_at",
            "completed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(PublicProductSerializer(many=True))
    def get_products(self, recall):
        seen = {}
        for lot in recall.lots.all():
            product = lot.product
            seen.setdefault(
                product.pk,
                {
                    "name": product.name,
                    "brand": product.brand,
                    "model": product.model,
                    "gtin": product.gtin,
                },
            )
        return list(seen.values())
