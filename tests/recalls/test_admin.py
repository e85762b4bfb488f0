import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from recalls.models import Recall

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/recalls/recall/"


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_changelist_filters_and_searches(admin_client, party, party_other, recall_of):
    mine = recall_of(party, state="plan_submitted")
    other = recall_of(party_other, state="draft")
    page = admin_client.get(CHANGELIST)
    assert page.status_code == 200
    html = page.content.decode()
    for param in ("state__exact", "kind__exact", "risk_level__exact", "category"):
        assert f"?{param}=" in html
    assert "producer__id__exact=" in html
    filtered = admin_client.get(CHANGELIST, {"state__exact": "plan_submitted"}).content.decode()
    assert mine.recall_no in filtered and other.recall_no not in filtered
    found = admin_client.get(CHANGELIST, {"q": other.lots.get().lot_code}).content.decode()
    assert other.recall_no in found and mine.recall_no not in found


def test_admin_actions_run_the_same_transitions_and_messages(admin_client, party, recall_of):
    submitted = recall_of(party, state="plan_submitted")
    draft = recall_of(party, state="draft")
    response = admin_client.post(
        CHANGELIST,
        {"action": "approve", "_selected_action": [submitted.pk, draft.pk]},
        follow=True,
        headers={"Accept-Language": "en"},
    )
    messages = _messages(response)
    assert Recall.objects.get(pk=submitted.pk).state == "approved"
    assert Recall.objects.get(pk=draft.pk).state == "draft"
    assert f"Recall {submitted.recall_no}: Approve done; now Approved." in messages
    refused = f"Recall {draft.recall_no} is in state “Draft”: “Approve” is not allowed"
    assert any(refused in m for m in messages), messages


def test_admin_submit_plan_reports_what_is_missing(admin_client, party):
    from recalls.services import recall_open_draft

    recall = recall_open_draft(producer=party, hazard="Sharp")
    response = admin_client.post(
        CHANGELIST, {"action": "submit_plan", "_selected_action": [recall.pk]}, follow=True
    )
    assert any("召回计划不完整，缺少：lots" in m for m in _messages(response))


def test_admin_terminate_asks_for_a_reason_and_a_confirmation(admin_client, party, recall_of):
    recall = recall_of(party, state="approved")
    form = admin_client.post(CHANGELIST, {"action": "terminate", "_selected_action": [recall.pk]})
    assert form.status_code == 200 and "理由" in form.content.decode()
    assert b'name="confirm"' in form.content
    assert Recall.objects.get(pk=recall.pk).state == "approved"
    body = {
        "action": "terminate",
        "_selected_action": [recall.pk],
        "transition_form": "1",
        "reason": "Order withdrawn",
    }
    unconfirmed = admin_client.post(CHANGELIST, body)
    assert unconfirmed.status_code == 200  # the form again
    assert Recall.objects.get(pk=recall.pk).state == "approved"
    admin_client.post(CHANGELIST, {**body, "confirm": "on"})
    recall.refresh_from_db()
    assert recall.state == "terminated" and recall.termination_reason == "Order withdrawn"


def test_the_change_page_shows_parties_history_and_action_buttons(admin_client, party, recall_of):
    recall = recall_of(party, state="approved")
    page = admin_client.get(f"{CHANGELIST}{recall.pk}/change/").content.decode()
    assert 'class="affected-parties"' in page or "尚无这些批次下游主体的记录" in page
    assert 'class="state-history"' in page and "提交召回计划" in page
    assert 'id="transition-announce"' in page and 'id="transition-terminate"' in page
    response = admin_client.post(f"{CHANGELIST}{recall.pk}/transition/announce/", follow=True)
    assert Recall.objects.get(pk=recall.pk).state == "announced"
    assert f"召回 {recall.recall_no}：发布公告已完成，当前状态：已公告。" in _messages(response)


def test_progress_is_added_inline_with_the_api_rules(admin_client, party, recall_of):
    recall = recall_of(party, state="announced", quantity=100)
    url = f"{CHANGELIST}{recall.pk}/change/"
    prefix = "progress_reports"
    base = {
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        "objection-TOTAL_FORMS": "0",
        "objection-INITIAL_FORMS": "0",
        "objection-MIN_NUM_FORMS": "0",
        "objection-MAX_NUM_FORMS": "1",
        f"{prefix}-0-period_end": timezone.localdate().isoformat(),
        f"{prefix}-0-repaired": "0",
        f"{prefix}-0-replaced": "0",
        f"{prefix}-0-refunded": "0",
        f"{prefix}-0-note": "",
    }
    too_many = admin_client.post(url, {**base, f"{prefix}-0-recovered": "150"})
    assert too_many.status_code == 200  # the form again, with the error
    assert "已收回累计将达 150，超过涉及数量 100。" in too_many.content.decode()
    admin_client.post(url, {**base, f"{prefix}-0-recovered": "40"})
    recall.refresh_from_db()
    assert recall.state == "in_progress" and recall.recovered == 40


def test_the_plan_of_a_submitted_recall_is_read_only_in_the_admin(admin_client, party, recall_of):
    recall = recall_of(party, state="plan_submitted")
    page = admin_client.get(f"{CHANGELIST}{recall.pk}/change/").content.decode()
    assert 'name="hazard"' not in page


def test_admins_add_a_recall_in_the_admin(admin_client, party):
    from tests.factories import LotFactory, ProductFactory

    lot = LotFactory(product=ProductFactory(producer=party, category="toy"), quantity=50)
    response = admin_client.post(
        f"{CHANGELIST}add/",
        {
            "kind": "voluntary",
            "producer": party.pk,
            "lots": str(lot.pk),
            "hazard": "Small parts",
            "sale_regions": "[]",
            "progress_reports-TOTAL_FORMS": "0",
            "progress_reports-INITIAL_FORMS": "0",
            "objection-TOTAL_FORMS": "0",
            "objection-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    recall = Recall.objects.get()
    assert recall.recall_no.startswith("RC") and recall.category == "toy"
    assert recall.units_affected == 50 and recall.created_by.username == "admin"
