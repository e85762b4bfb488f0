import datetime as dt

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, renderers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse

from core.api.parsers import JSONParser
from core.api.views import HistoryMixin, LeveeGenericViewSet, LeveeModelViewSet
from core.choices import Role
from core.exceptions import ApplicationError, NotFound
from core.spreadsheets import CSVRenderer, XLSXRenderer

from .. import epcis, exports, selectors, services
from ..filtersets import EventFilterSet, LotFilterSet, PartyFilterSet, ProductFilterSet
from ..models import CaptureJob, Event, EventLot, Lot, Party, Product
from .serializers import (
    BulkEventsSerializer,
    BulkResultSerializer,
    CaptureJobSerializer,
    EpcisCaptureResultSerializer,
    EventSerializer,
    LotCorrectionSerializer,
    LotSerializer,
    PartySerializer,
    ProductSerializer,
    RetractionSerializer,
    TraceSerializer,
)

# Request examples of the creates (a PATCH changes some fields of an existing object, so
# they are not documented there); tests/core/test_schema_examples.py sends them.
PARTY_EXAMPLES = [
    OpenApiExample(
        "A producer",
        request_only=True,
        value={
            "uscc": "91110105MA01KTPR8M",
            "name": "北京某电器有限公司",
            "kind": "producer",
            "region": "110105",
            "address": "北京市朝阳区酒仙桥路 10 号",
            "contact": "王经理 010-64000000",
        },
    ),
    OpenApiExample(
        "A retailer",
        request_only=True,
        value={
            "uscc": "91110105MA01RTLK3D",
            "name": "朝阳某超市",
            "kind": "retailer",
            "region": "110105",
        },
    ),
]


PRODUCT_EXAMPLES = [
    OpenApiExample(
        "A kettle of party 1",
        request_only=True,
        value={
            "name": "电热水壶",
            "brand": "Levee",
            "model": "KT-1",
            "category": "electric_kettle",
            "gtin": "6901234567892",
            "producer": 1,
        },
    )
]


LOT_EXAMPLES = [
    OpenApiExample(
        "A lot of product 1",
        request_only=True,
        value={
            "product": 1,
            "lot_code": "20261101A",
            "produced_on": "2026-11-01",
            "quantity": "500",
            "unit": "pcs",
        },
    )
]


WRITERS = frozenset({Role.REGULATOR, Role.ENTERPRISE})
# DESIGN.md §3, §7: regulators (and admins) trace across regions and parties; an
# enterprise traces its own lots, with only its direct partners named (§7).
TRACERS = frozenset({Role.REGULATOR, Role.ENTERPRISE})


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


@extend_schema_view(create=extend_schema(examples=PARTY_EXAMPLES))
class PartyViewSet(_ServiceWritesMixin, LeveeModelViewSet):
    """Parties: regulators and inspectors see their region's, an enterprise its own."""

    queryset = Party.objects.all()
    serializer_class = PartySerializer
    filterset_class = PartyFilterSet
    write_roles = frozenset({Role.REGULATOR})
    create_service = staticmethod(services.party_create)
    update_service = staticmethod(services.party_update)
    instance_kwarg = "party"


@extend_schema_view(create=extend_schema(examples=PRODUCT_EXAMPLES))
class ProductViewSet(_ServiceWritesMixin, LeveeModelViewSet):
    queryset = Product.objects.select_related("producer")
    serializer_class = ProductSerializer
    filterset_class = ProductFilterSet
    write_roles = WRITERS
    create_service = staticmethod(services.product_create)
    update_service = staticmethod(services.product_update)
    instance_kwarg = "product"


@extend_schema_view(create=extend_schema(examples=LOT_EXAMPLES))
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
        enterprise traces the lots it produced or held (by confirmed custody): it and its
        direct partners are named, parties further away shown by region and kind only."""
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
            return exports.csv_response(name, trace)
        if fmt == "xlsx":
            return exports.xlsx_response(name, trace)
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
        request=RetractionSerializer,
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
        serializer = RetractionSerializer(data=request.data)
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


EPCIS_QUERY_DOCS = {
    "eventType": "ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, "
    "AssociationEvent (several: separated by |)",
    "GE_eventTime": "eventTime at or after (ISO 8601)",
    "LT_eventTime": "eventTime before",
    "GE_recordTime": "recorded at or after",
    "LT_recordTime": "recorded before",
    "EQ_action": "ADD, OBSERVE or DELETE",
    "EQ_bizStep": "CBV bizStep (bare word or URI) or another URI",
    "EQ_disposition": "CBV disposition or another URI",
    "EQ_readPoint": "readPoint id",
    "EQ_bizLocation": "bizLocation id",
    "EQ_eventID": "eventID",
    "MATCH_epc": "an EPC in epcList or childEPCs (a trailing * matches a pattern)",
    "MATCH_anyEPC": "an EPC anywhere: epcList, childEPCs, inputEPCList, outputEPCList, parentID",
    "MATCH_parentID": "parentID",
    "MATCH_inputEPC": "an EPC in inputEPCList",
    "MATCH_outputEPC": "an EPC in outputEPCList",
    "MATCH_epcClass": "an EPC class in quantityList or childQuantityList",
    "MATCH_anyEPCClass": "an EPC class in any quantity list",
    "perPage": f"events per page (1-{selectors.EPCIS_MAX_PAGE_SIZE}, "
    f"default {selectors.EPCIS_PAGE_SIZE})",
    "nextPageToken": "from the previous page's Link header",
}


class JSONLDParser(JSONParser):
    media_type = "application/ld+json"


class EpcisViewSet(LeveeGenericViewSet):
    metadata_class = None  # no OPTIONS description: its endpoints take documents, not a serializer
    """GS1 EPCIS 2.0 capture and query (DESIGN.md §5.1)."""

    queryset = Event.objects.all()
    write_roles = WRITERS
    action_roles = {"capture": WRITERS, "capture_status": WRITERS}
    filter_backends = []
    pagination_class = None

    @extend_schema(
        request={
            "application/json": OpenApiTypes.OBJECT,
            "application/ld+json": OpenApiTypes.OBJECT,
        },
        parameters=[
            OpenApiParameter(
                "Prefer", str, OpenApiParameter.HEADER, description="respond-async: by a worker"
            )
        ],
        responses={
            201: EpcisCaptureResultSerializer,
            202: OpenApiResponse(CaptureJobSerializer, description="Captured by a worker"),
        },
    )
    @action(
        detail=False,
        methods=["post"],
        parser_classes=[JSONParser, JSONLDParser],
    )
    def capture(self, request):
        """An EPCIS 2.0 document (JSON or JSON-LD) valid against the EPCIS 2.0 schema; an
        invalid one is a 400 naming `eventList.{index}.{field}`. Over 1,000 events, or with
        `Prefer: respond-async`, a worker captures it: 202 with `Location` of its status."""
        body = request.body  # read before parsing: a worker is handed the text as sent
        document = request.data
        if services.epcis_capture_needs_worker(
            document=document, prefer=request.headers.get("Prefer", "")
        ):
            job = services.capture_job_start(actor=request.user, document=document, body=body)
            location = reverse("epcis-capture-status", args=[job.pk], request=request)
            response = Response(CaptureJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
            response["Location"] = location
            return response
        result = services.epcis_capture(actor=request.user, document=document)
        result.pop("created_ids")
        return Response(result, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: CaptureJobSerializer})
    @action(detail=False, methods=["get"], url_path=r"capture/(?P<id>[0-9a-f-]{36})")
    def capture_status(self, request, id=None):
        """An asynchronous capture: `running`, `succeeded` (with what was stored) or
        `failed` (with the errors)."""
        jobs = CaptureJob.objects.all()
        if request.user.role != Role.ADMIN:
            jobs = jobs.filter(created_by=request.user)
        job = jobs.filter(pk=id).first()
        if job is None:
            raise NotFound(_("No such capture."))
        return Response(CaptureJobSerializer(job).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(name, str, description=description)
            for name, description in EPCIS_QUERY_DOCS.items()
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["get"])
    def events(self, request):
        """Stored events as an EPCIS 2.0 document, each as it was captured, filtered by the
        EPCIS 2.0 REST query parameters; paged by `perPage` and `nextPageToken` (the next
        page's link is in the `Link` header)."""
        queryset, per_page = selectors.epcis_events(
            queryset=self.get_queryset(), params=request.query_params
        )
        page, token = selectors.epcis_page(
            queryset=_events_with_lines(queryset),
            params=request.query_params,
            user=request.user,
            per_page=per_page,
        )
        response = Response(epcis.events_document(page))
        if token is not None:
            params = request.query_params.copy()
            params["nextPageToken"] = token
            url = request.build_absolute_uri(request.path) + "?" + params.urlencode()
            response["Link"] = f'<{url}>; rel="next"'
            expires = timezone.now() + dt.timedelta(seconds=selectors.EPCIS_PAGE_TOKEN_MAX_AGE)
            response["GS1-Next-Page-Token-Expires"] = expires.isoformat(timespec="seconds")
        return response
