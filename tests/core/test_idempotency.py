import datetime as dt

import pytest
from django.utils import timezone

from core.models import AlertSubscription, IdempotencyKey
from tests.conftest import errors_of

pytestmark = pytest.mark.django_db

BODY = {"url": "http://127.0.0.1:9/hook", "secret": "s" * 32, "kinds": ["deadline_overdue"]}


def test_a_retried_post_with_the_same_key_creates_nothing_twice(api, admin_user):
    client = api.as_(admin_user)
    first = client.post(
        "/api/v1/alerts/subscriptions/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    again = client.post(
        "/api/v1/alerts/subscriptions/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert AlertSubscription.objects.count() == 1


def test_the_same_key_with_another_body_is_422(api, admin_user):
    client = api.as_(admin_user)
    client.post("/api/v1/alerts/subscriptions/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    other = client.post(
        "/api/v1/alerts/subscriptions/",
        {**BODY, "kinds": []},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-2",
    )
    assert other.status_code == 422
    assert errors_of(other) == ["idempotency_key_reused"]
    assert AlertSubscription.objects.count() == 1


def test_keys_are_per_user_and_without_a_key_every_post_creates(api, admin_user):
    other_admin = type(admin_user).objects.create_user("admin2", role="admin", password="x" * 10)
    api.as_(admin_user).post(
        "/api/v1/alerts/subscriptions/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    api.as_(other_admin).post(
        "/api/v1/alerts/subscriptions/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    api.as_(admin_user).post("/api/v1/alerts/subscriptions/", BODY, format="json")
    assert AlertSubscription.objects.count() == 3


def test_a_rejected_request_is_replayed_not_rerun(api, admin_user):
    client = api.as_(admin_user)
    bad = {**BODY, "url": "ftp://example.invalid/"}
    first = client.post(
        "/api/v1/alerts/subscriptions/", bad, format="json", HTTP_IDEMPOTENCY_KEY="k-3"
    )
    again = client.post(
        "/api/v1/alerts/subscriptions/", bad, format="json", HTTP_IDEMPOTENCY_KEY="k-3"
    )
    assert first.status_code == again.status_code == 400
    assert AlertSubscription.objects.count() == 0


def test_subscription_inputs_are_validated(api, admin_user, regulator):
    client = api.as_(admin_user)
    response = client.post(
        "/api/v1/alerts/subscriptions/", {**BODY, "regions": ["11000x"]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"].startswith("regions")
    denied = api.as_(regulator).post("/api/v1/alerts/subscriptions/", BODY, format="json")
    assert denied.status_code == 403


def test_an_expired_key_is_claimed_afresh_and_the_request_runs_again(api, admin_user):
    client = api.as_(admin_user)
    url = "/api/v1/alerts/subscriptions/"
    first = client.post(url, BODY, format="json", HTTP_IDEMPOTENCY_KEY="old-1")
    assert first.status_code == 201, first.content
    IdempotencyKey.objects.filter(key="old-1").update(
        created_at=timezone.now() - dt.timedelta(hours=25)
    )
    other = {**BODY, "url": "http://127.0.0.1:9/other"}  # another body: fine once expired
    again = client.post(url, other, format="json", HTTP_IDEMPOTENCY_KEY="old-1")
    assert again.status_code == 201, again.content
    assert again.json()["id"] != first.json()["id"]
    assert AlertSubscription.objects.count() == 2
    record = IdempotencyKey.objects.get(key="old-1")
    assert record.status_code == 201 and bytes(record.response_body) == again.content
    replay = client.post(url, other, format="json", HTTP_IDEMPOTENCY_KEY="old-1")
    assert replay.json() == again.json() and replay["Idempotent-Replayed"] == "true"


def test_a_keyed_post_reads_the_tokens_user_once_and_a_bad_token_is_still_401(
    api, admin_user, monkeypatch
):
    from core import auth

    lookups = []

    def counted(model, pk):
        lookups.append(pk)
        return lookup(model, pk)

    lookup = auth.instance_by_pk
    monkeypatch.setattr(auth, "instance_by_pk", counted)
    url = "/api/v1/alerts/subscriptions/"
    response = api.as_(admin_user).post(url, BODY, format="json", HTTP_IDEMPOTENCY_KEY="once-1")
    assert response.status_code == 201, response.content
    assert lookups == [admin_user.pk]  # the middleware's; the view took it over
    forged = api.as_(admin_user)
    forged.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")
    refused = forged.post(url, BODY, format="json", HTTP_IDEMPOTENCY_KEY="once-2")
    assert refused.status_code == 401
    assert not IdempotencyKey.objects.filter(key="once-2").exists()
