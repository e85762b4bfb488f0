import pytest
from django.utils import timezone

from core.models import StateHistory
from recalls import services
from recalls.models import Recall
from tests.conftest import errors_of
from tests.factories import LotFactory, ProductFactory

from .factories import plan

pytestmark = pytest.mark.django_db

URL = "/api/v1/recalls/"


def _post(client, recall, action, data=None):
    return client.post(f"{URL}{recall.id}/{action}/", data or {}, format="json")


def test_a_regulator_takes_a_recall_through_its_whole_lifecycle(api, regulator, enterprise, party):
    client = api.as_(regulator)
    product = ProductFactory(producer=party, category="electric_kettle")
    lots = [LotFactory(product=product, quantity=600), LotFactory(product=product, quantity=400)]
    body = {**plan(), "producer": party.id, "lots": [lot.id for lot in lots]}
    body["production_from"] = body["production_from"].isoformat()
    body["production_to"] = body["production_to"].isoformat()
    created = client.post(URL, body, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["state"] == "draft" and data["recall_no"].startswith("RC")
    assert data["units_affected"] == "1000.000" and data["units_affected_given"] is False
    assert data["category"] == "electric_kettle"
    assert data["plan_due_at"]
    recall = Recall.objects.get(pk=data["id"])

    for action, state in [
        ("submit_plan", "plan_submitted"),
        ("approve", "approved"),
        ("announce", "announced"),
    ]:
        response = _post(client, recall, action)
        assert response.status_code == 200, response.json()
        assert response.json()["state"] == state

    progress = api.as_(enterprise).post(
        f"{URL}{recall.id}/progress/",
        {"period_end": str(timezone.localdate()), "recovered": 250, "replaced": 200},
        format="json",
    )
    assert progress.status_code == 201, progress.json()
    shown = client.get(f"{URL}{recall.id}/").json()
    assert shown["state"] == "in_progress"
    assert shown["recovered"] == "250.000" and shown["completion_rate"] == 0.25

    assert _post(client, recall, "complete", {"summary": "All done"}).json()["state"] == "completed"
    closed = _post(client, recall, "close").json()
    assert closed["state"] == "closed" and closed["summary"] == "All done"

    history = client.get(f"{URL}{recall.id}/history/").json()
    assert [(h["action"], h["to_state"]) for h in history] == [
        ("create", "draft"),
        ("submit_plan", "plan_submitted"),
        ("approve", "approved"),
        ("announce", "announced"),
        ("report_progress", "in_progress"),
        ("complete", "completed"),
        ("close", "closed"),
    ]
    assert history[0]["from_state"] is None and history[4]["actor"] == "enterprise_bj"


ALL_ACTIONS = ["submit_plan", "approve", "announce", "complete", "close", "terminate"]
# The actions each state allows (terminate needs a reason, given below).
ALLOWED = {
    "draft": {"submit_plan", "terminate"},
    "plan_submitted": {"approve", "terminate"},
    "approved": {"announce", "terminate"},
    "announced": {"terminate"},
    "in_progress": {"complete", "terminate"},
    "completed": {"close"},
}


@pytest.mark.parametrize("state", list(ALLOWED))
def test_every_action_not_allowed_in_a_state_is_409(api, regulator, party, recall_of, state):
    recall = recall_of(party, state=state)
    client = api.as_(regulator)
    for action in sorted(set(ALL_ACTIONS) - ALLOWED[state]):
        response = _post(client, recall, action, {"reason": "x"})
        assert response.status_code == 409, (state, action)
        body = response.json()
        assert body["state"] == state
        assert set(body["allowed_actions"]) - {"return_plan"} == ALLOWED[state]
        assert errors_of(response) == ["transition_not_allowed"]
    assert Recall.objects.get(pk=recall.pk).state == state


@pytest.mark.parametrize("state", ["closed", "terminated"])
def test_a_finished_recall_allows_nothing(api, regulator, party, recall_of, admin_user, state):
    recall = recall_of(party, state="completed")
    if state == "closed":
        services.recall_transition(recall=recall, action="close", actor=admin_user)
    else:
        recall = recall_of(party, state="approved")
        services.recall_transition(
            recall=recall, action="terminate", actor=admin_user, payload={"reason": "withdrawn"}
        )
    for action in ALL_ACTIONS:
        response = _post(api.as_(regulator), recall, action, {"reason": "x"})
        assert response.status_code == 409
        assert response.json()["allowed_actions"] == []


def test_submit_plan_refuses_an_incomplete_plan_and_names_what_is_missing(api, regulator, party):
    lot = LotFactory(product=ProductFactory(producer=party), quantity=None)
    recall = services.recall_open_draft(producer=party, lots=[lot], hazard="Overheats")
    response = _post(api.as_(regulator), recall, "submit_plan")
    assert response.status_code == 409
    body = response.json()
    assert (body["state"], body["allowed_actions"]) == ("draft", ["terminate"])
    assert errors_of(response) == ["plan_incomplete"]
    assert "defect" in body["missing"] and "units_affected" in body["missing"]
    assert "hazard" not in body["missing"]
    assert "缺少：defect" in body["errors"][0]["detail"]
    assert Recall.objects.get(pk=recall.pk).state == "draft"


def test_the_plan_is_edited_while_draft_and_frozen_after_submission(
    api, regulator, party, recall_of
):
    recall = recall_of(party, state="draft")
    client = api.as_(regulator)
    response = client.patch(f"{URL}{recall.id}/", {"units_affected": "800"}, format="json")
    assert response.status_code == 200
    assert response.json()["units_affected"] == "800.000"
    assert response.json()["units_affected_given"] is True
    _post(client, recall, "submit_plan")
    frozen = client.patch(f"{URL}{recall.id}/", {"hazard": "changed"}, format="json")
    assert frozen.status_code == 409
    assert frozen.json()["state"] == "plan_submitted"
    assert Recall.objects.get(pk=recall.pk).hazard != "changed"


def test_a_returned_plan_goes_back_to_draft_for_rework(api, regulator, party, recall_of):
    recall = recall_of(party, state="plan_submitted")
    client = api.as_(regulator)
    assert _post(client, recall, "return_plan").status_code == 400  # a reason is required
    response = _post(client, recall, "return_plan", {"reason": "Remedy unclear"})
    assert response.json()["state"] == "draft"


def test_terminate_needs_a_reason(api, regulator, party, recall_of):
    recall = recall_of(party, state="announced")
    client = api.as_(regulator)
    assert _post(client, recall, "terminate").status_code == 400
    response = _post(client, recall, "terminate", {"reason": "Defect not confirmed"})
    assert response.json()["state"] == "terminated"
    assert response.json()["termination_reason"] == "Defect not confirmed"


def test_bad_plan_input_is_400(api, regulator, party, party_other):
    client = api.as_(regulator)
    foreign_lot = LotFactory(product=ProductFactory(producer=party_other))
    cases = [
        {"producer": party.id, "lots": [foreign_lot.id]},
        {"producer": party.id, "sale_regions": ["999999"]},
        {"producer": party.id, "category": "Not A Slug"},
        {"producer": party.id, "units_affected": "-1"},
        {"producer": party.id, "production_from": "2026-05-01", "production_to": "2026-01-01"},
        {"producer": party.id, "remedy": "burn"},
        {"producer": 999999},
        {"producer": party_other.id},  # a producer outside the regulator's region
    ]
    for body in cases:
        response = client.post(URL, body, format="json")
        assert response.status_code == 400, (body, response.json())
    assert not Recall.objects.exists()


def test_create_honours_the_idempotency_key(api, regulator, party):
    client = api.as_(regulator)
    body = {"producer": party.id, "hazard": "Sharp edges"}
    first = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    other = client.post(URL, {**body, "hazard": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422
    assert Recall.objects.count() == 1


def test_open_draft_links_back_to_its_source_and_records_creation(party, lab):
    lot = LotFactory(product=ProductFactory(producer=party, category="toy"))
    recall = services.recall_open_draft(producer=party, lots=[lot], source=lab, kind="ordered")
    assert (recall.source_type, recall.source_id) == ("core.lab", str(lab.pk))
    assert recall.category == "toy" and recall.kind == "ordered"
    assert recall.plan_due_at > recall.created_at
    entry = StateHistory.objects.for_object(recall).get()
    assert entry.from_state is None and entry.payload["source"] == f"core.lab:{lab.pk}"
