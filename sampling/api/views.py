from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.transitions import TransitionViewSetMixin
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


class SampleViewSet(TransitionViewSetMixin, HistoryMixin, LeveeModelViewSet):
    queryset = Sample.objects.all()
    serializer_class = s.SampleSerializer
    machine = sample_machine
    transition_serializer_class = s.SampleDetailSerializer
    filterset_class = SampleFilterSet
    http_method_names = ["get", "post", "head", "options"]
    read_roles = SAMPLE_READERS
    write_roles = frozenset({Role.INSPECTOR})
    action_roles = {"stats": SAMPLE_READERS, "history": SAMPLE_READERS}

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
        query = s.StatsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = selectors.sample_stats(
            user=request.user,
            group_by=query.validated_data["group_by"],
            date_from=query.validated_data.get("from"),
            date_to=query.validated_data.get("to"),
        )
        return Response(rows)
