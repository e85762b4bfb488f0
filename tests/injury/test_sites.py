"""Sentinel sites: admins manage them; regulators read their region's; a sentinel its own."""

import pytest

from core.models import SentinelSite

pytestmark = pytest.mark.django_db

URL = "/api/v1/injury/sites/"
SITE = {
    "code": "site-bj-school-2",
    "name": "朝阳某小学",
    "kind": "school",
    "region": "110105",
    "stratum": "school",
    "weight": "120.5",
    "active_from": "2024-01-01",
}


def test_an_admin_creates_and_reweights_a_site(api, admin_user):
    client = api.as_(admin_user)
    created = client.post(URL, SITE, format="json", HTTP_IDEMPOTENCY_KEY="s-1")
    assert created.status_code == 201, created.json()
    again = client.post(URL, SITE, format="json", HTTP_IDEMPOTENCY_KEY="s-1")
    assert again.json() == created.json()
    assert SentinelSite.objects.filter(code=SITE["code"]).count() == 1
    updated = client.patch(f"{URL}{created.json()['id']}/", {"weight": "80"}, format="json")
    assert updated.status_code == 200
    assert updated.json()["weight"] == "80.0000"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("weight", "0"),
        ("weight", "-3"),
        ("region", "999999"),
        ("kind", "clinic"),
        ("code", "Not a slug!"),
        ("active_to", "2023-01-01"),
    ],
)
def test_bad_site_fields_are_400(api, admin_user, field, value):
    response = api.as_(admin_user).post(URL, {**SITE, field: value}, format="json")
    assert response.status_code == 400


def test_a_duplicate_code_is_400(api, admin_user, site):
    response = api.as_(admin_user).post(URL, {**SITE, "code": site.code}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "code"


@pytest.mark.parametrize("persona", ["regulator", "sentinel", "inspector", "enterprise"])
def test_only_admins_create_sites(api, persona, request):
    response = api.as_(request.getfixturevalue(persona)).post(URL, SITE, format="json")
    assert response.status_code == 403


def test_a_regulator_reads_its_regions_sites_only(api, regulator, site, site_other):
    client = api.as_(regulator)
    assert [s["code"] for s in client.get(URL).json()["results"]] == [site.code]
    assert client.get(f"{URL}{site_other.pk}/").status_code == 404
    assert client.patch(f"{URL}{site.pk}/", {"weight": "1"}, format="json").status_code == 403


def test_a_sentinel_reads_its_own_site_only(api, sentinel, site, site_other):
    client = api.as_(sentinel)
    assert [s["code"] for s in client.get(URL).json()["results"]] == [site.code]
    assert client.get(f"{URL}{site_other.pk}/").status_code == 404
