from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core import delivery, services
from core.choices import Role
from core.filtersets import AlertDeliveryFilterSet, AlertFilterSet
from core.models import Alert, AlertDelivery, AlertSubscription

from .serializers import (
    AlertDeliverySerializer,
    AlertSerializer,
    AlertSubscriptionSerializer,
    NoteSerializer,
)
from .views import HistoryMixin, LeveeModelViewSet, LeveeReadOnlyViewSet


class AlertViewSet(HistoryMixin, LeveeReadOnlyViewSet):
    queryset = Alert.objects.all()
    serializer_class = AlertSerializer
    filterset_class = AlertFilterSet
    read_roles = frozenset({Role.REGULATOR})
    transition_roles = frozenset({Role.REGULATOR})

    def _transition(self, request, service):
        alert = self.get_object()
        note = NoteSerializer(data=request.data)
        note.is_valid(raise_exception=True)
        alert = service(alert=alert, actor=request.user, **note.validated_data)
        return Response(AlertSerializer(alert).data)

    @extend_schema(request=NoteSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """Acknowledge an open alert: someone is on it (regulators of its region)."""
        return self._transition(request, services.alert_acknowledge)

    @extend_schema(request=NoteSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Resolve an open or acknowledged alert; a note may say how."""
        return self._transition(request, services.alert_resolve)


class AlertSubscriptionViewSet(mixins.DestroyModelMixin, LeveeModelViewSet):
    queryset = AlertSubscription.objects.all()
    serializer_class = AlertSubscriptionSerializer
    read_roles = frozenset()  # admins only
    write_roles = frozenset()
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription = services.subscription_create(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(subscription).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        serializer.instance = services.subscription_update(
            subscription=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.subscription_delete(subscription=instance)


class AlertDeliveryViewSet(LeveeReadOnlyViewSet):
    """Each alert's delivery to each subscription, with every attempt (admins only)."""

    queryset = AlertDelivery.objects.select_related("alert").prefetch_related("attempts")
    serializer_class = AlertDeliverySerializer
    filterset_class = AlertDeliveryFilterSet
    read_roles = frozenset()
    transition_roles = frozenset()

    @extend_schema(request=None, responses=AlertDeliverySerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        """Re-arm a dead delivery for a new round of attempts."""
        retried = delivery.delivery_retry(delivery=self.get_object())
        return Response(AlertDeliverySerializer(self.get_queryset().get(pk=retried.pk)).data)
