import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from stdnum import ean
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

from core.models import RegionField
from core.scoping import RestrictedQuerySet, Scope
from core.validators import validate_category

from .choices import EpcisType, EventKind, LotRole, PartyKind


def validate_uscc(value):
    try:
        uscc.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("“%(value)s” is not a valid unified social credit code.") % {"value": value},
            code="invalid_uscc",
        ) from exc


def validate_gtin(value):
    try:
        ean.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("“%(value)s” is not a valid GTIN.") % {"value": value}, code="invalid_gtin"
        ) from exc


def normalize_gtin(value):
    """GTIN-8/12/13/14 as the 14-digit form GS1 Digital Link uses."""
    return ean.compact(value).zfill(14) if value else value


class Party(models.Model):
    """A business in the supply chain, identified by its unified social credit code."""

    uscc = models.CharField("USCC", max_length=18, unique=True, validators=[validate_uscc])
    name = models.CharField(verbose_name=_("name"), max_length=200)
    kind = models.CharField(verbose_name=_("kind"), max_length=16, choices=PartyKind.choices)
    region = RegionField(verbose_name=_("region"))
    address = models.CharField(verbose_name=_("address"), max_length=300, blank=True)
    contact = models.CharField(verbose_name=_("contact"), max_length=200, blank=True)
    gln = models.CharField("GLN", max_length=13, blank=True, db_index=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)
    history = HistoricalRecords()

    objects = RestrictedQuerySet.as_manager()
    scope = Scope(region=("region",), party=("uscc",))

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["id"]

    def __str__(self):
        return f"{self.name} ({self.uscc})"


class Product(models.Model):
    name = models.CharField(verbose_name=_("name"), max_length=200)
    brand = models.CharField(verbose_name=_("brand"), max_length=100, blank=True)
    model = models.CharField(verbose_name=_("model"), max_length=100, blank=True)
    category = models.CharField(
        verbose_name=_("category"), max_length=64, validators=[validate_category], db_index=True
    )
    gtin = models.CharField(
        "GTIN", max_length=14, null=True, blank=True, unique=True, validators=[validate_gtin]
    )
    producer = models.ForeignKey(
        Party, verbose_name=_("producer"), on_delete=models.PROTECT, related_name="products"
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)
    history = HistoricalRecords()

    objects = RestrictedQuerySet.as_manager()
    scope = Scope(region=("producer__region",), party=("producer__uscc",))

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["id"]
        indexes = [
            # Sampling finds "the same product" by brand and model in any case (iexact).
            models.Index(
                F("producer"), Upper("brand"), Upper("model"), name="product_same_product_idx"
            )
        ]

    def __str__(self):
        return " ".join(p for p in (self.brand, self.name, self.model) if p)


class Lot(models.Model):
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="lots"
    )
    lot_code = models.CharField(verbose_name=_("lot code"), max_length=64)
    produced_on = models.DateField(verbose_name=_("produced on"), null=True, blank=True)
    quantity = models.DecimalField(
        verbose_name=_("quantity"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    unit = models.CharField(verbose_name=_("unit"), max_length=16, default="pcs")
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    scope = Scope(region=("product__producer__region",), party=("product__producer__uscc",))

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "lot_code"], name="lot_code_unique_per_product"
            )
        ]
        indexes = [models.Index(fields=["lot_code"])]

    def __str__(self):
        return gettext("%(product)s, lot %(lot)s") % {"product": self.product, "lot": self.lot_code}


@deconstructible(path="traceability.models.CurrentTransaction")
class CurrentTransaction(models.Func):
    """The id of the transaction that writes the row (PostgreSQL; NULL elsewhere, where
    writers are serialised and ids follow commit order)."""

    output_field = models.BigIntegerField()
    template = "NULL"

    def as_postgresql(self, compiler, connection, **extra):
        return "(pg_current_xact_id()::text::bigint)", []


class Event(models.Model):
    """A supply-chain event after GS1 EPCIS 2.0. `event_id` is the client's: re-sending an
    event is a no-op."""

    event_id = models.CharField(verbose_name=_("event ID"), max_length=255, unique=True)
    kind = models.CharField(verbose_name=_("kind"), max_length=16, choices=EventKind.choices)
    occurred_at = models.DateTimeField(verbose_name=_("occurred at"))
    # Null when an EPCIS event's location names no stored party (kept in `read_point` /
    # `biz_location` as given).
    party = models.ForeignKey(
        Party,
        verbose_name=_("party"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    source = models.ForeignKey(
        Party,
        verbose_name=_("source"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shipped_events",
    )
    destination = models.ForeignKey(
        Party,
        verbose_name=_("destination"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="received_events",
    )
    # The CBV short name ("shipping") or, for a non-CBV step, the URI as given.
    biz_step = models.CharField(verbose_name=_("business step"), max_length=255, blank=True)
    # EPCIS 2.0: the event's type and fields the query filters on; `document` is the event
    # as captured (null for events recorded through `events/`, rendered from the columns).
    epcis_type = models.CharField(
        verbose_name=_("EPCIS type"),
        max_length=32,
        choices=EpcisType.choices,
        default="ObjectEvent",
    )
    action = models.CharField(verbose_name=_("action"), max_length=8, blank=True)
    disposition = models.CharField(verbose_name=_("disposition"), max_length=255, blank=True)
    read_point = models.CharField(verbose_name=_("read point"), max_length=255, blank=True)
    biz_location = models.CharField(verbose_name=_("business location"), max_length=255, blank=True)
    parent_epc = models.CharField(verbose_name=_("parent EPC"), max_length=255, blank=True)
    document = models.JSONField(verbose_name=_("document"), null=True, blank=True)
    # errorDeclaration: the event stays stored and listed, but no trace or figure counts it.
    erroneous = models.BooleanField(verbose_name=_("erroneous"), default=False)
    corrective_event_ids = models.JSONField(
        verbose_name=_("corrective event IDs"), default=list, blank=True
    )
    recorded_at = models.DateTimeField(verbose_name=_("recorded at"), auto_now_add=True)
    # The transaction that stored it: EPCIS query pages hold to the events committed when
    # their first page was asked (a snapshot), whatever commits in between.
    recorded_xact = models.BigIntegerField(
        null=True, blank=True, editable=False, db_default=CurrentTransaction()
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    # Recorded by a regulator (or an admin) on the party's behalf, not by the party itself.
    recorded_by_regulator = models.BooleanField(
        verbose_name=_("recorded by regulator"), default=False, db_default=False
    )
    # A wrong event is never deleted: it is withdrawn (retracted, or declared erroneous by
    # an EPCIS errorDeclaration), stays listed, and the trace and its figures leave it out.
    withdrawn_at = models.DateTimeField(verbose_name=_("withdrawn at"), null=True, blank=True)
    withdrawal_reason = models.TextField(
        verbose_name=_("withdrawal reason"), blank=True, db_default=""
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RestrictedQuerySet.as_manager()
    scope = Scope(
        region=("party__region",),
        party=("party__uscc", "source__uscc", "destination__uscc"),
    )

    class Meta:
        verbose_name = _("supply-chain event")
        verbose_name_plural = _("supply-chain events")
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["kind", "occurred_at"]),
            models.Index(fields=["recorded_at", "id"], name="event_recorded_idx"),
            # The few withdrawn events: the trace's anti-join probes this small index.
            models.Index(
                fields=["id"], condition=Q(withdrawn_at__isnull=False), name="event_withdrawn"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.event_id}"


class EventLot(models.Model):
    """One line of an event: the lot moved (role `lot`), or an input or output of a
    transformation. A line captured through EPCIS keeps its identifier (`epc`) and the list
    it came from; an identifier that names no stored lot is kept all the same (an
    identifier node: `lot` null, `product` set when it names a product's class or item,
    `node` the thing the trace follows through it).
    Quantities are in the lot's unit; an identifier node's keep the captured `uom`."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.PROTECT, related_name="lines"
    )
    lot = models.ForeignKey(
        Lot,
        verbose_name=_("lot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="event_lines",
    )
    role = models.CharField(
        verbose_name=_("role"), max_length=8, choices=LotRole.choices, default=LotRole.LOT
    )
    quantity = models.DecimalField(
        verbose_name=_("quantity"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    epc = models.CharField(verbose_name=_("EPC"), max_length=255, blank=True)
    epc_list = models.CharField(verbose_name=_("EPC list"), max_length=24, blank=True)
    uom = models.CharField(verbose_name=_("unit of measure"), max_length=3, blank=True)
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="event_lines",
    )
    # The identifier node the trace follows for a line without a lot: the thing's
    # canonical identifier (URN and Digital Link forms of one item meet), null for a lot
    # line and for a class or pattern (every item of a product, which joins no chain).
    node = models.CharField(max_length=255, null=True, blank=True)

    class Meta:
        verbose_name = _("event line")
        verbose_name_plural = _("event lines")
        ordering = ["id"]
        # Covering indexes for the trace's joins (lot -> its events, event -> its other
        # lines): index-only scans on PostgreSQL; `include` is ignored on SQLite.
        indexes = [
            models.Index(
                fields=["lot", "role"], include=["event", "quantity"], name="eventlot_lot_role"
            ),
            models.Index(
                fields=["event", "role"], include=["lot", "quantity"], name="eventlot_event_role"
            ),
            models.Index(fields=["epc"], name="eventlot_epc", condition=~models.Q(epc="")),
            # The same two for identifier nodes: small, as only their lines carry a node.
            models.Index(
                fields=["node", "role"],
                include=["event", "quantity", "uom"],
                name="eventlot_node_role",
                condition=models.Q(node__isnull=False),
            ),
            models.Index(
                fields=["event", "role"],
                include=["node", "quantity", "uom"],
                name="eventlot_event_node",
                condition=models.Q(node__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()} {self.lot_id}: {self.quantity}"


class CaptureJob(models.Model):
    """An EPCIS document captured by a worker (over 1,000 events, or `Prefer:
    respond-async`): `running` until the worker is done, then `succeeded` or `failed` with
    the errors a synchronous capture would have answered."""

    class Status(models.TextChoices):
        RUNNING = "running", "running"
        SUCCEEDED = "succeeded", "succeeded"
        FAILED = "failed", "failed"

    id = models.UUIDField(
        verbose_name=_("ID"), primary_key=True, default=uuid.uuid4, editable=False
    )
    status = models.CharField(
        verbose_name=_("status"), max_length=16, choices=Status.choices, default=Status.RUNNING
    )
    # The document as it was sent (JSON text: kept and read back without re-encoding, and
    # without the database parsing it into jsonb), dropped once captured.
    document = models.TextField(verbose_name=_("document"), null=True, blank=True)
    event_count = models.PositiveIntegerField(verbose_name=_("event count"), default=0)
    result = models.JSONField(verbose_name=_("result"), default=dict, blank=True)
    errors = models.JSONField(verbose_name=_("errors"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(verbose_name=_("finished at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope = Scope(region=("created_by__region",), party=("created_by__party_uscc",))

    class Meta:
        verbose_name = _("EPCIS capture")
        verbose_name_plural = _("EPCIS captures")
        ordering = ["created_at"]

    def __str__(self):
        return gettext("EPCIS capture %(id)s (%(status)s)") % {
            "id": self.id,
            "status": self.get_status_display(),
        }
