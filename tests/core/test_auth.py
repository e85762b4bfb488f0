import datetime as dt

import pytest
from rest_framework_simplejwt.tokens import AccessToken

from core.choices import Role
from tests.conftest import errors_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_user_gets_tokens_with_the_right_password_and_can_call_the_api(client, regulator):
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "regulator_bj", "password": "pw-123456"},
        content_type="application/json",
    )
    assert response.status_code == 200
    tokens = response.json()
    assert set(tokens) == {"access", "refresh"}
    listed = client.get("/api/v1/alerts/", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert listed.status_code == 200

    refreshed = client.post(
        "/api/v1/auth/token/refresh/",
        {"refresh": tokens["refresh"]},
        content_type="application/json",
    )
    assert refreshed.status_code == 200
    assert "access" in refreshed.json()


def test_wrong_password_is_401(client, regulator):
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "regulator_bj", "password": "nope"},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert response.json()["type"] == "client_error"


def test_anonymous_requests_to_the_api_are_401(client):
    assert client.get("/api/v1/alerts/").status_code == 401


def test_forged_and_expired_tokens_are_401(client, regulator):
    forged = str(AccessToken.for_user(regulator))[:-4] + "AAAA"
    assert client.get("/api/v1/alerts/", HTTP_AUTHORIZATION=f"Bearer {forged}").status_code == 401
    expired = AccessToken.for_user(regulator)
    expired.set_exp(lifetime=-dt.timedelta(minutes=1))
    response = client.get("/api/v1/alerts/", HTTP_AUTHORIZATION=f"Bearer {expired}")
    assert response.status_code == 401


def test_malformed_json_is_400_in_the_error_shape(api, admin_user):
    response = api.as_(admin_user).post(
        "/api/v1/alerts/subscriptions/", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert errors_of(response) == ["parse_error"]


def test_no_endpoint_lists_users_to_non_admins(api, regulator, client):
    assert client.get("/admin/core/user/").status_code == 302  # to the admin login
    schema = api.as_(regulator).get("/api/v1/schema/?format=json").json()
    assert not any("user" in path for path in schema["paths"])


def test_an_inactive_user_cannot_get_a_token(client):
    UserFactory(username="gone", role=Role.REGULATOR, is_active=False)
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "gone", "password": "pw-123456"},
        content_type="application/json",
    )
    assert response.status_code == 401


def test_a_value_the_database_cannot_store_is_a_400_not_a_500(api, regulator):
    response = api.as_(regulator).get(
        "/api/v1/alerts/", {"created_after": "0160-01-15T23:56:09+20:27"}
    )
    assert response.status_code == 400
    assert errors_of(response) == ["out_of_range"]


def test_every_request_sees_the_users_current_role_activity_and_existence(api, regulator, lab):
    # The token's user is read afresh on every request: nothing about it is cached.
    client = api.as_(regulator)
    trace = "/api/v1/traceability/lots/999999/trace/"
    assert client.get(trace).status_code == 404  # a regulator may trace; no such lot
    regulator.role, regulator.lab = Role.LAB, lab
    regulator.save()
    assert client.get(trace).status_code == 403  # a lab may not
    regulator.is_active = False
    regulator.save()
    assert client.get(trace).status_code == 401
    regulator.delete()
    assert client.get(trace).status_code == 401


def test_a_token_naming_no_usable_user_is_401_not_500(client, regulator):
    for user_id in ("not-a-number", 10**30, None):
        token = AccessToken.for_user(regulator)
        token["user_id"] = user_id
        response = client.get("/api/v1/alerts/", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 401, user_id
    token = AccessToken.for_user(regulator)
    del token["user_id"]
    response = client.get("/api/v1/alerts/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401
