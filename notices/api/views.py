from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.views import HistoryMixin, LeveeReadOnlyViewSet
from core.choices import Role

from .. import selectors, services
from ..filtersets import NoticeFilterSet
from ..models import Notice
from ..states import notice_machine
from .serializers import AcknowledgeSerializer, NoticeNoteSerializer, NoticeSerializer

READERS = frozenset({Role.REGULATOR, Role.ENTERPRISE})
TRANSITION_RESPONSES = {
    200: NoticeSerializer,
    400: OpenApiResponse(description="A quantity is missing, negative or above what was received."),
    403: OpenApiResponse(description="Your role may not do this."),
    404: OpenApiResponse(description="No such notice in your scope."),
    409: OpenApiResponse(description="Not allowed in the notice's state (with allowed_actions)."),
}


def board_context(request):
    return {"request": request, "now": timezone.now()}


class NoticeViewSet(HistoryMixin, LeveeReadOnlyViewSet):
    """Notices to the holders a trace reaches (DESIGN.md §7): an enterprise user sees its
    party's, a regulator its region's, an admin all."""

    queryset = Notice.objects.all()
    serializer_class = NoticeSerializer
    filterset_class = NoticeFilterSet
    read_roles = READERS
    action_roles = {
        **{name: t.roles for name, t in notice_machine.transitions.items()},
        "history": READERS,
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notice.objects.none()
        return selectors.notice_list(user=self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    def _transition(self, request, service, payload_serializer):
        notice = self.get_object()
        payload = payload_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        service(notice=notice, actor=request.user, **payload.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=notice.pk)).data)

    @extend_schema(
        summary="Acknowledge a notice",
        description="The holder records the quantity it still has on hand and the quantity it "
        "has removed from sale; neither may exceed what it received. `sent` → `acknowledged`.",
        request=AcknowledgeSerializer,
        responses=TRANSITION_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        return self._transition(request, services.notice_acknowledge, AcknowledgeSerializer)

    @extend_schema(
        summary="Complete a notice",
        description="The measure is carried out (the holder, or a regulator of its region). "
        "`acknowledged` → `completed`.",
        request=NoticeNoteSerializer,
        responses=TRANSITION_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._transition(request, services.notice_complete, NoticeNoteSerializer)
