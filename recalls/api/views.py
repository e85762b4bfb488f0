from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core.api.transitions import TransitionViewSetMixin
from core.api.views import HistoryMixin, KnownQueryParametersMixin, LeveeModelViewSet
from core.choices import Role
from core.spreadsheets import CSVRenderer, XLSXRenderer
from core.throttling import AnonRateThrottle
from notices.api.serializers import NoticeBoardDetailSerializer
from notices.api.views import board_context
from notices.choices import NoticeSource
from notices.selectors import notice_board, notices_issuing, notices_of_recall

from .. import exports, selectors, services
from ..filtersets import PublicRecallFilterSet, RecallFilterSet
from ..models import Recall, RecallObjection
from ..states import recall_machine
from .serializers import (
    AffectedPartySerializer,
    ObjectionFileSerializer,
    ObjectionReviewSerializer,
    PublicRecallSerializer,
    RecallObjectionSerializer,
    RecallProgressSerializer,
    RecallSerializer,
    RecallUpdateSerializer,
    RecallWriteSerializer,
)

FORMAT_PARAMETER = OpenApiParameter(
    "format", str, enum=["json", "csv", "xlsx"], description="json (default), csv or xlsx"
)


class RecallViewSet(TransitionViewSetMixin, HistoryMixin, LeveeModelViewSet):
    """Recalls (DESIGN.md §7). Admins and regulators (producers of their region) create and
    move them; the producer's enterprise users see theirs, report progress and open
    voluntary recalls of their own products, drafts that a regulator of the producer's
    region takes through the plan and its approval."""

    queryset = Recall.objects.all()
    serializer_class = RecallSerializer
    filterset_class = RecallFilterSet
    machine = recall_machine
    read_roles = frozenset({Role.REGULATOR, Role.ENTERPRISE})
    # An enterprise opens and edits voluntary recalls of its own products (services).
    write_roles = frozenset({Role.REGULATOR, Role.ENTERPRISE})
    transition_roles = frozenset({Role.REGULATOR})  # objection review
    action_roles = {
        "report_progress": frozenset({Role.ENTERPRISE}),
        "file_objection": frozenset({Role.ENTERPRISE}),
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Recall.objects.none()
        return selectors.recall_list(user=self.request.user)

    def _detail(self, recall, status_code=status.HTTP_200_OK):
        recall = get_object_or_404(self.get_queryset(), pk=recall.pk)
        return Response(self.get_serializer(recall).data, status=status_code)

    @extend_schema(request=RecallWriteSerializer, responses={201: RecallSerializer})
    def create(self, request, *args, **kwargs):
        serializer = RecallWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        recall = services.recall_create(actor=request.user, **serializer.validated_data)
        return self._detail(recall, status.HTTP_201_CREATED)

    @extend_schema(request=RecallUpdateSerializer, responses=RecallSerializer)
    def partial_update(self, request, *args, **kwargs):
        recall = self.get_object()
        serializer = RecallUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.recall_update(recall=recall, actor=request.user, **serializer.validated_data)
        return self._detail(recall)

    @extend_schema(
        summary="The recall's notices board",
        description="Holders of the recall's lots notified when it was announced: how many "
        "were notified, delivered, acknowledged, completed and overdue, confirmed and "
        "unconfirmed custody, and each notice.",
        responses=NoticeBoardDetailSerializer,
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def notices(self, request, pk=None):
        recall = self.get_object()
        board = notice_board(
            notices_of_recall(recall_id=recall.pk),
            issuing=notices_issuing(source_kind=NoticeSource.RECALL, source_id=recall.pk),
        )
        return Response(NoticeBoardDetailSerializer(board, context=board_context(request)).data)

    @extend_schema(responses=RecallProgressSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def progress(self, request, pk=None):
        """The recall's progress reports, oldest first: each period's figures and the running
        totals."""
        recall = self.get_object()
        reports = recall.progress_reports.select_related("reported_by")
        return Response(RecallProgressSerializer(reports, many=True).data)

    @extend_schema(request=RecallProgressSerializer, responses={201: RecallProgressSerializer})
    @progress.mapping.post
    def report_progress(self, request, pk=None):
        """Report the recall's progress for a period (the producer's enterprise users or an admin):
        units recovered, repaired, replaced and refunded; the first report moves an announced
        recall to in_progress."""
        recall = self.get_object()
        serializer = RecallProgressSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.recall_report_progress(
            recall=recall, actor=request.user, **serializer.validated_data
        )
        return Response(RecallProgressSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[FORMAT_PARAMETER],
        responses={
            (200, "application/json"): AffectedPartySerializer(many=True),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, XLSXRenderer.media_type): OpenApiResponse(OpenApiTypes.BINARY),
        },
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="affected-parties",
        pagination_class=None,
        filter_backends=[],
        renderer_classes=[JSONRenderer, CSVRenderer, XLSXRenderer],
    )
    def affected_parties(self, request, pk=None):
        """Every party downstream of the recall's lots (their forward trace) with the quantity each
        received: JSON, or ?format=csv or xlsx."""
        recall = self.get_object()
        rows = selectors.recall_affected_parties(recall=recall)
        fmt = request.query_params.get("format", "json")
        if fmt == "csv":
            return exports.affected_parties_csv(recall, rows)
        if fmt == "xlsx":
            return exports.affected_parties_xlsx(recall, rows)
        return Response(AffectedPartySerializer(rows, many=True).data)

    @extend_schema(responses=RecallObjectionSerializer)
    @action(detail=True, methods=["get"])
    def objection(self, request, pk=None):
        """The producer's objection to this ordered recall and its review, if one was filed."""
        recall = self.get_object()
        objection = get_object_or_404(RecallObjection, recall=recall)
        return Response(RecallObjectionSerializer(objection).data)

    @extend_schema(request=ObjectionFileSerializer, responses={201: RecallObjectionSerializer})
    @objection.mapping.post
    def file_objection(self, request, pk=None):
        """File the producer's objection to an ordered recall (its enterprise users), within 15
        working days of the order."""
        recall = self.get_object()
        serializer = ObjectionFileSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        objection = services.recall_object(
            recall=recall, actor=request.user, **serializer.validated_data
        )
        return Response(RecallObjectionSerializer(objection).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ObjectionReviewSerializer, responses=RecallObjectionSerializer)
    @action(detail=True, methods=["post"], url_path="objection/review")
    def review_objection(self, request, pk=None):
        """Review the objection: upheld or rejected, with notes (regulators)."""
        recall = self.get_object()
        serializer = ObjectionReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        objection = services.recall_review_objection(
            recall=recall, actor=request.user, **serializer.validated_data
        )
        return Response(RecallObjectionSerializer(objection).data)


class PublicRecallViewSet(
    KnownQueryParametersMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Public recall notices (no auth): announced and later recalls, consumer fields only."""

    serializer_class = PublicRecallSerializer
    filterset_class = PublicRecallFilterSet
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [AnonRateThrottle]

    def get_queryset(self):
        return selectors.public_recall_list()
