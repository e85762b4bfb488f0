"""The embedded default (SQLite, Celery eager) that `make run` uses."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def test_the_embedded_default_runs_with_demo_data(client):
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert settings.CELERY_TASK_ALWAYS_EAGER
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "regulator / regulator-demo-pass" in out.getvalue()
    token = client.post(
        "/api/v1/auth/token/",
        {"username": "regulator", "password": "regulator-demo-pass"},
        content_type="application/json",
    ).json()["access"]
    assert client.get("/readyz").status_code == 200
    listed = client.get("/api/v1/alerts/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert listed.status_code == 200
    # The public lookup (one UNION of JSON rows) answers on SQLite as on PostgreSQL.
    lookup = client.get("/api/v1/public/lookup/", {"gtin": "6901234567892", "lot": "K2025-0415"})
    assert lookup.status_code == 200, lookup.content
    [recall] = lookup.json()["results"]
    assert (recall["kind"], recall["lots"]) == ("recall", ["K2025-0415"])
    assert recall["date"] and recall["details"]["producer"]
