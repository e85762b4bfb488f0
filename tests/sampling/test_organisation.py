"""How spot checks are organised (DESIGN.md §6.1): the task tree and its allocation, where a
sample belongs, the hand-over to the producer's region and the no-repeat rule of art. 15."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from core.choices import Role
from core.models import Alert
from sampling import services
from sampling.models import Sample, Task
from tests.conftest import errors_of
from tests.factories import PartyFactory, UserFactory

from .conftest import FAIL_ITEMS, advance, pass_objection_window, sample_body
from .factories import TaskFactory

TASKS = "/api/v1/sampling/tasks/"
SAMPLES = "/api/v1/sampling/samples/"
_serial = itertools.count(1)


@pytest.fixture
def samr(db):
    return UserFactory(username="samr", role=Role.REGULATOR, region="000000")


@pytest.fixture
def regulator_cy(db):
    return UserFactory(username="regulator_cy", role=Role.REGULATOR, region="110105")


@pytest.fixture
def regulator_hd(db):
    return UserFactory(username="regulator_hd", role=Role.REGULATOR, region="110108")


@pytest.fixture
def national(lab, lab_other):
    return TaskFactory(
        code="samr-2026-kettle", level="national", region="000000", lab=lab, quota=None
    )


def allocate(client, task, entries, **headers):
    return client.post(f"{TASKS}{task.pk}/allocate/", entries, format="json", **headers)


def file(api, user, task, producer, retailer, **overrides):
    overrides.setdefault("model", f"N-{next(_serial)}")
    body = sample_body(task, producer, retailer, **overrides)
    return api.as_(user).post(SAMPLES, body, format="json")


def allocated(api, samr, national):
    response = allocate(
        api.as_(samr),
        national,
        [
            {"region": "110000", "quota": 3, "lab": "lab-bj"},
            {"region": "310000", "quota": 2, "lab": "lab-sh"},
        ],
    )
    assert response.status_code == 201, response.json()
    return Task.objects.get(parent=national, region="110000"), Task.objects.get(
        parent=national, region="310000"
    )


# --- 1. The task tree and its allocation ---------------------------------------------------


@pytest.mark.django_db
def test_samr_creates_a_national_task_and_allocates_it_to_provinces(api, samr, lab, lab_other):
    client = api.as_(samr)
    body = {
        "code": "samr-2026-kettle",
        "title": "2026 国家电热水壶监督抽查",
        "level": "national",
        "region": "000000",
        "category": "electric_kettle",
        "mode": "standard",
        "lab": "lab-bj",
        "starts_on": str(timezone.localdate() - dt.timedelta(days=10)),
        "ends_on": str(timezone.localdate() + dt.timedelta(days=80)),
        "standard": "GB 4706.19-2008",
        "quota": 10,
    }
    response = client.post(TASKS, body, format="json")
    assert response.status_code == 201, response.json()
    national = Task.objects.get(code="samr-2026-kettle")
    entries = [
        {"region": "110000", "quota": 6, "lab": "lab-bj"},
        {"region": "310000", "quota": 4, "lab": "lab-sh"},
    ]
    response = allocate(client, national, entries, HTTP_IDEMPOTENCY_KEY="alloc-1")
    assert response.status_code == 201, response.json()
    again = allocate(client, national, entries, HTTP_IDEMPOTENCY_KEY="alloc-1")
    assert again.status_code == 201 and again.json() == response.json()
    children = Task.objects.filter(parent=national).order_by("region")
    assert [(c.region, c.level, c.quota, c.lab.code) for c in children] == [
        ("110000", "provincial", 6, "lab-bj"),
        ("310000", "provincial", 4, "lab-sh"),
    ]
    for child in children:
        assert (child.category, child.mode, child.starts_on, child.ends_on, child.standard) == (
            national.category,
            national.mode,
            national.starts_on,
            national.ends_on,
            national.standard,
        )
    tree = response.json()["children"]
    assert [(n["code"], n["quota"], n["samples_taken"]) for n in tree] == [
        ("samr-2026-kettle-110000", 6, 0),
        ("samr-2026-kettle-310000", 4, 0),
    ]
    listed = client.get(TASKS, {"parent": national.pk}).json()["results"]
    assert sorted(t["region"] for t in listed) == ["110000", "310000"]
    assert [t["code"] for t in client.get(TASKS, {"level": "national"}).json()["results"]] == [
        "samr-2026-kettle"
    ]
    assert [t["code"] for t in client.get(TASKS, {"region": "31"}).json()["results"]] == [
        "samr-2026-kettle-310000"
    ]
    history = client.get(f"{TASKS}{national.pk}/history/").json()
    assert [h["action"] for h in history] == ["create", "allocate"]


@pytest.mark.django_db
def test_the_province_allocates_further_and_counts_roll_up(
    api, samr, national, regulator, inspector, party, retailer, lab
):
    beijing, _ = allocated(api, samr, national)
    response = allocate(api.as_(regulator), beijing, [{"region": "110105", "quota": 2}])
    assert response.status_code == 201, response.json()
    chaoyang = Task.objects.get(parent=beijing)
    assert (chaoyang.level, chaoyang.lab, chaoyang.code) == (
        "county",
        beijing.lab,
        "samr-2026-kettle-110000-110105",
    )
    assert file(api, inspector, chaoyang, party, retailer).status_code == 201
    assert file(api, inspector, beijing, party, retailer).status_code == 201
    assert file(api, inspector, national, party, retailer).status_code == 201
    voided = file(api, inspector, chaoyang, party, retailer).json()["id"]
    services.sample_void(sample=Sample.objects.get(pk=voided), actor=inspector, reason="twice")
    detail = api.as_(samr).get(f"{TASKS}{national.pk}/").json()
    assert (detail["samples_taken"], detail["samples_taken_total"]) == (1, 3)
    bj_node = next(n for n in detail["children"] if n["region"] == "110000")
    assert (bj_node["samples_taken"], bj_node["samples_taken_total"]) == (1, 2)
    assert [(n["region"], n["quota"], n["samples_taken"]) for n in bj_node["children"]] == [
        ("110105", 2, 1)
    ]
    listed = {t["code"]: t for t in api.as_(regulator).get(TASKS).json()["results"]}
    assert listed[chaoyang.code]["samples_taken_total"] == 1
    # A regulator of another province sees the national task but not Beijing's share of it.
    other = UserFactory(username="reg_sh", role=Role.REGULATOR, region="310000")
    shown = api.as_(other).get(f"{TASKS}{national.pk}/").json()
    assert [n["region"] for n in shown["children"]] == ["310000"]
    assert api.as_(other).get(f"{TASKS}{beijing.pk}/").status_code == 404


@pytest.mark.django_db
def test_allocation_refusals(
    api, samr, national, regulator, regulator_cy, inspector, party, retailer
):
    beijing, _ = allocated(api, samr, national)
    client = api.as_(regulator)
    response = allocate(client, beijing, [{"region": "310115", "quota": 1}])
    assert response.status_code == 400 and errors_of(response) == ["region_outside_task"]
    response = allocate(client, beijing, [{"region": "110000", "quota": 1}])
    assert errors_of(response) == ["region_outside_task"]
    response = allocate(
        client, beijing, [{"region": "110105", "quota": 1}, {"region": "110100", "quota": 1}]
    )
    assert response.status_code == 400 and errors_of(response) == ["region_allocated_twice"]
    assert allocate(client, beijing, [{"region": "110105", "quota": 1}]).status_code == 201
    response = allocate(client, beijing, [{"region": "110105", "quota": 1}])
    assert response.status_code == 400 and errors_of(response) == ["region_allocated_twice"]
    assert "samr-2026-kettle-110000-110105" in response.json()["errors"][0]["detail"]
    # Samples already taken in a region under the task count against its quota.
    for _ in range(2):
        assert file(api, inspector, beijing, party, retailer).status_code == 201
    sample_in_haidian = PartyFactory(region="110108", kind="retailer")
    assert file(api, inspector, beijing, party, sample_in_haidian).status_code == 201
    response = allocate(client, beijing, [{"region": "110108", "quota": 0}])
    assert response.status_code == 400
    # Beijing's own quota is 3: its shares may not add up to more.
    response = allocate(client, beijing, [{"region": "110108", "quota": 3}])
    assert response.status_code == 400 and errors_of(response) == ["quota_exceeded"]
    # Not an organiser of the task.
    assert (
        allocate(api.as_(regulator_cy), beijing, [{"region": "110105", "quota": 1}]).status_code
        == 403
    )
    assert allocate(client, beijing, {}).status_code == 400
    assert allocate(client, beijing, [{"region": "99", "quota": 1}]).status_code == 400


@pytest.mark.django_db
def test_a_quota_below_the_samples_already_taken_is_refused(
    api, samr, national, inspector, party, retailer
):
    for _ in range(2):
        assert file(api, inspector, national, party, retailer).status_code == 201
    response = allocate(api.as_(samr), national, [{"region": "110000", "quota": 1}])
    assert response.status_code == 400 and errors_of(response) == ["quota_below_taken"]
    assert allocate(api.as_(samr), national, [{"region": "110000", "quota": 2}]).status_code == 201


@pytest.mark.django_db
def test_only_a_national_task_covers_the_nation(api, samr, regulator, lab):
    base = {
        "title": "t",
        "category": "electric_kettle",
        "lab": "lab-bj",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
    }
    bad = [
        ({"code": "a", "level": "national", "region": "110000"}, samr),
        ({"code": "b", "level": "provincial", "region": "000000"}, samr),
        ({"code": "c", "level": "national", "region": "000000"}, regulator),
    ]
    for extra, user in bad:
        response = api.as_(user).post(TASKS, {**base, **extra}, format="json")
        assert response.status_code == 400, (extra, response.json())
        assert response.json()["errors"][0]["attr"] == "region"


# --- 2. Where a sample belongs ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_district_inspector_files_under_a_provincial_and_a_national_task(
    api, national, inspector, inspector_other, party, retailer, lab
):
    # Toys: the national kettle task would bar a provincial kettle task (art. 15).
    provincial = TaskFactory(
        code="bj-2026-toy", level="provincial", region="110000", lab=lab, category="toy"
    )
    for task in (provincial, national):
        response = file(api, inspector, task, party, retailer)
        assert response.status_code == 201, response.json()
        assert response.json()["region"] == "110105"
        assert response.json()["task_region"] == task.region
    # Pudong's inspector may file under the national task, not under Beijing's.
    shop = PartyFactory(region="310115", kind="retailer")
    assert file(api, inspector_other, national, party, shop).status_code == 201
    response = file(api, inspector_other, provincial, party, shop)
    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "task"


@pytest.mark.django_db
def test_the_sample_region_is_the_sampled_partys(api, inspector, task, party, lab):
    haidian_shop = PartyFactory(region="110108", kind="retailer")
    beijing = TaskFactory(code="bj-prov", level="provincial", region="110000", lab=lab)
    response = file(api, inspector, beijing, party, haidian_shop)
    sample = Sample.objects.get(pk=response.json()["id"])
    assert (sample.region, sample.handling_region) == ("110108", party.region)
    listed = api.as_(inspector).get(SAMPLES, {"region": "110108"}).json()["results"]
    assert [s["id"] for s in listed] == [sample.pk]


@pytest.fixture
def cross_case(api, samr, national, inspector, party_other, retailer):
    """A sample of Beijing's share of the national task, taken at a Chaoyang shop, of a
    product made in Pudong (Shanghai): its result is Shanghai's to handle."""
    beijing, _ = allocated(api, samr, national)
    response = file(api, inspector, beijing, party_other, retailer)
    assert response.status_code == 201, response.json()
    return Sample.objects.get(pk=response.json()["id"])


@pytest.mark.django_db
def test_who_sees_a_sample_of_a_national_task(
    api,
    cross_case,
    samr,
    regulator,
    regulator_cy,
    regulator_hd,
    regulator_other,
    inspector,
    inspector_other,
    lab_user,
    lab_user_other,
    enterprise_other,
    enterprise,
    retailer,
):
    sample = cross_case
    shop_user = UserFactory(
        username="shop", role=Role.ENTERPRISE, region="", party_uscc=retailer.uscc
    )
    seeing = {
        "the sampling region's regulator": regulator_cy,
        "its inspector": inspector,
        "the organiser of the provincial share": regulator,
        "the organiser of the national task": samr,
        "the assigned lab": lab_user,
        "the producer": enterprise_other,
        "the sampled party": shop_user,
    }
    blind = {
        "another district": regulator_hd,
        "the handling region, before the hand-over": regulator_other,
        "an inspector elsewhere": inspector_other,
        "another lab": lab_user_other,
        "an enterprise not concerned": enterprise,
    }
    for who, user in seeing.items():
        assert api.as_(user).get(f"{SAMPLES}{sample.pk}/").status_code == 200, who
        assert sample.pk in [s["id"] for s in api.as_(user).get(SAMPLES).json()["results"]], who
    for who, user in blind.items():
        assert api.as_(user).get(f"{SAMPLES}{sample.pk}/").status_code == 404, who
        assert api.as_(user).get(SAMPLES).json()["results"] == [], who


# --- 3. The hand-over (移送) -------------------------------------------------------------------


def _post(client, sample, action, body=None):
    return client.post(f"{SAMPLES}{sample.pk}/{action}/", body or {}, format="json")


@pytest.mark.django_db
def test_a_nonconforming_result_is_handed_over_to_the_producers_province(
    api, cross_case, regulator, regulator_other, inspector_other, lab_user
):
    sample = cross_case
    assert sample.handling_region == "310115"
    lab = api.as_(lab_user)
    assert _post(lab, sample, "receive").status_code == 200
    body = {"items": FAIL_ITEMS, "conclusion": "nonconforming"}
    assert _post(lab, sample, "record_results", body).status_code == 200
    assert _post(lab, sample, "issue_report", {"report_no": "R-1"}).status_code == 200
    assert api.as_(regulator_other).get(f"{SAMPLES}{sample.pk}/").status_code == 404

    response = _post(api.as_(regulator), sample, "notify")
    assert response.status_code == 200, response.json()
    assert response.json()["handed_over_at"] is not None
    history = api.as_(regulator).get(f"{SAMPLES}{sample.pk}/history/").json()
    assert [(h["action"], h["to_state"]) for h in history][-2:] == [
        ("notify", "reported"),
        ("hand_over", "reported"),
    ]
    assert history[-1]["payload"] == {"from_region": "110000", "to_region": "310115"}
    alert = Alert.objects.get(kind="case_handed_over")
    assert (alert.region, alert.dedup_key) == ("310115", f"case_handed_over:sample:{sample.pk}")
    assert [a["id"] for a in api.as_(regulator_other).get("/api/v1/alerts/").json()["results"]] == [
        alert.pk
    ]

    # Shanghai's regulators and inspectors see it now; the result is theirs to dispose of.
    assert api.as_(regulator_other).get(f"{SAMPLES}{sample.pk}/").status_code == 200
    assert api.as_(inspector_other).get(f"{SAMPLES}{sample.pk}/").status_code == 200
    pass_objection_window(sample)
    measures = {"measures": [{"measure": "rectify"}]}
    refused = _post(api.as_(regulator), sample, "dispose", measures)
    assert refused.status_code == 403, refused.json()
    assert "310115" in refused.json()["errors"][0]["detail"]
    response = _post(api.as_(regulator_other), sample, "dispose", measures)
    assert response.status_code == 200, response.json()
    assert response.json()["disposition"]["decided_by"] == "regulator_sh"
    assert _post(api.as_(regulator), sample, "close").status_code == 403
    assert _post(api.as_(regulator_other), sample, "close").status_code == 200


@pytest.mark.django_db
def test_the_organiser_changes_the_handling_region_before_notify(
    api, cross_case, regulator, regulator_cy, regulator_other
):
    sample = cross_case
    body = {"handling_region": "110105", "reason": "生产者已迁至朝阳"}
    assert _post(api.as_(regulator_cy), sample, "set_handling_region", body).status_code == 403
    response = _post(api.as_(regulator), sample, "set_handling_region", body)
    assert response.status_code == 200, response.json()
    assert (response.json()["handling_region"], response.json()["state"]) == ("110105", "sampled")
    assert (
        _post(
            api.as_(regulator), sample, "set_handling_region", {"handling_region": "9"}
        ).status_code
        == 400
    )
    sample = advance(Sample.objects.get(pk=sample.pk), "reported")
    assert sample.handed_over_at is not None
    assert Alert.objects.get(kind="case_handed_over").region == "110105"
    response = _post(api.as_(regulator), sample, "set_handling_region", body)
    assert response.status_code == 409
    assert response.json()["state"] == "reported"


@pytest.mark.django_db
def test_no_hand_over_for_a_conforming_result(cross_case):
    assert advance(cross_case, "reported", conclusion="conforming").handed_over_at is None
    assert not Alert.objects.filter(kind="case_handed_over").exists()


@pytest.mark.django_db
def test_no_hand_over_when_the_task_is_the_producers_regions(make_sample):
    local = make_sample("reported")  # a Chaoyang task, a Chaoyang producer
    assert (local.handling_region, local.handed_over_at) == (local.task.region, None)
    assert not Alert.objects.filter(kind="case_handed_over").exists()


# --- 4. No repeated checks (art. 15) ---------------------------------------------------------


@pytest.mark.django_db
def test_a_lower_task_may_not_check_what_a_running_higher_task_covers(
    api, national, inspector, party, retailer, lab
):
    district = TaskFactory(code="cy-2026-kettle", level="county", region="110105", lab=lab)
    response = file(api, inspector, district, party, retailer)
    assert response.status_code == 400, response.json()
    assert errors_of(response) == ["covered_by_higher_task"]
    assert response.json()["higher_task"] == national.code
    assert national.code in response.json()["errors"][0]["detail"]
    # Exempt: emergency tasks; not concerned: another category, another period, the tasks
    # allocated from the higher task itself.
    emergency = TaskFactory(code="cy-em", level="county", region="110105", lab=lab, emergency=True)
    assert file(api, inspector, emergency, party, retailer).status_code == 201
    toys = TaskFactory(code="cy-toys", level="county", region="110105", lab=lab, category="toy")
    assert file(api, inspector, toys, party, retailer).status_code == 201
    # Once the higher task's period is over, the lower level checks again.
    today = timezone.localdate()
    Task.objects.filter(pk=national.pk).update(
        starts_on=today - dt.timedelta(days=100), ends_on=today - dt.timedelta(days=20)
    )
    assert file(api, inspector, district, party, retailer).status_code == 201
    share = TaskFactory(code="share", level="provincial", region="110000", lab=lab, parent=national)
    assert file(api, inspector, share, party, retailer).status_code == 201


@pytest.mark.django_db
def test_a_follow_up_check_is_exempt_from_art_15(api, inspector, party, retailer, lab, task):
    first = file(api, inspector, task, party, retailer, model="F-1")
    earlier = advance(Sample.objects.get(pk=first.json()["id"]), "disposed")
    TaskFactory(code="bj-prov-kettle", level="provincial", region="110000", lab=lab)
    assert file(api, inspector, task, party, retailer).status_code == 400
    response = file(api, inspector, task, party, retailer, model="F-1", follow_up_of=earlier.pk)
    assert response.status_code == 201, response.json()
