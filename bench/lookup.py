"""Benchmark of the public product lookup (issue 17: `GET /api/v1/public/lookup/` p50 under
20 ms with 1,000,000 events, 100,000 samples and 10,000 recalls loaded).

`run(scale)` loads (or reuses) the supply-chain graph of about `scale` events
(bench.generate), gives its products GTINs, and adds with COPY `scale / 10` samples (a
tenth of them non-conforming) in one published task with their published results,
`scale / 100` announced recalls of two lots each, and `scale / 1000` decided consumer
warnings. Then it times the lookup through the whole Django stack (test client,
throttle, three apps' reads, JSON) for random GTINs: half with a lot code, a quarter of
them about a recalled lot, and a few unknown GTINs. Each request comes from an address of
its own, so the per-address throttle is consulted but never refuses.

Figures: `lookup_ms` (p50), `lookup_p95_ms`, and the counts loaded.
`python -m bench.lookup --scale N` runs it alone against DATABASE_URL.
"""

import argparse
import datetime as dt
import json
import os
import random
import statistics
import time

REQUESTS = 400
TAG = "bench-lookup"


def _gtin(product_id):
    from stdnum import ean

    body = f"69{product_id:010d}"
    return "0" + body + ean.calc_check_digit(body)


def _columns(cursor, table):
    cursor.execute(
        "SELECT column_name, is_nullable = 'YES', data_type FROM information_schema.columns "
        "WHERE table_name = %s ORDER BY ordinal_position",
        [table],
    )
    return cursor.fetchall()


def _filler(data_type, now):
    """A neutral value for a NOT NULL column a row does not set (Django's defaults live
    in Python, not in the database)."""
    if data_type in ("integer", "bigint", "smallint", "numeric", "double precision"):
        return 0
    if data_type == "boolean":
        return False
    if data_type == "jsonb":
        return "[]"
    if data_type.startswith("timestamp"):
        return now
    if data_type == "date":
        return now.date()
    return ""


def copy_rows(cursor, table, rows, now):
    """COPY dict rows into `table`, every other column null or a neutral value, so the
    loader keeps working when an app adds a column."""
    columns = _columns(cursor, table)
    names = [name for name, _, _ in columns]
    defaults = {
        name: None if nullable else _filler(data_type, now) for name, nullable, data_type in columns
    }
    with cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row.get(name, defaults[name]) for name in names])


def _next_id(cursor, table):
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
    return cursor.fetchone()[0]


def _setval(cursor, table):
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
        f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
    )


def load(scale, ds, seed=5):
    """Samples, published results, recalls and warnings about the dataset's products."""
    from django.db import connection, transaction
    from django.utils import timezone

    from core.models import Lab
    from traceability.models import Lot, Party

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sampling_task WHERE code = %s", [TAG])
        if cursor.fetchone()[0]:
            return _loaded(cursor)

    rng = random.Random(seed)
    now = timezone.now()
    lots = list(
        Lot.objects.filter(product__name__startswith="bench product")
        .values_list("id", "product_id", "product__producer_id", "lot_code")
        .order_by("id")
    )
    retailers = ds.parties["retailer"]
    regions = dict(Party.objects.filter(pk__in=retailers).values_list("pk", "region"))
    lab, _ = Lab.objects.get_or_create(code="bench-lab", defaults={"name": "Bench lab"})
    n_samples, n_recalls, n_warnings = scale // 10, scale // 100, scale // 1000
    pg = connection.connection
    with transaction.atomic(), pg.cursor() as cur:
        products = sorted({product_id for _, product_id, _, _ in lots})
        cur.executemany(
            "UPDATE traceability_product SET gtin = %s WHERE id = %s AND gtin IS NULL",
            [(_gtin(product_id), product_id) for product_id in products],
        )
        task_id = _next_id(cur, "sampling_task")
        copy_rows(
            cur,
            "sampling_task",
            [
                {
                    "id": task_id,
                    "code": TAG,
                    "title": "Bench lookup task",
                    "level": "national",
                    "region": "000000",
                    "category": "food",
                    "mode": "standard",
                    "lab_id": lab.pk,
                    "starts_on": (now - dt.timedelta(days=200)).date(),
                    "ends_on": (now - dt.timedelta(days=10)).date(),
                    "state": "published",
                    "published_at": now,
                }
            ],
            now,
        )
        sample_id = _next_id(cur, "sampling_sample")
        result_id = _next_id(cur, "sampling_publishedresult")
        samples, results = [], []
        for i in range(n_samples):
            lot_id, product_id, producer_id, lot_code = rng.choice(lots)
            shop = rng.choice(retailers)
            failing = i % 10 == 0
            conclusion = "nonconforming" if failing else "conforming"
            sampled_at = now - dt.timedelta(days=rng.randint(20, 190))
            sample_no = f"{TAG}-{sample_id + i}"
            samples.append(
                {
                    "id": sample_id + i,
                    "sample_no": sample_no,
                    "task_id": task_id,
                    "state": "disposed" if failing else "closed",
                    "sampled_party_id": shop,
                    "producer_id": producer_id,
                    "product_id": product_id,
                    "lot_id": lot_id,
                    "region": regions[shop],
                    "handling_region": regions[shop],
                    "location_kind": "retail",
                    "quantity": 4,
                    "backup_quantity": 4,
                    "unit": "pcs",
                    "sampled_at": sampled_at,
                    "inspectors": '["bench 1", "bench 2"]',
                    "seal_intact": True,
                    "conclusion": conclusion,
                    "initial_conclusion": conclusion,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            row = {
                "sample_no": sample_no,
                "task": TAG,
                "product": f"bench product {product_id}",
                "lot_code": lot_code,
                "producer": f"producer {producer_id}",
                "sampled_on": sampled_at.date().isoformat(),
                "conclusion": conclusion,
                "failing_items": (
                    [{"item": "水分", "requirement": "≤ 12 %", "measured_value": "15"}]
                    if failing
                    else []
                ),
                "lab": "Bench lab",
            }
            results.append(
                {
                    "id": result_id + i,
                    "sample_id": sample_id + i,
                    "task_id": task_id,
                    "product_id": product_id,
                    "lot_id": lot_id,
                    "conclusion": conclusion,
                    "published_at": now,
                    "row_text": json.dumps(row, ensure_ascii=False),
                }
            )
        copy_rows(cur, "sampling_sample", samples, now)
        copy_rows(cur, "sampling_publishedresult", results, now)

        lots_of = {}
        for lot in lots:
            lots_of.setdefault(lot[1], []).append(lot)
        recall_id = _next_id(cur, "recalls_recall")
        recalls, recall_lots, recalled = [], [], []
        for i in range(n_recalls):
            first = rng.choice(lots)
            second = rng.choice(lots_of[first[1]])
            chosen = {first[0]: first, second[0]: second}
            recalled.extend(chosen.values())
            announced = now - dt.timedelta(days=rng.randint(1, 300))
            recalls.append(
                {
                    "id": recall_id + i,
                    "recall_no": f"RCB{recall_id + i:08d}",
                    "kind": "voluntary",
                    "state": "announced",
                    "producer_id": first[2],
                    "title": f"Recall of bench product {first[1]}",
                    "category": "food",
                    "hazard": "Mould",
                    "defect": "Moisture above the limit",
                    "remedy": "refund",
                    "risk_level": "high",
                    "sale_regions": '["110000"]',
                    "remedy_details": "Refund at the shop",
                    "consumer_contact": "400-000-0000",
                    "notice_text": "Stop eating it.",
                    "announced_at": announced,
                    "created_at": announced,
                    "updated_at": announced,
                }
            )
            recall_lots.extend({"recall_id": recall_id + i, "lot_id": lot_id} for lot_id in chosen)
        copy_rows(cur, "recalls_recall", recalls, now)
        link_id = _next_id(cur, "recalls_recall_lots")
        copy_rows(
            cur,
            "recalls_recall_lots",
            [{"id": link_id + i, **row} for i, row in enumerate(recall_lots)],
            now,
        )

        assessment_id = _next_id(cur, "risk_riskassessment")
        assessments = []
        for i in range(n_warnings):
            _, product_id, _, _ = rng.choice(lots)
            assessments.append(
                {
                    "id": assessment_id + i,
                    "number": f"RAB{assessment_id + i:08d}",
                    "subject_kind": "product",
                    "product_id": product_id,
                    "category": "food",
                    "region": "110000",
                    "hazard": "Sharp edges on the lid",
                    "steps": '[{"description": "lid", "probability": 0.1}]',
                    "severity": 2,
                    "probability": 0.1,
                    "probability_band": "> 1/100",
                    "risk_level": "serious",
                    "matrix_version": "eu-2019-417",
                    "sensitivity": "{}",
                    "recommended_measure": "warning",
                    "state": "decided",
                    "measure": "warning",
                    "assessed_at": now,
                    "decided_at": now,
                    "updated_at": now,
                }
            )
        copy_rows(cur, "risk_riskassessment", assessments, now)
        for table in (
            "sampling_task",
            "sampling_sample",
            "sampling_publishedresult",
            "recalls_recall",
            "recalls_recall_lots",
            "risk_riskassessment",
        ):
            _setval(cur, table)
        cur.execute(
            "ANALYZE traceability_product, traceability_lot, sampling_sample, "
            "sampling_publishedresult, recalls_recall, recalls_recall_lots, risk_riskassessment"
        )
    with connection.cursor() as cursor:
        return _loaded(cursor)


def _loaded(cursor):
    counts = {}
    for name, sql in (
        ("samples", "SELECT count(*) FROM sampling_sample"),
        ("recalls", "SELECT count(*) FROM recalls_recall"),
        ("warnings", "SELECT count(*) FROM risk_riskassessment WHERE measure = 'warning'"),
    ):
        cursor.execute(sql)
        counts[name] = cursor.fetchone()[0]
    cursor.execute(
        "SELECT p.gtin, l.lot_code FROM recalls_recall_lots rl "
        "JOIN traceability_lot l ON l.id = rl.lot_id "
        "JOIN traceability_product p ON p.id = l.product_id WHERE p.gtin IS NOT NULL"
    )
    counts["recalled"] = cursor.fetchall()
    cursor.execute(
        "SELECT p.gtin, l.lot_code FROM traceability_lot l JOIN traceability_product p "
        "ON p.id = l.product_id WHERE p.gtin IS NOT NULL ORDER BY l.id LIMIT 50000"
    )
    counts["lots"] = cursor.fetchall()
    return counts


def run(scale: int) -> dict[str, float]:
    from django.test import Client

    from bench.generate import generate

    ds = generate(scale)
    loaded = load(scale, ds)
    rng = random.Random(13)
    queries = []
    for i in range(REQUESTS):
        if i % 20 == 0:
            queries.append({"gtin": _gtin(10**9 + i)})  # a product nobody knows
        elif i % 4 == 0:
            gtin, lot_code = rng.choice(loaded["recalled"])
            queries.append({"gtin": gtin, "lot": lot_code})
        elif i % 2 == 0:
            gtin, lot_code = rng.choice(loaded["lots"])
            queries.append({"gtin": gtin, "lot": lot_code})
        else:
            queries.append({"gtin": rng.choice(loaded["lots"])[0]})
    client = Client()
    affected, timings = 0, []
    for i, query in enumerate([*queries[:20], *queries]):  # the first 20 warm up
        started = time.perf_counter()
        address = f"10.{i // 65536}.{i // 256 % 256}.{i % 256}"
        response = client.get("/api/v1/public/lookup/", query, REMOTE_ADDR=address)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.content[:300]
        if i >= 20:
            timings.append(elapsed * 1000)
            affected += bool(response.json()["results"])
    timings.sort()
    return {
        "lookup_ms": statistics.median(timings),
        "lookup_p95_ms": timings[int(len(timings) * 0.95) - 1],
        "lookup_affected_share": affected / len(timings),
        "lookup_samples": loaded["samples"],
        "lookup_recalls": loaded["recalls"],
        "lookup_events": ds.events,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=int(os.environ.get("SCALE", 1_000_000)))
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    for key, value in run(args.scale).items():
        print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")


if __name__ == "__main__":
    main()
