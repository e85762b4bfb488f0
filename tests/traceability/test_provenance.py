"""Who may assert what, and confirmed custody (DESIGN.md §5.2): a one-sided claim widens
nobody's trace and shows as unconfirmed in everyone else's."""

import csv
import io

import openpyxl
import pytest

from tests.conftest import SHANGHAI
from tests.factories import LotFactory, PartyFactory, ProductFactory
from traceability.models import Event
from traceability.selectors import lots_traceable_by

from .factories import make_event, receive, ship

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/traceability/events/"


def _trace(client, lot, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.get(f"/api/v1/traceability/lots/{lot.id}/trace/?{query}")


@pytest.fixture
def beijing_chain(party):
    """A Beijing lot shipped to a Beijing shop, which confirmed the receipt."""
    shop = PartyFactory(region="110108", kind="retailer", name="BJ shop")
    lot = LotFactory(product=ProductFactory(producer=party), lot_code="BJ-1", quantity=1000)
    ship(lot, 400, party, shop)
    receive(lot, 400, party, shop)
    return {"lot": lot, "shop": shop}


def _claim_receipt(client, lot, claimant, source, event_id="claim-1"):
    return client.post(
        EVENTS,
        {
            "event_id": event_id,
            "kind": "receive",
            "occurred_at": "2026-01-10T10:00:00+08:00",
            "party": claimant.id,
            "source": source.id,
            "lots": [{"lot": lot.id, "quantity": 50}],
        },
        format="json",
    )


def test_a_regulators_one_sided_receipt_gives_their_region_no_trace(
    api, regulator, regulator_other, party, beijing_chain
):
    lot = beijing_chain["lot"]
    shanghai = api.as_(regulator_other)
    assert _trace(shanghai, lot).status_code == 404
    claimant = PartyFactory(region=SHANGHAI, kind="distributor", name="SH claimant")

    response = _claim_receipt(shanghai, lot, claimant, party)
    assert response.status_code == 201, response.content
    event = Event.objects.get(event_id="claim-1")
    assert event.recorded_by == regulator_other and event.recorded_by_regulator

    assert _trace(shanghai, lot).status_code == 404
    assert _trace(shanghai, lot, direction="backward").status_code == 404
    # the Beijing regulator still sees the claim, marked as unconfirmed
    body = _trace(api.as_(regulator), lot).json()
    edges = {e["event_id"]: e for e in body["edges"]}
    assert edges["claim-1"]["confirmed"] is False
    assert all(e["confirmed"] for key, e in edges.items() if key != "claim-1")
    parties = {p["name"]: p for p in body["parties"]}
    assert parties["SH claimant"]["confirmed"] is False
    assert parties["BJ shop"]["confirmed"] is True


def test_an_enterprises_one_sided_receipt_gives_it_no_trace_or_lot(
    api, regulator, enterprise_other, party, party_other, beijing_chain
):
    lot = beijing_chain["lot"]
    client = api.as_(enterprise_other)
    response = _claim_receipt(client, lot, party_other, party)
    assert response.status_code == 201, response.content
    claim = Event.objects.get(event_id="claim-1")
    assert claim.recorded_by == enterprise_other and not claim.recorded_by_regulator
    assert lots_traceable_by(enterprise_other, [lot.id]) == set()
    assert client.get(f"/api/v1/traceability/lots/{lot.id}/").status_code == 404
    edges = {e["event_id"]: e for e in _trace(api.as_(regulator), lot).json()["edges"]}
    assert edges["claim-1"]["confirmed"] is False


def test_a_matching_shipment_confirms_the_receipt_and_opens_the_trace(
    api, regulator, regulator_other, party, enterprise, beijing_chain
):
    lot = beijing_chain["lot"]
    shanghai = api.as_(regulator_other)
    claimant = PartyFactory(region=SHANGHAI, kind="distributor", name="SH buyer")
    assert _claim_receipt(shanghai, lot, claimant, party).status_code == 201
    # the producer's own shipment to it: both sides now say so
    response = api.as_(enterprise).post(
        EVENTS,
        {
            "event_id": "ship-to-sh",
            "kind": "ship",
            "occurred_at": "2026-01-09T10:00:00+08:00",
            "party": party.id,
            "destination": claimant.id,
            "lots": [{"lot": lot.id, "quantity": 50}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert _trace(shanghai, lot).status_code == 200
    edges = {e["event_id"]: e for e in _trace(api.as_(regulator), lot).json()["edges"]}
    assert edges["claim-1"]["confirmed"] is True and edges["ship-to-sh"]["confirmed"] is True


def test_a_shipment_the_source_did_not_assert_confirms_nothing(api, regulator, party):
    """A receipt matched by a 'shipment' recorded at another party than its source."""
    lot = LotFactory(product=ProductFactory(producer=party), lot_code="BJ-2")
    shop = PartyFactory(region="110108", kind="retailer")
    other = PartyFactory(region="110108", kind="distributor")
    make_event("ship", other, lots=[(lot, 5)], source=party, destination=shop)
    receive(lot, 5, party, shop)
    edges = _trace(api.as_(regulator), lot).json()["edges"]
    assert [e["confirmed"] for e in edges] == [False, False]


def test_csv_and_xlsx_rows_carry_the_confirmation(api, regulator, regulator_other, party):
    lot = LotFactory(product=ProductFactory(producer=party), lot_code="BJ-3")
    shop = PartyFactory(region="110108", kind="retailer", name="Confirmed shop")
    ship(lot, 10, party, shop)
    receive(lot, 10, party, shop)
    claimant = PartyFactory(region=SHANGHAI, kind="retailer", name="Claimant")
    assert _claim_receipt(api.as_(regulator_other), lot, claimant, party).status_code == 201
    client = api.as_(regulator)

    response = _trace(client, lot, format="csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    by_event = {r["Event id"]: r["Custody confirmed"] for r in rows}
    assert by_event["claim-1"] == "no"
    assert {v for k, v in by_event.items() if k != "claim-1"} == {"yes"}

    sheet = openpyxl.load_workbook(io.BytesIO(_trace(client, lot, format="xlsx").content)).active
    header = [c.value for c in sheet[1]]
    event, confirmed = header.index("Event id"), header.index("Custody confirmed")
    values = {row[event]: row[confirmed] for row in sheet.iter_rows(2, values_only=True)}
    assert values["claim-1"] == "no"


def test_a_regulator_records_on_behalf_only_within_their_region(api, regulator_other, party):
    lot = LotFactory(product=ProductFactory(producer=party), lot_code="BJ-4")
    response = api.as_(regulator_other).post(
        EVENTS,
        {
            "event_id": "sh-for-bj",
            "kind": "commission",
            "occurred_at": "2026-01-10T10:00:00+08:00",
            "party": party.id,
            "lots": [{"lot": lot.id, "quantity": 5}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert not Event.objects.filter(event_id="sh-for-bj").exists()


def test_an_enterprise_records_only_its_own_events_in_bulk(api, enterprise, party, party_other):
    lot = LotFactory(product=ProductFactory(producer=party), lot_code="BJ-5")
    events = [
        {
            "event_id": f"bulk-{n}",
            "kind": "commission",
            "occurred_at": "2026-01-10T10:00:00+08:00",
            "party": who.id,
            "lots": [{"lot": lot.id, "quantity": 5}],
        }
        for n, who in enumerate((party, party_other))
    ]
    response = api.as_(enterprise).post(f"{EVENTS}bulk/", {"events": events}, format="json")
    assert response.status_code == 400
    assert [e["attr"] for e in response.json()["errors"]] == ["events.1.party"]
    response = api.as_(enterprise).post(f"{EVENTS}bulk/", {"events": events[:1]}, format="json")
    assert response.status_code == 201
    stored = Event.objects.get(event_id="bulk-0")
    assert stored.recorded_by == enterprise and not stored.recorded_by_regulator
