from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from core.api.fields import ScopedPrimaryKeyRelatedField

from ..choices import EventKind, LotRole
from ..models import CaptureJob, Event, Lot, Party, Product, normalize_gtin, validate_gtin


class PartySerializer(serializers.ModelSerializer):
    class Meta:
        model = Party
        fields = [
            "id",
            "uscc",
            "name",
            "kind",
            "region",
            "address",
            "contact",
            "gln",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {
            "uscc": {
                "help_text": "The unified social credit code (统一社会信用代码): 18 characters, "
                "checked with its check character; unique."
            },
            "name": {"help_text": "The party's registered name."},
            "kind": {
                "help_text": "What the party is: producer, distributor, retailer, platform, "
                "importer or other."
            },
            "region": {
                "help_text": "Where the party is registered: a 6-digit GB/T 2260 code (e.g. "
                "110105); a regulator's must lie within their region."
            },
            "address": {"help_text": "The registered address."},
            "contact": {"help_text": "A contact person or telephone number."},
            "gln": {
                "help_text": "The GS1 Global Location Number (13 digits), if it has one; used "
                "by EPCIS documents."
            },
        }


class ProductSerializer(serializers.ModelSerializer):
    producer = ScopedPrimaryKeyRelatedField(
        queryset=Party.objects.all(),
        help_text="The id of the producing party (one you may see; an enterprise: its own).",
    )
    producer_name = serializers.CharField(source="producer.name", read_only=True)
    gtin = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=14,
        validators=[validate_gtin],
        help_text="The GS1 GTIN (8, 12, 13 or 14 digits, check digit checked), unique; optional.",
    )

    class Meta:
        model = Product
        fields = [
            "id",
            "name",
            "brand",
            "model",
            "category",
            "gtin",
            "producer",
            "producer_name",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {
            "name": {"help_text": "The product's name."},
            "brand": {"help_text": "The brand."},
            "model": {"help_text": "The model (型号)."},
            "category": {
                "help_text": "The product category, a slug (^[a-z0-9_]{2,64}$, e.g. "
                "electric_kettle)."
            },
        }

    def validate_gtin(self, value):
        gtin = normalize_gtin(value) or None
        others = Product.objects.filter(gtin=gtin)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if gtin and others.exists():
            raise serializers.ValidationError(_("Another product has this GTIN."), code="unique")
        return gtin


class LotSerializer(serializers.ModelSerializer):
    product = ScopedPrimaryKeyRelatedField(
        queryset=Product.objects.all(), help_text="The id of the product (one you may see)."
    )
    product_name = serializers.CharField(source="product.name", read_only=True)
    producer = serializers.IntegerField(source="product.producer_id", read_only=True)
    quantity = serializers.DecimalField(
        max_digits=14,
        decimal_places=3,
        min_value=0,
        required=False,
        allow_null=True,
        help_text="How much the lot holds, in unit; at least 0, at most 3 decimal places; "
        "optional.",
    )

    class Meta:
        model = Lot
        fields = [
            "id",
            "product",
            "product_name",
            "producer",
            "lot_code",
            "produced_on",
            "quantity",
            "unit",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        extra_kwargs = {
            "lot_code": {"help_text": "The lot or batch code, unique per product."},
            "produced_on": {"help_text": "The production date (YYYY-MM-DD), optional."},
            "unit": {"help_text": "The unit of quantities (e.g. pcs, kg); default pcs."},
        }


class LotCorrectionSerializer(serializers.Serializer):
    """The corrected facts of a lot (any of product, quantity, unit) and why."""

    product = ScopedPrimaryKeyRelatedField(
        queryset=Product.objects.all(),
        required=False,
        help_text="The id of the product the lot really belongs to (one you may see).",
    )
    quantity = serializers.DecimalField(
        max_digits=14,
        decimal_places=3,
        min_value=0,
        required=False,
        allow_null=True,
        help_text="The corrected quantity, in the lot's unit; at least 0.",
    )
    unit = serializers.CharField(
        max_length=16, required=False, help_text="The corrected unit (e.g. pcs, kg)."
    )
    reason = serializers.CharField(
        max_length=2000,
        help_text="Why the facts are corrected, kept with the record (the original facts stay "
        "in its history).",
    )


class RetractionSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000,
        help_text="Why the event is retracted, kept with it (the event stays on record, "
        "withdrawn).",
    )


class EventLineSerializer(serializers.Serializer):
    lot = serializers.IntegerField(min_value=1, help_text="The id of the lot.")
    quantity = serializers.DecimalField(
        max_digits=14,
        decimal_places=3,
        min_value=Decimal("0.001"),
        help_text="How much of the lot, in its unit: greater than 0, at most 3 decimal places.",
    )


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}]})
class PartyReferenceField(serializers.CharField):
    """A party by id or USCC on input; its id on output."""


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A shipment of 200 units of lot 1 to party 2",
            request_only=True,
            value={
                "event_id": "ship-2026-000123",
                "kind": "ship",
                "occurred_at": "2026-11-30T09:30:00+08:00",
                "party": "91110105MA01KTPR8M",
                "source": "91110105MA01KTPR8M",
                "destination": 2,
                "lots": [{"lot": 1, "quantity": "200"}],
            },
        )
    ]
)
class EventSerializer(serializers.ModelSerializer):
    """An event as stored; the same shape is accepted on input (validated by the service,
    which checks a whole batch at once)."""

    party = PartyReferenceField(
        help_text="Where it happened: the party's id (an integer) or its 18-character USCC."
    )
    source = PartyReferenceField(
        required=False,
        allow_null=True,
        help_text="ship and receive: the shipping party, by id or 18-character USCC.",
    )
    destination = PartyReferenceField(
        required=False,
        allow_null=True,
        help_text="ship and receive: the receiving party, by id or 18-character USCC; not the "
        "source.",
    )
    lots = EventLineSerializer(
        many=True,
        required=False,
        help_text="The lots the event concerns, each {lot: id, quantity: n}; not for transform.",
    )
    inputs = EventLineSerializer(
        many=True,
        required=False,
        help_text="transform only: the lots consumed, each {lot: id, quantity: n}.",
    )
    outputs = EventLineSerializer(
        many=True,
        required=False,
        help_text="transform only: the lots made, each {lot: id, quantity: n}.",
    )
    recorded_by = serializers.CharField(
        source="recorded_by.username", read_only=True, allow_null=True, help_text="Username."
    )

    class Meta:
        model = Event
        fields = [
            "id",
            "event_id",
            "kind",
            "occurred_at",
            "party",
            "source",
            "destination",
            "biz_step",
            "lots",
            "inputs",
            "outputs",
            "recorded_at",
            "recorded_by",
            "recorded_by_regulator",
            "withdrawn_at",
            "withdrawal_reason",
        ]
        read_only_fields = [
            "id",
            "recorded_at",
            "recorded_by",
            "recorded_by_regulator",
            "withdrawn_at",
            "withdrawal_reason",
        ]
        extra_kwargs = {
            "event_id": {
                "help_text": "Your own unique id for the event; sending it again returns the "
                "stored event and records nothing."
            },
            "kind": {
                "help_text": "What happened (GS1 EPCIS business step): commission, ship, "
                "receive, transform, sell or destroy."
            },
            "occurred_at": {
                "help_text": "When it happened: ISO 8601 with offset (e.g. "
                "2026-11-30T10:00:00+08:00), not in the future."
            },
            "biz_step": {
                "help_text": "The EPCIS bizStep as the client names it, optional (kept as given)."
            },
        }

    def to_representation(self, instance):
        lines = {LotRole.LOT: [], LotRole.INPUT: [], LotRole.OUTPUT: []}
        for line in instance.lines.all():
            lines[line.role].append({"lot": line.lot_id, "quantity": str(line.quantity)})
        return {
            "id": instance.pk,
            "event_id": instance.event_id,
            "kind": instance.kind,
            "occurred_at": serializers.DateTimeField().to_representation(instance.occurred_at),
            "party": instance.party_id,
            "source": instance.source_id,
            "destination": instance.destination_id,
            "biz_step": instance.biz_step,
            "lots": lines[LotRole.LOT],
            "inputs": lines[LotRole.INPUT],
            "outputs": lines[LotRole.OUTPUT],
            "recorded_at": serializers.DateTimeField().to_representation(instance.recorded_at),
            "recorded_by": instance.recorded_by.username if instance.recorded_by else None,
            "recorded_by_regulator": instance.recorded_by_regulator,
            "withdrawn_at": instance.withdrawn_at
            and serializers.DateTimeField().to_representation(instance.withdrawn_at),
            "withdrawal_reason": instance.withdrawal_reason,
        }


class BulkEventsSerializer(serializers.Serializer):
    events = EventSerializer(
        many=True,
        help_text="The events, each as for POST events/; stored all or nothing.",
    )


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    existing = serializers.ListField(
        child=serializers.IntegerField(), help_text="Indexes of events already stored."
    )


class TraceNodeSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["lot", "party"])
    key = serializers.CharField()
    id = serializers.IntegerField()
    lot_code = serializers.CharField(required=False)
    product = serializers.IntegerField(required=False)
    uscc = serializers.CharField(required=False)
    name = serializers.CharField(required=False)


# "from" is a Python keyword, so this serializer (used for the schema) is built by type().
TraceEdgeSerializer = type(
    "TraceEdgeSerializer",
    (serializers.Serializer,),
    {
        "kind": serializers.ChoiceField(choices=EventKind.choices),
        "event_id": serializers.CharField(),
        "date": serializers.DateTimeField(),
        "lot": serializers.IntegerField(),
        "lot_code": serializers.CharField(),
        "quantity": serializers.FloatField(),
        "unit": serializers.CharField(),
        "party": serializers.IntegerField(),
        "from": serializers.CharField(allow_null=True, help_text="Node key, e.g. party:3"),
        "to": serializers.CharField(allow_null=True, help_text="Node key, e.g. lot:12"),
        "depth": serializers.IntegerField(),
        "confirmed": serializers.BooleanField(
            help_text="Custody confirmed: both sides recorded this movement (DESIGN.md §5.2)."
        ),
        "__module__": __name__,
    },
)


class TracePartySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    uscc = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    region = serializers.CharField()
    quantity = serializers.FloatField()
    confirmed = serializers.BooleanField(
        help_text="Every movement counted in `quantity` is confirmed by both sides."
    )


class TraceSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=["forward", "backward"])
    max_depth = serializers.IntegerField()
    nodes = TraceNodeSerializer(many=True)
    edges = TraceEdgeSerializer(many=True)
    parties = TracePartySerializer(many=True)


class EpcisCaptureResultSerializer(BulkResultSerializer):
    declared_erroneous = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Indexes of errorDeclarations that marked a stored event erroneous.",
    )


class CaptureJobSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaptureJob
        fields = ["id", "status", "event_count", "result", "errors", "created_at", "finished_at"]
        read_only_fields = fields
