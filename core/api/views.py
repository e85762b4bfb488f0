"""Base viewsets: every Levee endpoint that lists objects scopes them here, once."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.models import StateHistory

from .query import reject_unknown_query_parameters
from .serializers import HistoryEntrySerializer


class KnownQueryParametersMixin:
    """A GET with a query parameter its schema entry does not document answers 400 naming
    it (after authentication and permissions, so a stranger still gets 401 or 403)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        reject_unknown_query_parameters(self, request)


class LeveeGenericViewSet(KnownQueryParametersMixin, viewsets.GenericViewSet):
    """Scopes the queryset to the user (Model.objects.restrict) and gates actions by role
    (core.api.permissions.RolePermission reads read_roles, write_roles, action_roles)."""

    read_roles = None  # None: every authenticated role (rows still scoped)
    write_roles = frozenset({"admin"})
    action_roles: dict = {}

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset.none()
        return queryset.restrict(self.request.user)


class LeveeModelViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    LeveeGenericViewSet,
):
    http_method_names = ["get", "post", "patch", "head", "options"]


class LeveeReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, LeveeGenericViewSet):
    pass


class HistoryMixin:
    """GET <object>/history/: the object's state changes, oldest first (DESIGN.md §4)."""

    @extend_schema(responses=HistoryEntrySerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, *args, **kwargs):
        obj = self.get_object()
        entries = StateHistory.objects.for_object(obj)
        return Response(HistoryEntrySerializer(entries, many=True).data)
