"""An enterprise opens a voluntary recall (主动召回) of its own products (DESIGN.md §7): a
draft that it fills in and a regulator of its region takes through the plan and approval;
another's product is refused, and an ordered recall's plan is not the enterprise's."""

import pytest

from recalls.models import Recall
from tests.factories import LotFactory, ProductFactory

from .factories import make_recall, plan

RECALLS = "/api/v1/recalls/"


def body(producer, lots, **fields):
    data = {k: str(v) if hasattr(v, "isoformat") else v for k, v in plan(**fields).items()}
    return {**data, "producer": producer.pk, "lots": [lot.pk for lot in lots]}


@pytest.fixture
def own_lot(party):
    return LotFactory(product=ProductFactory(producer=party), lot_code="OWN-1")


@pytest.fixture
def other_lot(party_other):
    return LotFactory(product=ProductFactory(producer=party_other), lot_code="THEIRS-1")


@pytest.mark.django_db
def test_an_enterprise_opens_a_voluntary_recall_that_its_regulator_approves(
    api, enterprise, regulator, party, own_lot
):
    created = api.as_(enterprise).post(RECALLS, body(party, [own_lot]), format="json")

    assert created.status_code == 201, created.content
    recall = created.json()
    assert (recall["kind"], recall["state"], recall["producer"]) == ("voluntary", "draft", party.pk)
    assert "approve" not in recall["allowed_actions"]
    edited = api.as_(enterprise).patch(
        f"{RECALLS}{recall['id']}/", {"remedy": "refund"}, format="json"
    )
    assert edited.status_code == 200 and edited.json()["remedy"] == "refund"

    regulator_client = api.as_(regulator)
    for action in ("submit_plan", "approve", "announce"):
        response = regulator_client.post(f"{RECALLS}{recall['id']}/{action}/")
        assert response.status_code == 200, (action, response.content)
    assert Recall.objects.get(pk=recall["id"]).state == "announced"
    assert api.as_(enterprise).post(f"{RECALLS}{recall['id']}/approve/").status_code == 403


@pytest.mark.django_db
def test_a_recall_of_anothers_product_is_refused(
    api, enterprise, party, party_other, own_lot, other_lot
):
    client = api.as_(enterprise)
    anothers = client.post(RECALLS, body(party_other, [other_lot]), format="json")
    assert anothers.status_code == 400
    assert anothers.json()["errors"][0]["attr"] == "producer"
    mixed = client.post(RECALLS, body(party, [own_lot, other_lot]), format="json")
    assert mixed.status_code == 400
    assert "THEIRS-1" not in mixed.content.decode()  # another's lot is not named
    ordered = client.post(RECALLS, body(party, [own_lot], kind="ordered"), format="json")
    assert ordered.status_code == 403
    assert Recall.objects.count() == 0


@pytest.mark.django_db
def test_an_enterprise_does_not_edit_an_ordered_draft_or_anothers(
    api, enterprise, enterprise_other, admin_user, party, own_lot
):
    ordered = make_recall(party, actor=admin_user, lots=[own_lot], kind="ordered")
    url = f"{RECALLS}{ordered.pk}/"
    assert api.as_(enterprise).patch(url, {"remedy": "refund"}, format="json").status_code == 403
    assert (
        api.as_(enterprise_other).patch(url, {"remedy": "refund"}, format="json").status_code == 404
    )
    voluntary = make_recall(party, actor=admin_user, lots=[own_lot])
    to_ordered = api.as_(enterprise).patch(
        f"{RECALLS}{voluntary.pk}/", {"kind": "ordered"}, format="json"
    )
    assert to_ordered.status_code == 403
    assert Recall.objects.get(pk=voluntary.pk).kind == "voluntary"
