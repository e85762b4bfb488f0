import threading

import pytest
from django.db import connection

from core.choices import AlertKind, AlertStatus
from core.models import Alert, StateHistory
from core.services import alert_raise
from tests.conftest import CHAOYANG, PUDONG, errors_of


def raise_alert(region=CHAOYANG, key="sample:1:receive"):
    return alert_raise(
        kind=AlertKind.DEADLINE_OVERDUE,
        dedup_key=key,
        message="Sample not received in time",
        region=region,
    )


@pytest.mark.django_db
def test_the_same_condition_never_raises_two_unresolved_alerts(regulator):
    first = raise_alert()
    assert first is not None
    assert raise_alert() is None
    assert Alert.objects.filter(dedup_key="sample:1:receive").count() == 1
    first.status = AlertStatus.RESOLVED
    first.save()
    assert raise_alert() is not None  # the condition came back after it was resolved


@pytest.mark.django_db
def test_a_regulator_sees_alerts_of_their_region_only(api, regulator, regulator_other):
    mine = raise_alert(CHAOYANG, "a")
    theirs = raise_alert(PUDONG, "b")
    listed = api.as_(regulator).get("/api/v1/alerts/").json()["results"]
    assert [a["id"] for a in listed] == [mine.id]
    assert api.as_(regulator).get(f"/api/v1/alerts/{theirs.id}/").status_code == 404
    assert api.as_(regulator_other).get(f"/api/v1/alerts/{mine.id}/").status_code == 404


@pytest.mark.django_db
def test_roles_without_alert_access_see_nothing(api, inspector, lab_user, enterprise, sentinel):
    raise_alert()
    for user in (inspector, lab_user, enterprise, sentinel):
        assert api.as_(user).get("/api/v1/alerts/").status_code == 403


@pytest.mark.django_db
def test_acknowledge_then_resolve_records_history(api, regulator):
    alert = raise_alert()
    client = api.as_(regulator)
    assert (
        client.post(f"/api/v1/alerts/{alert.id}/acknowledge/", {"note": "on it"}).status_code == 200
    )
    assert client.post(f"/api/v1/alerts/{alert.id}/resolve/", {}).status_code == 200
    history = client.get(f"/api/v1/alerts/{alert.id}/history/").json()
    assert [(h["action"], h["from_state"], h["to_state"]) for h in history] == [
        ("raise", None, "open"),
        ("acknowledge", "open", "acknowledged"),
        ("resolve", "acknowledged", "resolved"),
    ]
    assert history[1]["actor"] == "regulator_bj"
    assert history[1]["payload"] == {"note": "on it"}
    assert {"at", "actor", "action", "from_state", "to_state", "payload"} <= set(history[0])


@pytest.mark.django_db
def test_a_disallowed_transition_is_409_with_state_and_allowed_actions(api, regulator):
    alert = raise_alert()
    client = api.as_(regulator)
    client.post(f"/api/v1/alerts/{alert.id}/resolve/", {})
    response = client.post(f"/api/v1/alerts/{alert.id}/acknowledge/", {})
    assert response.status_code == 409
    body = response.json()
    assert body["state"] == "resolved"
    assert body["allowed_actions"] == []
    assert errors_of(response) == ["transition_not_allowed"]
    assert "“已解决”" in body["errors"][0]["detail"]  # the state's label, in Chinese


@pytest.mark.django_db
def test_history_is_append_only(regulator):
    alert = raise_alert()
    entry = StateHistory.objects.for_object(alert).get()
    entry.action = "tampered"
    with pytest.raises(Exception, match="只能追加"):
        entry.save()
    with pytest.raises(Exception, match="只能追加"):
        entry.delete()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_transitions_never_both_succeed(api, regulator):
    alert = raise_alert()
    barrier = threading.Barrier(2)
    statuses = []

    def resolve():
        client = api.as_(regulator)
        barrier.wait()
        try:
            statuses.append(client.post(f"/api/v1/alerts/{alert.id}/resolve/", {}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=resolve) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 409]
    assert StateHistory.objects.for_object(alert).filter(action="resolve").count() == 1
