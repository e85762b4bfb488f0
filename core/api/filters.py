"""`?ordering=` on every list, over the fields the list documents; a field it does not know
is a 400, never silently ignored (DESIGN.md §4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import filters
from rest_framework.exceptions import ValidationError

# Types a list may be sorted by: scalars a database index or a plain comparison serves.
SORTABLE = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.DecimalField,
    models.FloatField,
    models.DateField,
    models.TimeField,
    models.BooleanField,
    models.UUIDField,
)


class OrderingFilter(filters.OrderingFilter):
    """A view names its sortable fields in `ordering_fields` (names, or (name, ORM path)
    pairs); without them, every field of its list serializer that is a plain model column
    (`id`, dates, numbers, codes, states) is sortable. The primary key breaks ties, so pages
    never overlap."""

    ordering_description = _(
        "Sort by these fields, comma-separated; a leading '-' sorts descending."
    )

    def get_default_valid_fields(self, queryset, view, context=None):
        serializer_class = view.get_serializer_class()
        model = queryset.model
        valid = []
        for name, field in serializer_class(context=context or {}).fields.items():
            if getattr(field, "write_only", False) or not field.source or field.source == "*":
                continue
            path = field.source.replace(".", "__")
            if "__" in path:
                continue
            try:
                model_field = model._meta.get_field(path)
            except Exception:  # a property, an annotation or a method field
                continue
            if isinstance(model_field, SORTABLE) and not model_field.is_relation:
                valid.append((name, path))
        return valid

    def _paths(self, queryset, view, request):
        fields = self.get_valid_fields(queryset, view, {"request": request})
        return {name: path for name, path in fields}

    def get_ordering(self, request, queryset, view):
        value = request.query_params.get(self.ordering_param, "").strip()
        if not value:
            return self.get_default_ordering(view)
        paths = self._paths(queryset, view, request)
        ordering = []
        for term in (part.strip() for part in value.split(",")):
            name = term.removeprefix("-")
            if name not in paths:
                raise ValidationError(
                    {
                        self.ordering_param: [
                            _("Cannot sort by “%(field)s”; sortable fields: %(fields)s.")
                            % {"field": term, "fields": ", ".join(paths)}
                        ]
                    },
                    code="invalid_ordering",
                )
            ordering.append(("-" if term.startswith("-") else "") + paths[name])
        return [*ordering, "-pk" if ordering[0].startswith("-") else "pk"]

    def get_valid_fields(self, queryset, view, context=None):
        declared = getattr(view, "ordering_fields", None)
        if declared is None:
            return self.get_default_valid_fields(queryset, view, context)
        return [(item, item) if isinstance(item, str) else tuple(item) for item in declared]

    def get_schema_operation_parameters(self, view):
        queryset = view.get_queryset()
        names = [name for name, _path in self.get_valid_fields(queryset, view)]
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": str(self.ordering_description),
                "schema": {
                    "type": "array",
                    "items": {
                        "type": "string",
                        "enum": [order for name in names for order in (name, f"-{name}")],
                    },
                },
                "style": "form",
                "explode": False,
            }
        ]
