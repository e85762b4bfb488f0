import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import LotFactory, PartyFactory, ProductFactory
from traceability.models import Event, EventLot

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/traceability/events/"
BULK = "/api/v1/traceability/events/bulk/"


def _when(days=1):
    return (timezone.now() - dt.timedelta(days=days)).isoformat()


@pytest.fixture
def lot(party):
    return LotFactory(product=ProductFactory(producer=party))


@pytest.fixture
def buyer(db):
    return PartyFactory(region="310115", kind="retailer")


def _ship(lot, source, destination, event_id="e-1", quantity=10):
    return {
        "event_id": event_id,
        "kind": "ship",
        "occurred_at": _when(),
        "party": source.id,
        "destination": destination.id,
        "lots": [{"lot": lot.id, "quantity": quantity}],
    }


def _attrs(response):
    return {e["attr"] for e in response.json()["errors"]}


def test_enterprise_records_its_own_shipment_and_a_resend_is_a_noop(
    api, enterprise, party, lot, buyer
):
    client = api.as_(enterprise)
    first = client.post(EVENTS, _ship(lot, party, buyer), format="json")
    assert first.status_code == 201, first.json()
    assert first.json()["source"] == party.id and first.json()["lots"][0]["lot"] == lot.id
    again = client.post(EVENTS, {**_ship(lot, party, buyer), "lots": []}, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Event.objects.count() == 1 and EventLot.objects.count() == 1


def test_a_party_may_be_named_by_uscc(api, enterprise, party, lot, buyer):
    body = {**_ship(lot, party, buyer), "party": party.uscc, "destination": buyer.uscc}
    assert api.as_(enterprise).post(EVENTS, body, format="json").status_code == 201


@pytest.mark.parametrize(
    ("change", "attr"),
    [
        ({"destination": None}, "destination"),
        ({"kind": "teleport"}, "kind"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"lots": [{"lot": 1, "quantity": -5}]}, "lots.0.quantity"),
        ({"lots": [{"lot": 1, "quantity": "1.0001"}]}, "lots.0.quantity"),
        ({"lots": [{"lot": "x", "quantity": 1}]}, "lots.0.lot"),
        ({"lots": []}, "lots"),
        ({"lots": [{"lot": 999999, "quantity": 1}]}, "lots"),
        ({"destination": 999999}, "destination"),
        ({"event_id": ""}, "event_id"),
        ({"party": None}, "party"),
        ({"inputs": [{"lot": 1, "quantity": 1}]}, "inputs"),
    ],
)
def test_invalid_events_are_400_naming_the_field(api, admin_user, party, lot, buyer, change, attr):
    body = {**_ship(lot, party, buyer), **change}
    response = api.as_(admin_user).post(EVENTS, body, format="json")
    assert response.status_code == 400, response.content
    assert attr in _attrs(response)
    assert not Event.objects.exists()


def test_a_future_event_is_400(api, admin_user, party, lot, buyer):
    body = {**_ship(lot, party, buyer), "occurred_at": _when(-2)}
    response = api.as_(admin_user).post(EVENTS, body, format="json")
    assert response.status_code == 400 and _attrs(response) == {"occurred_at"}


def test_a_shipment_to_itself_is_400(api, admin_user, party, lot):
    response = api.as_(admin_user).post(EVENTS, _ship(lot, party, party), format="json")
    assert response.status_code == 400 and "destination" in _attrs(response)


def test_a_transformation_needs_inputs_and_outputs(api, admin_user, party, lot):
    body = {
        "event_id": "t-1",
        "kind": "transform",
        "occurred_at": _when(),
        "party": party.id,
        "inputs": [{"lot": lot.id, "quantity": 5}],
    }
    response = api.as_(admin_user).post(EVENTS, body, format="json")
    assert response.status_code == 400 and "inputs" in _attrs(response)
    output = LotFactory(product=lot.product)
    body["outputs"] = [{"lot": output.id, "quantity": 2}]
    assert api.as_(admin_user).post(EVENTS, body, format="json").status_code == 201


def test_enterprise_cannot_record_another_partys_events(api, enterprise, party_other, buyer):
    lot = LotFactory(product=ProductFactory(producer=party_other))
    response = api.as_(enterprise).post(EVENTS, _ship(lot, party_other, buyer), format="json")
    assert response.status_code == 400 and "party" in _attrs(response)


def test_enterprise_cannot_ship_a_lot_it_never_held(api, enterprise, party, party_other, buyer):
    foreign = LotFactory(product=ProductFactory(producer=party_other))
    response = api.as_(enterprise).post(EVENTS, _ship(foreign, party, buyer), format="json")
    assert response.status_code == 400 and "lots" in _attrs(response)


def test_regulator_records_events_only_in_their_region(
    api, regulator, regulator_other, party, lot, buyer
):
    assert (
        api.as_(regulator_other).post(EVENTS, _ship(lot, party, buyer), format="json").status_code
        == 400
    )
    assert (
        api.as_(regulator).post(EVENTS, _ship(lot, party, buyer), format="json").status_code == 201
    )


def test_inspector_and_lab_may_not_record_events(api, inspector, lab_user, party, lot, buyer):
    for user in (inspector, lab_user):
        assert (
            api.as_(user).post(EVENTS, _ship(lot, party, buyer), format="json").status_code == 403
        )


def test_events_are_listed_only_to_their_parties(
    api, enterprise, enterprise_other, party, lot, buyer
):
    api.as_(enterprise).post(EVENTS, _ship(lot, party, buyer), format="json")
    assert api.as_(enterprise).get(EVENTS).json()["count"] == 1
    assert api.as_(enterprise_other).get(EVENTS).json()["count"] == 0
    assert api.as_(enterprise).get(EVENTS, {"lot": lot.id}).json()["count"] == 1


def test_bulk_is_all_or_nothing_and_reports_every_failing_index(api, enterprise, party, lot, buyer):
    events = [_ship(lot, party, buyer, event_id=f"b-{n}") for n in range(50)]
    events[7]["lots"][0]["quantity"] = 0
    events[31]["destination"] = party.id
    events[40]["event_id"] = "b-3"
    response = api.as_(enterprise).post(BULK, {"events": events}, format="json")
    assert response.status_code == 400
    assert _attrs(response) == {
        "events.7.lots.0.quantity",
        "events.31.destination",
        "events.40.event_id",
    }
    assert not Event.objects.exists()


def test_bulk_stores_every_event_and_skips_those_already_stored(
    api, enterprise, party, lot, buyer, django_assert_max_num_queries
):
    client = api.as_(enterprise)
    events = [_ship(lot, party, buyer, event_id=f"b-{n}") for n in range(200)]
    client.post(BULK, {"events": events[:10]}, format="json")
    with django_assert_max_num_queries(20):
        response = client.post(BULK, {"events": events}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json() == {"created": 190, "existing": list(range(10))}
    assert Event.objects.count() == 200 and EventLot.objects.count() == 200


def test_bulk_rejects_more_than_10000_events_and_non_lists(api, admin_user):
    client = api.as_(admin_user)
    assert client.post(BULK, {"events": [{}] * 10001}, format="json").status_code == 400
    assert client.post(BULK, {"events": "nope"}, format="json").status_code == 400
    assert client.post(BULK, {"events": [1, None]}, format="json").status_code == 400


def test_event_list_has_a_query_budget(
    api, admin_user, party, lot, buyer, django_assert_max_num_queries
):
    client = api.as_(admin_user)
    client.post(
        BULK, [_ship(lot, party, buyer, event_id=f"q-{n}") for n in range(20)], format="json"
    )
    with django_assert_max_num_queries(4):
        response = client.get(EVENTS)
    assert response.json()["count"] == 20
