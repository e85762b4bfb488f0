"""Injury reports: who files them, what is kept (and what never is), who sees them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from core.models import IdempotencyKey
from injury.models import InjuryReport
from tests.conftest import errors_of
from tests.factories import ProductFactory

from .factories import InjuryReportFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/injury/reports/"


def tables_containing(text):
    """Every table of the database with a row whose text contains `text`."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        for (table,) in cursor.fetchall():
            cursor.execute(
                f'SELECT 1 FROM "{table}" AS t WHERE t::text ILIKE %s LIMIT 1', [f"%{text}%"]
            )
            if cursor.fetchone():
                found.append(table)
    return found


def test_a_sentinel_files_a_report_for_its_own_site_with_the_sites_weight(
    api, sentinel, site, report_body
):
    site.weight = Decimal("37.5")
    site.save()
    response = api.as_(sentinel).post(URL, report_body, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["site"] == site.code
    assert Decimal(body["weight"]) == Decimal("37.5")
    report = InjuryReport.objects.get()
    assert (report.site, report.weight, report.filed_by) == (site, Decimal("37.5"), sentinel)
    # Re-weighting the site later leaves the report's weight as filed.
    site.weight = 50
    site.save()
    report.refresh_from_db()
    assert report.weight == Decimal("37.5")


def test_unknown_fields_like_a_patients_name_are_never_stored(api, sentinel, report_body):
    body = {
        **report_body,
        "patient_name": "Zhang Sanfeng-PRIVATE",
        "id_number": "110105199001011234",
        "phone": "13800138000",
    }
    response = api.as_(sentinel).post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="p-1")
    assert response.status_code == 201
    text = response.content.decode()
    for secret in ("Zhang Sanfeng-PRIVATE", "110105199001011234", "13800138000"):
        assert secret not in text
        assert tables_containing(secret) == []
    replay = bytes(IdempotencyKey.objects.get(key="p-1").response_body)
    assert b"PRIVATE" not in replay
    field_names = {f.name for f in InjuryReport._meta.get_fields()}
    assert not field_names & {"name", "patient_name", "id_number", "phone"}


def test_a_sentinel_may_not_file_for_another_site(api, sentinel, site_other, report_body):
    response = api.as_(sentinel).post(URL, {**report_body, "site": site_other.code}, format="json")
    assert response.status_code == 403
    assert not InjuryReport.objects.exists()


def test_an_admin_files_for_any_site_but_must_name_it(api, admin_user, site_other, report_body):
    client = api.as_(admin_user)
    assert client.post(URL, report_body, format="json").status_code == 400
    response = client.post(URL, {**report_body, "site": site_other.code}, format="json")
    assert response.status_code == 201
    assert response.json()["site"] == site_other.code


@pytest.mark.parametrize("persona", ["regulator", "inspector", "lab_user", "enterprise"])
def test_other_roles_may_not_file_reports(api, persona, request, report_body, site):
    user = request.getfixturevalue(persona)
    response = api.as_(user).post(URL, {**report_body, "site": site.code}, format="json")
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("age", 121),
        ("age", -1),
        ("age", "seven"),
        ("sex", "x"),
        ("place", "moon"),
        ("activity", "sleeping"),
        ("mechanism", "dog"),
        ("intent", "accident"),
        ("nature", "bruise"),
        ("body_part", "tail"),
        ("severity", "fatal"),
        ("disposition", "home"),
        ("product_relation", "blame"),
        ("product_category", "Electric Kettle!"),
        ("occurred_at", "yesterday"),
        ("product", 999999),
    ],
)
def test_bad_codes_and_values_are_400(api, sentinel, report_body, field, value):
    response = api.as_(sentinel).post(URL, {**report_body, field: value}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == field


def test_a_report_dated_in_the_future_is_400(api, sentinel, report_body):
    tomorrow = (timezone.now() + dt.timedelta(days=1)).isoformat()
    response = api.as_(sentinel).post(URL, {**report_body, "occurred_at": tomorrow}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "occurred_at"


@pytest.mark.parametrize("missing", ["age", "sex", "mechanism", "body_part", "occurred_at"])
def test_a_coded_field_is_required(api, sentinel, report_body, missing):
    del report_body[missing]
    assert api.as_(sentinel).post(URL, report_body, format="json").status_code == 400


def test_a_report_before_the_site_became_active_is_400(api, sentinel, site, report_body):
    site.active_from = dt.date(2025, 4, 1)
    site.save()
    response = api.as_(sentinel).post(URL, report_body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "occurred_at"


def test_a_linked_product_gives_its_category(api, sentinel, report_body):
    product = ProductFactory(category="electric_heater")
    del report_body["product_category"]
    response = api.as_(sentinel).post(URL, {**report_body, "product": product.pk}, format="json")
    assert response.status_code == 201
    assert response.json()["product_category"] == "electric_heater"
    assert response.json()["product"] == product.pk


def test_a_resent_report_with_the_same_key_is_stored_once(api, sentinel, report_body):
    client = api.as_(sentinel)
    first = client.post(URL, report_body, format="json", HTTP_IDEMPOTENCY_KEY="card-42")
    again = client.post(URL, report_body, format="json", HTTP_IDEMPOTENCY_KEY="card-42")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert InjuryReport.objects.count() == 1
    other = client.post(
        URL, {**report_body, "age": 8}, format="json", HTTP_IDEMPOTENCY_KEY="card-42"
    )
    assert other.status_code == 422
    assert errors_of(other) == ["idempotency_key_reused"]


def test_a_sentinel_sees_only_its_own_sites_reports(api, sentinel, site, site_other):
    mine = InjuryReportFactory(site=site)
    theirs = InjuryReportFactory(site=site_other)
    client = api.as_(sentinel)
    listed = client.get(URL).json()["results"]
    assert [r["id"] for r in listed] == [mine.pk]
    assert client.get(f"{URL}{theirs.pk}/").status_code == 404


def test_a_regulator_sees_its_regions_reports_and_not_anothers(
    api, regulator, regulator_other, site, site_other
):
    beijing = InjuryReportFactory(site=site)
    shanghai = InjuryReportFactory(site=site_other)
    listed = api.as_(regulator).get(URL).json()["results"]
    assert [r["id"] for r in listed] == [beijing.pk]
    assert api.as_(regulator).get(f"{URL}{shanghai.pk}/").status_code == 404
    assert api.as_(regulator_other).get(f"{URL}{beijing.pk}/").status_code == 404


@pytest.mark.parametrize("persona", ["inspector", "lab_user", "enterprise"])
def test_other_roles_may_not_read_reports(api, persona, request):
    assert api.as_(request.getfixturevalue(persona)).get(URL).status_code == 403


def test_reports_filter_by_category_and_age(api, admin_user, site):
    InjuryReportFactory(site=site, product_category="toy", age=4)
    kettle = InjuryReportFactory(site=site, product_category="electric_kettle", age=40)
    client = api.as_(admin_user)
    rows = client.get(URL, {"product_category": "electric_kettle", "age_min": 18}).json()
    assert [r["id"] for r in rows["results"]] == [kettle.pk]


def test_the_report_list_has_a_fixed_query_budget(
    api, regulator, site, django_assert_max_num_queries
):
    for _ in range(5):
        InjuryReportFactory(site=site)
    client = api.as_(regulator)
    with django_assert_max_num_queries(4):
        assert client.get(URL).status_code == 200
