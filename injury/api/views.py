from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.transitions import TransitionViewSetMixin
from core.api.views import (
    HistoryMixin,
    KnownQueryParametersMixin,
    LeveeGenericViewSet,
    LeveeModelViewSet,
)
from core.choices import Role
from core.models import SentinelSite

from .. import services
from ..choices import EstimateGroup, Interval
from ..filtersets import AccidentFilterSet, InjuryReportFilterSet, SiteFilterSet
from ..models import Accident, AccidentCategory, InjuryReport
from ..selectors import injury_estimates
from ..states import accident_machine
from .serializers import (
    AccidentCategorySerializer,
    AccidentSerializer,
    EstimateQuerySerializer,
    EstimatesSerializer,
    InjuryReportSerializer,
    SiteSerializer,
)


class SiteViewSet(LeveeModelViewSet):
    """Sentinel sites: admins manage them; regulators read their region's, a sentinel its
    own."""

    queryset = SentinelSite.objects.all()
    serializer_class = SiteSerializer
    filterset_class = SiteFilterSet
    read_roles = frozenset({Role.REGULATOR, Role.SENTINEL})
    write_roles = frozenset()

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        site = services.site_create(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(site).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        site = self.get_object()
        serializer = self.get_serializer(site, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        site = services.site_update(site=site, actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(site).data)


class InjuryReportViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    LeveeGenericViewSet,
):
    """Injury cases: filed by a sentinel for its own site (an admin for any); read by
    regulators for their region and by a sentinel for its own site."""

    queryset = InjuryReport.objects.select_related("site")
    serializer_class = InjuryReportSerializer
    filterset_class = InjuryReportFilterSet
    read_roles = frozenset({Role.REGULATOR, Role.SENTINEL})
    write_roles = frozenset({Role.SENTINEL})

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.injury_report_create(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(report).data, status=status.HTTP_201_CREATED)


class EstimatesView(KnownQueryParametersMixin, APIView):
    """Weighted national estimates over the sentinel sites in your scope (§8)."""

    read_roles = frozenset({Role.REGULATOR})

    @extend_schema(
        parameters=[
            OpenApiParameter("group_by", str, enum=EstimateGroup.values),
            OpenApiParameter("from", OpenApiTypes.DATE, description="Default: a year before to"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Default: today"),
            OpenApiParameter("interval", str, enum=Interval.values),
            OpenApiParameter("region", str, description="Only sites within this region"),
        ],
        responses=EstimatesSerializer,
    )
    def get(self, request):
        query = EstimateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        results = injury_estimates(
            user=request.user,
            group_by=params["group_by"],
            date_from=params["date_from"],
            date_to=params["date_to"],
            interval=params.get("interval"),
            region=params.get("region", ""),
        )
        body = {
            "group_by": params["group_by"],
            "interval": params.get("interval"),
            "region": params.get("region"),
            "from": params["date_from"],
            "to": params["date_to"],
            "results": results,
        }
        return Response(EstimatesSerializer(body).data)


class AccidentCategoryViewSet(LeveeModelViewSet):
    """Key categories with mandatory accident reports and their deadlines; admins add."""

    queryset = AccidentCategory.objects.all()
    serializer_class = AccidentCategorySerializer
    filterset_fields = ["code", "active"]
    write_roles = frozenset()

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        category = services.accident_category_save(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(category).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        category = self.get_object()
        serializer = self.get_serializer(category, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        category = services.accident_category_save(
            actor=request.user, category=category, **serializer.validated_data
        )
        return Response(self.get_serializer(category).data)


class AccidentViewSet(
    TransitionViewSetMixin,
    HistoryMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    LeveeGenericViewSet,
):
    """Mandatory accident reports and their investigation."""

    queryset = Accident.objects.select_related("site")
    serializer_class = AccidentSerializer
    filterset_class = AccidentFilterSet
    read_roles = frozenset({Role.REGULATOR, Role.ENTERPRISE, Role.SENTINEL})
    write_roles = frozenset({Role.REGULATOR, Role.ENTERPRISE, Role.SENTINEL})
    machine = accident_machine

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["category"] = data.pop("category_id")
        accident = services.accident_create(actor=request.user, **data)
        return Response(self.get_serializer(accident).data, status=status.HTTP_201_CREATED)
