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
