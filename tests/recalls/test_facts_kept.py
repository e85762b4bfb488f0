"""A recall counts against the units affected as its plan was submitted, and a recall
with its reports and history is never deleted (DESIGN.md §5.2)."""

import pytest

from core.models import StateHistory
from recalls import services
from recalls.models import Recall, RecallProgress
from tests.conftest import errors_of
from tests.factories import ProductFactory
from traceability.services import lot_correct

pytestmark = pytest.mark.django_db

URL = "/api/v1/recalls/"
PUBLIC = "/api/v1/public/recalls/"
LOTS = "/api/v1/traceability/lots/"


def _figures(api, user, recall):
    shown = api.as_(user).get(f"{URL}{recall.id}/").json()
    public = api.as_(None).get(PUBLIC).json()["results"]
    listed = next(r for r in public if r["id"] == recall.id)
    return shown["units_affected"], shown["completion_rate"], listed["units_affected"]


def test_a_patch_of_a_recalled_lots_quantity_changes_no_figure(api, regulator, party, recall_of):
    recall = recall_of(party, state="in_progress", quantity=1000)
    lot = recall.lots.get()
    before = _figures(api, regulator, recall)
    assert before == ("1000.000", 0.1, "1000.000")
    response = api.as_(regulator).patch(f"{LOTS}{lot.id}/", {"quantity": "10"}, format="json")
    assert response.status_code == 409
    assert errors_of(response) == ["lot_facts_recorded"]
    assert _figures(api, regulator, recall) == before


def test_a_correction_after_submission_leaves_units_affected_as_submitted(
    api, regulator, party, recall_of
):
    recall = recall_of(party, state="in_progress", quantity=1000)
    lot = recall.lots.get()
    response = api.as_(regulator).post(
        f"{LOTS}{lot.id}/correct/",
        {"quantity": "10", "reason": "Typo in the lot size"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert _figures(api, regulator, recall) == ("1000.000", 0.1, "1000.000")


def test_a_draft_follows_its_lots_until_the_plan_is_submitted(admin_user, party, recall_of):
    recall = recall_of(party, state="draft", quantity=1000)
    lot = recall.lots.get()
    lot_correct(lot=lot, actor=admin_user, reason="recount", quantity=800)
    recall = services.recall_transition(recall=recall, action="submit_plan", actor=admin_user)
    assert Recall.objects.get(pk=recall.pk).units_affected == 800
    lot_correct(lot=lot, actor=admin_user, reason="recount again", quantity=700)
    assert Recall.objects.get(pk=recall.pk).units_affected == 800
    services.recall_transition(
        recall=recall, action="return_plan", actor=admin_user, payload={"reason": "redo"}
    )
    assert Recall.objects.get(pk=recall.pk).units_affected == 700


def test_a_recalled_lot_does_not_move_to_another_producer(
    api, admin_user, party, party_other, recall_of
):
    recall = recall_of(party, state="announced")
    lot = recall.lots.get()
    elsewhere = ProductFactory(producer=party_other)
    client = api.as_(admin_user)
    response = client.patch(f"{LOTS}{lot.id}/", {"product": elsewhere.id}, format="json")
    assert response.status_code == 409
    response = client.post(
        f"{LOTS}{lot.id}/correct/",
        {"product": elsewhere.id, "reason": "wrong maker"},
        format="json",
    )
    assert response.status_code == 409
    assert errors_of(response) == ["lot_in_recall"]
    assert recall.lots.get().product.producer_id == party.id


def test_the_admin_deletes_no_recall_and_keeps_its_reports_and_history(
    client, admin_user, party, recall_of
):
    recall = recall_of(party, state="in_progress")
    history = StateHistory.objects.for_object(recall).count()
    client.force_login(admin_user)
    url = f"/admin/recalls/recall/{recall.pk}/delete/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    changelist = client.get("/admin/recalls/recall/").content.decode()
    assert "delete_selected" not in changelist
    client.post(
        "/admin/recalls/recall/",
        {"action": "delete_selected", "_selected_action": [recall.pk], "post": "yes"},
    )
    assert Recall.objects.filter(pk=recall.pk).exists()
    assert RecallProgress.objects.filter(recall=recall).count() == 1
    assert StateHistory.objects.for_object(recall).count() == history


def test_the_api_deletes_no_recall_or_progress_report(api, admin_user, party, recall_of):
    recall = recall_of(party, state="in_progress")
    client = api.as_(admin_user)
    assert client.delete(f"{URL}{recall.id}/").status_code == 405
    report = RecallProgress.objects.get(recall=recall)
    assert client.delete(f"{URL}{recall.id}/progress/{report.id}/").status_code in (404, 405)
    assert RecallProgress.objects.filter(pk=report.pk).exists()
