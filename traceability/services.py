"""Traceability writes: master data (parties, products, lots) and supply-chain events.

Events are validated by one set-based routine (`_validate_events`) shared by the single
endpoint, the bulk endpoint and EPCIS capture: a batch of 10,000 events costs a handful of
queries (lots, parties, known event ids), never one per event, and is written with
`bulk_create` in one transaction, all or nothing.
"""

import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal, InvalidOperation

import structlog
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core.choices import Role
from core.dates import clock_skew
from core.db import NEXT_IDS_SQL
from core.exceptions import ApplicationError, Conflict, PermissionDenied
from core.regions import covers
from core.states import record_history
from core.validators import EARLIEST_YEAR, is_choice

from . import epcis
from .choices import EpcisType, EventKind, LotRole
from .epcis import Line
from .models import CaptureJob, Event, EventLot, Lot, Party, Product, normalize_gtin

log = structlog.get_logger(__name__)

MAX_BULK_EVENTS = 10_000
# EPCIS documents over this many events are captured by a worker (DESIGN.md §5.1).
EPCIS_SYNC_LIMIT = 1_000
MAX_EPCIS_EVENTS = 100_000
_MAX_QUANTITY = Decimal("99999999999.999")
_MAX_QUANTITY_INT = int(_MAX_QUANTITY)
_QUANTITY_TYPES = (int, float, str, Decimal)
_REF_TYPES = (int, str)
_MAX_ID = 2**63 - 1  # bigint
_KINDS = frozenset(EventKind.values)  # Choices.values builds a new list on every access
# What an event recorded through `events/` is in EPCIS terms.
_KIND_ACTIONS = {EventKind.COMMISSION: "ADD", EventKind.DESTROY: "DELETE"}


# --- Master data ---------------------------------------------------------------------


def _check_region(actor, region, attr="region"):
    """Regulators create and move parties only within their own region."""
    if actor.role in (Role.REGULATOR, Role.INSPECTOR) and not covers(actor.region, region):
        raise ApplicationError(
            _("Region %(region)s is outside your region %(yours)s.")
            % {"region": region, "yours": actor.region},
            attr=attr,
        )


def _full_save(obj):
    """full_clean() and save(), except that a foreign key whose object the caller handed
    over already loaded (a producer, a product) is not looked up again: the database's own
    constraint still refuses a row that vanished since."""
    loaded = {f.name for f in obj._meta.concrete_fields if _loaded_relation(obj, f)}
    errors = {}
    for check in (lambda: obj.clean_fields(exclude=loaded), obj.clean):
        try:
            check()
        except DjangoValidationError as e:
            errors = e.update_error_dict(errors)
    failed = set(errors) - {NON_FIELD_ERRORS}  # as full_clean: no unique check on those
    for check in (obj.validate_unique, obj.validate_constraints):
        try:
            check(exclude=failed)
        except DjangoValidationError as e:
            errors = e.update_error_dict(errors)
    if errors:
        raise DjangoValidationError(errors)
    obj.save()
    return obj


def _loaded_relation(obj, field):
    if not (field.is_relation and field.is_cached(obj)):
        return False
    related = field.get_cached_value(obj)
    return related is not None and not related._state.adding


def party_create(*, actor, **fields):
    _check_region(actor, fields.get("region", ""))
    return _full_save(Party(**fields))


def party_update(*, party, actor, **fields):
    if "region" in fields:
        _check_region(actor, fields["region"])
    for name, value in fields.items():
        setattr(party, name, value)
    return _full_save(party)


def _check_producer(actor, producer):
    if actor.role == Role.ENTERPRISE and producer.uscc != actor.party_uscc:
        raise PermissionDenied(_("An enterprise creates products only for itself."))


def product_create(*, actor, **fields):
    _check_producer(actor, fields["producer"])
    fields["gtin"] = normalize_gtin(fields.get("gtin")) or None
    return _full_save(Product(**fields))


def product_update(*, product, actor, **fields):
    if "producer" in fields:
        _check_producer(actor, fields["producer"])
    if "gtin" in fields:
        fields["gtin"] = normalize_gtin(fields["gtin"]) or None
    for name, value in fields.items():
        setattr(product, name, value)
    return _full_save(product)


# What a lot is: once an event or a recall names the lot, these change only by a
# correction with a reason (DESIGN.md §5.2).
LOT_FACTS = ("product", "quantity", "unit")


def lot_create(*, actor, **fields):
    _check_producer(actor, fields["product"].producer)
    with transaction.atomic():
        lot = _full_save(Lot(**fields))
        record_history(
            lot, action="create", from_state=None, to_state="", actor=actor, payload=_facts(lot)
        )
    return lot


def _facts(lot):
    return {
        "product": lot.product_id,
        "quantity": None if lot.quantity is None else str(lot.quantity),
        "unit": lot.unit,
    }


def lot_is_named(lot):
    """Whether an event or a recall names the lot: its facts are then on record."""
    return lot.event_lines.exists() or lot.recalls.exists()


def lot_update(*, lot, actor, **fields):
    changed = [name for name in LOT_FACTS if name in fields and fields[name] != getattr(lot, name)]
    if changed and lot_is_named(lot):
        raise Conflict(
            _(
                "Lot %(pk)s is named by an event or a recall: its %(items)s change only by POST "
                "lots/%(pk2)s/correct/ with a reason."
            )
            % {"pk": lot.pk, "items": ", ".join(changed), "pk2": lot.pk},
            code="lot_facts_recorded",
            attr=changed[0],
            extra={"correct": f"lots/{lot.pk}/correct/"},
        )
    if "product" in fields:
        _check_producer(actor, fields["product"].producer)
    for name, value in fields.items():
        setattr(lot, name, value)
    return _full_save(lot)


def lot_correct(*, lot, actor, reason, **fields):
    """Correct a lot's product, quantity or unit with a reason; its history keeps the
    values before and after. A lot under a recall stays with its producer."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Give the reason for the correction."), code="required", attr="reason"
        )
    unknown = set(fields) - set(LOT_FACTS)
    if unknown:
        raise ApplicationError(
            _("Only %(items)s are corrected here.") % {"items": ", ".join(LOT_FACTS)},
            attr=sorted(unknown)[0],
        )
    if not fields:
        raise ApplicationError(
            _("Give the corrected %(items)s.") % {"items": ", ".join(LOT_FACTS)}, code="required"
        )
    with transaction.atomic():
        lot = Lot.objects.select_for_update(of=("self",)).select_related("product").get(pk=lot.pk)
        if "product" in fields:
            product = fields["product"]
            _check_producer(actor, product.producer)
            if product.producer_id != lot.product.producer_id and lot.recalls.exists():
                raise Conflict(
                    _(
                        "This lot is under a recall of its producer: it cannot move to another "
                        "producer's product."
                    ),
                    code="lot_in_recall",
                    attr="product",
                )
        before = _facts(lot)
        for name, value in fields.items():
            setattr(lot, name, value)
        _full_save(lot)
        after = _facts(lot)
        record_history(
            lot,
            action="correct",
            from_state="",
            to_state="",
            actor=actor,
            payload={"reason": reason, "before": before, "after": after},
        )
    log.info("lot.corrected", lot=lot.pk, fields=sorted(fields))
    return lot


# --- Events --------------------------------------------------------------------------


def event_record(*, actor, data):
    """Record one event. Returns (event, created); an event_id already stored returns the
    stored event unchanged (re-sending is a no-op)."""
    existing = _existing(data)
    if existing is not None:
        return existing, False
    result = events_record_bulk(actor=actor, items=[data], prefix="")
    if result["created_ids"]:
        return Event.objects.get(pk=result["created_ids"][0]), True
    return _existing(data), False


def _existing(data):
    event_id = data.get("event_id") if isinstance(data, dict) else None
    if not isinstance(event_id, str) or not event_id:
        return None
    return Event.objects.filter(event_id=event_id).first()


def events_record_bulk(*, actor, items, prefix="events"):
    """Validate `items` together and store them in one transaction, all or nothing.

    Every error is reported at once, keyed `{prefix}.{index}.{field}`. Events whose
    event_id is already stored are skipped (idempotent re-sends) and reported by index.
    """
    if not isinstance(items, list):
        raise ApplicationError(_("Expected a list of events."), attr=prefix or None)
    if len(items) > MAX_BULK_EVENTS:
        raise ApplicationError(
            _("At most %(max)s events per request; got %(count)s.")
            % {"max": MAX_BULK_EVENTS, "count": len(items)},
            attr=prefix or None,
        )
    events, errors, skipped = _validate_events(items, actor)
    if errors:
        raise DjangoValidationError(
            {_attr(prefix, index, field): messages for (index, field), messages in errors.items()}
        )
    created_ids = _store(events, actor)
    log.info("events.recorded", created=len(created_ids), skipped=len(skipped))
    return {"created": len(created_ids), "existing": skipped, "created_ids": created_ids}


def _attr(prefix, index, field):
    parts = [prefix, str(index) if prefix else "", field]
    return ".".join(p for p in parts if p) or "non_field_errors"


def _store(events, actor):
    if not events:
        return []
    recorded_by = actor.pk if getattr(actor, "pk", None) else None
    on_behalf = _on_behalf(actor)
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                return _copy_events(events, recorded_by, on_behalf)
            rows = [
                Event(
                    **{field: e[key] for key, field in _EVENT_FIELDS},
                    recorded_by_id=recorded_by,
                    recorded_by_regulator=on_behalf,
                )
                for e in map(_epcis_defaults, events)
            ]
            Event.objects.bulk_create(rows, batch_size=500)
            EventLot.objects.bulk_create(
                (
                    EventLot(
                        event_id=row.pk,
                        lot_id=line.lot,
                        quantity=line.quantity,
                        role=line.role,
                        epc=line.epc,
                        epc_list=line.epc_list,
                        uom=line.uom,
                        product_id=line.product,
                        node=line.node,
                    )
                    for row, e in zip(rows, events, strict=True)
                    for line in e["lines"]
                ),
                batch_size=500,
            )
            return [row.pk for row in rows]
    except IntegrityError as exc:
        # Another request stored one of these event_ids between our check and insert.
        raise Conflict(_("Some of these events were recorded concurrently; retry.")) from exc


# (key of a validated event, Event field), in the order COPY writes them.
_EVENT_FIELDS = (
    ("event_id", "event_id"),
    ("kind", "kind"),
    ("occurred_at", "occurred_at"),
    ("party", "party_id"),
    ("source", "source_id"),
    ("destination", "destination_id"),
    ("biz_step", "biz_step"),
    ("epcis_type", "epcis_type"),
    ("action", "action"),
    ("disposition", "disposition"),
    ("read_point", "read_point"),
    ("biz_location", "biz_location"),
    ("parent_epc", "parent_epc"),
    ("document", "document"),
    ("erroneous", "erroneous"),
    ("corrective_event_ids", "corrective_event_ids"),
    ("withdrawn_at", "withdrawn_at"),
    ("withdrawal_reason", "withdrawal_reason"),
)


def _epcis_defaults(event):
    """An event recorded through `events/` in EPCIS terms: an ObjectEvent (or a
    TransformationEvent) with the action its kind implies, rendered from its columns."""
    if "epcis_type" in event:
        return event
    transform = event["kind"] == EventKind.TRANSFORM
    return {
        **event,
        "epcis_type": EpcisType.TRANSFORMATION if transform else EpcisType.OBJECT,
        "action": "" if transform else _KIND_ACTIONS.get(event["kind"], "OBSERVE"),
        "disposition": "",
        "read_point": "",
        "biz_location": "",
        "parent_epc": "",
        "document": None,
        "erroneous": False,
        "corrective_event_ids": [],
        "withdrawn_at": None,
        "withdrawal_reason": "",
    }


# JSON columns go to COPY as text: one reused encoder, no adapter object per value.
_json_text = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_JSON_KEYS = frozenset({"document", "corrective_event_ids"})


def _on_behalf(actor):
    """Whether the recorder asserts for someone else's party: any role but the enterprise
    (which records only its own events) records on the party's behalf."""
    return getattr(actor, "role", None) != Role.ENTERPRISE


def _copy_events(events, recorded_by, on_behalf):
    """PostgreSQL: ids from the sequence in one query, then COPY of events and lines (the
    floor that bench/trace.py measures bulk capture against)."""
    now = timezone.now()
    event_table, line_table = Event._meta.db_table, EventLot._meta.db_table
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.execute(NEXT_IDS_SQL, [event_table, "id", len(events)])
        ids = [row[0] for row in cursor.fetchall()]
        raw = cursor.cursor
        columns = ", ".join(["id", *(f for _, f in _EVENT_FIELDS), "recorded_at", "recorded_by_id"])
        columns += ", recorded_by_regulator"
        keys = [k for k, _ in _EVENT_FIELDS]
        plain = [k not in _JSON_KEYS for k in keys]
        with raw.copy(f"COPY {event_table} ({columns}) FROM STDIN") as copy:
            for pk, e in zip(ids, map(_epcis_defaults, events), strict=True):
                row = [
                    e[k] if is_plain or e[k] is None else _json_text(e[k])
                    for k, is_plain in zip(keys, plain, strict=True)
                ]
                copy.write_row((pk, *row, now, recorded_by, on_behalf))
        line_columns = "event_id, lot_id, quantity, role, epc, epc_list, uom, product_id, node"
        with raw.copy(f"COPY {line_table} ({line_columns}) FROM STDIN") as copy:
            for pk, e in zip(ids, events, strict=True):
                for line in e["lines"]:
                    copy.write_row((pk, *line))
    return ids


class _Errors(defaultdict):
    def __init__(self):
        super().__init__(list)

    def add(self, index, field, message):
        self[(index, field)].append(message)


def _validate_events(items, actor):
    """Shape-check every item, then resolve all referenced lots and parties with a few
    set-based queries. Returns (clean events to insert, errors, indexes skipped)."""
    errors = _Errors()
    latest = timezone.now() + clock_skew()  # later than this is in the future
    parsed = {}
    for index, item in enumerate(items):
        event = _parse_event(index, item, errors, latest)
        if event is not None:
            parsed[index] = event

    skipped = _skip_stored(parsed, errors)
    parties = _resolve_parties(parsed, errors)
    _resolve_lots(parsed, errors)
    _check_scope(parsed, parties, actor, errors)
    return [parsed[i] for i in sorted(parsed)], errors, skipped


def _skip_stored(parsed, errors, stored=None):
    """Drop the events already stored (idempotent re-sends: their indexes are returned)
    and report an event_id repeated inside the batch."""
    if stored is None:
        ids = {e["event_id"] for e in parsed.values()}
        stored = Event.objects.filter(event_id__any_of=ids).order_by()  # no sort to pay
        stored = set(stored.values_list("event_id", flat=True))
    skipped, seen = [], {}
    for index, event in list(parsed.items()):
        if event["event_id"] in stored:
            skipped.append(index)
            del parsed[index]
        elif event["event_id"] in seen:
            errors.add(
                index,
                "event_id",
                _("Duplicates the event_id of event %(index)s.")
                % {"index": seen[event["event_id"]]},
            )
        else:
            seen[event["event_id"]] = index
    return skipped


def _parse_event(index, item, errors, latest):
    if not isinstance(item, dict):
        errors.add(index, "non_field_errors", _("Expected an object."))
        return None
    before = len(errors)
    event_id = item.get("event_id")
    if not isinstance(event_id, str) or not 0 < len(event_id.strip()) <= 128:
        errors.add(index, "event_id", _("Required: a string of 1-128 characters."))
    kind = item.get("kind")
    if not is_choice(kind, _KINDS):
        errors.add(index, "kind", _("One of %(values)s.") % {"values": ", ".join(EventKind.values)})
    occurred_at = _parse_time(item.get("occurred_at"))
    if occurred_at is None:
        errors.add(index, "occurred_at", _("Required: an ISO 8601 timestamp."))
    elif occurred_at > latest:
        errors.add(index, "occurred_at", _("May not be in the future."))
    elif occurred_at.year < EARLIEST_YEAR:
        errors.add(
            index,
            "occurred_at",
            _("Give a date between %(earliest)d and now.") % {"earliest": EARLIEST_YEAR},
        )
    biz_step = item.get("biz_step") or ""
    if not isinstance(biz_step, str) or len(biz_step) > 64:
        errors.add(index, "biz_step", _("At most 64 characters."))
    refs = {}
    for field in ("party", "source", "destination"):
        value = item.get(field)
        if value in (None, ""):
            refs[field] = None
        elif isinstance(value, bool) or not isinstance(value, _REF_TYPES):
            errors.add(index, field, _("A party id or USCC."))
        else:
            refs[field] = value
    if refs.get("party") is None and (index, "party") not in errors:
        errors.add(index, "party", _("Required: the party where the event happened."))
    lines = []
    for field, role in (("lots", LotRole.LOT), ("inputs", LotRole.INPUT), ("outputs", "output")):
        for lot, quantity in _parse_lines(index, field, item.get(field), errors):
            lines.append(Line(lot, quantity, role))
    if len(errors) > before:
        return None

    roles = {line.role for line in lines}
    if kind == EventKind.TRANSFORM:
        if LotRole.INPUT not in roles or LotRole.OUTPUT not in roles:
            errors.add(index, "inputs", _("A transformation needs inputs and outputs."))
        if LotRole.LOT in roles:
            errors.add(index, "lots", _("A transformation takes inputs and outputs, not lots."))
    else:
        if LotRole.LOT not in roles:
            errors.add(index, "lots", _("At least one lot."))
        if roles - {LotRole.LOT}:
            errors.add(index, "inputs", _("Only a transformation has inputs and outputs."))
    party, source, destination = refs["party"], refs["source"], refs["destination"]
    if kind == EventKind.SHIP:
        source = source if source is not None else party
        if destination is None:
            errors.add(index, "destination", _("A shipment needs a destination."))
    elif kind == EventKind.RECEIVE:
        destination = destination if destination is not None else party
    elif source is not None or destination is not None:
        errors.add(index, "source", _("Only shipments and receipts have a source or destination."))
    if len(errors) > before:
        return None
    return {
        "index": index,
        "event_id": event_id.strip(),
        "kind": kind,
        "occurred_at": occurred_at,
        "party": party,
        "source": source,
        "destination": destination,
        "biz_step": biz_step,
        "lines": lines,
    }


def _parse_time(value):
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = parse_datetime(value)
        except ValueError:
            return None
    else:
        return None
    if parsed is None:
        return None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _parse_lines(index, field, value, errors):
    if value in (None, []):
        return []
    if not isinstance(value, list):
        errors.add(index, field, _('A list of {"lot": id, "quantity": n}.'))
        return []
    lines = []
    for n, line in enumerate(value):
        if not isinstance(line, dict):
            errors.add(index, f"{field}.{n}", _('Expected {"lot": id, "quantity": n}.'))
            continue
        lot = line.get("lot")
        if type(lot) is not int or not 0 < lot <= _MAX_ID:  # bool is not a lot id
            errors.add(index, f"{field}.{n}.lot", _("A lot id."))
            continue
        quantity = _parse_quantity(line.get("quantity"))
        if quantity is None:
            errors.add(
                index,
                f"{field}.{n}.quantity",
                _("A positive number with at most 3 decimal places."),
            )
            continue
        lines.append((lot, quantity))
    return lines


def _parse_quantity(value):
    if type(value) is int:  # the common case: no Decimal arithmetic to check it
        return Decimal(value) if 0 < value <= _MAX_QUANTITY_INT else None
    if isinstance(value, bool) or not isinstance(value, _QUANTITY_TYPES):
        return None
    try:
        quantity = Decimal(str(value))
    except InvalidOperation:
        return None
    if not quantity.is_finite() or quantity <= 0 or quantity > _MAX_QUANTITY:
        return None
    if quantity != quantity.quantize(Decimal("0.001")):
        return None
    return quantity


def _resolve_parties(parsed, errors):
    """Map every party reference (id or USCC) to its party; unknown ones are errors."""
    refs = {
        event[field]
        for event in parsed.values()
        for field in ("party", "source", "destination")
        if event[field] is not None
    }
    ids = {r for r in refs if isinstance(r, int)} | {
        int(r) for r in refs if isinstance(r, str) and r.isdigit() and len(r) < 18
    }
    ids = {r for r in ids if 0 < r <= _MAX_ID}  # others name no party
    usccs = {r for r in refs if isinstance(r, str) and len(r) == 18}
    found = Party.objects.filter(Q(id__any_of=ids) | Q(uscc__any_of=usccs)).values_list(
        "id", "uscc", "region"
    )
    by_ref = {}
    for pk, uscc, region in found:
        by_ref[pk] = by_ref[str(pk)] = by_ref[uscc] = (pk, uscc, region)
    parties = {}
    for index, event in list(parsed.items()):
        for field in ("party", "source", "destination"):
            ref = event[field]
            if ref is None:
                continue
            party = by_ref.get(ref)
            if party is None:
                errors.add(index, field, _("No party %(ref)s.") % {"ref": ref})
                continue
            event[field] = party[0]
            parties[party[0]] = party
        if event["source"] is not None and event["source"] == event["destination"]:
            errors.add(index, "destination", _("Source and destination must differ."))
    return parties


def _resolve_lots(parsed, errors):
    lot_ids = {line.lot for event in parsed.values() for line in event["lines"]}
    found = set(Lot.objects.filter(id__any_of=lot_ids).values_list("id", flat=True))
    for index, event in parsed.items():
        for line in event["lines"]:
            if line.lot not in found:
                field = {"lot": "lots", "input": "inputs", "output": "outputs"}[line.role]
                errors.add(index, field, _("No lot %(lot)s.") % {"lot": line.lot})


def _check_scope(parsed, parties, actor, errors):
    """Regulators record events that happen in their region; an enterprise records only
    its own events (it is the event's party, the sender of a shipment and the receiver of
    a receipt) about lots it produced or has held."""
    role = actor.role
    if role == Role.ADMIN or getattr(actor, "is_levee_admin", False):
        return
    if role in (Role.REGULATOR, Role.INSPECTOR):
        for index, event in parsed.items():
            region = parties.get(event["party"], (None, None, ""))[2]
            if not covers(actor.region, region):
                errors.add(index, "party", _("This party is outside your region."))
        return
    if role != Role.ENTERPRISE:
        raise PermissionDenied(_("Your role may not record supply-chain events."))
    own = next((p[0] for p in parties.values() if p[1] == actor.party_uscc), None)
    own = own or Party.objects.filter(uscc=actor.party_uscc).values_list("id", flat=True).first()
    held = _lots_held(own, parsed)
    for index, event in parsed.items():
        if event["party"] != own:
            errors.add(index, "party", _("An enterprise records only its own events."))
            continue
        if event["kind"] == EventKind.SHIP and event["source"] != own:
            errors.add(index, "source", _("An enterprise ships only from itself."))
        if event["kind"] == EventKind.RECEIVE and event["destination"] != own:
            errors.add(index, "destination", _("An enterprise receives only for itself."))
        for line in event["lines"]:
            if line.lot is None or line.lot in held:
                continue
            if not (event["kind"] == EventKind.RECEIVE or line.role == LotRole.OUTPUT):
                errors.add(
                    index,
                    "lots",
                    _("Lot %(lot)s is not yours: you neither made nor hold it.")
                    % {"lot": line.lot},
                )


def _lots_held(own, parsed):
    """Lots of this batch that `own` produced, received or made (stored or in the batch)."""
    lot_ids = {line.lot for event in parsed.values() for line in event["lines"]} - {None}
    if own is None or not lot_ids:
        return set()
    produced = Lot.objects.filter(id__any_of=lot_ids, product__producer_id=own)
    held = set(produced.values_list("id", flat=True))
    held |= set(
        EventLot.objects.filter(lot_id__any_of=lot_ids - held, event__withdrawn_at__isnull=True)
        .filter(Q(event__destination_id=own) | Q(event__party_id=own))
        .values_list("lot_id", flat=True)
    )
    for event in parsed.values():
        if event["party"] == own and event["kind"] in (EventKind.RECEIVE, EventKind.TRANSFORM):
            held |= {line.lot for line in event["lines"] if line.role != LotRole.INPUT}
    return held


def event_retract(*, event, actor, reason):
    """Withdraw a wrong event with a reason: it stays stored and listed, flagged, and the
    trace and every figure built on it leave it out. Its own party (or a regulator of the
    party's region) retracts it."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Give the reason for the retraction."), code="required", attr="reason"
        )
    with transaction.atomic():
        event = (
            Event.objects.select_for_update(of=("self",)).select_related("party").get(pk=event.pk)
        )
        if not _may_assert_for(actor, event.party):
            raise PermissionDenied(_("Only the event's party or its regulator retracts it."))
        if event.withdrawn_at is not None:
            raise Conflict(
                _("Event %(event_id)s was withdrawn on %(withdrawn_at)s.")
                % {"event_id": event.event_id, "withdrawn_at": f"{event.withdrawn_at:%Y-%m-%d}"},
                code="already_withdrawn",
                extra={"state": "withdrawn", "allowed_actions": []},
            )
        event_withdraw(event=event, actor=actor, reason=reason, action="retract")
    return event


def event_withdraw(*, event, actor, reason, action="withdraw"):
    """Flag `event` withdrawn (the one flag retraction and EPCIS errorDeclaration share)
    and record it in the event's history; the caller holds the transaction."""
    event.withdrawn_at = timezone.now()
    event.withdrawal_reason = reason
    event.withdrawn_by = actor if getattr(actor, "pk", None) else None
    event.save(update_fields=["withdrawn_at", "withdrawal_reason", "withdrawn_by"])
    record_history(
        event,
        action=action,
        from_state="recorded",
        to_state="withdrawn",
        actor=actor,
        payload={"reason": reason},
    )
    log.info("event.withdrawn", event_id=event.event_id, action=action)
    return event


def _may_assert_for(actor, party):
    if actor.is_levee_admin:
        return True
    if actor.role == Role.REGULATOR:
        return covers(actor.region, party.region)
    return actor.role == Role.ENTERPRISE and actor.party_uscc == party.uscc


def epcis_capture(*, actor, document):
    """Capture an EPCIS 2.0 document, all or nothing (DESIGN.md §5.1).

    The document is checked against the EPCIS 2.0 schema, then every event is resolved
    together; errors are keyed `eventList.{index}.{field}`. An event whose eventID is
    stored is a re-send (skipped), unless it carries an errorDeclaration: then the stored
    event is marked erroneous, linked to its correctiveEventIDs.
    """
    errors = epcis.schema_errors(document)
    if errors:
        raise DjangoValidationError(errors)
    events = document["epcisBody"]["eventList"]
    if len(events) > MAX_EPCIS_EVENTS:
        raise ApplicationError(
            _("At most %(max)d events per document; got %(count)d.")
            % {"max": MAX_EPCIS_EVENTS, "count": len(events)},
            attr="epcisBody.eventList",
        )
    parsed, parties, errors = epcis.document_events(document)
    ids = {e["event_id"] for e in parsed.values()}
    stored = dict(Event.objects.filter(event_id__any_of=ids).values_list("event_id", "id"))
    declared = {
        index: parsed.pop(index)
        for index, event in list(parsed.items())
        if event["declaration"] is not None and event["event_id"] in stored
    }
    skipped = _skip_stored(parsed, errors, stored=set(stored))
    _check_scope(parsed, parties, actor, errors)
    marked = _declared_events(declared, stored, actor, errors)
    if errors:
        raise DjangoValidationError(dict(errors))
    with transaction.atomic():
        created_ids = _store([parsed[i] for i in sorted(parsed)], actor)
        for event in marked:
            reason = event.withdrawal_reason
            event.save(update_fields=["erroneous", "corrective_event_ids", "document"])
            if event.withdrawn_at is None:
                event_withdraw(event=event, actor=actor, reason=reason, action="error_declaration")
    log.info("epcis.captured", created=len(created_ids), declared=len(marked))
    return {
        "created": len(created_ids),
        "existing": sorted(skipped),
        "declared_erroneous": sorted(declared),
        "created_ids": created_ids,
    }


def _declared_events(declared, stored, actor, errors):
    """The stored events that errorDeclarations name, marked erroneous (not saved yet)."""
    if not declared:
        return []
    events = Event.objects.restrict(actor).in_bulk(
        [stored[e["event_id"]] for e in declared.values()]
    )
    marked = []
    for index, draft in declared.items():
        event = events.get(stored[draft["event_id"]])
        if event is None:
            errors.add(index, "eventID", _("No event of yours has this eventID."))
            continue
        event.erroneous = True
        event.corrective_event_ids = draft["corrective_event_ids"]
        event.withdrawal_reason = draft["withdrawal_reason"]
        if event.document is not None:
            event.document = {**event.document, "errorDeclaration": draft["declaration"]}
        marked.append(event)
    return marked


# --- asynchronous capture ----------------------------------------------------------------


def epcis_capture_needs_worker(*, document, prefer=""):
    """DESIGN.md §5.1: over 1,000 events, or when the client asks (`Prefer: respond-async`)."""
    events = None
    if isinstance(document, dict) and isinstance(document.get("epcisBody"), dict):
        events = document["epcisBody"].get("eventList")
    large = isinstance(events, list) and len(events) > EPCIS_SYNC_LIMIT
    return large or "respond-async" in prefer.lower()


def capture_job_start(*, actor, document, body=None):
    """Keep the document (`body`, its JSON text as sent, when the caller has it) and hand
    it to a worker once this transaction commits."""
    from .tasks import run_capture_job

    body_ = document.get("epcisBody") if isinstance(document, dict) else None
    events = body_.get("eventList") if isinstance(body_, dict) else None
    if isinstance(body, bytes):
        body = body.decode()
    job = CaptureJob.objects.create(
        document=body if body is not None else json.dumps(document),
        event_count=len(events) if isinstance(events, list) else 0,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    transaction.on_commit(lambda: _enqueue(run_capture_job, job.pk))
    return job


def _enqueue(task, job_id):
    try:
        task.delay(str(job_id))
    except Exception:  # the broker is down: the job stays `running` until re-sent
        log.exception("epcis.capture_job.enqueue_failed", job=str(job_id))


def capture_job_run(*, job_id):
    """Capture a job's document (the worker's side); the outcome and errors go on the job."""
    job = CaptureJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or job.status != CaptureJob.Status.RUNNING:
        return None
    try:
        document = json.loads(job.document, parse_constant=_not_json)
        result = epcis_capture(actor=job.created_by, document=document)
    except (DjangoValidationError, ApplicationError, PermissionDenied, Conflict) as exc:
        job.status, job.errors = CaptureJob.Status.FAILED, _error_list(exc)
    else:
        job.status = CaptureJob.Status.SUCCEEDED
        job.result = {k: v for k, v in result.items() if k != "created_ids"}
    job.document = None
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "errors", "result", "document", "finished_at"])
    log.info("epcis.capture_job.finished", job=str(job.pk), status=job.status)
    return job.status


def _not_json(constant):
    """NaN and Infinity are not JSON (the request's parser refuses them too)."""
    raise ApplicationError(_("%(value)s is not valid JSON.") % {"value": constant})


def _error_list(exc):
    if isinstance(exc, DjangoValidationError) and hasattr(exc, "error_dict"):
        return [
            {"code": "invalid", "detail": message, "attr": attr}
            for attr, errors in exc.error_dict.items()
            for error in errors
            for message in error.messages
        ]
    if isinstance(exc, ApplicationError):
        return [{"code": exc.code, "detail": str(exc.message), "attr": exc.attr}]
    return [{"code": "invalid", "detail": message, "attr": None} for message in exc.messages]
