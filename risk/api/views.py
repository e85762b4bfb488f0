from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from core.api.transitions import TransitionViewSetMixin
from core.api.views import HistoryMixin, LeveeModelViewSet
from core.choices import Role

from .. import services
from ..filtersets import RiskAssessmentFilterSet
from ..models import RiskAssessment
from ..states import assessment_machine
from .serializers import RiskAssessmentCreateSerializer, RiskAssessmentSerializer

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
