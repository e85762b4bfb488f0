"""allowed_actions tells the truth (DESIGN.md §4): an action listed is never refused for
anything but its payload, and a refused precondition is a 409 naming it."""

import pytest

from sampling.models import Sample
from tests.conftest import errors_of

from .conftest import pass_objection_window

URL = "/api/v1/sampling/samples/"


def allowed(client, sample):
    return client.get(f"{URL}{sample.pk}/").json()["allowed_actions"]


@pytest.mark.django_db
def test_after_issue_report_the_lab_is_not_offered_issue_report_again(api, make_sample, lab_user):
    sample = make_sample("tested")  # the report is issued on the way
    lab = api.as_(lab_user)
    assert "issue_report" not in allowed(lab, sample)
    response = lab.post(f"{URL}{sample.pk}/issue_report/", {"report_no": "R-9"}, format="json")
    assert response.status_code == 409
    assert errors_of(response) == ["report_already_issued"]
    assert response.json()["state"] == "tested"
    assert response.json()["allowed_actions"] == allowed(lab, sample)


@pytest.mark.django_db
def test_while_the_objection_window_is_open_dispose_and_close_are_not_offered(
    api, make_sample, regulator
):
    sample = make_sample("reported")  # non-conforming, just notified
    reg = api.as_(regulator)
    assert allowed(reg, sample) == []
    body = {"measures": [{"measure": "rectify"}]}
    response = reg.post(f"{URL}{sample.pk}/dispose/", body, format="json")
    assert response.status_code == 409
    assert errors_of(response) == ["result_not_final"]
    assert "异议期至" in response.json()["errors"][0]["detail"]
    assert (response.json()["state"], response.json()["allowed_actions"]) == ("reported", [])
    assert errors_of(reg.post(f"{URL}{sample.pk}/close/", {}, format="json")) == [
        "disposal_required"
    ]

    pass_objection_window(sample)
    assert allowed(reg, sample) == ["dispose"]
    assert reg.post(f"{URL}{sample.pk}/dispose/", body, format="json").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["sampled", "received", "tested", "reported", "disposed"])
@pytest.mark.parametrize("conclusion", ["conforming", "nonconforming"])
def test_every_listed_action_is_refused_for_its_payload_only(
    api, make_sample, state, conclusion, regulator, inspector, lab_user, enterprise
):
    sample = make_sample(state, conclusion=conclusion)
    for user in (regulator, inspector, lab_user, enterprise):
        client = api.as_(user)
        for action in allowed(client, sample):
            if action not in allowed(client, sample):  # an earlier action moved it on
                continue
            response = client.post(f"{URL}{sample.pk}/{action}/", {}, format="json")
            assert response.status_code in (200, 400), (user.role, action, response.json())
            sample = Sample.objects.get(pk=sample.pk)
            if response.status_code == 200:
                break  # the sample moved on: the other actions were listed for its old state
