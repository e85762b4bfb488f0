import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import LotFactory, PartyFactory, ProductFactory
from traceability.models import Event

pytestmark = pytest.mark.django_db

CAPTURE = "/api/v1/traceability/epcis/capture/"
QUERY = "/api/v1/traceability/epcis/events/"
GTIN = "06901234567892"


def _doc(*events):
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": timezone.now().isoformat(),
        "epcisBody": {"eventList": list(events)},
    }


def _time():
    return (timezone.now() - dt.timedelta(days=1)).isoformat()


@pytest.fixture
def world(party):
    buyer = PartyFactory(region="310115", kind="distributor", gln="6901234000016")
    with_gtin = LotFactory(product=ProductFactory(producer=party, gtin=GTIN), lot_code="LOT/1")
    plain = LotFactory(product=ProductFactory(producer=party), lot_code="P-7")
    output = LotFactory(product=ProductFactory(producer=party), lot_code="OUT-1")
    return {"party": party, "buyer": buyer, "gtin_lot": with_gtin, "plain": plain, "out": output}


def _party(p):
    return f"urn:levee:party:{p.uscc}"


def test_each_epcis_event_type_is_captured_with_its_kind(api, admin_user, world):
    party, buyer = world["party"], world["buyer"]
    digital_link = f"https://id.gs1.org/01/{GTIN}/10/LOT%2F1"
    plain = f"urn:levee:lot:{world['plain'].product_id}:P-7"
    doc = _doc(
        {
            "type": "ObjectEvent",
            "eventID": "urn:uuid:1",
            "eventTime": _time(),
            "action": "ADD",
            "bizStep": "commissioning",
            "bizLocation": {"id": _party(party)},
            "quantityList": [{"epcClass": digital_link, "quantity": 100}],
        },
        {
            "type": "TransactionEvent",
            "eventID": "urn:uuid:2",
            "eventTime": _time(),
            "action": "ADD",
            "bizStep": "urn:epcglobal:cbv:bizstep:shipping",
            "bizLocation": {"id": _party(party)},
            "bizTransactionList": [{"type": "po", "bizTransaction": "urn:x:po:1"}],
            "quantityList": [{"epcClass": plain, "quantity": 5}],
            "sourceList": [{"type": "owning_party", "source": _party(party)}],
            "destinationList": [{"type": "owning_party", "destination": _party(buyer)}],
        },
        {
            "type": "AggregationEvent",
            "eventID": "urn:uuid:3",
            "eventTime": _time(),
            "action": "OBSERVE",
            "bizStep": "https://ref.gs1.org/cbv/BizStep-receiving",
            "parentID": "urn:epc:id:sscc:0614141.1234567890",
            # buyer named by its SGLN (company prefix 6901234, location 00001)
            "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"},
            "childQuantityList": [
                {"epcClass": "urn:epc:class:lgtin:6901234.056789.LOT%2F1", "quantity": 40}
            ],
            "sourceList": [{"type": "owning_party", "source": _party(party)}],
        },
        {
            "type": "TransformationEvent",
            "eventID": "urn:uuid:4",
            "eventTime": _time(),
            "bizStep": "transforming",
            "bizLocation": {"id": _party(party)},
            "inputQuantityList": [{"epcClass": plain, "quantity": 2}],
            "outputQuantityList": [
                {"epcClass": f"urn:levee:lot:{world['out'].product_id}:OUT-1", "quantity": 1}
            ],
        },
    )
    response = api.as_(admin_user).post(CAPTURE, doc, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["created"] == 4
    stored = {e.event_id: e for e in Event.objects.prefetch_related("lines")}
    assert stored["urn:uuid:1"].kind == "commission"
    assert stored["urn:uuid:2"].kind == "ship"
    assert stored["urn:uuid:2"].destination == buyer
    received = stored["urn:uuid:3"]
    assert (received.kind, received.party, received.destination) == ("receive", buyer, buyer)
    assert received.lines.get().lot == world["gtin_lot"]
    assert stored["urn:uuid:4"].kind == "transform"
    assert sorted(line.role for line in stored["urn:uuid:4"].lines.all()) == ["input", "output"]
    # capturing the same document again stores nothing new
    again = api.as_(admin_user).post(CAPTURE, doc, format="json")
    assert again.json() == {"created": 0, "existing": [0, 1, 2, 3]}


def test_unknown_identifiers_are_400_naming_the_event_and_field(api, admin_user, world):
    doc = _doc(
        {
            "type": "ObjectEvent",
            "eventID": "urn:uuid:9",
            "eventTime": _time(),
            "action": "OBSERVE",
            "bizStep": "shipping",
            "bizLocation": {"id": _party(world["party"])},
            "quantityList": [{"epcClass": f"https://id.gs1.org/01/{GTIN}/10/NOPE", "quantity": 1}],
            "destinationList": [{"type": "owning_party", "destination": "urn:levee:party:X"}],
        },
        {"type": "ObjectEvent", "bizStep": "dancing", "eventTime": _time(), "action": "OBSERVE"},
    )
    response = api.as_(admin_user).post(CAPTURE, doc, format="json")
    assert response.status_code == 400
    attrs = {e["attr"] for e in response.json()["errors"]}
    assert attrs == {
        "eventList.0.quantityList.0.epcClass",
        "eventList.0.destinationList.0.destination",
        "eventList.1.bizStep",
    }
    assert not Event.objects.exists()


def test_a_document_without_an_event_list_is_400(api, admin_user):
    response = api.as_(admin_user).post(CAPTURE, {"type": "EPCISDocument"}, format="json")
    assert response.status_code == 400
    response = api.as_(admin_user).post(CAPTURE, [1, 2], format="json")
    assert response.status_code == 400


def test_stored_events_come_back_as_an_epcis_document(api, enterprise, world):
    party, buyer = world["party"], world["buyer"]
    client = api.as_(enterprise)
    client.post(
        "/api/v1/traceability/events/",
        {
            "event_id": "ship-1",
            "kind": "ship",
            "occurred_at": _time(),
            "party": party.id,
            "destination": buyer.id,
            "lots": [{"lot": world["gtin_lot"].id, "quantity": 3}],
        },
        format="json",
    )
    response = client.get(QUERY)
    assert response.status_code == 200
    doc = response.json()
    assert doc["type"] == "EPCISDocument" and doc["schemaVersion"] == "2.0"
    (event,) = doc["epcisBody"]["eventList"]
    assert event["type"] == "ObjectEvent" and event["bizStep"] == "shipping"
    assert event["quantityList"] == [
        {"epcClass": f"https://id.gs1.org/01/{GTIN}/10/LOT%2F1", "quantity": 3.0}
    ]
    assert event["destinationList"][0]["destination"] == _party(buyer)
    # round trip: the exported document captures back as the same (already stored) event
    again = api.as_(enterprise).post(CAPTURE, doc, format="json")
    assert again.status_code == 201 and again.json()["existing"] == [0]


def test_another_enterprise_sees_none_of_these_events(api, enterprise_other, world):
    assert api.as_(enterprise_other).get(QUERY).json()["epcisBody"]["eventList"] == []
