from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.views import KnownQueryParametersMixin
from core.choices import Role
from core.exceptions import PermissionDenied
from core.throttling import AnonRateThrottle

from .. import selectors
from ..lookup import parse_query
from .serializers import LookupSerializer, OverviewSerializer


class ProductLookupView(KnownQueryParametersMixin, APIView):
    """ "Is my product affected?" (no auth): the announced recalls, published
    non-conforming spot-check results and consumer warnings that name a product (by
    GTIN) or its lot, each with what to do. An unknown product answers an empty list; a
    malformed GTIN or link is a 400."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        parameters=[
            OpenApiParameter("gtin", str, description="GTIN-8/12/13/14 as on the barcode"),
            OpenApiParameter("lot", str, description="The lot or batch code, optional"),
            OpenApiParameter(
                "link",
                str,
                description="Instead of gtin and lot: a GS1 Digital Link "
                "(https://id.gs1.org/01/{gtin}/10/{lot})",
            ),
        ],
        responses=LookupSerializer,
        auth=[],
    )
    def get(self, request):
        params = request.query_params
        query = parse_query(gtin=params.get("gtin"), lot=params.get("lot"), link=params.get("link"))
        return Response(LookupSerializer(selectors.product_lookup(query=query)).data)


class EnterpriseOverviewView(APIView):
    """An enterprise's own affairs in one answer: its samples and results, the notices to
    it, complaints about its products, and its recalls with what falls due next."""

    read_roles = frozenset({Role.ENTERPRISE})

    @extend_schema(responses=OverviewSerializer)
    def get(self, request):
        if request.user.role != Role.ENTERPRISE:
            raise PermissionDenied(_("The overview is an enterprise's view of its own affairs."))
        overview = selectors.enterprise_overview(user=request.user)
        return Response(OverviewSerializer(overview).data)
