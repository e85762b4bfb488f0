from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Notice
from ..states import notice_machine


class NoticePartySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    uscc = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    region = serializers.CharField()


class NoticeSerializer(serializers.ModelSerializer):
    party = NoticePartySerializer(read_only=True)
    lot_code = serializers.CharField(source="lot.lot_code", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    source = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    delivered = serializers.BooleanField(read_only=True, default=False)
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Notice
        fields = [
            "id",
            "state",
            "party",
            "lot",
            "lot_code",
            "product",
            "product_name",
            "measure",
            "quantity_received",
            "unit",
            "custody_confirmed",
            "source",
            "source_kind",
            "source_id",
            "source_number",
            "sent_at",
            "due_at",
            "overdue",
            "delivered",
            "acknowledged_at",
            "quantity_on_hand",
            "quantity_removed",
            "completed_at",
            "revision",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_source(self, notice) -> str:
        return f"{notice.source_kind}:{notice.source_id}"

    def get_overdue(self, notice) -> bool:
        return notice.state == "sent" and notice.due_at < self.context["now"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, notice):
        request = self.context.get("request")
        return notice_machine.allowed_actions(notice, getattr(request, "user", None))


class BoardNoticeSerializer(NoticeSerializer):
    """A line of a board: the holder and where its notice stands."""

    class Meta(NoticeSerializer.Meta):
        fields = [
            "id",
            "state",
            "party",
            "lot",
            "lot_code",
            "measure",
            "quantity_received",
            "unit",
            "custody_confirmed",
            "due_at",
            "overdue",
            "delivered",
            "acknowledged_at",
            "quantity_on_hand",
            "quantity_removed",
            "completed_at",
        ]
        read_only_fields = fields


class NoticeBoardSerializer(serializers.Serializer):
    notified = serializers.IntegerField()
    delivered = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    completed = serializers.IntegerField()
    overdue = serializers.IntegerField()
    custody_confirmed = serializers.IntegerField()
    custody_unconfirmed = serializers.IntegerField()
    issuing = serializers.BooleanField(
        help_text="The notices are still being issued (just after the dispose or announce): "
        "the counts grow until this is false."
    )


class NoticeBoardDetailSerializer(NoticeBoardSerializer):
    notices = BoardNoticeSerializer(many=True)


class NoticeNoteSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        default="",
        help_text="A free-text note, kept in the notice's history; optional.",
    )


class AcknowledgeSerializer(NoticeNoteSerializer):
    quantity_on_hand = serializers.DecimalField(
        max_digits=14,
        decimal_places=3,
        min_value=0,
        help_text="How much of the lot the holder still has, in the notice's unit: at least 0, "
        "at most what it received.",
    )
    quantity_removed = serializers.DecimalField(
        max_digits=14,
        decimal_places=3,
        min_value=0,
        help_text="How much it has taken off sale, in the notice's unit: at least 0, at most "
        "what it received.",
    )
