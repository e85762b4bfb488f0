import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sampling.choices import TaskLevel
from sampling.models import Sample
from tests.conftest import errors_of
from tests.factories import LotFactory, ProductFactory
from traceability.models import Lot, Product

from .conftest import advance, sample_body
from .factories import TaskFactory

URL = "/api/v1/sampling/samples/"


@pytest.mark.django_db
def test_an_inspector_files_a_sample_and_its_product_and_lot_are_created(
    api, inspector, task, party, retailer
):
    body = sample_body(task, party, retailer, model="K-100")
    response = api.as_(inspector).post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    sample = Sample.objects.get(pk=data["id"])
    assert data["sample_no"] == f"{task.code}-{sample.pk:06d}"
    assert data["state"] == "sampled"
    assert data["filed_by"] == "inspector_cy"
    assert data["inspectors"] == ["张三 0101", "李四 0102"]
    assert data["due_stage"] == "receive" and data["overdue"] is False
    product = Product.objects.get(producer=party, model="K-100")
    assert product.category == task.category
    assert Lot.objects.get(product=product).lot_code == "20250101"
    # The same product and lot are found, not created again, for another task's sample.
    emergency = TaskFactory(lab=task.lab, emergency=True)
    body = sample_body(emergency, party, retailer, model="K-100")
    assert api.as_(inspector).post(URL, body, format="json").status_code == 201
    assert Product.objects.filter(producer=party, model="K-100").count() == 1
    assert Lot.objects.filter(product=product).count() == 1
    history = api.as_(inspector).get(f"{URL}{sample.pk}/history/").json()
    assert [(h["action"], h["from_state"], h["to_state"]) for h in history] == [
        ("create", None, "sampled")
    ]


@pytest.mark.django_db
def test_a_sample_may_name_an_existing_lot(api, inspector, task, party, retailer):
    lot = LotFactory(product=ProductFactory(producer=party))
    body = sample_body(task, party, retailer, lot=lot.id)
    for key in ("product_name", "brand", "model", "lot_code"):
        body.pop(key)
    response = api.as_(inspector).post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["lot"]["id"] == lot.id


@pytest.mark.django_db
def test_parties_may_be_given_by_uscc(api, inspector, task, party, retailer):
    body = sample_body(task, party, retailer)
    body.update(producer=party.uscc, sampled_party=retailer.uscc)
    response = api.as_(inspector).post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["producer"]["uscc"] == party.uscc


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides, attr",
    [
        ({"inspectors": ["张三"]}, "inspectors"),
        ({"inspectors": ["张三", "张三"]}, "inspectors"),
        ({"inspectors": ["张三", " "]}, "inspectors"),
        ({"quantity": "0"}, "quantity"),
        ({"backup_quantity": "-1"}, "backup_quantity"),
        ({"price_paid": "-3"}, "price_paid"),
        ({"location_kind": "moon"}, "location_kind"),
        ({"sampled_at": "not a date"}, "sampled_at"),
        ({"producer": 999999}, "producer"),
        ({"producer": "not-a-uscc"}, "producer"),
        ({"task": 999999}, "task"),
        ({"lot_code": ""}, "lot_code"),
    ],
)
def test_bad_sample_input_is_a_400(api, inspector, task, party, retailer, overrides, attr):
    response = api.as_(inspector).post(
        URL, sample_body(task, party, retailer, **overrides), format="json"
    )
    assert response.status_code == 400, response.json()
    assert response.json()["errors"][0]["attr"].startswith(attr)


@pytest.mark.django_db
def test_a_sample_names_a_lot_or_the_product_as_printed(api, inspector, task, party, retailer):
    body = sample_body(task, party, retailer)
    del body["product_name"], body["lot_code"]
    response = api.as_(inspector).post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "lot"


@pytest.mark.django_db
def test_sampled_at_may_not_be_in_the_future_nor_outside_the_task(
    api, inspector, task, party, retailer
):
    client = api.as_(inspector)
    future = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    before = timezone.now() - dt.timedelta(days=90)
    for sampled_at in (future, before.isoformat()):
        response = client.post(
            URL, sample_body(task, party, retailer, sampled_at=sampled_at), format="json"
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["attr"] == "sampled_at"


@pytest.mark.django_db
def test_a_lot_of_another_producer_is_refused(api, inspector, task, party, party_other, retailer):
    lot = LotFactory(product=ProductFactory(producer=party_other))
    body = sample_body(task, party, retailer, lot=lot.id)
    response = api.as_(inspector).post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "lot"


@pytest.mark.django_db
def test_an_online_purchase_records_order_platform_and_price(
    api, inspector, online_task, party, retailer
):
    client = api.as_(inspector)
    body = sample_body(online_task, party, retailer, location_kind="online", price_paid=None)
    response = client.post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "order_no"
    body.update(order_no="JD20250101-0001", platform="jd.com")
    response = client.post(URL, body, format="json")
    assert response.json()["errors"][0]["attr"] == "price_paid"
    body.update(price_paid="129.00", tracking_no="SF123", shop_url="https://jd.com/shop/1")
    response = client.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["order_no"] == "JD20250101-0001"
    assert response.json()["price_paid"] == "129.00"
    body.update(location_kind="retail", model="other")
    response = client.post(URL, body, format="json")
    assert response.json()["errors"][0]["attr"] == "location_kind"


@pytest.mark.django_db
def test_only_inspectors_of_the_tasks_region_file_samples(
    api, inspector_other, regulator, lab_user, enterprise, task, party, retailer
):
    body = sample_body(task, party, retailer)
    for user in (regulator, lab_user, enterprise):
        assert api.as_(user).post(URL, body, format="json").status_code == 403
    response = api.as_(inspector_other).post(URL, body, format="json")
    assert response.status_code == 400  # the task is not theirs to reference
    assert response.json()["errors"][0]["attr"] == "task"


# --- No repeat within 6 months (DESIGN.md §8) --------------------------------------------


@pytest.mark.django_db
def test_the_same_product_is_not_sampled_again_within_six_months(
    api, inspector, task, party, retailer
):
    client = api.as_(inspector)
    first = client.post(URL, sample_body(task, party, retailer, model="K-9"), format="json")
    assert first.status_code == 201
    again = sample_body(task, party, retailer, model="k-9", lot_code="other-lot")
    response = client.post(URL, again, format="json")
    assert response.status_code == 400
    assert errors_of(response) == ["sampled_recently"]
    assert response.json()["earlier_sample"] == first.json()["sample_no"]
    assert first.json()["sample_no"] in response.json()["errors"][0]["detail"]


@pytest.mark.django_db
def test_the_repeat_rule_follows_task_levels_standards_and_exemptions(
    api, inspector, task, party, retailer
):
    client = api.as_(inspector)
    county = TaskFactory(lab=task.lab, level=TaskLevel.COUNTY, standard=task.standard)
    # Another category: a running national kettle task would bar the lower levels from
    # kettles altogether (art. 15); the 6-month rule compares products, not categories.
    national = TaskFactory(
        lab=task.lab,
        level=TaskLevel.NATIONAL,
        region="000000",
        category="small_appliance",
        standard=task.standard,
    )
    other_standard = TaskFactory(lab=task.lab, standard="GB 9999")
    emergency = TaskFactory(lab=task.lab, emergency=True)
    assert (
        client.post(URL, sample_body(task, party, retailer, model="X"), format="json").status_code
        == 201
    )

    def status(t, **kw):
        return client.post(
            URL, sample_body(t, party, retailer, model="X", **kw), format="json"
        ).status_code

    assert status(county) == 400  # an earlier sample under a higher-level task
    assert status(national) == 201  # a higher level may check again
    assert status(task) == 400  # now the national sample blocks the municipal level too
    assert status(other_standard) == 201
    assert status(emergency) == 201
    earlier = Sample.objects.filter(task=task).get()
    assert status(task, follow_up_of=earlier.pk) == 400  # not disposed of yet
    advance(earlier, "disposed")
    assert status(task, follow_up_of=earlier.pk) == 201


@pytest.mark.django_db
def test_a_sample_older_than_six_months_does_not_block(api, inspector, task, party, retailer):
    old_task = TaskFactory(
        lab=task.lab,
        starts_on=timezone.localdate() - dt.timedelta(days=400),
        ends_on=timezone.localdate(),
    )
    old = (timezone.now() - dt.timedelta(days=200)).isoformat()
    client = api.as_(inspector)
    body = sample_body(old_task, party, retailer, model="Y", sampled_at=old)
    assert client.post(URL, body, format="json").status_code == 201
    assert (
        client.post(URL, sample_body(task, party, retailer, model="Y"), format="json").status_code
        == 201
    )


@pytest.mark.django_db
def test_idempotency_key_replays_the_first_sample(api, inspector, task, party, retailer):
    client = api.as_(inspector)
    body = sample_body(task, party, retailer)
    first = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Sample.objects.count() == 1
    other = client.post(URL, {**body, "note": "changed"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422


@pytest.mark.django_db
def test_filing_a_sample_costs_a_known_number_of_statements(api, inspector, task, party, retailer):
    """Issue 16: a sample naming a new product and lot, with an Idempotency-Key, was 25
    statements. Now: the task and the two parties; the no-cover check; the transaction's
    savepoint and release; the product lock with the sample's id; the product lookup,
    insert and history; the lot's savepoint, unique check, insert, history and release (no
    lookup: a product created just now has no lot); the sample and its history; the key's
    claim and its answer. (The token's user is a prepared statement Django's query log does
    not see.)"""
    client = api.as_(inspector)
    assert client.post(URL, sample_body(task, party, retailer), format="json").status_code == 201
    body = sample_body(task, party, retailer, model="K-2")
    with CaptureQueriesContext(connection) as queries:
        response = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="count-1")
    assert response.status_code == 201, response.json()
    assert len(queries) == 19, "\n".join(q["sql"][:120] for q in queries)
