"""Trace and event-ingest benchmark (issue 3).

`run(scale)` loads (or reuses) a graph of about `scale` events (bench.generate), then in
one run:
- times `GET lots/{id}/trace/` through the whole Django stack (test client, JWT auth,
  middleware, scope check, JSON) against the bare recursive SQL on the same lots,
  alternating the two: `trace_p50_ms`, `trace_sql_p50_ms`, `trace_ratio`;
- posts 10,000 events to `POST events/bulk/` and COPYs the same rows into the same tables:
  `bulk_events_per_s`, `copy_events_per_s`, `bulk_ratio` (bulk time / COPY time).

`python -m bench.trace --scale N` runs it alone against DATABASE_URL (use a database of its
own, e.g. levee_bench).
"""

import argparse
import json
import os
import random
import statistics
import time
import uuid

BULK_SIZE = 10_000
TRACE_SAMPLES = 100


def run(scale: int) -> dict[str, float]:
    from django.test import Client
    from rest_framework_simplejwt.tokens import RefreshToken

    from bench.generate import generate
    from core.db import fetchall_prepared
    from core.services import user_upsert
    from traceability.selectors import trace_sql

    ds = generate(scale)
    _vacuum()
    # A national regulator (region 000000) may trace every lot: the realistic worst case
    # for the scope check is still one query.
    user = user_upsert(username="bench-regulator", role="regulator", region="000000")
    token = str(RefreshToken.for_user(user).access_token)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    rng = random.Random(11)

    cases = [(lot, "forward") for lot in rng.sample(ds.raw_lots, TRACE_SAMPLES // 2)]
    cases += [(lot, "backward") for lot in rng.sample(ds.product_lots, TRACE_SAMPLES // 2)]

    def api(lot, direction):
        started = time.perf_counter()
        response = client.get(f"/api/v1/traceability/lots/{lot}/trace/?direction={direction}")
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.content[:300]
        return elapsed

    def bare(lot, direction):
        sql, params = trace_sql(lot_ids=[lot], direction=direction, max_depth=10)
        started = time.perf_counter()
        fetchall_prepared(sql, params)  # planned once per connection, as the API's
        return time.perf_counter() - started

    for lot, direction in cases[:10]:  # warm caches and connections
        api(lot, direction)
        bare(lot, direction)
    api_times, sql_times = [], []
    for lot, direction in cases:
        sql_times.append(bare(lot, direction))
        api_times.append(api(lot, direction))
    trace_p50 = statistics.median(api_times) * 1000
    sql_p50 = statistics.median(sql_times) * 1000

    bulk_s, copy_s = _ingest(client, ds, rng)
    return {
        "trace_p50_ms": round(trace_p50, 3),
        "trace_sql_p50_ms": round(sql_p50, 3),
        "trace_ratio": round(trace_p50 / sql_p50, 3),
        "bulk_events_per_s": round(BULK_SIZE / bulk_s, 1),
        "copy_events_per_s": round(BULK_SIZE / copy_s, 1),
        "bulk_ratio": round(bulk_s / copy_s, 3),
    }


def _vacuum():
    """Clear the dead rows an earlier run's ingest left behind: the planner probes the end
    of the id indexes, and dead entries there slow every later plan (and the figures)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE traceability_event, traceability_eventlot")


def _delete_bench_events(run_id):
    """Remove this run's synthetic events (the app never deletes events; the bench cleans
    up what it made)."""
    from traceability.models import Event, EventLot

    stored = Event.objects.filter(event_id__startswith=f"bulk-{run_id}-")
    EventLot.objects.filter(event__in=stored).delete()
    stored.delete()


def _ingest(client, ds, rng):
    """Seconds for the bulk endpoint and for COPY of the same 10,000 events (median of 3)."""
    from django.db import connection, transaction

    from bench.generate import copy_events
    from traceability.models import Event

    distributors, retailers = ds.parties["distributor"], ds.parties["retailer"]
    bulk_times, copy_times = [], []
    for _ in range(3):
        run_id = uuid.uuid4().hex[:12]
        events = []
        for i in range(BULK_SIZE):
            source = rng.choice(distributors)
            events.append(
                {
                    "event_id": f"bulk-{run_id}-{i}",
                    "kind": "ship",
                    "occurred_at": "2026-01-15T10:00:00+08:00",
                    "party": source,
                    "destination": rng.choice(retailers),
                    "lots": [{"lot": rng.choice(ds.product_lots), "quantity": 10}],
                }
            )
        body = json.dumps({"events": events})
        started = time.perf_counter()
        response = client.post(
            "/api/v1/traceability/events/bulk/", body, content_type="application/json"
        )
        bulk_times.append(time.perf_counter() - started)
        assert response.status_code == 201, response.content[:500]

        stored = Event.objects.filter(event_id__startswith=f"bulk-{run_id}-")
        rows = list(
            stored.values_list(
                "id",
                "event_id",
                "kind",
                "occurred_at",
                "party_id",
                "source_id",
                "destination_id",
                "recorded_at",
            )
        )
        lines = list(
            stored.values_list("lines__id", "id", "lines__lot_id", "lines__role", "lines__quantity")
        )
        _delete_bench_events(run_id)
        connection.ensure_connection()
        started = time.perf_counter()
        with transaction.atomic(), connection.connection.cursor() as cur:
            copy_events(cur, rows, lines)
        copy_times.append(time.perf_counter() - started)
        _delete_bench_events(run_id)
    _vacuum()
    return statistics.median(bulk_times), statistics.median(copy_times)


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=100_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    for key, value in run(args.scale).items():
        print(f"{key}: {value}", flush=True)


if __name__ == "__main__":
    main()
