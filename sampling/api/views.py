from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.views import HistoryMixin, LeveeModelViewSet
from core.choices import Role

from .. import selectors, services
from ..filtersets import SampleFilterSet, TaskFilterSet
from ..models import Sample, Task
from ..states import sample_machine
from . import serializers as s

SAMPLE_READERS = frozenset({Role.REGULATOR, Role.INSPECTOR, Role.LAB, Role.ENTERPRISE})


class TaskViewSet(LeveeModelViewSet):
    queryset = Task.objects.select_related("lab", "created_by")
    serializer_class = s.TaskSerializer
    filterset_class = TaskFilterSet
    http_method_names = ["get", "post", "head", "options"]
    read_roles = frozenset({Role.REGULATOR, Role.INSPECTOR, Role.LAB})
    write_roles = frozenset({Role.REGULATOR})

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        task = services.task_create(actor=request.user, **data)
        return Response(self.get_serializer(task).data, status=status.HTTP_201_CREATED)


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
