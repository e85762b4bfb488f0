"""Publication of spot-check results (公布抽查结果, DESIGN.md §6.1): refused while a sample is
open, then the public table exactly as the samples say, as JSON, CSV and XLSX; immutable,
with dated corrections; nothing of an unpublished task public."""

import csv
import datetime as dt
import io
import itertools

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from core.choices import Role
from sampling import selectors, services
from sampling.models import Objection, PublishedResult, Sample, Task
from tests.conftest import errors_of
from tests.factories import PartyFactory, UserFactory

from .conftest import FAIL_ITEMS, advance, pass_objection_window
from .factories import TaskFactory

TASKS = "/api/v1/sampling/tasks/"
PUBLIC = "/api/v1/public/spot-checks/"
_serial = itertools.count(1)


@pytest.fixture
def samr(db):
    return UserFactory(username="samr", role=Role.REGULATOR, region="000000")


@pytest.fixture
def tree(samr, lab, lab_other):
    national = TaskFactory(
        code="samr-2026-kettle",
        title="2026 国家电热水壶监督抽查",
        level="national",
        region="000000",
        lab=lab,
    )
    services.task_allocate(
        task=national,
        actor=samr,
        allocations=[
            {"region": "110000", "quota": 5, "lab": lab},
            {"region": "310000", "quota": 5, "lab": lab_other},
        ],
    )
    return national


def take(task, inspector, producer, shop, **kw):
    return services.sample_create(
        actor=inspector,
        task=task,
        sampled_party=shop,
        producer=producer,
        location_kind="retail",
        quantity=4,
        backup_quantity=4,
        sampled_at=timezone.now() - dt.timedelta(hours=2),
        inspectors=["张三", "李四"],
        product_name="电热水壶",
        brand="Acme",
        model=f"P-{next(_serial)}",
        lot_code="L-2026-01",
        produced_on=dt.date(2026, 1, 15),
        **kw,
    )


@pytest.fixture
def samples(tree, inspector, inspector_other, party, party_other, retailer):
    """Beijing's share: a conforming sample and a non-conforming one of a Pudong producer;
    Shanghai's share: a conforming sample taken at a Pudong shop."""
    beijing = tree.children.get(region="110000")
    shanghai = tree.children.get(region="310000")
    shop_sh = PartyFactory(region="310115", name="浦东某商场", kind="retailer")
    return {
        "conforming": take(beijing, inspector, party, retailer),
        "failing": take(beijing, inspector, party_other, retailer),
        "shanghai": take(shanghai, inspector_other, party_other, shop_sh),
    }


def finish(samples):
    """Every sample final: closed, or disposed after the objection window."""
    advance(samples["conforming"], "closed", conclusion="conforming")
    failing = advance(samples["failing"], "reported")
    pass_objection_window(failing)
    advance(samples["shanghai"], "reported", conclusion="conforming")
    handler = UserFactory(username="handler_sh", role=Role.REGULATOR, region="310000")
    return services.sample_dispose(sample=failing, actor=handler, measures=[{"measure": "rectify"}])


@pytest.mark.django_db
def test_publish_is_refused_while_a_sample_is_open(api, tree, samples, samr):
    client = api.as_(samr)
    advance(samples["conforming"], "closed", conclusion="conforming")
    failing = advance(samples["failing"], "reported")  # the objection window is still open
    response = client.post(f"{TASKS}{tree.pk}/publish/")
    assert response.status_code == 409, response.json()
    body = response.json()
    assert errors_of(response) == ["samples_open"]
    assert body["state"] == "open"
    assert body["open_samples"] == sorted(
        [
            {"sample_no": failing.sample_no, "state": "reported"},
            {"sample_no": samples["shanghai"].sample_no, "state": "sampled"},
        ],
        key=lambda s: s["sample_no"],
    )
    assert samples["shanghai"].sample_no in body["errors"][0]["detail"]
    assert not PublishedResult.objects.exists()
    assert api.as_(None).get(f"{PUBLIC}{tree.code}/").status_code == 404


@pytest.mark.django_db
def test_only_the_organisers_publish(api, tree, samples, regulator, regulator_other):
    finish(samples)
    beijing = tree.children.get(region="110000")
    cy = UserFactory(username="reg_cy", role=Role.REGULATOR, region="110105")
    assert api.as_(cy).post(f"{TASKS}{beijing.pk}/publish/").status_code == 403
    assert api.as_(regulator_other).post(f"{TASKS}{beijing.pk}/publish/").status_code == 404
    assert api.as_(regulator).post(f"{TASKS}{tree.pk}/publish/").status_code == 403
    response = api.as_(regulator).post(f"{TASKS}{beijing.pk}/publish/")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "published"


@pytest.mark.django_db
def test_the_public_table_is_exactly_what_the_samples_say(
    api, tree, samples, samr, lab, party_other, retailer
):
    failing = finish(samples)
    response = api.as_(samr).post(f"{TASKS}{tree.pk}/publish/", HTTP_IDEMPOTENCY_KEY="pub-1")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "published"
    assert set(Task.objects.values_list("state", flat=True)) == {"published"}
    history = api.as_(samr).get(f"{TASKS}{tree.pk}/history/").json()
    assert [h["action"] for h in history][-1] == "publish"

    anonymous = api.as_(None)
    listed = {t["code"]: t for t in anonymous.get(PUBLIC).json()["results"]}
    assert set(listed) == {tree.code, f"{tree.code}-110000", f"{tree.code}-310000"}
    summary = listed[tree.code]
    assert (summary["samples"], summary["conforming"], summary["nonconforming"]) == (3, 2, 1)
    assert summary["conformance_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert listed[f"{tree.code}-310000"]["conformance_rate"] == 1.0

    notice = anonymous.get(f"{PUBLIC}{tree.code}/").json()
    assert notice["title"] == tree.title and notice["corrections"] == []
    rows = {row["sample_no"]: row for row in notice["results"]}
    assert set(rows) == {s.sample_no for s in samples.values()}
    assert rows[failing.sample_no] == {
        "sample_no": failing.sample_no,
        "task": f"{tree.code}-110000",
        "product": "电热水壶",
        "brand": "Acme",
        "model": failing.product.model,
        "lot_code": "L-2026-01",
        "produced_on": "2026-01-15",
        "producer": party_other.name,
        "producer_region": "310115",
        "sampled_party": retailer.name,
        "sampled_party_region": "110105",
        "sampled_on": timezone.localtime(failing.sampled_at).date().isoformat(),
        "conclusion": "nonconforming",
        "failing_items": [
            {
                "item": "泄漏电流 leakage current",
                "standard": "GB 4706.1-2005",
                "requirement": "<= 0.75 mA",
                "measured_value": "1.2",
                "unit": "mA",
            }
        ],
        "lab": lab.name,
    }
    assert rows[samples["conforming"].sample_no]["failing_items"] == []

    response = anonymous.get(f"{PUBLIC}{tree.code}/", {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == 3
    row = next(r for r in table if r["sample_no"] == failing.sample_no)
    assert (row["producer"], row["conclusion"], row["lab"]) == (
        party_other.name,
        "nonconforming",
        lab.name,
    )
    assert row["failing_items"] == (
        "泄漏电流 leakage current (requirement <= 0.75 mA, measured 1.2 mA)"
    )

    response = anonymous.get(f"{PUBLIC}{tree.code}/", {"format": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header, *data = list(sheet.values)
    assert header[:4] == ("sample_no", "task", "product", "brand")
    assert len(data) == 3
    by_no = {r[0]: dict(zip(header, r, strict=True)) for r in data}
    assert by_no[failing.sample_no]["produced_on"] == dt.datetime(2026, 1, 15)
    assert by_no[failing.sample_no]["conclusion"] == "nonconforming"

    # The provincial share's notice holds its own samples only.
    shanghai = anonymous.get(f"{PUBLIC}{tree.code}-310000/").json()
    assert [r["sample_no"] for r in shanghai["results"]] == [samples["shanghai"].sample_no]


@pytest.mark.django_db
def test_nothing_of_an_unpublished_task_is_public(api, tree, samples, lab, inspector, party):
    finish(samples)
    beijing = tree.children.get(region="110000")
    services.task_publish(task=beijing, actor=UserFactory(username="a", role=Role.ADMIN))
    anonymous = APIClient()
    codes = [t["code"] for t in anonymous.get(PUBLIC).json()["results"]]
    assert codes == [beijing.code]
    for code in (tree.code, f"{tree.code}-310000"):
        for fmt in ("json", "csv", "xlsx"):
            response = anonymous.get(f"{PUBLIC}{code}/", {"format": fmt})
            assert response.status_code == 404, (code, fmt)
    notice = anonymous.get(f"{PUBLIC}{beijing.code}/").json()
    shown = str(notice)
    assert samples["shanghai"].sample_no not in shown
    assert notice["samples"] == 2
    # Filters on the public list.
    assert anonymous.get(PUBLIC, {"region": "31"}).json()["results"] == []
    assert len(anonymous.get(PUBLIC, {"level": "provincial"}).json()["results"]) == 1


@pytest.mark.django_db
def test_a_published_task_takes_no_more_samples(api, tree, samples, inspector, party, retailer):
    finish(samples)
    services.task_publish(task=tree, actor=UserFactory(username="a", role=Role.ADMIN))
    with pytest.raises(Exception) as refused:
        take(tree.children.get(region="110000"), inspector, party, retailer)
    assert refused.value.code == "task_published"
    assert tree.code in refused.value.message


@pytest.mark.django_db
def test_published_results_are_immutable_and_a_reinspection_is_a_dated_correction(
    api, tree, samples, samr, lab_user
):
    failing = finish(samples)
    services.task_publish(task=tree, actor=samr)
    result = PublishedResult.objects.get(sample=failing)
    with pytest.raises(ValidationError):
        result.save()
    with pytest.raises(ValidationError):
        result.delete()
    before = APIClient().get(f"{PUBLIC}{tree.code}/").json()
    # Later edits of the master data do not change what was published.
    failing.product.name = "改名 renamed"
    failing.product.save()
    assert APIClient().get(f"{PUBLIC}{tree.code}/").json()["results"] == before["results"]
    assert [r.sample_id for r in selectors.published_nonconforming_results(lot=failing.lot)] == [
        failing.pk
    ]

    # An objection admitted late (e.g. on administrative review) and its re-inspection.
    Sample.objects.filter(pk=failing.pk).update(state="objected")
    Objection.objects.create(sample=failing, reason="复议", items=[FAIL_ITEMS[0]["item"]])
    passed = {**FAIL_ITEMS[0], "measured_value": "0.5", "verdict": "pass"}
    services.sample_record_reinspection(
        sample=Sample.objects.get(pk=failing.pk),
        actor=lab_user,
        items=[passed],
        conclusion="conforming",
        report_no="RI-1",
    )
    after = APIClient().get(f"{PUBLIC}{tree.code}/").json()
    assert after["results"] == before["results"]  # the published row stays as it was
    (correction,) = after["corrections"]
    assert correction["sample_no"] == failing.sample_no
    assert correction["conclusion"] == "conforming"
    assert correction["failing_items"] == []
    assert correction["note"] == "Re-inspection RI-1"
    assert dt.datetime.fromisoformat(correction["at"]).date() == timezone.localdate()
    text = b"".join(
        APIClient().get(f"{PUBLIC}{tree.code}/", {"format": "csv"}).streaming_content
    ).decode("utf-8-sig")
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["sample_no"] == failing.sample_no)
    assert row["conclusion"] == "nonconforming"
    assert (
        row["correction"] == f"{timezone.localdate().isoformat()}: conforming (Re-inspection RI-1)"
    )
    assert not selectors.published_nonconforming_results(product=failing.product).exists()


@pytest.mark.django_db
def test_the_public_table_costs_the_same_queries_for_any_number_of_samples(
    tree, inspector, party, retailer, samr
):
    beijing = tree.children.get(region="110000")
    small = TaskFactory(code="small", region="110105", lab=beijing.lab, category="toy")
    take(small, inspector, party, retailer)
    for _ in range(6):
        take(beijing, inspector, party, retailer)
    for sample in Sample.objects.all():
        advance(sample, "closed", conclusion="conforming")
    services.task_publish(task=small, actor=samr)
    services.task_publish(task=tree, actor=samr)
    client = APIClient()
    counts = []
    for code in (small.code, tree.code):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{PUBLIC}{code}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 6
