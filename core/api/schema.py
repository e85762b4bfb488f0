"""OpenAPI error responses that say what the API really returns.

drf-standardized-errors derives a precise enum of error codes per field; business rules
(ApplicationError codes, Django validators) add codes it cannot see, so the 400 body is
documented generically. 409 and 422 (transitions, idempotency) are documented on writes and
503 (database unavailable) everywhere.
"""

import inspect
import sys

from django.utils import translation
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.plumbing import get_view_model
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


# What the standard operations do, with the model's name; the viewset's own docstring (who
# may, which rows) follows. An operation of its own (an action) has its own docstring.
OPERATIONS = {
    "list": (
        "The %(plural)s you may see, paginated; narrow them with the filters and sort them "
        "with ordering."
    ),
    "retrieve": "One %(singular)s by its id (404 when it is outside your scope).",
    "create": "Create a %(singular)s.",
    "update": "Replace the fields of a %(singular)s.",
    "partial_update": "Change fields of a %(singular)s; the fields left out keep their values.",
    "destroy": "Delete a %(singular)s.",
    "history": (
        "The %(singular)s's state changes, oldest first: when, who (username), the action, "
        "the state before and after, and what was sent with it. The first entry is its "
        "creation (from_state null)."
    ),
}

# Fields of the framework's own request bodies (authentication).
FRAMEWORK_FIELD_HELP = {
    "username": "Your user name.",
    "password": "Your password.",
    "refresh": "The refresh token from auth/token/.",
}


def _field_help(field):
    """A field's description when it has no help_text: the FIELD_HELP of its serializer's
    module, by "SerializerName.field" or by field name (one place per app for what its
    request fields are)."""
    parent = field.parent
    while parent is not None and not isinstance(parent, serializers.Serializer):
        parent = parent.parent
    if parent is None or field.field_name is None:
        return None
    module_help = getattr(sys.modules.get(type(parent).__module__), "FIELD_HELP", {})
    name = type(parent).__name__
    return (
        module_help.get(f"{name}.{field.field_name}")
        or module_help.get(field.field_name)
        or FRAMEWORK_FIELD_HELP.get(field.field_name)
    )


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


class LeveeSchemaGenerator(SchemaGenerator):
    """The schema is the API's reference, written in English like its field names and
    slugs, so it is generated in English whatever the request's language (model names and
    choice labels included); responses follow Accept-Language."""

    def get_schema(self, request=None, public=False):
        with translation.override("en"):
            return super().get_schema(request=request, public=public)


class LeveeAutoSchema(AutoSchema):
    @staticmethod
    def _map_read_only_model_field(schema, field):
        # DRF drops allow_blank/allow_null from read-only model fields, so the schema would
        # claim a blank choice or a null link cannot be returned; restore what the model
        # allows.
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

    def get_description(self):
        view = self.view
        action = getattr(view, "action", None)
        own_class_doc = inspect.cleandoc(type(view).__dict__.get("__doc__") or "")
        if action in OPERATIONS:
            method = type(view).__dict__.get(action)
            own = inspect.getdoc(method) if method is not None else None
            if own:
                return own
            meta = view.get_queryset().model._meta
            names = {"singular": meta.verbose_name, "plural": meta.verbose_name_plural}
            text = OPERATIONS[action] % names
            return f"{text}\n\n{own_class_doc}".strip()
        method = getattr(view, action or self.method.lower(), None)
        return inspect.getdoc(method) or (own_class_doc if action is None else "")

    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        model = get_view_model(self.view, emit_warnings=False)
        for parameter in parameters:
            if parameter["name"] == "id" and model is not None:
                parameter["description"] = f"The id of the {model._meta.verbose_name}."
        return parameters

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        if "description" not in meta:
            help_text = _field_help(field)
            if help_text:
                meta["description"] = help_text
        return meta

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = self._map_read_only_model_field(
            super()._map_serializer_field(field, direction, bypass_extensions), field
        )
        # A decimal sent as a string: drf-spectacular documents only its digits, so its
        # range is added as validation has it, and no minus sign where min_value refuses
        # negative numbers.
        if (
            isinstance(field, serializers.DecimalField)
            and isinstance(schema, dict)
            and schema.get("format") == "decimal"
        ):
            if field.min_value is not None:
                schema["minimum"] = float(field.min_value)
                if field.min_value >= 0 and schema.get("pattern", "").startswith("^-?"):
                    schema["pattern"] = "^" + schema["pattern"][3:]
            if field.max_value is not None:
                schema["maximum"] = float(field.max_value)
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
