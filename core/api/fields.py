"""Serializer fields every app shares."""

from rest_framework import serializers


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference by id to an object the requesting user may see (Model.objects.restrict);
    any other id reads as 'does not exist', like a 404."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        return queryset.restrict(request.user) if request else queryset.none()
