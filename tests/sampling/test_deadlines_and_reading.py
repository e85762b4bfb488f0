import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from core.jobs import run
from core.models import Alert
from sampling import services
from sampling.models import Sample

from .conftest import advance
from .factories import TaskFactory

URL = "/api/v1/sampling/samples/"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.django_db
def test_the_receive_deadline_skips_the_national_day_holiday(inspector, lab, party, retailer):
    task = TaskFactory(lab=lab, starts_on=dt.date(2024, 9, 1), ends_on=dt.date(2024, 10, 31))
    sample = services.sample_create(
        actor=inspector,
        task=task,
        sampled_party=retailer,
        producer=party,
        location_kind="retail",
        quantity=2,
        backup_quantity=2,
        sampled_at=dt.datetime(2024, 9, 27, 10, 0, tzinfo=SHANGHAI),
        inspectors=["a", "b"],
        product_name="kettle",
        lot_code="L",
    )
    # Working days after Fri 27 Sep 2024: Sun 29 Sep (a make-up day), Mon 30 Sep, then the
    # holiday 1-7 Oct, then 8, 9 and 10 Oct.
    assert sample.due_stage == "receive"
    assert timezone.localtime(sample.due_at).date() == dt.date(2024, 10, 10)
    assert sample.overdue


@pytest.mark.django_db
def test_overdue_is_shown_and_filterable(api, make_sample, regulator):
    late, on_time = make_sample(), make_sample()
    Sample.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    client = api.as_(regulator)
    assert [s["id"] for s in client.get(URL, {"overdue": "true"}).json()["results"]] == [late.pk]
    assert [s["id"] for s in client.get(URL, {"overdue": "false"}).json()["results"]] == [
        on_time.pk
    ]
    detail = client.get(f"{URL}{late.pk}/").json()
    assert detail["overdue"] is True and detail["due_stage"] == "receive"


@pytest.mark.django_db
def test_the_sweep_alerts_once_per_sample_and_stage(make_sample, settings):
    sample = make_sample()
    Sample.objects.filter(pk=sample.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    call_command("run_job", "sweep_deadlines")
    call_command("run_job", "sweep_deadlines")
    alerts = Alert.objects.filter(kind="deadline_overdue")
    assert [a.dedup_key for a in alerts] == [f"deadline_overdue:sample:{sample.pk}:receive"]
    assert alerts[0].region == sample.task.region
    # Even resolved, the same stage is not alerted again.
    alerts.update(status="resolved")
    assert run("sweep_deadlines")["sample_deadlines_overdue"] == 0
    # The next stage, once late, is alerted on its own.
    sample = advance(sample, "received")
    Sample.objects.filter(pk=sample.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    assert run("sweep_deadlines")["sample_deadlines_overdue"] == 1
    assert Alert.objects.filter(dedup_key__endswith=":report").count() == 1


@pytest.mark.django_db
def test_closed_and_voided_samples_are_never_overdue(make_sample):
    sample = make_sample("closed", conclusion="conforming")
    assert sample.due_at is None
    assert run("sweep_deadlines")["sample_deadlines_overdue"] == 0


@pytest.mark.django_db
def test_list_filters(api, make_sample, regulator, party, lab):
    rapid = TaskFactory(lab=lab, mode="rapid", category="toy")
    tested = make_sample("tested")
    sampled = make_sample()
    toy = make_sample(task=rapid)
    client = api.as_(regulator)

    def ids(**params):
        return sorted(s["id"] for s in client.get(URL, params).json()["results"])

    assert ids(state="tested") == [tested.pk]
    assert ids(state=["tested", "sampled"]) == sorted([tested.pk, sampled.pk, toy.pk])
    assert ids(task=rapid.pk) == [toy.pk]
    assert ids(category="toy") == [toy.pk]
    assert ids(conclusion="nonconforming") == [tested.pk]
    assert ids(producer=party.pk) == sorted([tested.pk, sampled.pk, toy.pk])
    assert ids(producer=0) == []
    assert ids(sampled_party=tested.sampled_party_id) == sorted([tested.pk, sampled.pk, toy.pk])
    assert ids(region="110105") == sorted([tested.pk, sampled.pk, toy.pk])
    assert ids(region="310000") == []
    today = timezone.localdate().isoformat()
    assert len(ids(sampled_from=today, sampled_to=today)) in (0, 3)  # 2h ago may be yesterday
    assert ids(sampled_to="2000-01-01") == []
    assert client.get(URL, {"state": "nope"}).status_code == 400
    assert client.get(URL, {"sampled_from": "garbage"}).status_code == 400


@pytest.mark.django_db
def test_the_sample_list_has_no_n_plus_one(
    api, make_sample, regulator, django_assert_max_num_queries
):
    for _ in range(12):
        make_sample("tested")
    client = api.as_(regulator)
    with django_assert_max_num_queries(4):
        response = client.get(URL, {"page_size": 100})
    assert len(response.json()["results"]) == 12


@pytest.mark.django_db
def test_stats_by_category_region_and_producer(
    api, make_sample, regulator, enterprise_other, lab, party
):
    toy_task = TaskFactory(lab=lab, category="toy", region="110105")
    make_sample("tested")
    make_sample("tested", conclusion="conforming")
    make_sample()
    make_sample("tested", task=toy_task, conclusion="conforming")
    client = api.as_(regulator)
    rows = client.get(f"{URL}stats/", {"group_by": "category"}).json()
    assert rows == [
        {
            "key": "electric_kettle",
            "samples": 3,
            "tested": 2,
            "conforming": 1,
            "nonconforming": 1,
            "nonconformance_rate": 0.5,
            "conformance_rate": 0.5,
        },
        {
            "key": "toy",
            "samples": 1,
            "tested": 1,
            "conforming": 1,
            "nonconforming": 0,
            "nonconformance_rate": 0.0,
            "conformance_rate": 1.0,
        },
    ]
    region = client.get(f"{URL}stats/", {"group_by": "region"}).json()
    assert [(r["key"], r["samples"]) for r in region] == [("110105", 4)]
    producer = client.get(f"{URL}stats/", {"group_by": "producer"}).json()
    assert producer[0]["uscc"] == party.uscc and producer[0]["nonconformance_rate"] == 0.3333
    past = client.get(f"{URL}stats/", {"group_by": "category", "to": "2000-01-01"}).json()
    assert past == []
    assert client.get(f"{URL}stats/", {"group_by": "colour"}).status_code == 400
    assert client.get(f"{URL}stats/", {"group_by": "region", "from": "x"}).status_code == 400
    assert api.as_(enterprise_other).get(f"{URL}stats/", {"group_by": "region"}).json() == []


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_receives_never_both_succeed(api, make_sample, lab_user):
    sample = make_sample()
    statuses = []
    barrier = threading.Barrier(2)

    def receive():
        client = api.as_(lab_user)
        barrier.wait()
        try:
            statuses.append(
                client.post(f"{URL}{sample.pk}/receive/", {}, format="json").status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=receive) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409]
    history = Sample.objects.get(pk=sample.pk)
    assert history.state == "received"


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_samples_of_one_product_are_not_both_accepted(
    api, inspector, task, party, retailer
):
    from .conftest import sample_body

    body = sample_body(task, party, retailer, model="SAME")
    statuses = []
    barrier = threading.Barrier(2)

    def create(lot_code):
        client = api.as_(inspector)
        barrier.wait()
        try:
            response = client.post(URL, {**body, "lot_code": lot_code}, format="json")
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(code,)) for code in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201, 400]
    assert Sample.objects.count() == 1


@pytest.mark.django_db
def test_a_task_may_set_its_own_report_deadline(make_sample, lab):
    from core.models import User

    task = TaskFactory(lab=lab, report_working_days=3)
    sample = make_sample(task=task)
    admin = User.objects.create(username="a", role="admin", is_superuser=True)
    received_at = dt.datetime(2024, 9, 27, 9, 0, tzinfo=SHANGHAI)
    Sample.objects.filter(pk=sample.pk).update(sampled_at=received_at - dt.timedelta(hours=1))
    sample.refresh_from_db()
    sample = services.sample_receive(sample=sample, actor=admin, received_at=received_at)
    # 3 working days after Fri 27 Sep 2024: Sun 29 Sep (make-up), Mon 30 Sep, Tue 8 Oct.
    assert sample.due_stage == "report"
    assert timezone.localtime(sample.due_at).date() == dt.date(2024, 10, 8)
