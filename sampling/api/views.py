from django.http import Http404, HttpResponse
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
from core.spreadsheets import XLSX, CSVRenderer, XLSXRenderer
from core.throttling import AnonRateThrottle
from notices.api.serializers import NoticeBoardDetailSerializer
from notices.api.views import board_context

from .. import exports, selectors, services
from ..filtersets import PublicSpotCheckFilterSet, SampleFilterSet, TaskFilterSet
from ..models import Sample, Task
from ..states import sample_machine, task_machine
from . import serializers as s

SAMPLE_READERS = frozenset({Role.REGULATOR, Role.INSPECTOR, Role.LAB, Role.ENTERPRISE})


class TaskViewSet(TransitionViewSetMixin, HistoryMixin, LeveeModelViewSet):
    queryset = Task.objects.select_related("lab", "created_by")
    serializer_class = s.TaskSerializer
    machine = task_machine
    transition_serializer_class = s.TaskDetailSerializer
    filterset_class = TaskFilterSet
    http_method_names = ["get", "post", "head", "options"]
    read_roles = frozenset({Role.REGULATOR, Role.INSPECTOR, Role.LAB})
    write_roles = frozenset({Role.REGULATOR})
    action_roles = {"history": read_roles}

    def get_queryset(self):
        return selectors.with_sample_counts(super().get_queryset())

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.TaskDetailSerializer
        return s.TaskSerializer

    def _detail(self, pk):
        """The task with the tree of tasks allocated from it that the caller may see."""
        task = self.get_queryset().get(pk=pk)
        tree = list(
            selectors.with_sample_counts(
                Task.objects.restrict(self.request.user)
                .filter(pk__in=selectors.task_tree_ids(task))
                .exclude(pk=task.pk)
                .select_related("lab")
            ).order_by("region", "code")
        )
        by_parent = {}
        for node in [task, *tree]:
            node.tree_children = []
            by_parent[node.pk] = node
        for node in tree:
            # A child whose parent is hidden from the caller hangs from the nearest visible.
            by_parent.get(node.parent_id, task).tree_children.append(node)
        return s.TaskDetailSerializer(task, context=self.get_serializer_context()).data

    def retrieve(self, request, *args, **kwargs):
        return Response(self._detail(self.get_object().pk))

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        task = services.task_create(actor=request.user, **data)
        return Response(self._detail(task.pk), status=status.HTTP_201_CREATED)

    def transition_response(self, task):
        return Response(self._detail(task.pk))


class SampleViewSet(TransitionViewSetMixin, HistoryMixin, LeveeModelViewSet):
    queryset = Sample.objects.all()
    serializer_class = s.SampleSerializer
    machine = sample_machine
    transition_serializer_class = s.SampleDetailSerializer
    filterset_class = SampleFilterSet
    http_method_names = ["get", "post", "head", "options"]
    read_roles = SAMPLE_READERS
    write_roles = frozenset({Role.INSPECTOR})
    action_roles = {
        "stats": SAMPLE_READERS,
        "history": SAMPLE_READERS,
        "notices": frozenset({Role.REGULATOR}),
    }

    def get_queryset(self):
        queryset = super().get_queryset().for_list()
        if self.action == "retrieve" or self.action in sample_machine.transitions:
            queryset = queryset.select_related("objection", "disposition__recall").prefetch_related(
                "items"
            )
        return queryset

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.SampleDetailSerializer
        if self.action == "create":
            return s.SampleCreateSerializer
        return s.SampleSerializer

    @extend_schema(request=s.SampleCreateSerializer, responses={201: s.SampleSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        sample = services.sample_create(actor=request.user, **serializer.validated_data)
        return Response(s.SampleSerializer(sample).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The disposition's notices board",
        description="Holders of the sample's lot notified by its disposition: how many were "
        "notified, delivered, acknowledged, completed and overdue, confirmed and unconfirmed "
        "custody, and each notice.",
        responses=NoticeBoardDetailSerializer,
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def notices(self, request, pk=None):
        sample = self.get_object()
        board = selectors.disposition_notice_board(sample)
        return Response(NoticeBoardDetailSerializer(board, context=board_context(request)).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "group_by", OpenApiTypes.STR, enum=["category", "region", "producer"], required=True
            ),
            OpenApiParameter("from", OpenApiTypes.DATE, description="sampled on or after"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="sampled on or before"),
        ],
        responses=s.StatsRowSerializer(many=True),
        filters=False,
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def stats(self, request):
        """Counts of samples, tested, conforming and non-conforming, and the non-conformance rate,
        grouped by category, region or producer, over the samples you may see."""
        query = s.StatsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = selectors.sample_stats(
            user=request.user,
            group_by=query.validated_data["group_by"],
            date_from=query.validated_data.get("from"),
            date_to=query.validated_data.get("to"),
        )
        return Response(rows)


class PublicSpotCheckViewSet(
    KnownQueryParametersMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Published spot-check results (公布抽查结果), no auth: nothing of an unpublished task."""

    serializer_class = s.PublicSpotCheckSerializer
    filterset_class = PublicSpotCheckFilterSet
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [AnonRateThrottle]
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def get_queryset(self):
        return selectors.public_spot_checks()

    @extend_schema(
        summary="The results notice of a published task",
        description="One row per sample of the task and the tasks allocated from it, as "
        "published, and the dated corrections since. `?format=csv|xlsx` for a spreadsheet.",
        parameters=[OpenApiParameter("format", str, enum=["json", "csv", "xlsx"], required=False)],
        responses={
            (200, "application/json"): s.PublicSpotCheckDetailSerializer,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY),
        },
    )
    def retrieve(self, request, code=None):
        notice = selectors.public_spot_check(code=code)
        if notice is None:
            raise Http404
        tree = notice["tree"]
        corrections = selectors.public_corrections(tree)
        fmt = request.query_params.get("format", "json")
        if fmt in ("csv", "xlsx"):
            notice.update(rows=selectors.public_rows(tree), corrections=corrections)
            export = exports.spot_check_csv if fmt == "csv" else exports.spot_check_xlsx
            return export(notice)
        # Ten thousand rows: their stored JSON goes out as the database gives it.
        head = s.PublicSpotCheckSerializer(notice["task"]).data
        head["corrections"] = s.PublicCorrectionSerializer(corrections, many=True).data
        body = JSONRenderer().render(head)
        body = b"".join(
            (body[:-1], b',"results":', selectors.public_rows_json(tree).encode(), b"}")
        )
        return HttpResponse(body, content_type="application/json")

    def get_renderers(self):
        if self.action == "retrieve":
            return [JSONRenderer(), CSVRenderer(), XLSXRenderer()]
        return super().get_renderers()
