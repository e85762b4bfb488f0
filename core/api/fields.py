"""Serializer fields every app shares, and a cache of ModelSerializer's built ones."""

import copy

from rest_framework import serializers


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference by id to an object the requesting user may see (Model.objects.restrict);
    any other id reads as 'does not exist', like a 404."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        return queryset.restrict(request.user) if request else queryset.none()


class BuiltFieldsMixin:
    """For a ModelSerializer whose fields depend on its class alone: DRF builds them from
    the model on every instance (0.75 ms for a sample's forty, in every response); built
    once per class, each instance gets a deep copy, as DRF gives it its declared fields."""

    def get_fields(self):
        built = type(self).__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            type(self)._built_fields = built
        return copy.deepcopy(built)
