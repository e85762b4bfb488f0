"""Inputs that used to reach a 500 (DESIGN.md §4): JSON nested too deep, bodies over the
configured size, wrong JSON types where a choice is expected, dates outside 1900-2100."""

import pytest
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db

DEEP = "[" * 50_000 + "]" * 50_000
UNCLOSED = "[" * 100_000


def _operations(methods, *, with_path_params):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method.upper() in methods and ("{" in path) == with_path_params:
                yield path, method, operation


def _json_writes():
    for path, method, operation in _operations({"POST", "PUT", "PATCH"}, with_path_params=False):
        if "application/json" in operation.get("requestBody", {}).get("content", {}):
            yield path, method


@pytest.mark.parametrize("body", [DEEP, UNCLOSED], ids=["nested-50000", "unclosed-100000"])
def test_json_nested_too_deep_is_a_400_on_every_json_write(api, admin_user, body):
    client = api.as_(admin_user)
    writes = list(_json_writes())
    assert len(writes) >= 9
    for path, method in writes:
        response = getattr(client, method)(path, body, content_type="application/json")
        assert response.status_code == 400, (path, response.status_code)
        assert response.json()["errors"][0]["code"] == "parse_error", path


def test_64_levels_are_accepted_and_65_refused(api, admin_user):
    client = api.as_(admin_user)
    url = "/api/v1/alerts/subscriptions/"
    body = '{"url": "http://127.0.0.1:9/h", "secret": "%s", "kinds": ["deadline_overdue"], ' % (
        "s" * 32
    )
    levels_64 = body + '"x": ' + "[" * 63 + "]" * 63 + "}"  # the object and 63 lists
    assert client.post(url, levels_64, content_type="application/json").status_code == 201
    levels_65 = body + '"x": ' + "[" * 64 + "]" * 64 + "}"
    refused = client.post(url, levels_65, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "parse_error"


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
@pytest.mark.parametrize("headers", [{}, {"HTTP_IDEMPOTENCY_KEY": "big-1"}])
def test_a_body_over_the_configured_size_is_a_413(api, admin_user, headers):
    body = '{"description": "' + "x" * 20_000 + '"}'
    response = api.as_(admin_user).post(
        "/api/v1/injury/accidents/", body, content_type="application/json", **headers
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "request_too_large"


@pytest.mark.parametrize("kind", [[], {}, ["ship"], 1, True])
def test_a_kind_of_the_wrong_json_type_is_a_400(api, admin_user, kind):
    client = api.as_(admin_user)
    event = {"event_id": "e-1", "kind": kind, "occurred_at": "2024-01-01T00:00:00+08:00"}
    for url, body in (
        ("/api/v1/traceability/events/", event),
        ("/api/v1/traceability/events/bulk/", {"events": [event]}),
    ):
        response = client.post(url, body, format="json")
        assert response.status_code == 400, (url, response.content)
        assert any(e["attr"].endswith("kind") for e in response.json()["errors"])


def _date_filters():
    for path, _method, operation in _operations({"GET"}, with_path_params=False):
        for param in operation.get("parameters", []):
            if param["in"] == "query" and param["schema"].get("format") in ("date", "date-time"):
                yield path, param["name"], param["schema"]["format"]


@pytest.mark.parametrize("year", ["0001", "1899", "2101", "9999"])
def test_dates_outside_1900_to_2100_are_a_400_on_every_filter(api, admin_user, year):
    client = api.as_(admin_user)
    filters = list(_date_filters())
    assert len(filters) >= 10
    for path, name, kind in filters:
        value = f"{year}-12-31" if kind == "date" else f"{year}-12-31T23:00:00%2B08:00"
        response = client.get(f"{path}?{name}={value}")
        assert response.status_code == 400, (path, name, response.status_code)


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("group_by=sex&to=2024-02-29", 200),  # a real leap day
        ("group_by=sex&to=2024-02-29&interval=month", 200),
        ("group_by=sex&to=0001-01-01", 400),
        ("group_by=sex&to=9999-12-31", 400),
        ("group_by=sex&from=1899-12-31&to=1900-06-30", 400),
    ],
)
def test_estimate_dates_are_checked_not_crashed_on(api, admin_user, query, status):
    assert api.as_(admin_user).get(f"/api/v1/injury/estimates/?{query}").status_code == status


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+08:00", "9999-12-31T23:00:00+08:00"])
def test_dates_outside_1900_to_2100_are_a_400_in_bodies(api, admin_user, when):
    body = {
        "category": "electric_bicycle",
        "occurred_at": when,
        "region": "110105",
        "description": "x",
    }
    response = api.as_(admin_user).post("/api/v1/injury/accidents/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "occurred_at"


def test_an_event_from_before_1900_is_a_400(api, admin_user):
    event = {"event_id": "e-1", "kind": "ship", "occurred_at": "0001-01-01T00:00:00+08:00"}
    response = api.as_(admin_user).post("/api/v1/traceability/events/", event, format="json")
    assert response.status_code == 400
    assert "occurred_at" in {e["attr"] for e in response.json()["errors"]}
