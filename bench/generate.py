"""A realistic supply-chain graph for the trace and ingest benchmarks, loaded with COPY.

`python -m bench.generate --scale N` adds about N events to DATABASE_URL's database:
chains in which two producers' raw lots are commissioned and shipped to a processor,
transformed into one product lot, shipped to two distributors and on to five retailers
and sold; every fourth chain's product goes through a second processor (a second
transformation tier) and on to more retailers, and every tenth chain has a return
(retailer -> distributor). Parties spread over Beijing, Shanghai and other provinces.

The dataset is appended (ids after the tables' current maximum, event ids prefixed
`bench-{tag}-`), so other benchmarks' rows in the same database are left alone; a second
run at the same scale reuses it.
"""

import argparse
import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from stdnum.cn import uscc as uscc_number

REGIONS = ["110105", "110108", "110000", "310000", "310115", "320100", "330100", "440300"]
EVENTS_PER_CHAIN = 18.6  # on average, see _chain


@dataclass
class Dataset:
    tag: str
    raw_lots: list[int] = field(default_factory=list)
    product_lots: list[int] = field(default_factory=list)
    events: int = 0
    parties: dict[str, list[int]] = field(default_factory=dict)


def _uscc(region, serial):
    body = f"91{region}{serial:09d}"
    return body + uscc_number.calc_check_digit(body)


def _next_id(cursor, table):
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
    return cursor.fetchone()[0]


def _setval(cursor, table):
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
        f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
    )


def existing(tag):
    """The dataset already loaded under `tag`, or None."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM traceability_event WHERE event_id LIKE %s", [f"bench-{tag}-%"]
        )
        count = cursor.fetchone()[0]
        if not count:
            return None
        cursor.execute(
            "SELECT DISTINCT el.lot_id, el.role FROM traceability_eventlot el "
            "JOIN traceability_event e ON e.id = el.event_id "
            "WHERE e.event_id LIKE %s AND e.kind = 'transform'",
            [f"bench-{tag}-%"],
        )
        rows = cursor.fetchall()
        cursor.execute(
            "SELECT p.id, p.kind FROM traceability_party p WHERE p.name LIKE %s",
            [f"bench-{tag}-%"],
        )
        parties = {}
        for pk, kind in cursor.fetchall():
            parties.setdefault(kind, []).append(pk)
    return Dataset(
        tag=tag,
        raw_lots=sorted({lot for lot, role in rows if role == "input"}),
        product_lots=sorted({lot for lot, role in rows if role == "output"}),
        events=count,
        parties=parties,
    )


def generate(scale, seed=7):
    """Load about `scale` events (reusing an earlier load of the same scale)."""
    tag = f"s{scale}"
    found = existing(tag)
    if found is not None:
        return found
    rng = random.Random(seed)
    chains = max(1, round(scale / EVENTS_PER_CHAIN))
    now = timezone.now()
    ds = Dataset(tag=tag)
    connection.ensure_connection()
    pg = connection.connection
    with connection.cursor() as cursor:
        ids = {
            t: _next_id(cursor, f"traceability_{t}")
            for t in ("party", "product", "lot", "event", "eventlot")
        }

    # Parties: a producer per 10 chains, a processor per 20, distributors, retailers.
    counts = {
        "producer": max(4, chains // 10),
        "processor": max(2, chains // 20),
        "distributor": max(4, chains // 25),
        "retailer": max(10, chains // 4),
    }
    parties = []
    pid = ids["party"]
    for kind, n in counts.items():
        for i in range(n):
            region = REGIONS[(i * 7 + len(kind)) % len(REGIONS)]
            party_kind = "producer" if kind == "processor" else kind
            parties.append((pid, _uscc(region, pid), f"bench-{tag}-{kind}-{i}", party_kind, region))
            ds.parties.setdefault(kind, []).append(pid)
            pid += 1

    products, lots, events, lines = [], [], [], []
    product_of = {}
    next_product = ids["product"]
    for kind in ("producer", "processor"):
        for party in ds.parties[kind]:
            product_of[party] = next_product
            products.append(
                (
                    next_product,
                    f"bench product {next_product}",
                    "Bench",
                    f"M{next_product}",
                    "food" if kind == "producer" else "processed_food",
                    party,
                )
            )
            next_product += 1

    counters = {"lot": ids["lot"], "event": ids["event"], "line": ids["eventlot"]}

    def new_lot(producer, quantity, when):
        lot_id = counters["lot"]
        counters["lot"] += 1
        lots.append((lot_id, product_of[producer], f"L{lot_id}", when.date(), quantity, "kg"))
        return lot_id

    def event(kind, when, party, lot_lines, source=None, destination=None):
        event_pk = counters["event"]
        counters["event"] += 1
        events.append(
            (event_pk, f"bench-{tag}-{event_pk}", kind, when, party, source, destination, now)
        )
        for lot, quantity, role in lot_lines:
            lines.append((counters["line"], event_pk, lot, role, quantity))
            counters["line"] += 1

    for c in range(chains):
        _chain(c, rng, now, ds, new_lot, event)
    ds.events = len(events)

    with transaction.atomic(), pg.cursor() as cur:
        _copy(
            cur,
            "traceability_party",
            [
                "id",
                "uscc",
                "name",
                "kind",
                "region",
                "address",
                "contact",
                "gln",
                "created_at",
                "updated_at",
            ],
            ((*p, "", "", "", now, now) for p in parties),
        )
        _copy(
            cur,
            "traceability_product",
            ["id", "name", "brand", "model", "category", "producer_id", "created_at", "updated_at"],
            ((*p, now, now) for p in products),
        )
        _copy(
            cur,
            "traceability_lot",
            ["id", "product_id", "lot_code", "produced_on", "quantity", "unit", "created_at"],
            ((*lot, now) for lot in lots),
        )
        copy_events(cur, events, lines)
        for table in ("party", "product", "lot", "event", "eventlot"):
            _setval(cur, f"traceability_{table}")
        cur.execute(
            "ANALYZE traceability_party, traceability_product, traceability_lot, "
            "traceability_event, traceability_eventlot"
        )
    return ds


EVENT_COLUMNS = [
    "id",
    "event_id",
    "kind",
    "occurred_at",
    "party_id",
    "source_id",
    "destination_id",
    "recorded_at",
    # what an event recorded through `events/` holds in its EPCIS columns
    "biz_step",
    "epcis_type",
    "action",
    "disposition",
    "read_point",
    "biz_location",
    "parent_epc",
    "erroneous",
    "corrective_event_ids",
]
LINE_COLUMNS = ["id", "event_id", "lot_id", "role", "quantity", "epc", "epc_list", "uom"]
_ACTIONS = {"commission": "ADD", "destroy": "DELETE"}


def copy_events(cur, events, lines):
    """COPY event rows (id, event_id, kind, occurred_at, party, source, destination,
    recorded_at) and their lines (id, event, lot, role, quantity)."""
    _copy(cur, "traceability_event", EVENT_COLUMNS, (_epcis_columns(e) for e in events))
    _copy(cur, "traceability_eventlot", LINE_COLUMNS, ((*line, "", "", "") for line in lines))


def _epcis_columns(event):
    kind = event[2]
    if kind == "transform":
        return (*event, "", "TransformationEvent", "", "", "", "", "", False, "[]")
    return (*event, "", "ObjectEvent", _ACTIONS.get(kind, "OBSERVE"), "", "", "", "", False, "[]")


def _copy(cur, table, columns, rows):
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _chain(c, rng, now, ds, new_lot, event):
    """One chain: 18.6 events on average."""
    producers, processors = ds.parties["producer"], ds.parties["processor"]
    distributors, retailers = ds.parties["distributor"], ds.parties["retailer"]
    start = now - dt.timedelta(days=rng.randint(30, 360), minutes=rng.randint(0, 1440))

    def later(hours):
        return start + dt.timedelta(hours=hours)

    a, b = rng.sample(producers, 2)
    proc = rng.choice(processors)
    raw = [new_lot(a, 1000, start), new_lot(b, 500, start)]
    ds.raw_lots.extend(raw)
    for lot, producer, qty in ((raw[0], a, 1000), (raw[1], b, 500)):
        event("commission", later(0), producer, [(lot, qty, "lot")])
        event("ship", later(6), producer, [(lot, qty, "lot")], producer, proc)
    product = new_lot(proc, 1200, later(24))
    ds.product_lots.append(product)
    event(
        "transform",
        later(24),
        proc,
        [(raw[0], 1000, "input"), (raw[1], 500, "input"), (product, 1200, "output")],
    )
    dists = rng.sample(distributors, 2)
    shops = rng.sample(retailers, 5)
    for n, dist in enumerate(dists):
        event("ship", later(48), proc, [(product, 600, "lot")], proc, dist)
        for shop in shops[n * 3 : n * 3 + 3]:
            event("ship", later(72), dist, [(product, 200, "lot")], dist, shop)
            event("sell", later(120), shop, [(product, 150, "lot")])
    if c % 10 == 0:
        event("ship", later(200), shops[0], [(product, 20, "lot")], shops[0], dists[0])
    if c % 4 == 0:
        second = rng.choice(processors)
        event("ship", later(50), dists[1], [(product, 100, "lot")], dists[1], second)
        repacked = new_lot(second, 400, later(60))
        event("transform", later(60), second, [(product, 100, "input"), (repacked, 400, "output")])
        for shop in rng.sample(retailers, 2):
            event("ship", later(80), second, [(repacked, 200, "lot")], second, shop)
            event("sell", later(130), shop, [(repacked, 150, "lot")])


def main():
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=100_000)
    args = parser.parse_args()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    ds = generate(args.scale)
    print(f"dataset {ds.tag}: {ds.events} events, {len(ds.raw_lots)} raw lots")


if __name__ == "__main__":
    main()
