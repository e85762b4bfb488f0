import csv
import io

import openpyxl
import pytest
from django.utils import timezone

from recalls import services
from tests.conftest import SHANGHAI
from tests.factories import LotFactory, PartyFactory, ProductFactory
from tests.traceability.factories import ship, transform
from traceability.choices import PartyKind

pytestmark = pytest.mark.django_db

URL = "/api/v1/recalls/"
PUBLIC = "/api/v1/public/recalls/"


@pytest.fixture
def chain(party):
    """The producer ships kettle lot K to a distributor, which ships to two retailers in
    another province; a refurbisher turns part of K into lot R, sold on to a shop."""
    distributor = PartyFactory(kind=PartyKind.DISTRIBUTOR, name="Distributor", region="110108")
    retail_a = PartyFactory(kind=PartyKind.RETAILER, name="Retail A", region=SHANGHAI)
    retail_b = PartyFactory(kind=PartyKind.RETAILER, name="Retail B", region="320100")
    refurbisher = PartyFactory(kind=PartyKind.OTHER, name="Refurbisher", region="310115")
    shop = PartyFactory(kind=PartyKind.RETAILER, name="Shop", region="310115")
    kettle = LotFactory(product=ProductFactory(producer=party), lot_code="K1", quantity=1000)
    refurbished = LotFactory(product=ProductFactory(producer=refurbisher), lot_code="R1")
    ship(kettle, 800, party, distributor, days_ago=20)
    ship(kettle, 300, distributor, retail_a, days_ago=15)
    ship(kettle, 200, distributor, retail_b, days_ago=15)
    ship(kettle, 100, distributor, refurbisher, days_ago=14)
    transform(refurbisher, inputs=[(kettle, 100)], outputs=[(refurbished, 90)], days_ago=12)
    ship(refurbished, 90, refurbisher, shop, days_ago=10)
    return {"kettle": kettle}


EXPECTED = {
    "Distributor": 800,
    "Retail A": 300,
    "Retail B": 200,
    "Refurbisher": 100,
    "Shop": 90,
}


def test_affected_parties_follow_the_chain_through_every_tier(
    api, regulator, enterprise, party, chain, recall_of
):
    recall = recall_of(party, lots=[chain["kettle"]])
    assert recall.units_affected == 1000
    for user in (regulator, enterprise):
        rows = api.as_(user).get(f"{URL}{recall.id}/affected-parties/").json()
        assert {r["name"]: r["quantity"] for r in rows} == EXPECTED
        assert rows[0]["name"] == "Distributor"  # largest first
        assert {"id", "uscc", "name", "kind", "region", "quantity"} == set(rows[0])


def test_affected_parties_export_as_csv_and_xlsx(api, regulator, party, chain, recall_of):
    recall = recall_of(party, lots=[chain["kettle"]])
    client = api.as_(regulator)
    response = client.get(f"{URL}{recall.id}/affected-parties/?format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["name"]: float(r["quantity_received"]) for r in rows} == EXPECTED
    assert recall.recall_no in response["Content-Disposition"]

    response = client.get(f"{URL}{recall.id}/affected-parties/?format=xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "party_id" and len(values) == 1 + len(EXPECTED)


def test_regulators_and_enterprises_see_only_their_recalls(
    api, regulator, regulator_other, enterprise, enterprise_other, party, party_other, recall_of
):
    mine = recall_of(party)
    theirs = recall_of(party_other)
    for user, visible, hidden in [
        (regulator, mine, theirs),
        (enterprise, mine, theirs),
        (regulator_other, theirs, mine),
        (enterprise_other, theirs, mine),
    ]:
        client = api.as_(user)
        assert [r["id"] for r in client.get(URL).json()["results"]] == [visible.id]
        for suffix in ("", "history/", "progress/", "affected-parties/"):
            assert client.get(f"{URL}{hidden.id}/{suffix}").status_code == 404
    assert api.as_(regulator_other).post(f"{URL}{mine.id}/submit_plan/").status_code == 404
    assert (
        api.as_(regulator_other).patch(f"{URL}{mine.id}/", {"hazard": "x"}, format="json")
    ).status_code == 404


def test_enterprises_may_not_create_ordered_recalls_or_move_recalls(
    api, enterprise, party, recall_of
):
    recall = recall_of(party, kind="ordered")
    client = api.as_(enterprise)
    # Voluntary recalls of its own products: tests/recalls/test_voluntary.py.
    body = {"producer": party.id, "kind": "ordered"}
    assert client.post(URL, body, format="json").status_code == 403
    assert client.patch(f"{URL}{recall.id}/", {"hazard": "x"}, format="json").status_code == 403
    for action in ("submit_plan", "approve", "announce", "complete", "close", "terminate"):
        assert client.post(f"{URL}{recall.id}/{action}/").status_code == 403


def test_other_roles_see_no_recalls(api, inspector, lab_user, sentinel, party, recall_of):
    recall = recall_of(party)
    for user in (inspector, lab_user, sentinel):
        assert api.as_(user).get(URL).status_code == 403
        assert api.as_(user).get(f"{URL}{recall.id}/").status_code == 403
    assert api.as_(None).get(URL).status_code == 401


def test_the_public_list_shows_announced_recalls_and_what_consumers_need(
    api, party, recall_of, admin_user
):
    draft = recall_of(party, state="draft")
    approved = recall_of(party, state="approved")
    announced = recall_of(party, state="announced")
    in_progress = recall_of(party, state="in_progress")
    withdrawn = recall_of(party, state="plan_submitted")
    services.recall_transition(
        recall=withdrawn, action="terminate", actor=admin_user, payload={"reason": "x"}
    )
    response = api.as_(None).get(PUBLIC)
    assert response.status_code == 200
    results = response.json()["results"]
    assert {r["id"] for r in results} == {announced.id, in_progress.id}
    notice = next(r for r in results if r["id"] == announced.id)
    assert notice["products"] == [
        {"name": announced.lots.get().product.name, "brand": "Acme", "model": "KT-1", "gtin": None}
    ]
    assert notice["lots"][0]["lot_code"] == announced.lots.get().lot_code
    assert notice["hazard"] and notice["remedy"] == "replace" and notice["consumer_contact"]
    assert notice["producer"] == party.name and notice["announced_at"]
    internal = {
        "risk_level",
        "source_type",
        "source_id",
        "created_by",
        "recovered",
        "completion_rate",
        "allowed_actions",
        "termination_reason",
        "summary",
        "objection",
        "producer_uscc",
    }
    assert not internal & set(notice)
    for hidden in (draft, approved, withdrawn):
        assert api.as_(None).get(f"{PUBLIC}{hidden.id}/").status_code == 404
    assert api.as_(None).get(f"{PUBLIC}{announced.id}/").status_code == 200


def test_the_public_list_filters_by_category_and_date(api, party, recall_of):
    kettles = recall_of(party, state="announced")
    toy = LotFactory(product=ProductFactory(producer=party, category="toy"))
    toys = recall_of(party, state="announced", lots=[toy])
    client = api.as_(None)
    assert [r["id"] for r in client.get(f"{PUBLIC}?category=toy").json()["results"]] == [toys.id]
    today = timezone.localdate().isoformat()
    ids = {r["id"] for r in client.get(f"{PUBLIC}?announced_after={today}").json()["results"]}
    assert ids == {kettles.id, toys.id}
    assert client.get(f"{PUBLIC}?announced_before=2000-01-01").json()["results"] == []
    assert client.get(f"{PUBLIC}?announced_after=garbage").status_code == 400


def test_the_public_list_ignores_a_bad_token(api, party, recall_of):
    recall_of(party, state="announced")
    client = api.as_(None)
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert client.get(PUBLIC).status_code == 200


def test_an_ordered_recall_can_be_objected_to_and_reviewed(
    api, enterprise, regulator, party, recall_of
):
    recall = recall_of(party, kind="ordered")
    response = api.as_(enterprise).post(
        f"{URL}{recall.id}/objection/", {"reason": "The defect is misuse."}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["outcome"] == "pending" and response.json()["window_ends_at"]
    again = api.as_(enterprise).post(f"{URL}{recall.id}/objection/", {"reason": "x"}, format="json")
    assert again.status_code == 409
    review = api.as_(regulator).post(
        f"{URL}{recall.id}/objection/review/",
        {"outcome": "upheld", "notes": "Lab confirmed misuse."},
        format="json",
    )
    assert review.status_code == 200 and review.json()["reviewed_by"] == "regulator_bj"
    shown = api.as_(regulator).get(f"{URL}{recall.id}/").json()
    assert shown["state"] == "terminated" and shown["objection"]["outcome"] == "upheld"
    assert (
        api.as_(regulator)
        .post(f"{URL}{recall.id}/objection/review/", {"outcome": "rejected"}, format="json")
        .status_code
        == 409
    )


def test_objections_only_for_ordered_recalls_and_within_the_window(
    api, enterprise, party, recall_of
):
    from recalls.models import Recall

    voluntary = recall_of(party, kind="voluntary")
    client = api.as_(enterprise)
    body = {"reason": "No."}
    assert client.post(f"{URL}{voluntary.id}/objection/", body, format="json").status_code == 400
    late = recall_of(party, kind="ordered")
    Recall.objects.filter(pk=late.pk).update(
        created_at=timezone.now() - timezone.timedelta(days=40)
    )
    response = client.post(f"{URL}{late.id}/objection/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "objection_window_closed"
