"""EPCIS 2.0 capture and query (DESIGN.md §5.1), against PostgreSQL."""

import copy
import datetime as dt
import json
import threading
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest
from django.db import connections, transaction
from django.utils import timezone

from tests.factories import LotFactory, PartyFactory, ProductFactory
from traceability import epcis, selectors
from traceability.choices import EventKind
from traceability.models import Event, EventLot

from . import epcis_documents as docs
from .factories import make_event

pytestmark = pytest.mark.django_db

CAPTURE = "/api/v1/traceability/epcis/capture/"
QUERY = "/api/v1/traceability/epcis/events/"
GTIN = "06901234567892"
VALIDATOR = jsonschema.Draft7Validator(epcis.SCHEMA)


def assert_schema_valid(document):
    """The query's output checked with `jsonschema` (the reference implementation), not
    the validator capture uses."""
    errors = sorted(VALIDATOR.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def _party(p):
    return f"urn:levee:party:{p.uscc}"


def _time(days=1):
    return (timezone.now() - dt.timedelta(days=days)).isoformat()


def _object(event_id, *, step="shipping", quantities=(), location=None, **fields):
    event = {
        "type": "ObjectEvent",
        "eventID": event_id,
        "eventTime": _time(),
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "bizStep": step,
        "quantityList": [
            {"epcClass": cls, "quantity": q, **({"uom": u} if u else {})}
            for cls, q, u in quantities
        ],
        **fields,
    }
    if location is not None:
        event["bizLocation"] = {"id": location}
    return event


@pytest.fixture
def world(party):
    buyer = PartyFactory(region="310115", kind="distributor", gln="6901234000016")
    kilos = LotFactory(
        product=ProductFactory(producer=party, gtin=GTIN), lot_code="LOT/1", unit="kg"
    )
    pieces = LotFactory(product=ProductFactory(producer=party), lot_code="P-7", unit="pcs")
    return {"party": party, "buyer": buyer, "kilos": kilos, "pieces": pieces}


def kilo_link(code="LOT%2F1"):
    return f"https://id.gs1.org/01/{GTIN}/10/{code}"


# --- every official example --------------------------------------------------------------


@pytest.mark.parametrize(("name", "document"), docs.official_examples())
def test_every_official_example_is_accepted_on_an_empty_database(api, admin_user, name, document):
    sent = copy.deepcopy(document)
    response = api.as_(admin_user).post(CAPTURE, document, format="json")
    assert response.status_code == 201, response.json()
    events = document["epcisBody"]["eventList"]
    assert response.json()["created"] == len(events)

    out = api.as_(admin_user).get(QUERY).json()
    assert_schema_valid(out)
    returned = out["epcisBody"]["eventList"]
    assert len(returned) == len(events)
    for captured, back in zip(sent["epcisBody"]["eventList"], returned, strict=True):
        for key, value in captured.items():
            if key not in ("@context", "recordTime"):  # recordTime is the repository's
                assert back[key] == value, key
        assert back["eventID"].startswith(("urn:uuid:", "ni:///sha-256;"))


def test_a_jsonld_document_is_accepted_with_its_media_type(api, admin_user):
    body = json.dumps(docs.transformation())
    response = api.as_(admin_user).post(CAPTURE, body, content_type="application/ld+json")
    assert response.status_code == 201, response.json()


# --- invalid documents -------------------------------------------------------------------


def test_an_unknown_event_type_is_400_naming_the_event_and_field(api, admin_user):
    doc = docs.object_shipping()
    doc["epcisBody"]["eventList"].append({**doc["epcisBody"]["eventList"][0], "type": "Garbage"})
    response = api.as_(admin_user).post(CAPTURE, doc, format="json")
    assert response.status_code == 400
    assert {e["attr"] for e in response.json()["errors"]} == {"eventList.1.type"}
    assert not Event.objects.exists()


def test_a_document_without_context_is_400(api, admin_user):
    doc = docs.object_shipping()
    del doc["@context"]
    response = api.as_(admin_user).post(CAPTURE, doc, format="json")
    assert response.status_code == 400
    assert [e["attr"] for e in response.json()["errors"]] == ["@context"]


def test_a_bare_word_that_is_not_cbv_is_400(api, admin_user):
    doc = docs.object_shipping()
    doc["epcisBody"]["eventList"][0]["bizStep"] = "transforming"
    response = api.as_(admin_user).post(CAPTURE, doc, format="json")
    assert response.status_code == 400
    assert [e["attr"] for e in response.json()["errors"]] == ["eventList.0.bizStep"]


def test_non_documents_are_400(api, admin_user):
    assert api.as_(admin_user).post(CAPTURE, [1, 2], format="json").status_code == 400
    response = api.as_(admin_user).post(CAPTURE, {"type": "EPCISDocument"}, format="json")
    assert response.status_code == 400


# --- identifiers and vocabularies --------------------------------------------------------


def test_lgtin_in_both_forms_names_the_lot(api, admin_user, world):
    party = world["party"]
    doc = docs.document(
        _object("urn:uuid:a1", quantities=[(kilo_link(), 2, "KGM")], location=_party(party)),
        _object(
            "urn:uuid:a2",
            quantities=[("urn:epc:class:lgtin:6901234.056789.LOT%2F1", 3, "KGM")],
            location=_party(party),
        ),
    )
    assert api.as_(admin_user).post(CAPTURE, doc, format="json").status_code == 201
    lines = EventLot.objects.order_by("event__event_id")
    assert [(x.lot, x.quantity) for x in lines] == [(world["kilos"], 2), (world["kilos"], 3)]
    assert {e.party for e in Event.objects.all()} == {party}


def test_sgtin_items_count_into_their_lot_or_product(api, admin_user, world):
    pieces = LotFactory(product=world["kilos"].product, lot_code="L1", unit="pcs")
    doc = docs.digital_link("object")  # /21/2017 (product only) and /10/L1/21/2018 (in L1)
    assert api.as_(admin_user).post(CAPTURE, doc, format="json").status_code == 201
    item, in_lot = EventLot.objects.order_by("id")
    assert (item.lot, item.product) == (None, pieces.product)
    assert (in_lot.lot, in_lot.quantity) == (pieces, 1)


def test_unknown_identifiers_are_kept_as_nodes_and_found_by_query(api, admin_user):
    doc = docs.object_receiving_quantities()
    assert api.as_(admin_user).post(CAPTURE, doc, format="json").status_code == 201
    nodes = EventLot.objects.order_by("id")
    assert [(n.lot, n.epc, n.quantity, n.uom) for n in nodes] == [
        (None, "urn:epc:class:lgtin:6901234.012345.998877", Decimal(200), "KGM"),
        (None, "urn:epc:idpat:sgtin:6901234.098765.*", Decimal(10), ""),
    ]
    event = Event.objects.get()
    assert (event.party, event.read_point) == (None, "urn:epc:id:sgln:6909876.00777.0")


def test_a_party_is_found_by_its_gln_in_sgln_pgln_and_digital_link(api, admin_user, world):
    buyer = world["buyer"]  # GLN 6901234000016
    doc = docs.document(
        _object(
            "urn:uuid:g1",
            quantities=[(kilo_link(), 1, "KGM")],
            location=None,
            readPoint={"id": "urn:epc:id:sgln:6901234.00001.0"},
            step="receiving",
        ),
        _object(
            "urn:uuid:g2",
            quantities=[(kilo_link(), 1, "KGM")],
            location="https://id.gs1.org/414/6901234000016",
            step="inspecting",
        ),
        _object(
            "urn:uuid:g3",
            quantities=[(kilo_link(), 1, "KGM")],
            location=_party(world["party"]),
            destinationList=[
                {"type": "owning_party", "destination": "urn:epc:id:pgln:6901234.00001"}
            ],
        ),
    )
    assert api.as_(admin_user).post(CAPTURE, doc, format="json").status_code == 201
    stored = {e.event_id: e for e in Event.objects.all()}
    assert (stored["urn:uuid:g1"].kind, stored["urn:uuid:g1"].destination) == ("receive", buyer)
    assert (stored["urn:uuid:g2"].kind, stored["urn:uuid:g2"].party) == ("observe", buyer)
    assert (stored["urn:uuid:g3"].kind, stored["urn:uuid:g3"].destination) == ("ship", buyer)


def test_a_custom_step_uri_is_kept_as_given_and_never_read_as_cbv(api, admin_user, world):
    custom = "https://example.com/mysteps/shipping"
    doc = docs.document(
        _object(
            "urn:uuid:c1",
            step=custom,
            quantities=[(kilo_link(), 1, "KGM")],
            location=_party(world["party"]),
        ),
        _object(
            "urn:uuid:c2",
            step="urn:epcglobal:cbv:bizstep:shipping",
            quantities=[(kilo_link(), 1, "KGM")],
            location=_party(world["party"]),
        ),
    )
    assert api.as_(admin_user).post(CAPTURE, doc, format="json").status_code == 201
    stored = {e.event_id: e for e in Event.objects.all()}
    assert (stored["urn:uuid:c1"].kind, stored["urn:uuid:c1"].biz_step) == ("observe", custom)
    assert (stored["urn:uuid:c2"].kind, stored["urn:uuid:c2"].biz_step) == ("ship", "shipping")
    shipping = api.as_(admin_user).get(QUERY, {"EQ_bizStep": "shipping"}).json()
    assert [e["eventID"] for e in shipping["epcisBody"]["eventList"]] == ["urn:uuid:c2"]
    back = api.as_(admin_user).get(QUERY, {"EQ_bizStep": custom}).json()
    assert [e["bizStep"] for e in back["epcisBody"]["eventList"]] == [custom]


def test_shipping_a_logistic_unit_ships_what_was_packed_into_it(api, admin_user, world):
    party, buyer, kilos = world["party"], world["buyer"], world["kilos"]
    sscc = "urn:epc:id:sscc:6901234.0000000099"
    packing = {
        "type": "AggregationEvent",
        "eventID": "urn:uuid:pack",
        "eventTime": _time(3),
        "eventTimeZoneOffset": "+08:00",
        "parentID": sscc,
        "childQuantityList": [{"epcClass": kilo_link(), "quantity": 500, "uom": "GRM"}],
        "action": "ADD",
        "bizStep": "packing",
        "bizLocation": {"id": _party(party)},
    }
    assert (
        api.as_(admin_user).post(CAPTURE, docs.document(packing), format="json").status_code == 201
    )
    shipping = _object(
        "urn:uuid:ship-unit",
        location=_party(party),
        epcList=[sscc],
        destinationList=[{"type": "owning_party", "destination": _party(buyer)}],
    )
    del shipping["quantityList"]
    response = api.as_(admin_user).post(CAPTURE, docs.document(shipping), format="json")
    assert response.status_code == 201, response.json()
    trace = selectors.lot_trace(lot_ids=[kilos.id])
    ships = [e for e in trace["edges"] if e["kind"] == "ship"]
    assert [(e["to"], e["quantity"]) for e in ships] == [(f"party:{buyer.id}", 0.5)]
    assert [p["uscc"] for p in trace["parties"] if p["quantity"]] == [buyer.uscc]


# --- identifier nodes in the trace ------------------------------------------------------

# A retail item of a GTIN Levee does not know, in both of its forms.
ITEM_URN = "urn:epc:id:sgtin:4012345.011111.A7"
ITEM_LINK = "https://id.gs1.org/01/04012345111118/21/A7"
UNKNOWN_LOT = "urn:epc:class:lgtin:4012345.022222.RAW%2F9"  # a lot of a product unknown here


def _transform(event_id, *, inputs, outputs, location, days=2):
    return {
        "type": "TransformationEvent",
        "eventID": event_id,
        "eventTime": _time(days),
        "eventTimeZoneOffset": "+08:00",
        "bizStep": "commissioning",
        **inputs,
        **outputs,
        "bizLocation": {"id": location},
    }


def _ship_epcs(event_id, epcs, *, source, destination, days=1):
    event = _object(
        event_id,
        location=_party(source),
        epcList=epcs,
        destinationList=[{"type": "owning_party", "destination": _party(destination)}],
    )
    event["eventTime"] = _time(days)
    del event["quantityList"]
    return event


def _receive_epcs(event_id, epcs, *, source, destination, days=1):
    event = _ship_epcs(event_id, epcs, source=source, destination=destination, days=days)
    event["bizStep"] = "receiving"
    event["bizLocation"] = {"id": _party(destination)}
    event["sourceList"] = [{"type": "owning_party", "source": _party(source)}]
    del event["destinationList"]
    return event


def _capture(client, *events):
    response = client.post(CAPTURE, docs.document(*events), format="json")
    assert response.status_code == 201, response.json()


def test_the_forward_trace_walks_through_an_unknown_item_to_whoever_received_it(
    api, admin_user, world
):
    party, buyer, kilos = world["party"], world["buyer"], world["kilos"]
    client = api.as_(admin_user)
    made = _transform(
        "urn:uuid:make-item",
        inputs={"inputQuantityList": [{"epcClass": kilo_link(), "quantity": 2, "uom": "KGM"}]},
        outputs={"outputEPCList": [ITEM_URN]},
        location=_party(party),
    )
    # shipped under the item's Digital Link: the same thing as its URN
    _capture(
        client, made, _ship_epcs("urn:uuid:ship-item", [ITEM_LINK], source=party, destination=buyer)
    )
    trace = selectors.lot_trace(lot_ids=[kilos.id])
    assert [n["identifier"] for n in trace["nodes"] if n["type"] == "identifier"] == [ITEM_LINK]
    made_edge = next(e for e in trace["edges"] if e["kind"] == "transform")
    assert (made_edge["from"], made_edge["to"]) == (f"lot:{kilos.id}", f"identifier:{ITEM_LINK}")
    shipped = next(e for e in trace["edges"] if e["kind"] == "ship")
    assert (shipped["identifier"], shipped["to"], shipped["quantity"]) == (
        ITEM_LINK,
        f"party:{buyer.id}",
        1,
    )
    assert buyer.uscc in [p["uscc"] for p in trace["parties"]]
    response = client.get(f"/api/v1/traceability/lots/{kilos.id}/trace/?format=csv")
    assert response.status_code == 200
    assert ITEM_LINK in b"".join(response.streaming_content).decode()


def test_the_forward_trace_follows_an_unknown_item_packed_into_a_shipped_unit(
    api, admin_user, world
):
    party, buyer, kilos = world["party"], world["buyer"], world["kilos"]
    sscc = "urn:epc:id:sscc:6901234.0000000077"
    made = _transform(
        "urn:uuid:make",
        inputs={"inputQuantityList": [{"epcClass": kilo_link(), "quantity": 1, "uom": "KGM"}]},
        outputs={"outputEPCList": [ITEM_URN]},
        location=_party(party),
        days=3,
    )
    packed = {
        "type": "AggregationEvent",
        "eventID": "urn:uuid:pack",
        "eventTime": _time(2),
        "eventTimeZoneOffset": "+08:00",
        "parentID": sscc,
        "childEPCs": [ITEM_URN],
        "action": "ADD",
        "bizStep": "packing",
        "bizLocation": {"id": _party(party)},
    }
    client = api.as_(admin_user)
    _capture(client, made, packed)
    _capture(client, _ship_epcs("urn:uuid:ship-unit", [sscc], source=party, destination=buyer))
    trace = selectors.lot_trace(lot_ids=[kilos.id])
    ships = [e for e in trace["edges"] if e["kind"] == "ship"]
    assert [(e["identifier"], e["to"]) for e in ships] == [(ITEM_LINK, f"party:{buyer.id}")]
    assert [p["uscc"] for p in trace["parties"] if p["id"] != party.id] == [buyer.uscc]


def test_the_backward_trace_walks_through_an_unknown_lot_to_its_supplier(
    api, admin_user, world, party_other
):
    party, kilos = world["party"], world["kilos"]
    client = api.as_(admin_user)
    _capture(
        client,
        _ship_epcs("urn:uuid:raw-out", [], source=party_other, destination=party, days=4)
        | {"quantityList": [{"epcClass": UNKNOWN_LOT, "quantity": 5, "uom": "KGM"}]},
        _receive_epcs("urn:uuid:raw-in", [], source=party_other, destination=party, days=3)
        | {"quantityList": [{"epcClass": UNKNOWN_LOT, "quantity": 5, "uom": "KGM"}]},
        _transform(
            "urn:uuid:make-lot",
            inputs={"inputQuantityList": [{"epcClass": UNKNOWN_LOT, "quantity": 5, "uom": "KGM"}]},
            outputs={
                "outputQuantityList": [{"epcClass": kilo_link(), "quantity": 4, "uom": "KGM"}]
            },
            location=_party(party),
        ),
    )
    trace = selectors.lot_trace(lot_ids=[kilos.id], direction="backward")
    raw = "https://id.gs1.org/01/04012345222227/10/RAW%2F9"
    assert [n["identifier"] for n in trace["nodes"] if n["type"] == "identifier"] == [raw]
    made = next(e for e in trace["edges"] if e["kind"] == "transform")
    assert (made["input_identifier"], made["input_quantity"], made["confirmed"]) == (raw, 5, True)
    supplier = next(p for p in trace["parties"] if p["id"] == party_other.id)
    assert (supplier["quantity"], supplier["confirmed"]) == (5, True)


def test_a_class_or_pattern_joins_no_chains(api, admin_user, world, party_other):
    """An idpat (or a GTIN alone) names every item of a product: a shipment of the same
    class by someone else is not where this lot went."""
    party, buyer, kilos = world["party"], world["buyer"], world["kilos"]
    pattern = "urn:epc:idpat:sgtin:4012345.011111.*"
    client = api.as_(admin_user)
    stranger = PartyFactory(region="440300")
    made = _transform(
        "urn:uuid:make-class",
        inputs={"inputQuantityList": [{"epcClass": kilo_link(), "quantity": 1, "uom": "KGM"}]},
        outputs={"outputQuantityList": [{"epcClass": pattern, "quantity": 10}]},
        location=_party(party),
    )
    elsewhere = _ship_epcs("urn:uuid:other-ship", [], source=party_other, destination=stranger)
    elsewhere["quantityList"] = [{"epcClass": pattern, "quantity": 3}]
    _capture(client, made, elsewhere)
    assert EventLot.objects.filter(epc=pattern).count() == 2  # kept, as identifier lines
    trace = selectors.lot_trace(lot_ids=[kilos.id])
    assert {p["id"] for p in trace["parties"]} <= {party.id, buyer.id}
    assert not [n for n in trace["nodes"] if n["type"] == "identifier"]


def test_holding_an_item_made_from_a_lot_gives_no_trace_of_the_lot(
    api, admin_user, world, party_other, enterprise_other, regulator_other
):
    party, kilos = world["party"], world["kilos"]
    _capture(
        api.as_(admin_user),
        _transform(
            "urn:uuid:make-held",
            inputs={"inputQuantityList": [{"epcClass": kilo_link(), "quantity": 1, "uom": "KGM"}]},
            outputs={"outputEPCList": [ITEM_URN]},
            location=_party(party),
        ),
        _ship_epcs("urn:uuid:to-sh", [ITEM_URN], source=party, destination=party_other),
        _receive_epcs("urn:uuid:at-sh", [ITEM_URN], source=party, destination=party_other),
    )
    url = f"/api/v1/traceability/lots/{kilos.id}/trace/"
    # the item's holder (confirmed) and its regulator: the lot is neither's
    assert api.as_(enterprise_other).get(url).status_code == 404
    assert api.as_(regulator_other).get(url).status_code == 404
    trace = selectors.lot_trace(lot_ids=[kilos.id])
    holder = next(p for p in trace["parties"] if p["id"] == party_other.id)
    assert holder["confirmed"] is True


def test_an_enterprise_sees_its_own_identifiers_and_not_those_further_away(
    api, admin_user, world, enterprise
):
    party, buyer, kilos = world["party"], world["buyer"], world["kilos"]
    stranger = PartyFactory(region="440300")
    further = "urn:epc:id:sgtin:4012345.011111.B8"
    _capture(
        api.as_(admin_user),
        _transform(
            "urn:uuid:own-make",
            inputs={"inputQuantityList": [{"epcClass": kilo_link(), "quantity": 1, "uom": "KGM"}]},
            outputs={"outputEPCList": [ITEM_URN]},
            location=_party(party),
            days=4,
        ),
        _ship_epcs("urn:uuid:own-ship", [ITEM_URN], source=party, destination=buyer, days=3),
        _transform(
            "urn:uuid:buyer-make",
            inputs={"inputEPCList": [ITEM_URN]},
            outputs={"outputEPCList": [further]},
            location=_party(buyer),
        ),
        _ship_epcs("urn:uuid:buyer-ship", [further], source=buyer, destination=stranger),
    )
    response = api.as_(enterprise).get(f"/api/v1/traceability/lots/{kilos.id}/trace/")
    assert response.status_code == 200
    trace = response.json()
    identifiers = [n for n in trace["nodes"] if n["type"] == "identifier"]
    assert sorted((n["identifier"] or "", n["key"]) for n in identifiers) == [
        ("", "identifier:~1"),
        (ITEM_LINK, f"identifier:{ITEM_LINK}"),
    ]
    body = response.content.decode()
    assert further not in body and "/21/B8" not in body


# --- units -------------------------------------------------------------------------------


def test_quantities_are_converted_into_the_lots_unit_both_ways(api, admin_user, world):
    party = world["party"]
    tonnes = LotFactory(product=world["kilos"].product, lot_code="BULK", unit="t")
    doc = docs.document(
        _object("urn:uuid:u1", quantities=[(kilo_link(), 500, "GRM")], location=_party(party)),
        _object(
            "urn:uuid:u2", quantities=[(kilo_link("BULK"), 1500, "KGM")], location=_party(party)
        ),
    )
    assert api.as_(admin_user).post(CAPTURE, doc, format="json").status_code == 201
    lines = {x.lot_id: x.quantity for x in EventLot.objects.all()}
    assert lines == {world["kilos"].id: Decimal("0.5"), tonnes.id: Decimal("1.5")}
    out = api.as_(admin_user).get(QUERY).json()["epcisBody"]["eventList"]
    assert [e["quantityList"][0]["uom"] for e in out] == ["GRM", "KGM"]  # as captured


def test_a_unit_that_cannot_be_converted_is_400_naming_the_field(api, admin_user, world):
    doc = docs.document(
        _object(
            "urn:uuid:bad", quantities=[(kilo_link(), 5, None)], location=_party(world["party"])
        ),
        _object(
            "urn:uuid:bad2",
            location=_party(world["party"]),
            quantities=[(f"urn:levee:lot:{world['pieces'].product_id}:P-7", 2, "KGM")],
        ),
    )
    response = api.as_(admin_user).post(CAPTURE, doc, format="json")
    assert response.status_code == 400
    assert {e["attr"] for e in response.json()["errors"]} == {
        "eventList.0.quantityList.0.uom",
        "eventList.1.quantityList.0.uom",
    }
    assert not Event.objects.exists()


# --- the canonical hash ------------------------------------------------------------------


def test_one_instant_written_two_ways_is_one_event(api, admin_user, world):
    event = _object(None, quantities=[(kilo_link(), 1, "KGM")], location=_party(world["party"]))
    del event["eventID"]
    event["eventTime"] = "2024-05-01T10:00:00Z"
    other = {**event, "eventTime": "2024-05-01T12:00:00+02:00"}
    first = api.as_(admin_user).post(CAPTURE, docs.document(event), format="json")
    second = api.as_(admin_user).post(CAPTURE, docs.document(other), format="json")
    assert (first.json()["created"], second.json()) == (
        1,
        {"created": 0, "existing": [0], "declared_erroneous": []},
    )
    (stored,) = Event.objects.all()
    # GS1's reference algorithm, computed here on the event alone
    assert stored.event_id == epcis.canonical_event_ids(docs.document(event), [event])[0]
    assert stored.event_id.startswith("ni:///sha-256;") and stored.event_id.endswith("?ver=CBV2.0")


def test_a_document_over_the_configured_size_is_a_413(api, admin_user, world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    events = [_object(f"urn:uuid:big-{n}", quantities=[(kilo_link(), 1, "KGM")]) for n in range(60)]
    response = api.as_(admin_user).post(
        CAPTURE, docs.document(*events), format="json", HTTP_PREFER="respond-async"
    )
    assert response.status_code == 413
    assert not Event.objects.exists()


def test_hashing_writes_no_event_into_the_logs(api, admin_user, world, caplog):
    """GS1's hash generator logs each event it hashes, whole: none of it reaches the logs."""
    event = _object(None, quantities=[(kilo_link(), 1, "KGM")], location=_party(world["party"]))
    del event["eventID"]
    caplog.set_level("DEBUG")
    response = api.as_(admin_user).post(CAPTURE, docs.document(event), format="json")
    assert response.status_code == 201
    assert [r for r in caplog.records if "hash_generator" in r.pathname] == []
    assert any(r.name == "traceability.services" for r in caplog.records)  # others still log


def test_two_different_events_without_id_are_two(api, admin_user, world):
    base = _object(None, quantities=[(kilo_link(), 1, "KGM")], location=_party(world["party"]))
    del base["eventID"]
    doc = docs.document(base, {**base, "disposition": "in_transit"})
    assert api.as_(admin_user).post(CAPTURE, doc, format="json").json()["created"] == 2


# --- errorDeclaration --------------------------------------------------------------------


def test_an_error_declaration_takes_the_event_out_of_the_trace(api, admin_user, world):
    party, buyer, kilos = world["party"], world["buyer"], world["kilos"]
    shipping = _object(
        "urn:uuid:wrong",
        quantities=[(kilo_link(), 7, "KGM")],
        location=_party(party),
        destinationList=[{"type": "owning_party", "destination": _party(buyer)}],
    )
    api.as_(admin_user).post(CAPTURE, docs.document(shipping), format="json")
    received = selectors.lot_trace(lot_ids=[kilos.id])["parties"]
    assert [(p["uscc"], p["quantity"]) for p in received] == [(buyer.uscc, 7)]
    assert [e["event_id"] for e in selectors.lot_trace(lot_ids=[kilos.id])["edges"]] == [
        "urn:uuid:wrong"
    ]

    declaration = {
        **shipping,
        "errorDeclaration": {
            "declarationTime": _time(0),
            "reason": "did_not_occur",
            "correctiveEventIDs": ["urn:uuid:right"],
        },
    }
    response = api.as_(admin_user).post(CAPTURE, docs.document(declaration), format="json")
    assert response.json() == {"created": 0, "existing": [], "declared_erroneous": [0]}

    stored = Event.objects.get()
    assert (stored.erroneous, stored.corrective_event_ids) == (True, ["urn:uuid:right"])
    assert stored.withdrawn_at is not None
    trace = selectors.lot_trace(lot_ids=[kilos.id])
    assert trace["edges"] == [] and trace["parties"] == []
    # still listed, flagged
    (listed,) = api.as_(admin_user).get(QUERY).json()["epcisBody"]["eventList"]
    assert listed["errorDeclaration"]["correctiveEventIDs"] == ["urn:uuid:right"]


# --- query -------------------------------------------------------------------------------


@pytest.fixture
def captured(api, admin_user):
    for _, document in docs.official_examples():
        response = api.as_(admin_user).post(CAPTURE, document, format="json")
        assert response.status_code == 201, response.json()
    return api.as_(admin_user)


def _ids(client, **params):
    response = client.get(QUERY, params)
    assert response.status_code == 200, response.json()
    assert_schema_valid(response.json())
    return [e.get("eventID") for e in response.json()["epcisBody"]["eventList"]]


def _at(value):
    return dt.datetime.fromisoformat(value)


def _where(predicate):
    return [e.event_id for e in Event.objects.order_by("id") if predicate(e.document)]


@pytest.mark.parametrize(
    ("params", "predicate"),
    [
        ({"eventType": "AssociationEvent"}, lambda d: d["type"] == "AssociationEvent"),
        (
            {"eventType": "AggregationEvent|TransactionEvent"},
            lambda d: d["type"] in ("AggregationEvent", "TransactionEvent"),
        ),
        ({"EQ_action": "DELETE"}, lambda d: d.get("action") == "DELETE"),
        (
            {"EQ_bizStep": "https://ref.gs1.org/cbv/BizStep-shipping"},
            lambda d: d.get("bizStep", "").endswith("shipping") and "example" not in d["bizStep"],
        ),
        (
            {"EQ_disposition": "in_transit"},
            lambda d: d.get("disposition", "").endswith("in_transit"),
        ),
        (
            {"EQ_readPoint": "urn:epc:id:sgln:6901234.00002.0"},
            lambda d: d.get("readPoint", {}).get("id") == "urn:epc:id:sgln:6901234.00002.0",
        ),
        (
            {"EQ_bizLocation": "urn:epc:id:sgln:6909876.00777.0"},
            lambda d: d.get("bizLocation", {}).get("id") == "urn:epc:id:sgln:6909876.00777.0",
        ),
        (
            {"MATCH_epc": "urn:epc:id:sgtin:6901234.107346.2017"},
            lambda d: (
                "urn:epc:id:sgtin:6901234.107346.2017"
                in d.get("epcList", []) + d.get("childEPCs", [])
            ),
        ),
        (
            {"MATCH_epc": "urn:epc:idpat:sgtin:6901234.107346.*"},
            lambda d: any(
                x.startswith("urn:epc:id:sgtin:6901234.107346.")
                for x in d.get("epcList", []) + d.get("childEPCs", [])
            ),
        ),
        (
            {"MATCH_anyEPC": "urn:epc:id:sgtin:6901234.011111.987"},
            lambda d: "urn:epc:id:sgtin:6901234.011111.987" in d.get("inputEPCList", []),
        ),
        (
            {"MATCH_parentID": "urn:epc:id:sscc:6901234.1234567890"},
            lambda d: d.get("parentID") == "urn:epc:id:sscc:6901234.1234567890",
        ),
        (
            {"MATCH_inputEPC": "urn:epc:id:sgtin:6901234.107346.2021"},
            lambda d: "urn:epc:id:sgtin:6901234.107346.2021" in d.get("inputEPCList", []),
        ),
        (
            {"MATCH_outputEPC": "urn:epc:id:sgtin:6901234.033333.AGHFG"},
            lambda d: "urn:epc:id:sgtin:6901234.033333.AGHFG" in d.get("outputEPCList", []),
        ),
        (
            {"MATCH_epcClass": "urn:epc:class:lgtin:6901234.012345.998877"},
            lambda d: any(
                q["epcClass"] == "urn:epc:class:lgtin:6901234.012345.998877"
                for q in d.get("quantityList", []) + d.get("childQuantityList", [])
            ),
        ),
        (
            {"MATCH_anyEPCClass": "urn:epc:class:lgtin:6901234.055555.ZZ9"},
            lambda d: any(
                q["epcClass"] == "urn:epc:class:lgtin:6901234.055555.ZZ9"
                for q in d.get("outputQuantityList", [])
            ),
        ),
        (
            {"GE_eventTime": "2023-10-01T00:00:00+08:00"},
            lambda d: _at(d["eventTime"]) >= _at("2023-10-01T00:00:00+08:00"),
        ),
        (
            {"LT_eventTime": "2023-04-04T00:00:00Z"},
            lambda d: _at(d["eventTime"]) < _at("2023-04-04T00:00:00Z"),
        ),
        (
            {"EQ_eventID": "urn:uuid:7a1c0000-0000-4000-8000-000000000003"},
            lambda d: d.get("eventID") == "urn:uuid:7a1c0000-0000-4000-8000-000000000003",
        ),
    ],
)
def test_each_query_parameter_selects_what_it_names(captured, params, predicate):
    expected = _where(predicate)
    assert expected, "the fixture documents must hold a match"
    assert _ids(captured, **params) == expected


def test_record_time_bounds(captured):
    later = (timezone.now() + dt.timedelta(minutes=1)).isoformat()
    assert _ids(captured, GE_recordTime=later) == []
    assert len(_ids(captured, GE_recordTime=_time(1), perPage="500")) == Event.objects.count()


def test_an_unknown_parameter_is_400(captured):
    response = captured.get(QUERY, {"EQ_bizstep": "shipping"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "EQ_bizstep"
    assert captured.get(QUERY, {"GE_eventTime": "yesterday"}).status_code == 400
    assert captured.get(QUERY, {"perPage": "0"}).status_code == 400
    assert captured.get(QUERY, {"nextPageToken": "!!"}).status_code == 400


def test_pages_follow_the_next_page_token(captured):
    seen, params = [], {"perPage": "7"}
    while True:
        response = captured.get(QUERY, params)
        page = response.json()["epcisBody"]["eventList"]
        assert len(page) <= 7
        seen += [e["eventID"] for e in page]
        link = response.headers.get("Link")
        if not link:
            break
        token = link.split("nextPageToken=")[1].split(">")[0].split("&")[0]
        params = {"perPage": "7", "nextPageToken": token}
    assert seen == list(Event.objects.order_by("id").values_list("event_id", flat=True))


def _next(response):
    """The next page's URL and its token, as the Link header gives them."""
    link = response.headers.get("Link")
    if not link:
        return None, None
    url, rel = link.split(";", 1)
    assert rel.strip() == 'rel="next"'
    url = url.strip().removeprefix("<").removesuffix(">")
    assert response.headers["GS1-Next-Page-Token-Expires"]
    return url, parse_qs(urlsplit(url).query)["nextPageToken"][0]


def test_a_page_token_is_tamper_safe_and_bound_to_its_query(captured, monkeypatch):
    first = captured.get(QUERY, {"perPage": "2"})
    url, token = _next(first)
    assert url.startswith("http://testserver/api/v1/traceability/epcis/events/?")
    assert "nextPageToken=" + token in url  # unescaped: a client may copy it from the link
    assert captured.get(url).status_code == 200
    edited = token[:-1] + ("A" if token[-1] != "A" else "B")
    for params in (
        {"perPage": "2", "nextPageToken": edited},
        {"perPage": "2", "nextPageToken": "MTA"},  # base64 of an id, as tokens once were
        {"perPage": "2", "nextPageToken": token, "EQ_bizStep": "shipping"},  # another query
    ):
        response = captured.get(QUERY, params)
        assert response.status_code == 400, params
        assert response.json()["errors"][0]["attr"] == "nextPageToken"
    monkeypatch.setattr(selectors, "EPCIS_PAGE_TOKEN_MAX_AGE", -1)
    assert captured.get(QUERY, {"perPage": "2", "nextPageToken": token}).status_code == 400


@pytest.mark.django_db(transaction=True)
def test_pages_hold_to_the_events_committed_when_the_first_page_was_asked(api, admin_user):
    """A writer that took an id before another one commits after it: id paging alone would
    skip its event while giving later ones; the pages give what the first one saw."""
    party = PartyFactory()
    lot = LotFactory(product=ProductFactory(producer=party))
    first = make_event(EventKind.COMMISSION, party, lots=[(lot, 1)])
    held, release, late = threading.Event(), threading.Event(), {}

    def writer():
        try:
            with transaction.atomic():
                late["event"] = make_event(EventKind.COMMISSION, party, lots=[(lot, 2)])
                held.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    assert held.wait(10)
    second = make_event(EventKind.COMMISSION, party, lots=[(lot, 3)])
    assert late["event"].pk < second.pk
    another = make_event(EventKind.COMMISSION, party, lots=[(lot, 3)])
    client = api.as_(admin_user)
    seen, url = [], None

    def read_page():
        response = client.get(url) if url else client.get(QUERY, {"perPage": "1"})
        assert response.status_code == 200, response.json()
        seen.extend(e["eventID"] for e in response.json()["epcisBody"]["eventList"])
        return _next(response)[0]

    url = read_page()
    url = read_page()  # past `second`, while the held writer's event is not committed yet
    release.set()
    thread.join()
    third = make_event(EventKind.COMMISSION, party, lots=[(lot, 4)])
    while url:
        url = read_page()
    assert seen == [epcis.event_uri(e.event_id) for e in (first, second, another)]
    fresh = client.get(QUERY).json()["epcisBody"]["eventList"]
    everything = (first, late["event"], second, another, third)
    assert [e["eventID"] for e in fresh] == [epcis.event_uri(e.event_id) for e in everything]


def test_events_recorded_natively_come_back_valid_and_recapture_as_the_same(api, enterprise, world):
    party, buyer = world["party"], world["buyer"]
    client = api.as_(enterprise)
    created = client.post(
        "/api/v1/traceability/events/",
        {
            "event_id": "ship-1",
            "kind": "ship",
            "occurred_at": "2024-05-01T10:00:00-06:00",
            "party": party.id,
            "destination": buyer.id,
            "lots": [{"lot": world["kilos"].id, "quantity": 3}],
        },
        format="json",
    )
    assert created.status_code == 201
    client.post(
        "/api/v1/traceability/events/",
        {
            "event_id": "make-1",
            "kind": "transform",
            "occurred_at": _time(),
            "party": party.id,
            "inputs": [{"lot": world["kilos"].id, "quantity": 1}],
            "outputs": [{"lot": world["pieces"].id, "quantity": 4}],
        },
        format="json",
    )
    doc = client.get(QUERY).json()
    assert_schema_valid(doc)
    ship, make = doc["epcisBody"]["eventList"]
    assert ship["eventID"] == "urn:levee:event:ship-1"
    assert ship["eventTime"] == "2024-05-02T00:00:00+08:00"
    assert (ship["type"], ship["action"], ship["bizStep"]) == ("ObjectEvent", "OBSERVE", "shipping")
    assert ship["quantityList"] == [{"epcClass": kilo_link(), "quantity": 3.0, "uom": "KGM"}]
    assert ship["destinationList"][0]["destination"] == _party(buyer)
    assert make["type"] == "TransformationEvent" and "bizStep" not in make
    shipped = _ids(client, EQ_bizStep="shipping", MATCH_epcClass=kilo_link())
    assert shipped == ["urn:levee:event:ship-1"]
    again = client.post(CAPTURE, doc, format="json")
    assert again.status_code == 201 and again.json()["existing"] == [0, 1]


def test_another_enterprise_sees_none_of_these_events(api, enterprise_other, captured):
    assert api.as_(enterprise_other).get(QUERY).json()["epcisBody"]["eventList"] == []


def test_impossible_times_and_overlong_identifiers_are_400(api, admin_user):
    doc = docs.object_shipping()
    event = doc["epcisBody"]["eventList"][0]
    event["eventTime"] = "2023-13-45T10:00:00Z"
    event["epcList"] = ["urn:epc:id:sgtin:" + "1" * 300]
    response = api.as_(admin_user).post(CAPTURE, doc, format="json")
    assert response.status_code == 400
    assert {e["attr"] for e in response.json()["errors"]} == {
        "eventList.0.eventTime",
        "eventList.0.epcList.0",
    }
