from decimal import Decimal

from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from core.validators import validate_category
from traceability.models import Lot, Party

from ..choices import RecallKind, Remedy, RiskLevel
from ..models import Recall, RecallObjection, RecallProgress
from ..states import recall_machine
from ..validators import validate_sale_regions

# What each request field is, for the OpenAPI schema (English, like the whole schema):
# core.api.schema reads FIELD_HELP for fields without help_text, "Serializer.field" first.
FIELD_HELP = {
    "kind": "voluntary (主动召回, the default) or ordered (责令召回).",
    "producer": "The id of the producing party; a regulator's must be in their region.",
    "lots": "The ids of the recalled lots, all of that producer.",
    "title": "The headline of the recall notice.",
    "category": "The product category, a slug (e.g. electric_kettle).",
    "hazard": "The hazard the defect causes (what can happen to a consumer).",
    "defect": "The defect (缺陷) found.",
    "remedy": "repair, replace or refund.",
    "risk_level": "serious, high, medium or low.",
    "units_affected": (
        "How many units the recall covers, at least 0; leave out (or null) to use the lots' total "
        "quantity."
    ),
    "scope_description": "Which products the recall covers, in words (models, serial ranges).",
    "production_from": "First production date covered (YYYY-MM-DD).",
    "production_to": "Last production date covered (YYYY-MM-DD), not before production_from.",
    "sale_regions": (
        "Where the products were sold: 6-digit GB/T 2260 codes or ISO 3166 country codes (e.g. HK)."
    ),
    "remedy_details": "How consumers get the remedy (where, until when, at whose cost).",
    "consumer_contact": "The consumer hotline or address (up to 300 characters).",
    "notice_text": "The full text of the public notice.",
    "reason": "Why (kept in the recall's history).",
    "summary": "The summary report (总结报告) at completion or closing.",
    "period_end": (
        "The last day the reported figures cover (YYYY-MM-DD): not in the future, not before the "
        "announcement or the last report."
    ),
    "recovered": (
        "Units recovered in this period, at least 0; the running total never exceeds "
        "units_affected."
    ),
    "repaired": "Units repaired in this period, at least 0.",
    "replaced": "Units replaced in this period, at least 0.",
    "refunded": "Units refunded in this period, at least 0.",
    "note": "A free-text note, kept with the report.",
    "ObjectionFileSerializer.reason": (
        "The grounds of the producer's objection to an ordered recall (within 15 working days)."
    ),
    "outcome": "upheld (异议成立) or rejected (异议不成立).",
    "notes": "The reviewer's notes.",
}


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


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A voluntary recall of lot 1 of party 1 (draft)",
            request_only=True,
            value={
                "kind": "voluntary",
                "producer": 1,
                "lots": [1],
                "title": "KT-1 电热水壶召回",
                "category": "electric_kettle",
                "hazard": "底座过热，可能引发火灾。",
                "defect": "温控器失效。",
                "remedy": "replace",
                "risk_level": "serious",
                "production_from": "2026-08-01",
                "production_to": "2026-10-31",
                "sale_regions": ["110000", "310000"],
                "consumer_contact": "400-000-0000",
            },
        )
    ]
)
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


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "The rest of the plan",
            request_only=True,
            value={
                "units_affected": "500",
                "scope_description": "2026 年 8 月至 10 月生产的 KT-1 型电热水壶，批号 20261101A",
                "remedy_details": "消费者可至购买门店或拨打热线免费更换，至 2027 年 6 月 30 日",
                "notice_text": "北京某电器有限公司决定自即日起召回部分 KT-1 型电热水壶……",
            },
        )
    ]
)
class RecallUpdateSerializer(RecallWriteSerializer):
    producer = None  # a recall keeps its producer


class RecallReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


class SummarySerializer(serializers.Serializer):
    summary = serializers.CharField(required=False, allow_blank=True, max_length=20000)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "The first week's figures",
            request_only=True,
            value={
                "period_end": "2026-12-05",
                "recovered": "120",
                "replaced": "95",
                "refunded": "25",
                "note": "门店回收 120 台",
            },
        )
    ]
)
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


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "The lot was not the one tested",
            request_only=True,
            value={"reason": "送检样品批号与召回批次不符，申请核实后撤销责令召回。"},
        )
    ]
)
class ObjectionFileSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=20000)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Rejected",
            request_only=True,
            value={"outcome": "rejected", "notes": "经核实批号一致，异议不成立，维持责令召回。"},
        )
    ]
)
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
