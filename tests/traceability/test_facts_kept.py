"""Facts are never rewritten (DESIGN.md §5.2): lots named by an event change only by a
correction with a reason, events are retracted rather than deleted, and nothing of the
record is deleted through the API or the admin."""

import pytest

from core.models import StateHistory
from tests.conftest import errors_of
from tests.factories import LotFactory, ProductFactory
from traceability.models import Event, EventLot, Lot

from .factories import make_event, receive, ship

pytestmark = pytest.mark.django_db

LOTS = "/api/v1/traceability/lots/"
EVENTS = "/api/v1/traceability/events/"


@pytest.fixture
def shipped(party, party_other):
    lot = LotFactory(product=ProductFactory(producer=party), lot_code="K-1", quantity=1000)
    return {"lot": lot, "ship": ship(lot, 400, party, party_other)}


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize(
    "change", [{"quantity": "10"}, {"unit": "kg"}, {"product": "other"}], ids=lambda c: str(c)
)
def test_patching_the_facts_of_a_lot_named_by_an_event_is_409(
    api, enterprise, party, shipped, change
):
    lot = shipped["lot"]
    if change.get("product") == "other":
        change = {"product": ProductFactory(producer=party).id}
    response = api.as_(enterprise).patch(f"{LOTS}{lot.id}/", change, format="json")
    assert response.status_code == 409
    assert errors_of(response) == ["lot_facts_recorded"]
    assert f"lots/{lot.id}/correct/" in response.json()["errors"][0]["detail"]
    stored = Lot.objects.get(pk=lot.pk)
    assert (stored.product_id, stored.quantity, stored.unit) == (lot.product_id, 1000, "pcs")


def test_a_lot_no_event_names_is_still_patched_freely(api, enterprise, party):
    lot = LotFactory(product=ProductFactory(producer=party), quantity=5)
    response = api.as_(enterprise).patch(f"{LOTS}{lot.id}/", {"quantity": "7"}, format="json")
    assert response.status_code == 200
    # and the code and date of a named lot are not facts of §5.2
    assert Lot.objects.get(pk=lot.pk).quantity == 7


def test_a_correction_with_a_reason_keeps_both_values_in_history(api, enterprise, shipped):
    lot = shipped["lot"]
    client = api.as_(enterprise)
    assert (
        client.post(f"{LOTS}{lot.id}/correct/", {"quantity": "900"}, format="json").status_code
        == 400
    )
    response = client.post(
        f"{LOTS}{lot.id}/correct/",
        {"quantity": "900", "unit": "box", "reason": "Counted again at the warehouse"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["quantity"] == "900.000" and response.json()["unit"] == "box"
    history = client.get(f"{LOTS}{lot.id}/history/").json()
    correction = history[-1]
    assert correction["action"] == "correct" and correction["actor"] == enterprise.username
    assert correction["payload"] == {
        "reason": "Counted again at the warehouse",
        "before": {"product": lot.product_id, "quantity": "1000.000", "unit": "pcs"},
        "after": {"product": lot.product_id, "quantity": "900.000", "unit": "box"},
    }


def test_only_the_lots_producer_or_regulator_corrects_it(
    api, enterprise_other, regulator_other, shipped
):
    lot = shipped["lot"]
    body = {"quantity": "1", "reason": "mine now"}
    for user in (enterprise_other, regulator_other):
        response = api.as_(user).post(f"{LOTS}{lot.id}/correct/", body, format="json")
        assert response.status_code == 404
    assert Lot.objects.get(pk=lot.pk).quantity == 1000


def test_a_retracted_event_stays_listed_flagged_and_leaves_the_trace(
    api, enterprise, regulator, party, party_other, shipped
):
    lot, event = shipped["lot"], shipped["ship"]
    receive(lot, 400, party, party_other)
    client = api.as_(enterprise)
    assert client.post(f"{EVENTS}{event.id}/retract/", {}, format="json").status_code == 400
    response = client.post(
        f"{EVENTS}{event.id}/retract/", {"reason": "Shipped to the wrong party"}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["withdrawn_at"] and body["withdrawal_reason"] == "Shipped to the wrong party"
    listed = {e["event_id"]: e for e in client.get(EVENTS).json()["results"]}
    assert listed[event.event_id]["withdrawn_at"] == body["withdrawn_at"]

    trace = api.as_(regulator).get(f"{LOTS}{lot.id}/trace/").json()
    assert event.event_id not in {e["event_id"] for e in trace["edges"]}
    # the receipt lost its matching shipment: it is a one-sided claim now
    assert [e["confirmed"] for e in trace["edges"] if e["kind"] == "receive"] == [False]

    again = client.post(f"{EVENTS}{event.id}/retract/", {"reason": "twice"}, format="json")
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "already_withdrawn"
    history = client.get(f"{EVENTS}{event.id}/history/").json()
    assert [(h["action"], h["to_state"]) for h in history] == [("retract", "withdrawn")]
    assert EventLot.objects.filter(event=event).count() == 1


def test_a_retracted_transformation_is_not_followed(api, regulator, party):
    flour = LotFactory(product=ProductFactory(producer=party), lot_code="F")
    bread = LotFactory(product=ProductFactory(producer=party), lot_code="B")
    made = make_event("transform", party, inputs=[(flour, 1)], outputs=[(bread, 2)])
    client = api.as_(regulator)
    codes = {n.get("lot_code") for n in client.get(f"{LOTS}{flour.id}/trace/").json()["nodes"]}
    assert "B" in codes
    assert (
        client.post(
            f"{EVENTS}{made.id}/retract/", {"reason": "never baked"}, format="json"
        ).status_code
        == 200
    )
    codes = {n.get("lot_code") for n in client.get(f"{LOTS}{flour.id}/trace/").json()["nodes"]}
    assert "B" not in codes


def test_only_the_events_party_or_its_regulator_retracts_it(
    api, enterprise_other, regulator_other, party_other, shipped
):
    event = shipped["ship"]
    # the receiving enterprise sees the shipment (it is its destination) but did not assert it
    response = api.as_(enterprise_other).post(
        f"{EVENTS}{event.id}/retract/", {"reason": "not mine"}, format="json"
    )
    assert response.status_code == 403
    response = api.as_(regulator_other).post(
        f"{EVENTS}{event.id}/retract/", {"reason": "not mine"}, format="json"
    )
    assert response.status_code == 404
    assert Event.objects.get(pk=event.pk).withdrawn_at is None


@pytest.mark.parametrize("path", ["events/{event}/", "lots/{lot}/"])
def test_the_api_deletes_no_event_or_lot(api, admin_user, shipped, path):
    url = "/api/v1/traceability/" + path.format(event=shipped["ship"].id, lot=shipped["lot"].id)
    assert api.as_(admin_user).delete(url).status_code == 405
    assert Event.objects.filter(pk=shipped["ship"].pk).exists()
    assert Lot.objects.filter(pk=shipped["lot"].pk).exists()


@pytest.mark.parametrize("model", ["event", "lot"])
def test_the_admin_deletes_no_event_or_lot(admin_client, shipped, model):
    obj = shipped["ship"] if model == "event" else shipped["lot"]
    changelist = f"/admin/traceability/{model}/"
    assert admin_client.get(f"{changelist}{obj.pk}/delete/").status_code == 403
    assert admin_client.post(f"{changelist}{obj.pk}/delete/", {"post": "yes"}).status_code == 403
    assert "delete_selected" not in admin_client.get(changelist).content.decode()
    response = admin_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
    )
    assert response.status_code in (200, 302)
    assert type(obj).objects.filter(pk=obj.pk).exists()
    assert EventLot.objects.filter(event=shipped["ship"]).count() == 1


def test_the_admin_keeps_a_named_lots_facts_read_only(admin_client, shipped):
    lot = shipped["lot"]
    page = admin_client.get(f"/admin/traceability/lot/{lot.pk}/change/").content.decode()
    assert 'name="quantity"' not in page and 'name="lot_code"' in page
    other = LotFactory(product=lot.product, lot_code="free")
    page = admin_client.get(f"/admin/traceability/lot/{other.pk}/change/").content.decode()
    assert 'name="quantity"' in page


def test_the_admin_shows_events_read_only(admin_client, shipped):
    event = shipped["ship"]
    page = admin_client.get(f"/admin/traceability/event/{event.pk}/change/")
    assert page.status_code == 200
    assert 'name="occurred_at"' not in page.content.decode()
    response = admin_client.post(
        f"/admin/traceability/event/{event.pk}/change/", {"event_id": "rewritten"}
    )
    assert response.status_code == 403
    assert Event.objects.get(pk=event.pk).event_id == event.event_id
    assert not StateHistory.objects.filter(object_id=event.pk, action="retract").exists()
