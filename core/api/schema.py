"""OpenAPI error responses that say what the API really returns.

drf-standardized-errors derives a precise enum of error codes per field; business rules
(ApplicationError codes, Django validators) add codes it cannot see, so the 400 body is
documented generically. 409 and 422 (transitions, idempotency) are documented on writes and
503 (database unavailable) everywhere.
"""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_standardized_errors.openapi import AutoSchema
from rest_framework import serializers

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
ERROR_TYPES = ["validation_error", "client_error", "server_error"]


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ErrorResponseSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ERROR_TYPES)
    errors = ErrorSerializer(many=True)


class ConflictResponseSerializer(ErrorResponseSerializer):
    state = serializers.CharField(required=False)
    allowed_actions = serializers.ListField(child=serializers.CharField(), required=False)


def _model_field(field):
    """The model field behind a ModelSerializer field, if it maps to one directly."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source or field.source == "*":
        return None
    try:
        model_field = model._meta.get_field(field.source)
    except Exception:  # a property or an annotation
        return None
    return model_field if getattr(model_field, "concrete", False) else None


class LeveeAutoSchema(AutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        # DRF drops allow_blank/allow_null from read-only model fields, so the schema would
        # claim a blank choice or a null link cannot be returned; restore what the model
        # allows.
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if not field.read_only or not isinstance(schema, dict) or "$ref" in schema:
            return schema
        model_field = _model_field(field)
        if model_field is None:
            return schema
        if model_field.blank and "enum" in schema and "" not in schema["enum"]:
            schema["enum"] = [*schema["enum"], ""]
        if model_field.blank and schema.get("format") == "uri":
            schema.pop("format")
        if model_field.null:
            schema["nullable"] = True
        return schema

    def _should_add_error_response(self, responses, status_code):
        if status_code in ("409", "422") and self.method not in WRITE_METHODS:
            return False
        return super()._should_add_error_response(responses, status_code)

    def _get_http400_serializer(self):
        return ErrorResponseSerializer


class LeveeJWTScheme(SimpleJWTScheme):
    """Levee's JWT authentication (core.auth) documented as simplejwt's."""

    target_class = "core.auth.JWTAuthentication"
