import pytest

from sampling.models import Task
from tests.conftest import errors_of

from .factories import TaskFactory

URL = "/api/v1/sampling/tasks/"


def task_body(**overrides):
    body = {
        "code": "bj-2025-kettle",
        "title": "2025 电热水壶 监督抽查",
        "level": "provincial",
        "region": "110000",
        "category": "electric_kettle",
        "mode": "standard",
        "lab": "lab-bj",
        "starts_on": "2025-03-01",
        "ends_on": "2025-12-31",
        "standard": "GB 4706.19-2008",
    }
    body.update(overrides)
    return body


@pytest.mark.django_db
def test_a_regulator_creates_a_task_for_their_region(api, regulator, lab):
    response = api.as_(regulator).post(URL, task_body(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["lab"] == "lab-bj"
    assert body["emergency"] is False
    assert body["created_by"] == "regulator_bj"
    assert Task.objects.get(code="bj-2025-kettle").level == "provincial"


@pytest.mark.django_db
def test_a_regulator_cannot_create_a_task_for_another_region(api, regulator_other, lab):
    response = api.as_(regulator_other).post(URL, task_body(), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "region"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides, attr",
    [
        ({"lab": "no-such-lab"}, "lab"),
        ({"level": "village"}, "level"),
        ({"mode": "telepathy"}, "mode"),
        ({"category": "Bad Category"}, "category"),
        ({"ends_on": "2025-01-01"}, "ends_on"),
        ({"region": "99"}, "region"),
        ({"report_working_days": 0}, "report_working_days"),
    ],
)
def test_bad_task_input_is_a_400(api, regulator, lab, overrides, attr):
    response = api.as_(regulator).post(URL, task_body(**overrides), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == attr


@pytest.mark.django_db
def test_a_duplicate_task_code_is_a_400(api, regulator, lab):
    client = api.as_(regulator)
    assert client.post(URL, task_body(), format="json").status_code == 201
    response = client.post(URL, task_body(), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "code"


@pytest.mark.django_db
def test_only_regulators_create_tasks(api, inspector, lab_user, enterprise, lab):
    for user in (inspector, lab_user, enterprise):
        assert api.as_(user).post(URL, task_body(), format="json").status_code == 403


@pytest.mark.django_db
def test_tasks_are_scoped_by_region_and_lab(
    api, regulator, regulator_other, inspector, lab_user, lab_user_other, enterprise, lab
):
    task = TaskFactory(lab=lab)
    for user in (regulator, inspector, lab_user):
        assert [t["id"] for t in api.as_(user).get(URL).json()["results"]] == [task.id]
    for user in (regulator_other, lab_user_other):
        assert api.as_(user).get(URL).json()["results"] == []
        assert api.as_(user).get(f"{URL}{task.id}/").status_code == 404
    assert errors_of(api.as_(enterprise).get(URL)) == ["permission_denied"]
