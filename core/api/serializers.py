from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.choices import SUBSCRIPTION_KINDS
from core.models import (
    Alert,
    AlertDelivery,
    AlertDeliveryAttempt,
    AlertSubscription,
    StateHistory,
)
from core.regions import validate_region_code

# What each request field is, for the OpenAPI schema (English, like the whole schema):
# core.api.schema reads FIELD_HELP for fields without help_text, "Serializer.field" first.
FIELD_HELP = {
    "name": "A name for the subscription.",
    "url": "Where alerts are POSTed: an http(s) address.",
    "secret": "The HMAC-SHA256 key for X-Levee-Signature, 16-200 characters; never shown again.",
    "kinds": "The alert kinds to send; empty: all.",
    "regions": (
        "Only alerts in these regions (6-digit GB/T 2260 codes, each covering its sub-regions); "
        "empty: all."
    ),
    "active": "Whether alerts are sent to it.",
    "note": "A note kept in the alert's history.",
}


class HistoryEntrySerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_username")

    class Meta:
        model = StateHistory
        fields = ["at", "actor", "action", "from_state", "to_state", "payload"]


class AlertSerializer(serializers.ModelSerializer):
    message = serializers.CharField(
        source="localized_message",
        read_only=True,
        help_text="What happened, in the language of the request.",
    )

    class Meta:
        model = Alert
        fields = [
            "id",
            "kind",
            "severity",
            "subject",
            "subject_type",
            "subject_id",
            "region",
            "message",
            "payload",
            "status",
            "dedup_key",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class AlertSubscriptionSerializer(serializers.ModelSerializer):
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=SUBSCRIPTION_KINDS), required=False, default=list
    )
    regions = serializers.ListField(
        child=serializers.CharField(validators=[validate_region_code]),
        required=False,
        default=list,
    )
    secret = serializers.CharField(write_only=True, min_length=16, max_length=200)

    class Meta:
        model = AlertSubscription
        fields = [
            "id",
            "name",
            "url",
            "secret",
            "kinds",
            "regions",
            "party_uscc",
            "active",
            "created_at",
        ]
        read_only_fields = ["id", "party_uscc", "created_at"]

    def validate_url(self, value):
        if not value.lower().startswith(("http://", "https://")):
            raise serializers.ValidationError(_("Webhook URLs must be http or https."))
        return value


class AlertDeliveryAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = AlertDeliveryAttempt
        fields = ["number", "at", "status_code", "error", "duration_ms", "succeeded"]
        read_only_fields = fields


class AlertDeliverySerializer(serializers.ModelSerializer):
    attempts = AlertDeliveryAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = AlertDelivery
        fields = [
            "id",
            "topic",
            "alert",
            "subject_id",
            "subscription",
            "status",
            "attempt_count",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "delivered_at",
            "created_at",
            "attempts",
        ]
        read_only_fields = fields
