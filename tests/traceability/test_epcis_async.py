"""Asynchronous EPCIS capture (DESIGN.md §5.1): a large document, or one sent with `Prefer:
respond-async`, is captured by a Celery worker; its status resource tells how it went."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app as celery_app
from tests.factories import LotFactory, ProductFactory
from traceability import services
from traceability.models import CaptureJob, Event, EventLot

from . import epcis_documents as docs

CAPTURE = "/api/v1/traceability/epcis/capture/"
GTIN = "06901234567892"


def shipments(count, party):
    return docs.document(
        *(
            {
                "type": "ObjectEvent",
                "eventID": f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
                "eventTime": "2024-05-01T10:00:00+08:00",
                "eventTimeZoneOffset": "+08:00",
                "action": "OBSERVE",
                "bizStep": "shipping",
                "bizLocation": {"id": f"urn:levee:party:{party.uscc}"},
                "quantityList": [
                    {
                        "epcClass": f"https://id.gs1.org/01/{GTIN}/10/BIG",
                        "quantity": 250,
                        "uom": "GRM",
                    }
                ],
            }
            for n in range(count)
        )
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_document_of_5000_events_is_captured_by_a_worker(api, admin_user, party):
    lot = LotFactory(product=ProductFactory(producer=party, gtin=GTIN), lot_code="BIG", unit="kg")
    celery_app.control.purge()  # tasks left by other tests point at rows that are gone
    with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=30):
        response = api.as_(admin_user).post(CAPTURE, shipments(5000, party), format="json")
        assert response.status_code == 202, response.json()
        location = response["Location"]
        assert location.endswith(f"/epcis/capture/{response.json()['id']}/")
        deadline = time.monotonic() + 180
        status = api.as_(admin_user).get(location).json()
        while status["status"] == "running" and time.monotonic() < deadline:
            time.sleep(0.5)
            status = api.as_(admin_user).get(location).json()

    assert status["status"] == "succeeded", status
    assert status["result"]["created"] == 5000
    assert Event.objects.count() == 5000
    assert {(x.lot_id, str(x.quantity)) for x in EventLot.objects.all()} == {(lot.id, "0.250")}
    assert CaptureJob.objects.get().document is None  # not kept once captured


@pytest.mark.django_db
def test_prefer_respond_async_and_a_failed_capture_tells_its_errors(api, enterprise, party):
    doc = shipments(2, party)
    doc["epcisBody"]["eventList"][1]["type"] = "Garbage"
    response = api.as_(enterprise).post(
        CAPTURE, doc, format="json", headers={"Prefer": "respond-async"}
    )
    assert response.status_code == 202
    location = response["Location"]
    assert api.as_(enterprise).get(location).json()["status"] == "running"

    services.capture_job_run(job_id=response.json()["id"])  # the worker's side

    status = api.as_(enterprise).get(location).json()
    assert status["status"] == "failed"
    assert [e["attr"] for e in status["errors"]] == ["eventList.1.type"]
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_a_capture_status_is_its_creators(api, enterprise, enterprise_other, party):
    job = services.capture_job_start(actor=enterprise, document=shipments(1, party))
    url = f"{CAPTURE}{job.pk}/"
    assert api.as_(enterprise_other).get(url).status_code == 404
    assert api.as_(enterprise).get(url).status_code == 200
