import datetime as dt

import pytest
from django.utils import timezone

from core.jobs import run
from core.models import Alert
from recalls import services
from recalls.models import Recall, RecallProgress
from tests.conftest import errors_of

pytestmark = pytest.mark.django_db

URL = "/api/v1/recalls/"


def _report(client, recall, **figures):
    body = {"period_end": str(timezone.localdate()), **figures}
    return client.post(f"{URL}{recall.id}/progress/", body, format="json")


def test_cumulative_figures_and_completion_rate(api, enterprise, party, recall_of):
    recall = recall_of(party, state="announced", quantity=400)
    client = api.as_(enterprise)
    assert _report(client, recall, recovered=100, repaired=40).status_code == 201
    assert _report(client, recall, recovered=200, refunded=60).status_code == 201
    shown = client.get(f"{URL}{recall.id}/").json()
    assert (shown["recovered"], shown["repaired"], shown["refunded"]) == (
        "300.000",
        "40.000",
        "60.000",
    )
    assert shown["completion_rate"] == 0.75
    listed = client.get(f"{URL}{recall.id}/progress/").json()
    assert [r["recovered"] for r in listed] == ["100.000", "200.000"]
    assert listed[0]["reported_by"] == "enterprise_bj"


def test_progress_beyond_the_units_affected_is_400(api, enterprise, party, recall_of):
    recall = recall_of(party, state="announced", quantity=100)
    client = api.as_(enterprise)
    assert _report(client, recall, recovered=90).status_code == 201
    response = _report(client, recall, recovered=11)
    assert response.status_code == 400
    assert errors_of(response) == ["exceeds_units_affected"]
    assert response.json()["errors"][0]["attr"] == "recovered"
    assert Recall.objects.get(pk=recall.pk).recovered == 90


@pytest.mark.parametrize(
    "body",
    [
        {"recovered": -1},
        {"recovered": "lots"},
        {"period_end": "not a date"},
        {"period_end": "2999-01-01"},
        {"period_end": "2000-01-01"},  # before the announcement
        {},
    ],
)
def test_bad_progress_figures_are_400(api, enterprise, party, recall_of, body):
    recall = recall_of(party, state="announced")
    if body == {}:
        response = api.as_(enterprise).post(f"{URL}{recall.id}/progress/", {}, format="json")
    else:
        response = _report(api.as_(enterprise), recall, **body)
    assert response.status_code == 400
    assert not RecallProgress.objects.exists()


def test_progress_before_announcement_is_409(api, enterprise, party, recall_of):
    recall = recall_of(party, state="approved")
    response = _report(api.as_(enterprise), recall, recovered=1)
    assert response.status_code == 409
    assert response.json()["state"] == "approved"


def test_only_the_producers_enterprise_or_an_admin_report_progress(
    api, enterprise_other, regulator, admin_user, party, recall_of
):
    recall = recall_of(party, state="announced")
    assert _report(api.as_(regulator), recall, recovered=1).status_code == 403
    assert _report(api.as_(enterprise_other), recall, recovered=1).status_code == 404
    assert _report(api.as_(admin_user), recall, recovered=1).status_code == 201


def _announce_long_ago(recall, days):
    Recall.objects.filter(pk=recall.pk).update(
        announced_at=timezone.now() - dt.timedelta(days=days)
    )


def test_a_missed_progress_period_raises_one_alert(party, recall_of):
    recall = recall_of(party, state="announced")
    _announce_long_ago(recall, 100)  # period 1 (3 months) has ended without a report
    assert run("check_recall_progress") == {"recall_progress_overdue": 1}
    assert run("check_recall_progress") == {"recall_progress_overdue": 0}
    alert = Alert.objects.get(kind="recall_progress_overdue")
    assert alert.dedup_key == f"recall_progress_overdue:recall:{recall.pk}:period:1"
    assert alert.region == party.region and recall.recall_no in alert.message
    alert.status = "resolved"
    alert.save()
    assert run("check_recall_progress") == {"recall_progress_overdue": 0}  # once, ever


def test_each_missed_period_alerts_once_and_a_timely_report_counts(party, recall_of):
    recall = recall_of(party, state="announced")
    _announce_long_ago(recall, 200)  # periods 1 and 2 ended
    announced = Recall.objects.get(pk=recall.pk).announced_at
    report = RecallProgress.objects.create(
        recall=recall, period_end=timezone.localtime(announced).date() + dt.timedelta(days=60)
    )
    RecallProgress.objects.filter(pk=report.pk).update(created_at=announced + dt.timedelta(days=62))
    assert services.recall_check_progress() == {"recall_progress_overdue": 1}
    assert Alert.objects.get().payload["period"] == 2


def test_a_report_on_time_each_period_raises_nothing(api, enterprise, party, recall_of):
    recall = recall_of(party, state="announced")
    assert _report(api.as_(enterprise), recall, recovered=10).status_code == 201
    _announce_long_ago(recall, 0)
    assert services.recall_check_progress(now=timezone.now() + dt.timedelta(days=80)) == {
        "recall_progress_overdue": 0
    }


def test_plan_and_announcement_deadlines_alert_once_per_stage(party, recall_of, admin_user):
    draft = recall_of(party, state="draft")
    approved = recall_of(party, state="approved")
    later = timezone.now() + dt.timedelta(days=30)
    assert services.recall_sweep_deadlines(now=later) == {"recall_deadlines_overdue": 2}
    assert run("sweep_deadlines").get("recall_deadlines_overdue", 0) == 0  # not due yet today
    assert services.recall_sweep_deadlines(now=later) == {"recall_deadlines_overdue": 0}
    keys = set(Alert.objects.values_list("dedup_key", flat=True))
    assert keys == {
        f"deadline_overdue:recall:{draft.pk}:plan_submission",
        f"deadline_overdue:recall:{approved.pk}:announcement",
    }
    assert approved.announce_due_at > approved.approved_at


def test_vehicle_recalls_have_the_shorter_plan_deadline(party):
    from tests.factories import LotFactory, ProductFactory

    car = LotFactory(product=ProductFactory(producer=party, category="motor_vehicle"))
    kettle = LotFactory(product=ProductFactory(producer=party, category="electric_kettle"))
    vehicle = services.recall_open_draft(producer=party, lots=[car])
    other = services.recall_open_draft(producer=party, lots=[kettle])
    assert vehicle.plan_due_at < other.plan_due_at
