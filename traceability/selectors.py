"""Non-trivial reads of traceability: the forward/backward lot trace (DESIGN.md §5).

The trace is one `WITH RECURSIVE` statement that runs on PostgreSQL and SQLite. It walks
the lot graph through transformations (forward: input -> output; backward: output ->
input), then joins every reached lot to the events that moved it between parties. A lot
keeps its identity when it is shipped, so "every party that received it" is every
shipment or receipt of a reached lot; only transformations create new lots to follow.

Cycles (a return shipped back, a lot reworked into itself) cannot loop: the recursive part
is a UNION over (lot, depth), so a row is expanded at most once per depth, and depth is
bounded by `max_depth`.
"""

import hashlib
import json
import re
from collections import defaultdict
from decimal import Decimal

from django.core import signing
from django.db import connection
from django.db.models import BooleanField, Exists, F, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core.choices import Role
from core.db import fetchall_prepared
from core.exceptions import ApplicationError
from core.regions import region_q

from . import epcis
from .choices import EpcisType, EventKind, LotRole
from .models import EventLot, Lot

FORWARD, BACKWARD = "forward", "backward"
DIRECTIONS = (FORWARD, BACKWARD)
MAX_DEPTH_LIMIT = 50

# Columns of every row of the trace statement, in order.
_COLUMNS = (
    "row_type",  # 'lot' / 'node' (a reached lot or identifier node), 'move', 'transform', 'party'
    "lot_id",
    "node",  # an identifier node (EventLot.node) where lot_id is null
    "depth",
    "event_pk",
    "event_id",
    "kind",
    "occurred_at",
    "party_id",
    "source_id",
    "destination_id",
    "quantity",
    "uom",
    "from_lot_id",
    "from_node",
    "from_quantity",
    "from_uom",
    "lot_code",
    "product_id",
    "product_name",
    "unit",
    "lot_quantity",
    "producer_id",
    "uscc",
    "name",
    "party_kind",
    "region",
)

# The graph's nodes are lots and identifier nodes (things captured through EPCIS that name
# no stored lot: an item, a logistic unit, a lot of an unknown product): a line names one
# by `lot_id` or by `node`, never both. Each join is split in a lot branch and a node
# branch so that each probes its own covering index (index-only scans).
_TRACE_SQL = """
WITH RECURSIVE reach(lot_id, node, depth) AS (
    SELECT l.id, CAST(NULL AS VARCHAR(255)), 0 FROM traceability_lot l WHERE l.id IN ({start})
    UNION
    SELECT far.lot_id, far.node, r.depth + 1
    FROM reach r
    {near}
    JOIN traceability_eventlot far ON far.event_id = near.event_id AND far.role = %s
        AND (far.lot_id IS NOT NULL OR far.node IS NOT NULL)
    WHERE r.depth < %s AND NOT EXISTS (
        SELECT 1 FROM traceability_event w WHERE w.id = near.event_id AND w.withdrawn_at IS NOT NULL
    )
),
reached AS (
    SELECT lot_id, node, MIN(depth) AS depth FROM reach GROUP BY lot_id, node
),
reached_lots AS (
    SELECT rd.lot_id, rd.depth, l.lot_code, p.id AS product_id, p.name AS product_name,
           l.unit, l.quantity, p.producer_id
    FROM reached rd
    JOIN traceability_lot l ON l.id = rd.lot_id
    JOIN traceability_product p ON p.id = l.product_id
),
moves AS (
    SELECT e.id AS event_pk, e.event_id, e.kind, e.occurred_at, e.party_id, e.source_id,
           e.destination_id, el.lot_id, CAST(NULL AS VARCHAR(255)) AS node, el.quantity,
           CAST(NULL AS VARCHAR(3)) AS uom, rd.depth
    FROM reached rd
    JOIN traceability_eventlot el ON el.lot_id = rd.lot_id AND el.role = %s
    JOIN traceability_event e ON e.id = el.event_id AND e.withdrawn_at IS NULL
    UNION ALL
    SELECT e.id, e.event_id, e.kind, e.occurred_at, e.party_id, e.source_id,
           e.destination_id, NULL, el.node, el.quantity, el.uom, rd.depth
    FROM reached rd
    JOIN traceability_eventlot el ON el.node = rd.node AND el.role = %s
    JOIN traceability_event e ON e.id = el.event_id AND e.withdrawn_at IS NULL
),
outputs AS (
    SELECT o.event_id, o.lot_id, CAST(NULL AS VARCHAR(255)) AS node, o.quantity,
           CAST(NULL AS VARCHAR(3)) AS uom, ro.depth
    FROM reached ro
    JOIN traceability_eventlot o ON o.lot_id = ro.lot_id AND o.role = %s
    UNION ALL
    SELECT o.event_id, NULL, o.node, o.quantity, o.uom, ro.depth
    FROM reached ro
    JOIN traceability_eventlot o ON o.node = ro.node AND o.role = %s
),
transforms AS (
    SELECT e.id AS event_pk, e.event_id, e.occurred_at, e.party_id, t.lot_id, t.node,
           t.quantity, t.uom, t.from_lot_id, t.from_node, t.from_quantity, t.from_uom, t.depth
    FROM (
        SELECT o.event_id, o.lot_id, o.node, o.quantity, o.uom, i.lot_id AS from_lot_id,
               CAST(NULL AS VARCHAR(255)) AS from_node, i.quantity AS from_quantity,
               CAST(NULL AS VARCHAR(3)) AS from_uom, o.depth
        FROM outputs o
        JOIN traceability_eventlot i ON i.event_id = o.event_id AND i.role = %s
        JOIN reached ri ON ri.lot_id = i.lot_id
        UNION ALL
        SELECT o.event_id, o.lot_id, o.node, o.quantity, o.uom, NULL, i.node, i.quantity,
               i.uom, o.depth
        FROM outputs o
        JOIN traceability_eventlot i
            ON i.event_id = o.event_id AND i.role = %s AND i.node IS NOT NULL
        JOIN reached ri ON ri.node = i.node
    ) t
    JOIN traceability_event e ON e.id = t.event_id AND e.withdrawn_at IS NULL
)
SELECT 'lot', rl.lot_id, CAST(NULL AS VARCHAR(255)), rl.depth, CAST(NULL AS BIGINT),
       CAST(NULL AS VARCHAR(128)), CAST(NULL AS VARCHAR(16)),
       CAST(NULL AS TIMESTAMP WITH TIME ZONE), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT),
       CAST(NULL AS BIGINT), CAST(NULL AS NUMERIC), CAST(NULL AS VARCHAR(3)),
       CAST(NULL AS BIGINT), CAST(NULL AS VARCHAR(255)), CAST(NULL AS NUMERIC),
       CAST(NULL AS VARCHAR(3)), rl.lot_code, rl.product_id, rl.product_name, rl.unit,
       rl.quantity, rl.producer_id, CAST(NULL AS VARCHAR(18)), CAST(NULL AS VARCHAR(200)),
       CAST(NULL AS VARCHAR(16)), CAST(NULL AS VARCHAR(6))
FROM reached_lots rl
UNION ALL
SELECT 'node', NULL, rd.node, rd.depth, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM reached rd
WHERE rd.node IS NOT NULL
UNION ALL
SELECT 'move', m.lot_id, m.node, m.depth, m.event_pk, m.event_id, m.kind, m.occurred_at,
       m.party_id, m.source_id, m.destination_id, m.quantity, m.uom, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM moves m
UNION ALL
SELECT 'transform', t.lot_id, t.node, t.depth, t.event_pk, t.event_id, %s, t.occurred_at,
       t.party_id, NULL, NULL, t.quantity, t.uom, t.from_lot_id, t.from_node, t.from_quantity,
       t.from_uom, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM transforms t
UNION ALL
SELECT 'party', NULL, NULL, NULL, NULL, NULL, NULL, NULL, pt.id, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, pt.uscc, pt.name, pt.kind, pt.region
FROM traceability_party pt
WHERE pt.id {in_parties} (
    SELECT party_id FROM moves
    UNION SELECT source_id FROM moves WHERE source_id IS NOT NULL
    UNION SELECT destination_id FROM moves WHERE destination_id IS NOT NULL
    UNION SELECT party_id FROM transforms
    UNION SELECT producer_id FROM reached_lots
){end_parties}
"""


# The lines that lead on from a reached lot or node. PostgreSQL probes each of its two
# covering indexes (index-only scans); an OR of the two in one join condition makes it a
# BitmapOr over the heap instead. SQLite has no LATERAL: it takes the OR.
_NEAR_LATERAL = """CROSS JOIN LATERAL (
        SELECT n.event_id FROM traceability_eventlot n WHERE n.lot_id = r.lot_id AND n.role = %s
        UNION ALL
        SELECT n.event_id FROM traceability_eventlot n WHERE n.node = r.node AND n.role = %s
    ) near"""
_NEAR_OR = """JOIN traceability_eventlot near
        ON (near.lot_id = r.lot_id OR near.node = r.node) AND near.role = %s"""


def trace_sql(*, lot_ids, direction=FORWARD, max_depth=10):
    """The bare trace statement and its parameters (also timed alone by bench/trace.py)."""
    near, far = (
        (LotRole.INPUT, LotRole.OUTPUT) if direction == FORWARD else (LotRole.OUTPUT, LotRole.INPUT)
    )
    start = ", ".join(["%s"] * len(lot_ids))
    if connection.vendor == "postgresql":
        near_join, near_params = _NEAR_LATERAL, [near, near]
        # a few primary-key probes, where IN (…) hashes a scan of every party
        in_parties, end_parties = "= ANY(ARRAY", ")"
    else:
        near_join, near_params = _NEAR_OR, [near]
        in_parties, end_parties = "IN", ""
    params = [
        *lot_ids,
        *near_params,
        far,
        max_depth,
        LotRole.LOT,
        LotRole.LOT,
        LotRole.OUTPUT,
        LotRole.OUTPUT,
        LotRole.INPUT,
        LotRole.INPUT,
        EventKind.TRANSFORM,
    ]
    sql = _TRACE_SQL.format(
        start=start, near=near_join, in_parties=in_parties, end_parties=end_parties
    )
    return sql, params


def lot_trace(*, lot_ids: list[int], direction: str = FORWARD, max_depth: int = 10) -> dict:
    """The lots reachable from `lot_ids` through transformations and the parties reached
    through their shipments, as a graph plus a flat party list with quantities.

    Forward: where the lots and everything made from them went; each party with the
    quantity it received. Backward: what went into the lots and who supplied it; each party
    with the quantity it supplied (producers and commissioning parties included).
    JSON-safe: quantities are numbers, dates ISO 8601 strings.
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}")
    max_depth = max(0, min(int(max_depth), MAX_DEPTH_LIMIT))
    lot_ids = sorted({int(i) for i in lot_ids})
    result = {"direction": direction, "max_depth": max_depth, "nodes": [], "edges": []}
    if not lot_ids:
        return {**result, "parties": []}
    sql, params = trace_sql(lot_ids=lot_ids, direction=direction, max_depth=max_depth)
    rows = [dict(zip(_COLUMNS, row, strict=True)) for row in fetchall_prepared(sql, params)]
    return _assemble(rows, result)


def _edge_order(edge):
    lot, identifier = edge["lot"] or 0, edge["identifier"] or ""
    return (edge["date"], edge["event_id"], lot, identifier, edge["from"] or "")


def _item(lot_id, node):
    """One key for a lot (its id) or an identifier node (its identifier)."""
    return lot_id if lot_id is not None else node


def _item_key(item):
    return f"identifier:{item}" if isinstance(item, str) else f"lot:{item}"


def _assemble(rows, result):
    lots, identifiers, parties, moves, transforms = {}, {}, {}, [], []
    for row in rows:
        kind = row["row_type"]
        if kind == "lot":
            lots[row["lot_id"]] = row
        elif kind == "node":
            identifiers[row["node"]] = row
        elif kind == "party":
            parties[row["party_id"]] = row
        else:
            row["item"] = _item(row["lot_id"], row["node"])
            if kind == "move":
                moves.append(row)
            else:
                row["from_item"] = _item(row["from_lot_id"], row["from_node"])
                transforms.append(row)

    nodes = [
        {
            "type": "lot",
            "key": f"lot:{lot_id}",
            "id": lot_id,
            "lot_code": lot["lot_code"],
            "product": lot["product_id"],
            "product_name": lot["product_name"],
            "producer": lot["producer_id"],
            "unit": lot["unit"],
            "depth": lot["depth"],
        }
        for lot_id, lot in sorted(lots.items())
    ]
    nodes += [
        {
            "type": "identifier",
            "key": _item_key(identifier),
            "identifier": identifier,
            "depth": node["depth"],
        }
        for identifier, node in sorted(identifiers.items())
    ]
    nodes += [
        {
            "type": "party",
            "key": f"party:{party_id}",
            "id": party_id,
            "uscc": party["uscc"],
            "name": party["name"],
            "kind": party["party_kind"],
            "region": party["region"],
        }
        for party_id, party in sorted(parties.items())
    ]

    holders = _custody(moves, transforms, lots)
    edges = [_move_edge(row, lots) for row in moves]
    edges += [_transform_edge(row, lots) for row in transforms]
    edges.sort(key=_edge_order)

    per_item = _received(moves) if result["direction"] == FORWARD else _supplied(moves, lots)
    totals, unconfirmed = defaultdict(Decimal), set()
    for (party_id, item), quantity in per_item.items():
        totals[party_id] += quantity
        if party_id not in holders[item]:
            unconfirmed.add(party_id)
    flat = [
        {
            "id": party_id,
            "uscc": parties[party_id]["uscc"],
            "name": parties[party_id]["name"],
            "kind": parties[party_id]["party_kind"],
            "region": parties[party_id]["region"],
            "quantity": _number(total),
            "confirmed": party_id not in unconfirmed,
        }
        for party_id, total in sorted(totals.items())
        if party_id in parties
    ]
    return {**result, "nodes": nodes, "edges": edges, "parties": flat}


def _custody(moves, transforms, lots):
    """Who held each lot by production or confirmed custody; marks each move and
    transform row `confirmed` (DESIGN.md §5.2).

    A shipment and a receipt of the same lot between the same two parties confirm each
    other when each was asserted by its own side (the shipment by its source, the receipt
    by its destination; a receipt naming no source matches any shipment to it). A
    one-sided claim stays unconfirmed. Events at one party (commission, transform, sell,
    destroy) are confirmed when that party held the lot (for a transform: its input).
    Identifier nodes are held the same way (they have no producer). Returns
    {lot id or identifier: {party}}.
    """
    shipped, shipped_to, received, received_any = set(), set(), set(), set()
    ships, receipts, single = [], [], []
    for row in moves:
        kind, party = row["kind"], row["party_id"]
        row["confirmed"] = False
        if kind == EventKind.SHIP:
            sender = row["source_id"] or party
            if party == sender:
                key = (row["item"], sender, row["destination_id"])
                shipped.add(key)
                shipped_to.add((key[0], key[2]))
                ships.append((row, key))
        elif kind == EventKind.RECEIVE:
            receiver = row["destination_id"] or party
            if party == receiver:
                key = (row["item"], row["source_id"], receiver)
                (received if key[1] is not None else received_any).add(key)
                receipts.append((row, key))
        else:
            single.append(row)

    holders = defaultdict(set)
    for lot_id, lot in lots.items():
        holders[lot_id].add(lot["producer_id"])
    for row, key in ships:
        if key in received or (key[0], None, key[2]) in received_any:
            row["confirmed"] = True
            holders[key[0]].update(key[1:])
    for row, (lot, sender, receiver) in receipts:
        if sender is None:
            matched = (lot, receiver) in shipped_to
        else:
            matched = (lot, sender, receiver) in shipped
        if matched:
            row["confirmed"] = True
            holders[lot].add(receiver)

    # A transform passes custody from its input to its output; chains of them settle in
    # as many rounds as they are long.
    for row in transforms:
        row["confirmed"] = False
    pending = transforms
    while pending:
        left = []
        for row in pending:
            if row["party_id"] in holders[row["from_item"]]:
                row["confirmed"] = True
                holders[row["item"]].add(row["party_id"])
            else:
                left.append(row)
        if len(left) == len(pending):
            break
        pending = left
    for row in single:
        row["confirmed"] = row["party_id"] in holders[row["item"]]
    return holders


def _party_key(party_id):
    return f"party:{party_id}" if party_id is not None else None


def _move_edge(row, lots):
    kind = row["kind"]
    if kind in (EventKind.SHIP, EventKind.RECEIVE):
        source = row["source_id"]
        destination = row["destination_id"] or (
            row["party_id"] if kind == EventKind.RECEIVE else None
        )
        if source is None and kind == EventKind.SHIP:
            source = row["party_id"]
    elif kind == EventKind.COMMISSION:
        source, destination = None, row["party_id"]
    elif kind == EventKind.OBSERVE:  # seen (inspected, packed, stored) where it is
        source = destination = row["party_id"]
    else:  # sell, destroy: the lot leaves the chain at the event's party
        source, destination = row["party_id"], None
    lot = lots.get(row["lot_id"])
    return {
        "kind": kind,
        "event_id": row["event_id"],
        "date": _iso(row["occurred_at"]),
        "lot": row["lot_id"],
        "lot_code": lot["lot_code"] if lot else None,
        "identifier": row["node"],
        "quantity": _number(row["quantity"]),
        "unit": lot["unit"] if lot else row["uom"],
        "party": row["party_id"],
        "from": _party_key(source),
        "to": _party_key(destination),
        "depth": row["depth"],
        "confirmed": row["confirmed"],
    }


def _transform_edge(row, lots):
    lot, source = lots.get(row["lot_id"]), lots.get(row["from_lot_id"])
    return {
        "kind": EventKind.TRANSFORM.value,
        "event_id": row["event_id"],
        "date": _iso(row["occurred_at"]),
        "lot": row["lot_id"],
        "lot_code": lot["lot_code"] if lot else None,
        "identifier": row["node"],
        "quantity": _number(row["quantity"]),
        "unit": lot["unit"] if lot else row["uom"],
        "input_lot": row["from_lot_id"],
        "input_lot_code": source["lot_code"] if source else None,
        "input_identifier": row["from_node"],
        "input_quantity": _number(row["from_quantity"]),
        "party": row["party_id"],
        "from": _item_key(row["from_item"]),
        "to": _item_key(row["item"]),
        "depth": row["depth"],
        "confirmed": row["confirmed"],
    }


def _received(moves):
    """Quantity each party received, by (party, lot or identifier): its receipts where it
    recorded them, else what was shipped to it (a shipment and its receipt are one
    movement, counted once)."""
    receipts, shipped_to = defaultdict(Decimal), defaultdict(Decimal)
    for row in moves:
        if row["kind"] == EventKind.RECEIVE:
            receipts[(row["destination_id"] or row["party_id"], row["item"])] += _dec(row)
        elif row["kind"] == EventKind.SHIP and row["destination_id"] is not None:
            shipped_to[(row["destination_id"], row["item"])] += _dec(row)
    return _merge(receipts, shipped_to)


def _supplied(moves, lots):
    """Quantity each party supplied, by (party, lot or identifier): its shipments (else
    receipts naming it as the source); a lot's producer or commissioning party that
    shipped nothing recorded supplied what it commissioned (else the lot's quantity)."""
    shipped, received_from, commissioned = (defaultdict(Decimal) for _ in range(3))
    for row in moves:
        if row["kind"] == EventKind.SHIP:
            shipped[(row["source_id"] or row["party_id"], row["item"])] += _dec(row)
        elif row["kind"] == EventKind.RECEIVE and row["source_id"] is not None:
            received_from[(row["source_id"], row["item"])] += _dec(row)
        elif row["kind"] == EventKind.COMMISSION:
            commissioned[(row["party_id"], row["item"])] += _dec(row)
    for lot_id, lot in lots.items():
        key = (lot["producer_id"], lot_id)
        if key not in commissioned:
            commissioned[key] = Decimal(str(lot["lot_quantity"] or 0))
    supplied = _merge(shipped, received_from)
    for key, quantity in commissioned.items():
        supplied.setdefault(key, quantity)
    return supplied


def _merge(preferred, fallback):
    merged = dict(fallback)
    merged.update(preferred)
    return merged


def _dec(row):
    return Decimal(str(row["quantity"]))


def _number(value):
    if value is None:
        return None
    value = Decimal(str(value))
    return int(value) if value == value.to_integral_value() else float(value)


def _iso(value):
    if isinstance(value, str):  # SQLite hands back text
        value = parse_datetime(value)
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.UTC)
    return timezone.localtime(value).isoformat()


def traces_every_lot(user):
    """Whether `user`'s scope holds every lot (admins, national regulators): their trace
    needs no scope query, only the lot's existence, which the trace itself shows."""
    q = Lot.scope.q_for(user)
    return q is not None and not q


def lots_traceable_by(user, lot_ids):
    """Which of `lot_ids` `user` may trace: their own scope (for a regulator, lots their
    region's parties produced; for an enterprise, its own), or a lot one of those parties
    held by confirmed custody (DESIGN.md §3, §5.2). A one-sided claim gives no trace."""
    lot_ids = set(lot_ids)
    allowed = set(Lot.objects.restrict(user).filter(id__in=lot_ids).values_list("id", flat=True))
    rest = lot_ids - allowed
    if rest and user.role == Role.REGULATOR and user.region:
        held = confirmed_custody(rest).filter(
            region_q("event__source__region", user.region)
            | region_q("event__destination__region", user.region)
        )
        allowed |= set(held.values_list("lot_id", flat=True))
    elif rest and user.role == Role.ENTERPRISE and user.party_uscc:
        held = confirmed_custody(rest).filter(
            Q(event__source__uscc=user.party_uscc) | Q(event__destination__uscc=user.party_uscc)
        )
        allowed |= set(held.values_list("lot_id", flat=True))
    return allowed


def confirmed_custody(lot_ids):
    """The shipment lines of `lot_ids` that a receipt confirms: the shipment asserted by
    its source, the receipt of the same lot by its destination, naming that source or none
    (the rule of `_custody`, in SQL). Neither may be withdrawn."""
    receipt = EventLot.objects.filter(
        lot_id=OuterRef("lot_id"),
        role=LotRole.LOT,
        event__kind=EventKind.RECEIVE,
        event__withdrawn_at__isnull=True,
        event__destination_id=OuterRef("event__destination_id"),
        event__party_id=OuterRef("event__destination_id"),
    ).filter(Q(event__source_id=OuterRef("event__source_id")) | Q(event__source__isnull=True))
    return EventLot.objects.filter(
        lot_id__in=lot_ids,
        role=LotRole.LOT,
        event__kind=EventKind.SHIP,
        event__withdrawn_at__isnull=True,
        event__party_id=F("event__source_id"),
    ).filter(Exists(receipt))


# --- EPCIS 2.0 query (DESIGN.md §5.1) ------------------------------------------------------

EPCIS_PAGE_SIZE, EPCIS_MAX_PAGE_SIZE = 100, 500
_EPC_LISTS = {
    "MATCH_epc": ("epcList", "childEPCs"),
    "MATCH_inputEPC": ("inputEPCList",),
    "MATCH_outputEPC": ("outputEPCList",),
    "MATCH_anyEPC": ("epcList", "childEPCs", "inputEPCList", "outputEPCList"),
    "MATCH_epcClass": ("quantityList", "childQuantityList"),
    "MATCH_anyEPCClass": (
        "quantityList",
        "childQuantityList",
        "inputQuantityList",
        "outputQuantityList",
    ),
}
# Lines of events recorded through `events/` (no identifier kept) by the role they play.
_LIST_ROLES = {
    "epcList": LotRole.LOT,
    "quantityList": LotRole.LOT,
    "childEPCs": None,
    "childQuantityList": None,
    "inputEPCList": LotRole.INPUT,
    "inputQuantityList": LotRole.INPUT,
    "outputEPCList": LotRole.OUTPUT,
    "outputQuantityList": LotRole.OUTPUT,
}
EPCIS_QUERY_PARAMS = frozenset(
    {
        "eventType",
        "GE_eventTime",
        "LT_eventTime",
        "GE_recordTime",
        "LT_recordTime",
        "EQ_action",
        "EQ_bizStep",
        "EQ_disposition",
        "EQ_readPoint",
        "EQ_bizLocation",
        "EQ_eventID",
        "MATCH_parentID",
        "perPage",
        "nextPageToken",
        *_EPC_LISTS,
    }
)


def _values(value):
    return [v for v in re.split(r"[|,]", value) if v]


def _time_param(name, value):
    try:
        # An unencoded '+' of an offset arrives as a space.
        parsed = parse_datetime(value.strip().replace(" ", "+"))
    except ValueError:
        parsed = None
    if parsed is None:
        raise ApplicationError(_("%(name)s: an ISO 8601 timestamp.") % {"name": name}, attr=name)
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _epc_q(values, lists):
    """Events with a line naming one of `values` (an `*` pattern matches by prefix) in one
    of `lists`; for events recorded through `events/`, the lot the value names."""
    match = Q()
    lots = Q()
    for value in values:
        if value.endswith("*"):
            stem = value[:-1]
            match |= Q(epc__startswith=stem) | Q(epc__startswith=stem.replace(":idpat:", ":id:"))
        else:
            match |= Q(epc=value)
            ident = epcis.parse_epc(value)
            if ident.kind in ("lot", "levee_lot"):
                lots |= (
                    Q(lot__product__gtin=ident.gtin, lot__lot_code=ident.code)
                    if ident.kind == "lot"
                    else Q(lot__product_id=ident.product_id, lot__lot_code=ident.code)
                )
    lines = EventLot.objects.filter(match, epc_list__in=lists)
    query = Q(id__in=lines.values("event_id"))
    roles = {_LIST_ROLES[name] for name in lists} - {None}
    if lots and roles:
        native = EventLot.objects.filter(lots, epc="", role__in=roles)
        query |= Q(id__in=native.values("event_id"))
    return query


def epcis_events(*, queryset, params):
    """`queryset` filtered by the EPCIS 2.0 REST query parameters, ordered by id, and the
    page size. An unknown parameter or a bad value is a 400."""
    unknown = sorted(set(params) - EPCIS_QUERY_PARAMS)
    if unknown:
        raise ApplicationError(
            _("Unknown query parameter: %(names)s.") % {"names": ", ".join(unknown)},
            attr=unknown[0],
        )
    filters = Q()
    for name in params:
        value = params[name]
        if name in ("perPage", "nextPageToken"):
            continue
        values = _values(value)
        if name == "eventType":
            bad = set(values) - set(EpcisType.values)
            if bad:
                raise ApplicationError(
                    _("eventType: one of %(values)s.") % {"values": ", ".join(EpcisType.values)},
                    attr=name,
                )
            filters &= Q(epcis_type__in=values)
        elif name in ("GE_eventTime", "LT_eventTime", "GE_recordTime", "LT_recordTime"):
            field = "occurred_at" if name.endswith("eventTime") else "recorded_at"
            lookup = "gte" if name.startswith("GE_") else "lt"
            filters &= Q(**{f"{field}__{lookup}": _time_param(name, value)})
        elif name == "EQ_action":
            filters &= Q(action__in=values)
        elif name == "EQ_bizStep":
            filters &= _biz_step_q(values)
        elif name == "EQ_disposition":
            filters &= Q(disposition__in=[epcis.stored_term(v, "Disp") for v in values])
        elif name in ("EQ_readPoint", "EQ_bizLocation"):
            field = "read_point" if name == "EQ_readPoint" else "biz_location"
            filters &= Q(**{f"{field}__in": values}) | _rendered_location_q(values)
        elif name == "EQ_eventID":
            filters &= Q(event_id__in=[epcis.event_id_from_uri(v) for v in values])
        elif name == "MATCH_parentID":
            filters &= Q(parent_epc__in=values)
        else:
            query = _epc_q(values, _EPC_LISTS[name])
            if name == "MATCH_anyEPC":
                query |= Q(parent_epc__in=values)
            filters &= query
    per_page = _int_param(params, "perPage", EPCIS_PAGE_SIZE, 1, EPCIS_MAX_PAGE_SIZE)
    return queryset.filter(filters).order_by("id"), per_page


# A page token: the last event id given and the snapshot of the first page, signed with the
# query it belongs to and who asked it, so it cannot be forged, edited or moved to another
# query. Its alphabet ([A-Za-z0-9_.-]) stands in a URL unescaped.
EPCIS_PAGE_TOKEN_MAX_AGE = 3600  # seconds


def _page_signer(params, user):
    query = sorted(
        (name, value)
        for name, values in params.lists()
        if name not in ("perPage", "nextPageToken")
        for value in values
    )
    digest = hashlib.sha256(json.dumps([getattr(user, "pk", None), query]).encode()).hexdigest()
    return signing.TimestampSigner(salt=f"levee.epcis.page:{digest}", sep=".")


def epcis_page(*, queryset, params, user, per_page):
    """One page of an EPCIS query ordered by id, and the token of the next page (None on
    the last). Every page of one query holds to the events committed when its first page
    was asked (PostgreSQL snapshot), so pages neither overlap nor skip while others write;
    what commits later is for the next query. A token that is forged, altered, expired or
    from another query is a 400."""
    signer = _page_signer(params, user)
    after, snapshot = 0, None
    if token := params.get("nextPageToken"):
        try:
            after, snapshot = signer.unsign_object(token, max_age=EPCIS_PAGE_TOKEN_MAX_AGE)
        except (signing.BadSignature, ValueError, TypeError):
            raise ApplicationError(
                _("nextPageToken: not a token of this query, or expired; ask page one again."),
                attr="nextPageToken",
            ) from None
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_snapshot()::text")
            snapshot = cursor.fetchone()[0]
    queryset = queryset.filter(id__gt=after)
    if snapshot is not None:
        queryset = queryset.filter(RawSQL(_VISIBLE, [snapshot], output_field=BooleanField()))
    page = list(queryset[: per_page + 1])
    if len(page) <= per_page:
        return page, None
    page = page[:per_page]
    return page, signer.sign_object([page[-1].pk, snapshot])


# Stored before the column existed, written by this very transaction (which a snapshot
# never lists as committed), or committed when the first page was asked.
_XACT = '"traceability_event"."recorded_xact"'
_VISIBLE = (
    f"({_XACT} IS NULL OR {_XACT} = pg_current_xact_id_if_assigned()::text::bigint"
    f" OR pg_visible_in_snapshot({_XACT}::text::xid8, %s::pg_snapshot))"
)


def _int_param(params, name, default, low, high):
    value = params.get(name)
    if value is None:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        raise ApplicationError(
            _("%(name)s: an integer from %(low)d to %(high)d.")
            % {"name": name, "low": low, "high": high},
            attr=name,
        )
    return int(value)


def _biz_step_q(values):
    """Stored steps; events recorded through `events/` without one show their kind's."""
    terms = [epcis.stored_term(v, "BizStep") for v in values]
    kinds = [kind for kind, step in epcis.KIND_BIZ_STEP.items() if step in terms]
    query = Q(biz_step__in=terms)
    if kinds:
        query |= Q(biz_step="", document__isnull=True, kind__in=kinds)
    return query


def _rendered_location_q(values):
    """Events recorded through `events/` show their party as bizLocation."""
    usccs = [v.removeprefix("urn:levee:party:") for v in values if v.startswith("urn:levee:party:")]
    return Q(document__isnull=True, party__uscc__in=usccs) if usccs else Q(pk__in=[])


def trace_for_party(trace, *, party_id):
    """An enterprise's view of a trace of its own lot (DESIGN.md §7): itself and its
    direct partners (the other end of a movement it is part of) named; every party
    further away shown by region and kind only, under a key that means nothing outside
    this answer; and of what those parties made or moved, no lot codes, products or event
    ids."""
    moves = [e for e in trace["edges"] if e["kind"] != EventKind.TRANSFORM]
    own = _party_key(party_id)
    named = {own}
    for edge in moves:
        ends = {edge["from"], edge["to"], _party_key(edge["party"])}
        if own in ends:
            named |= ends
    named.discard(None)
    parties = [n for n in trace["nodes"] if n["type"] == "party"]
    hidden = {
        node["key"]: f"party:~{index}"
        for index, node in enumerate((n for n in parties if n["key"] not in named), start=1)
    }
    visible_lots = {
        node["id"]
        for node in trace["nodes"]
        if node["type"] == "lot" and _party_key(node["producer"]) in named
    }
    # An identifier node is named where the party itself moved or made it; elsewhere it
    # is a key that means nothing outside this answer, as far parties are.
    own_identifiers = {
        edge[field]
        for edge in trace["edges"]
        if own in (edge["from"], edge["to"], _party_key(edge["party"]))
        for field in ("identifier", "input_identifier")
        if edge.get(field)
    }
    identifiers = [n for n in trace["nodes"] if n["type"] == "identifier"]
    hidden_identifiers = {
        node["key"]: f"identifier:~{index}"
        for index, node in enumerate(
            (n for n in identifiers if n["identifier"] not in own_identifiers), start=1
        )
    }

    def party_node(node):
        if node["key"] in named:
            return node
        return {**node, "key": hidden[node["key"]], "id": None, "uscc": None, "name": None}

    def lot_node(node):
        if node["type"] == "identifier":
            if node["key"] not in hidden_identifiers:
                return node
            return {**node, "key": hidden_identifiers[node["key"]], "identifier": None}
        if node["id"] in visible_lots:
            return node
        return {**node, "lot_code": None, "product": None, "product_name": None, "producer": None}

    def edge_view(edge):
        view = dict(edge)
        own_event = own in (edge["from"], edge["to"], _party_key(edge["party"]))
        if edge["kind"] != EventKind.TRANSFORM:
            view["from"] = hidden.get(edge["from"], edge["from"])
            view["to"] = hidden.get(edge["to"], edge["to"])
        else:
            view["from"] = hidden_identifiers.get(edge["from"], edge["from"])
            view["to"] = hidden_identifiers.get(edge["to"], edge["to"])
        for field in ("identifier", "input_identifier"):
            if edge.get(field) and edge[field] not in own_identifiers:
                view[field] = None
        if _party_key(edge["party"]) not in named:
            view["party"] = None
        if not own_event:
            view["event_id"] = None
        if edge["lot"] not in visible_lots:
            view["lot_code"] = None
        if edge.get("input_lot") is not None and edge["input_lot"] not in visible_lots:
            view["input_lot_code"] = None
        return view

    flat = [
        row if _party_key(row["id"]) in named else {**row, "id": None, "uscc": None, "name": None}
        for row in trace["parties"]
    ]
    return {
        **trace,
        "nodes": [party_node(n) if n["type"] == "party" else lot_node(n) for n in trace["nodes"]],
        "edges": [edge_view(e) for e in trace["edges"]],
        "parties": flat,
    }
