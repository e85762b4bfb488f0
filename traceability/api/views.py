import json

from django.db.models import Prefetch
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, renderers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.views import HistoryMixin, LeveeGenericViewSet, LeveeModelViewSet
from core.choices import Role
from core.exceptions import ApplicationError, NotFound

from .. import epcis, exports, selectors, services
from ..filtersets import EventFilterSet, LotFilterSet, PartyFilterSet, ProductFilterSet
from ..models import Event, EventLot, Lot, Party, Product
from .serializers import (
    BulkEventsSerializer,
    BulkResultSerializer,
    EventSerializer,
    LotCorrectionSerializer,
    LotSerializer,
    PartySerializer,
    ProductSerializer,
    ReasonSerializer,
    TraceSerializer,
)

WRITERS = frozenset({Role.REGULATOR, Role.ENTERPRISE})
# DESIGN.md §3, §7: regulators (and admins) trace across regions and parties; an
# enterprise traces its own lots, with only its direct partners named.
TRACERS = frozenset({Role.REGULATOR, Role.ENTERPRISE})
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _FileRenderer(renderers.BaseRenderer):
    """Lets DRF accept ?format=csv|xlsx; the view answers with the file itself, and only
    an error body ever reaches this renderer."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data, ensure_ascii=False).encode()


class CSVRenderer(_FileRenderer):
    media_type, format = "text/csv", "csv"


class XLSXRenderer(_FileRenderer):
    media_type, format = XLSX, "xlsx"


class _ServiceWritesMixin:
    """Create and update through the app's services (serializers only validate)."""

    create_service = update_service = None
    instance_kwarg = ""

    def perform_create(self, serializer):
        serializer.instance = type(self).create_service(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = type(self).update_service(
            actor=self.request.user,
            **{self.instance_kwarg: serializer.instance},
            **serializer.validated_data,
        )


class PartyViewSet(_ServiceWritesMixin, LeveeModelViewSet):
    """Parties: regulators and inspectors see their region's, an enterprise its own."""

    queryset = Party.objects.all()
    serializer_class = PartySerializer
    filterset_class = PartyFilterSet
    write_roles = frozenset({Role.REGULATOR})
    create_service = staticmethod(services.party_create)
    update_service = staticmethod(services.party_update)
    instance_kwarg = "party"


class ProductViewSet(_ServiceWritesMixin, LeveeModelViewSet):
    queryset = Product.objects.select_related("producer")
    serializer_class = ProductSerializer
    filterset_class = ProductFilterSet
    write_roles = WRITERS
    create_service = staticmethod(services.product_create)
    update_service = staticmethod(services.product_update)
    instance_kwarg = "product"


class LotViewSet(HistoryMixin, _ServiceWritesMixin, LeveeModelViewSet):
    """Lots. Once an event or a recall names a lot, its product, quantity and unit change
    only by `correct/` with a reason (a PATCH of them is a 409)."""

    queryset = Lot.objects.select_related("product")
    serializer_class = LotSerializer
    filterset_class = LotFilterSet
    write_roles = WRITERS
    action_roles = {"trace": TRACERS, "correct": WRITERS}
    create_service = staticmethod(services.lot_create)
    update_service = staticmethod(services.lot_update)
    instance_kwarg = "lot"

    @extend_schema(
        request=LotCorrectionSerializer,
        responses={
            200: LotSerializer,
            400: OpenApiResponse(description="No reason, or no field to correct"),
            403: OpenApiResponse(description="Not your lot's producer"),
            404: OpenApiResponse(description="No such lot in your scope"),
            409: OpenApiResponse(description="A recalled lot may not change producer"),
        },
        filters=False,
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def correct(self, request, pk=None):
        """Correct the lot's product, quantity or unit, with a `reason`. The lot's history
        keeps the values before and after."""
        lot = self.get_object()
        serializer = LotCorrectionSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        reason = fields.pop("reason")
        lot = services.lot_correct(lot=lot, actor=request.user, reason=reason, **fields)
        return Response(LotSerializer(lot, context={"request": request}).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("direction", str, enum=list(selectors.DIRECTIONS)),
            OpenApiParameter("max_depth", int, description="0-50, default 10"),
            OpenApiParameter("format", str, enum=["json", "csv", "xlsx"]),
        ],
        responses={
            200: OpenApiResponse(
                TraceSerializer, description="JSON graph; csv and xlsx: one row per movement"
            )
        },
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        pagination_class=None,
        filter_backends=[],
        renderer_classes=[renderers.JSONRenderer, CSVRenderer, XLSXRenderer],
    )
    def trace(self, request, pk=None):
        """Where the lot and everything made from it went (forward), or what went into it
        and who supplied it (backward). Regulators may trace any lot their region's
        parties produced or held; the result follows the chain across regions. An
        enterprise traces the lots it produced: it and its direct partners are named,
        parties further away shown by region and kind only."""
        lot_id = _int(pk, "id")
        if lot_id is None:
            raise NotFound(_("No such lot."))
        everything = selectors.traces_every_lot(request.user)
        if not everything and not selectors.lots_traceable_by(request.user, [lot_id]):
            raise NotFound(_("No such lot."))
        direction = request.query_params.get("direction", selectors.FORWARD)
        if direction not in selectors.DIRECTIONS:
            raise ApplicationError(_("direction: forward or backward."), attr="direction")
        max_depth = _int(request.query_params.get("max_depth", "10"), "max_depth")
        if max_depth is None or not 0 <= max_depth <= selectors.MAX_DEPTH_LIMIT:
            raise ApplicationError(
                _("max_depth: an integer from 0 to %(max)s.") % {"max": selectors.MAX_DEPTH_LIMIT},
                attr="max_depth",
            )
        trace = selectors.lot_trace(lot_ids=[lot_id], direction=direction, max_depth=max_depth)
        if not trace["nodes"]:  # the trace starts at the lot: no nodes, no such lot
            raise NotFound(_("No such lot."))
        if request.user.role == Role.ENTERPRISE:
            party = Party.objects.get(uscc=request.user.party_uscc)
            trace = selectors.trace_for_party(trace, party_id=party.pk)
        name = f"trace-lot{lot_id}-{direction}"
        fmt = request.query_params.get("format", "json")
        if fmt == "csv":
            response = StreamingHttpResponse(
                exports.csv_stream(trace), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
            return response
        if fmt == "xlsx":
            response = HttpResponse(exports.xlsx_bytes(trace), content_type=XLSX)
            response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
            return response
        return Response(trace)


def _int(value, attr):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _events_with_lines(queryset):
    return queryset.select_related("party", "source", "destination").prefetch_related(
        Prefetch("lines", queryset=EventLot.objects.select_related("lot__product"))
    )


class EventViewSet(
    HistoryMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    LeveeGenericViewSet,
):
    """Supply-chain events after GS1 EPCIS 2.0. Re-sending an event_id returns the stored
    event (200) and records nothing. Events are never deleted: a wrong one is retracted."""

    queryset = Event.objects.select_related("recorded_by").prefetch_related("lines")
    serializer_class = EventSerializer
    filterset_class = EventFilterSet
    write_roles = WRITERS
    action_roles = {"bulk": WRITERS, "retract": WRITERS}

    @extend_schema(
        request=ReasonSerializer,
        responses={
            200: EventSerializer,
            400: OpenApiResponse(description="No reason given"),
            403: OpenApiResponse(description="Not the event's party or its regulator"),
            404: OpenApiResponse(description="No such event in your scope"),
            409: OpenApiResponse(description="Already withdrawn"),
        },
        filters=False,
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def retract(self, request, pk=None):
        """Withdraw a wrong event, with a `reason`. It stays stored and listed, flagged
        `withdrawn_at`; the trace and every figure built on it leave it out."""
        event = self.get_object()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = services.event_retract(
            event=event, actor=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(EventSerializer(self.get_queryset().get(pk=event.pk)).data)

    @extend_schema(request=EventSerializer, responses={201: EventSerializer, 200: EventSerializer})
    def create(self, request, *args, **kwargs):
        event, created = services.event_record(actor=request.user, data=request.data)
        return Response(
            EventSerializer(event).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=BulkEventsSerializer, responses={201: BulkResultSerializer})
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def bulk(self, request):
        """Up to 10,000 events, validated together and stored all or nothing; every error
        is reported as `events.{index}.{field}`."""
        data = request.data
        items = data.get("events") if isinstance(data, dict) else data
        result = services.events_record_bulk(actor=request.user, items=items)
        return Response(
            {"created": result["created"], "existing": result["existing"]},
            status=status.HTTP_201_CREATED,
        )


class EpcisViewSet(LeveeGenericViewSet):
    """GS1 EPCIS 2.0 capture and query (JSON-LD documents)."""

    queryset = Event.objects.all()
    filterset_class = EventFilterSet
    write_roles = WRITERS
    action_roles = {"capture": WRITERS}

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={201: BulkResultSerializer},
        filters=False,
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def capture(self, request):
        """An EPCISDocument; unknown identifiers are a 400 naming `eventList.{index}.{field}`."""
        result = services.epcis_capture(actor=request.user, document=request.data)
        return Response(
            {"created": result["created"], "existing": result["existing"]},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["get"])
    def events(self, request):
        """Stored events (filtered, paginated with ?page=) as an EPCISDocument."""
        queryset = _events_with_lines(self.filter_queryset(self.get_queryset()))
        page = self.paginate_queryset(queryset)
        response = Response(epcis.events_document(page))
        next_link = self.paginator.get_next_link()
        if next_link:
            response["Link"] = f'<{next_link}>; rel="next"'
        return response
