"""EPCIS capture benchmark (issue 11, DESIGN.md §5.1).

`run(scale)` captures an EPCIS 2.0 document of 10,000 ObjectEvents (shipments of lots
named by GS1 Digital Link, quantities in grams converted into the lots' kilograms, parties
by `urn:levee:party:`), then COPYs the same rows (events with their stored JSON, and lines)
into the same tables, alternating the two, three times:
`epcis_events_per_s`, `epcis_copy_events_per_s`, `epcis_ratio` (capture time / COPY time).

A document this large is captured by a worker (202): the time counted is the request that
stores the job plus the worker's capture (`capture_job_run`, run here in-process), i.e.
everything but the queue's latency.

`python -m bench.epcis --scale N` runs it alone against DATABASE_URL.
"""

import json
import os
import statistics
import time
import uuid

DOCUMENT_SIZE = 10_000
LOTS = 200
# A valid GTIN (check digit): the lookup bench, run after, reads every GTIN it finds.
GTIN = "06970000000017"


def run(scale: int) -> dict[str, float]:
    from django.test import Client
    from rest_framework_simplejwt.tokens import RefreshToken

    from core.services import user_upsert

    parties, lots = _world()
    user = user_upsert(username="bench-epcis-admin", role="admin", region="")
    token = str(RefreshToken.for_user(user).access_token)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    capture_times, copy_times = [], []
    for _ in range(3):
        run_id = uuid.uuid4().hex[:12]
        body = json.dumps(_document(run_id, parties, lots))
        capture_times.append(_capture(client, body))
        copy_times.append(_copy_again(run_id))
        _delete(run_id)
    capture_s, copy_s = statistics.median(capture_times), statistics.median(copy_times)
    return {
        "epcis_events_per_s": round(DOCUMENT_SIZE / capture_s, 1),
        "epcis_copy_events_per_s": round(DOCUMENT_SIZE / copy_s, 1),
        "epcis_ratio": round(capture_s / copy_s, 3),
    }


def _world():
    """A producer, 20 distributors and their lots (kg) of one product with a GTIN."""
    from traceability.models import Lot, Party, Product

    producer, _ = Party.objects.get_or_create(
        uscc=_uscc(99),
        defaults={"name": "EPCIS bench producer", "kind": "producer", "region": "110105"},
    )
    parties = [producer.uscc]
    for n in range(20):
        uscc = _uscc(n)
        Party.objects.get_or_create(
            uscc=uscc,
            defaults={"name": f"EPCIS bench party {n}", "kind": "distributor", "region": "310115"},
        )
        parties.append(uscc)
    product, _ = Product.objects.get_or_create(
        gtin=GTIN, defaults={"name": "EPCIS bench flour", "category": "flour", "producer": producer}
    )
    for n in range(LOTS):
        Lot.objects.get_or_create(product=product, lot_code=f"EPC{n:04d}", defaults={"unit": "kg"})
    return parties, [f"EPC{n:04d}" for n in range(LOTS)]


def _uscc(n):
    from stdnum.cn import uscc

    body = f"91310115MA0EPC{n:02d}X"[:17]
    return body + uscc.calc_check_digit(body)


def _document(run_id, parties, lots):
    events = []
    for i in range(DOCUMENT_SIZE):
        source, destination = parties[i % len(parties)], parties[(i + 1) % len(parties)]
        events.append(
            {
                "type": "ObjectEvent",
                "eventID": f"urn:uuid:{uuid.UUID(int=(int(run_id, 16) << 64) + i)}",
                "eventTime": "2026-01-15T10:00:00+08:00",
                "eventTimeZoneOffset": "+08:00",
                "action": "OBSERVE",
                "bizStep": "shipping",
                "disposition": "in_transit",
                "bizLocation": {"id": f"urn:levee:party:{source}"},
                "quantityList": [
                    {
                        "epcClass": f"https://id.gs1.org/01/{GTIN}/10/{lots[i % len(lots)]}",
                        "quantity": 2500,
                        "uom": "GRM",
                    }
                ],
                "destinationList": [
                    {"type": "owning_party", "destination": f"urn:levee:party:{destination}"}
                ],
            }
        )
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-01-15T10:00:00+08:00",
        "epcisBody": {"eventList": events},
    }


def _capture(client, body):
    from traceability.services import capture_job_run

    started = time.perf_counter()
    response = client.post(
        "/api/v1/traceability/epcis/capture/", body, content_type="application/ld+json"
    )
    assert response.status_code == 202, response.content[:500]
    status = capture_job_run(job_id=response.json()["id"])
    elapsed = time.perf_counter() - started
    assert status == "succeeded", status
    return elapsed


def _stored_ids(run_id):
    from traceability.models import Event

    prefix = f"urn:uuid:{str(uuid.UUID(int=int(run_id, 16) << 64))[:18]}"
    return list(Event.objects.filter(event_id__startswith=prefix).values_list("id", flat=True))


def _copy_again(run_id):
    """Seconds to COPY the rows this run's capture wrote (read back, deleted, re-written)."""
    from django.db import connection, transaction

    ids = _stored_ids(run_id)
    assert len(ids) == DOCUMENT_SIZE
    tables = {}
    with connection.cursor() as cursor:
        for table, key in (("traceability_event", "id"), ("traceability_eventlot", "event_id")):
            cursor.execute(f"SELECT * FROM {table} WHERE {key} = ANY(%s)", [ids])
            tables[table] = ([c.name for c in cursor.description], cursor.fetchall())
    _delete_ids(ids)
    connection.ensure_connection()
    started = time.perf_counter()
    with transaction.atomic(), connection.connection.cursor() as cur:
        for table, (columns, rows) in tables.items():
            with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([_jsonable(v) for v in row])
    return time.perf_counter() - started


def _jsonable(value):
    from psycopg.types.json import Jsonb

    return Jsonb(value) if isinstance(value, dict | list) else value


def _delete(run_id):
    _delete_ids(_stored_ids(run_id))


def _delete_ids(ids):
    """The app never deletes events; the bench removes the synthetic ones it made."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM traceability_eventlot WHERE event_id = ANY(%s)", [ids])
        cursor.execute("DELETE FROM traceability_event WHERE id = ANY(%s)", [ids])
        cursor.execute("DELETE FROM traceability_capturejob")


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    for key, value in run(DOCUMENT_SIZE).items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
