from django.utils import timezone

from core.api.transitions import TransitionViewSetMixin
from core.api.views import HistoryMixin, LeveeReadOnlyViewSet
from core.choices import Role

from .. import selectors
from ..filtersets import NoticeFilterSet
from ..models import Notice
from ..states import notice_machine
from .serializers import NoticeSerializer

READERS = frozenset({Role.REGULATOR, Role.ENTERPRISE})


def board_context(request):
    return {"request": request, "now": timezone.now()}


class NoticeViewSet(TransitionViewSetMixin, HistoryMixin, LeveeReadOnlyViewSet):
    """Notices to the holders a trace reaches (DESIGN.md §7): an enterprise user sees its
    party's, a regulator its region's, an admin all."""

    queryset = Notice.objects.all()
    serializer_class = NoticeSerializer
    filterset_class = NoticeFilterSet
    read_roles = READERS
    machine = notice_machine
    action_roles = {"history": READERS}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notice.objects.none()
        return selectors.notice_list(user=self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}
