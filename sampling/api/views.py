from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from core.api.views import HistoryMixin, KnownQueryParametersMixin, LeveeModelViewSet
from core.choices import Role

from .. import exports, selectors, services
from ..filtersets import PublicSpotCheckFilterSet, SampleFilterSet, TaskFilterSet
from ..models import Sample, Task
from ..states import sample_machine
from . import serializers as s

SAMPLE_READERS = frozenset({Role.REGULATOR, Role.INSPECTOR, Role.LAB, Role.ENTERPRISE})


class TaskViewSet(HistoryMixin, LeveeModelViewSet):
    queryset = Task.objects.select_related("lab", "created_by")
    serializer_class = s.TaskSerializer
    filterset_class = TaskFilterSet
    http_method_names = ["get", "post", "head", "options"]
    read_roles = frozenset({Role.REGULATOR, Role.INSPECTOR, Role.LAB})
    write_roles = frozenset({Role.REGULATOR})
    action_roles = {
        "allocate": frozenset({Role.REGULATOR}),
        "publish": frozenset({Role.REGULATOR}),
        "history": read_roles,
    }

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

    @extend_schema(
        summary="Allocate the task to lower regions",
        description="Creates one child task per entry (same category, mode, period and "
        "standard; its own quota and lab, the task's lab by default). The regions lie inside "
        "the task's (any region for a national task), once each; a quota is not below the "
        "samples already taken there under this task. Regulators of the task's region.",
        request=s.AllocationSerializer(many=True),
        responses={201: s.TaskDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def allocate(self, request, pk=None):
        task = self.get_object()
        payload = s.AllocationSerializer(data=request.data, many=True, max_length=500)
        payload.is_valid(raise_exception=True)
        services.task_allocate(task=task, actor=request.user, allocations=payload.validated_data)
        return Response(self._detail(task.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Publish the task's results",
        description="Once every sample of the task and of the tasks allocated from it is "
        "final (closed, disposed, voided, or reported with no objection window left), "
        "publishes them at /api/v1/public/spot-checks/{code}/; otherwise 409 with "
        "`open_samples`. Regulators of the task's region or above.",
        request=None,
        responses={200: s.TaskDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        task = self.get_object()
        services.task_publish(task=task, actor=request.user)
        return Response(self._detail(task.pk))


class SampleViewSet(HistoryMixin, LeveeModelViewSet):
    queryset = Sample.objects.all()
    serializer_class = s.SampleSerializer
    filterset_class = SampleFilterSet
    http_method_names = ["get", "post", "head", "options"]
    read_roles = SAMPLE_READERS
    write_roles = frozenset({Role.INSPECTOR})
    # Who may ask for each transition: the machine's own table (it checks again).
    action_roles = {
        **{name: t.roles for name, t in sample_machine.transitions.items()},
        "object_": sample_machine.transitions["object"].roles,  # `object` shadows a builtin
        "stats": SAMPLE_READERS,
        "history": SAMPLE_READERS,
    }

    def get_queryset(self):
        queryset = super().get_queryset().for_list()
        if self.action == "retrieve":
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

    def _transition(self, request, service, payload_serializer=None):
        sample = self.get_object()
        data = {}
        if payload_serializer is not None:
            payload = payload_serializer(data=request.data)
            payload.is_valid(raise_exception=True)
            data = payload.validated_data
        service(sample=sample, actor=request.user, **data)
        fresh = self.get_queryset().select_related("objection", "disposition__recall")
        fresh = fresh.prefetch_related("items").get(pk=sample.pk)
        return Response(s.SampleDetailSerializer(fresh, context={"request": request}).data)

    @extend_schema(request=s.ReceiveSerializer, responses=s.SampleDetailSerializer)
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        """The lab receives the sample (its lab's users): when, and whether the seal was intact."""
        return self._transition(request, services.sample_receive, s.ReceiveSerializer)

    @extend_schema(request=s.ResultsSerializer, responses=s.SampleDetailSerializer)
    @action(detail=True, methods=["post"])
    def record_results(self, request, pk=None):
        """Record the test results, item by item, and the conclusion (the lab; inspectors for rapid
        tasks)."""
        return self._transition(request, services.sample_record_results, s.ResultsSerializer)

    @extend_schema(request=s.ReportSerializer, responses=s.SampleDetailSerializer)
    @action(detail=True, methods=["post"])
    def issue_report(self, request, pk=None):
        """Issue the inspection report (检验报告): its number and date, optionally the file."""
        return self._transition(request, services.sample_issue_report, s.ReportSerializer)

    @extend_schema(request=s.SampleNoteSerializer, responses=s.SampleDetailSerializer)
    @action(detail=True, methods=["post"])
    def notify(self, request, pk=None):
        """Notify the sampled party and the producer of the result (regulators); the 15-day
        objection window opens."""
        return self._transition(request, services.sample_notify, s.SampleNoteSerializer)

    @extend_schema(request=s.ObjectSerializer, responses=s.SampleDetailSerializer)
    @action(detail=True, methods=["post"], url_path="object")
    def object_(self, request, pk=None):
        """Object to a non-conforming result (the sampled party or the producer), within 15 days of
        notification, naming the items."""
        return self._transition(request, services.sample_object, s.ObjectSerializer)

    @extend_schema(request=s.ReinspectionSerializer, responses=s.SampleDetailSerializer)
    @action(detail=True, methods=["post"])
    def record_reinspection(self, request, pk=None):
        """Record the re-inspection (复检) of the objected items and its conclusion."""
        return self._transition(
            request, services.sample_record_reinspection, s.ReinspectionSerializer
        )

    @extend_schema(request=s.DisposeSerializer, responses=s.SampleDetailSerializer)
    @action(detail=True, methods=["post"])
    def dispose(self, request, pk=None):
        """Decide the disposal (处置) of a non-conforming result once it is final: measures with due
        dates; recall opens a draft recall; the lot's forward trace is stored with it."""
        return self._transition(request, services.sample_dispose, s.DisposeSerializer)

    @extend_schema(request=s.SampleNoteSerializer, responses=s.SampleDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the sample's case: a conforming result, or a disposal carried out."""
        return self._transition(request, services.sample_close, s.SampleNoteSerializer)

    @extend_schema(request=s.VoidSerializer, responses=s.SampleDetailSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        """Void the sample (作废), with the reason; it leaves every list of open work."""
        return self._transition(request, services.sample_void, s.VoidSerializer)

    @extend_schema(
        summary="Name the region that handles the result",
        description="Before `notify`, an organiser (a regulator of the task's region or "
        "above) may hand the result handling to another region than the producer's.",
        request=s.HandlingRegionSerializer,
        responses=s.SampleDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def set_handling_region(self, request, pk=None):
        return self._transition(
            request, services.sample_set_handling_region, s.HandlingRegionSerializer
        )

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


class CsvRenderer(JSONRenderer):
    """Lets `?format=csv` through content negotiation; the view answers with the file."""

    media_type, format = "text/csv", "csv"


class XlsxRenderer(JSONRenderer):
    media_type, format = exports.XLSX, "xlsx"


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
            (200, exports.XLSX): OpenApiResponse(OpenApiTypes.BINARY),
        },
    )
    def retrieve(self, request, code=None):
        notice = selectors.public_spot_check(code=code)
        if notice is None:
            raise Http404
        fmt = request.query_params.get("format", "json")
        if fmt == "csv":
            return exports.spot_check_csv(notice)
        if fmt == "xlsx":
            return exports.spot_check_xlsx(notice)
        data = s.PublicSpotCheckSerializer(notice["task"]).data
        data["results"] = notice["rows"]
        data["corrections"] = s.PublicCorrectionSerializer(notice["corrections"], many=True).data
        return Response(data)

    def get_renderers(self):
        if self.action == "retrieve":
            return [JSONRenderer(), CsvRenderer(), XlsxRenderer()]
        return super().get_renderers()
