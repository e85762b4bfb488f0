from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from core.api.transitions import TransitionViewSetMixin
from core.api.views import (
    HistoryMixin,
    KnownQueryParametersMixin,
    LeveeGenericViewSet,
    LeveeModelViewSet,
)
from core.choices import Role
from core.exceptions import ApplicationError
from core.regions import NATIONAL, covers
from core.throttling import AnonRateThrottle

from .. import selectors, services
from ..choices import ComplaintChannel
from ..filtersets import ComplaintFilterSet, RiskAssessmentFilterSet
from ..models import Complaint, RiskAssessment
from ..states import assessment_machine
from .serializers import (
    ComplaintCreateSerializer,
    ComplaintReceiptSerializer,
    ComplaintSerializer,
    ComplaintStatsQuerySerializer,
    ComplaintStatsSerializer,
    PublicComplaintSerializer,
    RiskAssessmentCreateSerializer,
    RiskAssessmentSerializer,
    SuggestionQuerySerializer,
    SuggestionsSerializer,
)

REGULATORS = frozenset({Role.REGULATOR})


class RiskAssessmentViewSet(TransitionViewSetMixin, HistoryMixin, LeveeModelViewSet):
    """Risk assessments after the EU Safety Gate method: regulators (their region) and
    admins assess and decide."""

    queryset = RiskAssessment.objects.select_related("assessed_by", "decided_by").prefetch_related(
        "samples", "injury_reports", "accidents"
    )
    serializer_class = RiskAssessmentSerializer
    filterset_class = RiskAssessmentFilterSet
    http_method_names = ["get", "post", "head", "options"]
    read_roles = REGULATORS
    write_roles = REGULATORS
    machine = assessment_machine

    @extend_schema(
        request=RiskAssessmentCreateSerializer, responses={201: RiskAssessmentSerializer}
    )
    def create(self, request, *args, **kwargs):
        serializer = RiskAssessmentCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        assessment = services.assessment_create(actor=request.user, **serializer.validated_data)
        return Response(self._read(assessment), status=status.HTTP_201_CREATED)

    def _read(self, assessment):
        return RiskAssessmentSerializer(self.get_queryset().get(pk=assessment.pk)).data


class PublicComplaintThrottle(SimpleRateThrottle):
    """Complaint filings per client address. Behind a proxy, set REST_FRAMEWORK
    NUM_PROXIES so that the address is read from X-Forwarded-For; otherwise that header
    is the client's to forge and is not trusted."""

    scope = "public_complaints"

    def get_ident(self, request):
        if api_settings.NUM_PROXIES is None:
            return request.META.get("REMOTE_ADDR")
        return super().get_ident(request)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ComplaintViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, LeveeGenericViewSet
):
    """Consumer complaints (消费投诉): regulators file and read their region's."""

    queryset = Complaint.objects.all()
    serializer_class = ComplaintSerializer
    filterset_class = ComplaintFilterSet
    read_roles = REGULATORS
    write_roles = REGULATORS

    @extend_schema(request=ComplaintCreateSerializer, responses={201: ComplaintSerializer})
    def create(self, request, *args, **kwargs):
        serializer = ComplaintCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        complaint, _ = services.complaint_file(actor=request.user, **serializer.validated_data)
        return Response(ComplaintSerializer(complaint).data, status=status.HTTP_201_CREATED)


class PublicComplaintView(KnownQueryParametersMixin, APIView):
    """File a complaint without an account (no auth; a few per hour per address). The
    answer is a receipt number; an Idempotency-Key makes a retry return the same one."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [PublicComplaintThrottle]

    @extend_schema(
        request=PublicComplaintSerializer,
        responses={201: ComplaintReceiptSerializer},
        auth=[],
    )
    def post(self, request):
        serializer = PublicComplaintSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        complaint, replayed = services.complaint_file(
            actor=None,
            channel=ComplaintChannel.WEB,
            idempotency_key=request.headers.get("Idempotency-Key") or None,
            **serializer.validated_data,
        )
        response = Response(
            ComplaintReceiptSerializer(complaint).data, status=status.HTTP_201_CREATED
        )
        if replayed:
            response["Idempotent-Replayed"] = "true"
        return response


class PublicComplaintStatsView(KnownQueryParametersMixin, APIView):
    """Published complaint counts (投诉信息公示) per category or brand; groups of fewer
    than 5 complaints are left out."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        parameters=[
            OpenApiParameter("group_by", str, enum=["category", "brand"]),
            OpenApiParameter("from", OpenApiTypes.DATE, description="Default: a year before to"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Default: today"),
        ],
        responses=ComplaintStatsSerializer,
        auth=[],
    )
    def get(self, request):
        query = ComplaintStatsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        stats = selectors.complaint_stats(**query.validated_data)
        return Response(ComplaintStatsSerializer(stats).data)


class TaskSuggestionsView(KnownQueryParametersMixin, APIView):
    """Products to spot-check first in a region (default: yours), ranked by complaints,
    injury reports and past non-conformance, with the counts behind each rank."""

    read_roles = REGULATORS

    @extend_schema(
        parameters=[
            OpenApiParameter("region", str, description="Within your region; default yours"),
            OpenApiParameter("limit", int, description="1-200, default 20"),
        ],
        responses=SuggestionsSerializer,
    )
    def get(self, request):
        query = SuggestionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        user = request.user
        region = query.validated_data.get("region") or user.region or NATIONAL
        if not user.is_levee_admin and not covers(user.region, region):
            raise ApplicationError(_("The region lies outside your jurisdiction."), attr="region")
        results = selectors.task_suggestions(region=region, limit=query.validated_data["limit"])
        return Response(SuggestionsSerializer({"region": region, "results": results}).data)
