"""Published spot-check results (issue 12): `GET /api/v1/public/spot-checks/{code}/` for a
national task allocated to three provinces, 10,000 samples in the tree.

`run(scale)` builds the tree once (bulk inserts: parties, products, lots, closed samples
with their test items, one in ten non-conforming), publishes it through the service, then
times the public notice through the whole Django stack (test client, no auth, throttle,
JSON) and as CSV. Figures: `publish_table_ms` (p50, JSON), `publish_table_sql_ms` (p50 of
the one query that builds the rows, the database's floor), `publish_table_csv_ms` (p50),
`publish_table_queries` (queries per request), `publish_s` (the publication itself, when
this run built the tree).

`python -m bench.publish` runs it alone against DATABASE_URL (use a database of its own).
"""

import argparse
import datetime as dt
import os
import statistics
import time

SAMPLES = 10_000
REQUESTS = 40
CODE = "bench-publish"
PROVINCES = ("110000", "310000", "440000")


def _uscc(region, serial):
    from stdnum.cn import uscc

    body = f"91{region}{serial:09d}"
    return body + uscc.calc_check_digit(body)


def build():
    """The published tree (idempotent); returns the seconds publication took, or None."""
    from django.db import transaction
    from django.utils import timezone

    from core.models import Lab, User
    from sampling.models import Sample, Task, TestItem
    from sampling.services import task_allocate, task_publish
    from traceability.models import Lot, Party, Product

    national = Task.objects.filter(code=CODE).first()
    if national is not None and national.state == "published":
        return None
    admin = User.objects.get_or_create(username="bench-admin", defaults={"role": "admin"})[0]
    lab = Lab.objects.get_or_create(code="bench-lab", defaults={"name": "Bench lab"})[0]
    today = timezone.localdate()
    with transaction.atomic():
        national = Task.objects.create(
            code=CODE,
            title="Bench national spot check",
            level="national",
            region="000000",
            category="bench_category",
            lab=lab,
            starts_on=today - dt.timedelta(days=90),
            ends_on=today + dt.timedelta(days=30),
        )
        shares = task_allocate(
            task=national,
            actor=admin,
            allocations=[{"region": r, "quota": SAMPLES, "lab": lab} for r in PROVINCES],
        ).children.order_by("region")
        shares = list(shares)
        parties = Party.objects.bulk_create(
            Party(
                uscc=_uscc(f"{p[:2]}0105", 800000 + i),
                name=f"Bench party {p} {i}",
                kind="producer" if i % 2 else "retailer",
                region=f"{p[:2]}0105",
            )
            for p in PROVINCES
            for i in range(100)
        )
        producers = [p for p in parties if p.kind == "producer"]
        shops = [p for p in parties if p.kind == "retailer"]
        products = Product.objects.bulk_create(
            Product(
                name="Bench kettle",
                brand="Bench",
                model=f"BP-{i}",
                category="bench_category",
                producer=producers[i % len(producers)],
            )
            for i in range(SAMPLES)
        )
        lots = Lot.objects.bulk_create(
            Lot(product=product, lot_code=f"BL-{i}", produced_on=today - dt.timedelta(days=120))
            for i, product in enumerate(products)
        )
        now = timezone.now()
        samples = Sample.objects.bulk_create(
            Sample(
                sample_no=f"{CODE}-{i:06d}",
                task=shares[i % len(shares)],
                state="closed",
                sampled_party=shops[i % len(shops)],
                producer=lot.product.producer,
                product=lot.product,
                lot=lot,
                region=shops[i % len(shops)].region,
                handling_region=lot.product.producer.region,
                location_kind="retail",
                quantity=4,
                backup_quantity=4,
                sampled_at=now - dt.timedelta(days=30, minutes=i),
                inspectors=["甲", "乙"],
                conclusion="nonconforming" if i % 10 == 0 else "conforming",
                initial_conclusion="nonconforming" if i % 10 == 0 else "conforming",
                closed_at=now,
            )
            for i, lot in enumerate(lots)
        )
        TestItem.objects.bulk_create(
            TestItem(
                sample=sample,
                item=item,
                standard="GB 4706.19-2008",
                requirement="<= 0.75 mA" if item == "leakage" else "",
                measured_value="1.2" if sample.conclusion == "nonconforming" else "0.3",
                unit="mA",
                verdict="fail"
                if (item == "leakage" and sample.conclusion == "nonconforming")
                else "pass",
            )
            for sample in samples
            for item in ("leakage", "marking")
        )
        started = time.perf_counter()
        task_publish(task=national, actor=admin)
        return time.perf_counter() - started


def _time(client, path, index, query=None):
    started = time.perf_counter()
    response = client.get(path, query or {}, REMOTE_ADDR=f"10.12.{index // 250}.{index % 250}")
    if response.streaming:
        b"".join(response.streaming_content)
    else:
        assert response.content
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    return elapsed


def run(scale: int) -> dict[str, float]:
    from django.db import connection
    from django.test import Client

    from sampling import selectors

    publish_s = build()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE sampling_publishedresult")
    client = Client()
    path = f"/api/v1/public/spot-checks/{CODE}/"
    body = client.get(path, REMOTE_ADDR="10.12.255.1").json()
    assert len(body["results"]) == SAMPLES, len(body["results"])
    queries = []
    with connection.execute_wrapper(lambda run, sql, *args: queries.append(sql) or run(sql, *args)):
        client.get(path, REMOTE_ADDR="10.12.255.2")
    for index in range(3):  # warm-up
        _time(client, path, index)
    # The floor, measured alternately with the endpoint: the one query that builds the rows.
    tree = selectors.public_spot_check(code=CODE)["tree"]
    json_times, sql_times = [], []
    for index in range(REQUESTS):
        json_times.append(_time(client, path, index))
        started = time.perf_counter()
        selectors.public_rows_json(tree)
        sql_times.append(time.perf_counter() - started)
    csv_times = [
        _time(client, path, REQUESTS + index, {"format": "csv"}) for index in range(REQUESTS // 4)
    ]
    figures = {
        "publish_table_ms": round(statistics.median(json_times) * 1000, 3),
        "publish_table_sql_ms": round(statistics.median(sql_times) * 1000, 3),
        "publish_table_csv_ms": round(statistics.median(csv_times) * 1000, 3),
        "publish_table_queries": len(queries),
    }
    if publish_s is not None:
        figures["publish_s"] = round(publish_s, 3)
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=SAMPLES)
    parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    for key, value in run(SAMPLES).items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
