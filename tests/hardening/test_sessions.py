"""Revocation (DESIGN.md §4): logout blacklists a refresh token, a password change revokes
every token issued before it, a rotated refresh token is spent, and rotation does not keep
a session alive for ever."""

import time

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

TOKEN, REFRESH = "/api/v1/auth/token/", "/api/v1/auth/token/refresh/"
BLACKLIST = "/api/v1/auth/token/blacklist/"


def _login(client, username="regulator_bj", password="pw-123456"):
    response = client.post(TOKEN, {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def _refresh(client, refresh):
    return client.post(REFRESH, {"refresh": refresh}, format="json")


def _alerts(client, access):
    return client.get("/api/v1/alerts/", HTTP_AUTHORIZATION=f"Bearer {access}")


def test_logout_blacklists_the_refresh_token(api, regulator):
    client = api.client
    tokens = _login(client)
    assert client.post(BLACKLIST, {"refresh": tokens["refresh"]}, format="json").status_code == 200
    assert _refresh(client, tokens["refresh"]).status_code == 401


def test_a_password_change_revokes_every_token_issued_before(api, regulator):
    client = api.client
    before = _login(client)
    assert _alerts(client, before["access"]).status_code == 200
    time.sleep(1.1)  # token times are whole seconds
    regulator.set_password("a-new-long-passphrase-42")
    regulator.save()
    assert _alerts(client, before["access"]).status_code == 401
    assert _refresh(client, before["refresh"]).status_code == 401
    after = _login(client, password="a-new-long-passphrase-42")
    assert _alerts(client, after["access"]).status_code == 200
    assert _refresh(client, after["refresh"]).status_code == 200


def test_a_rotated_refresh_token_is_spent(api, regulator):
    client = api.client
    tokens = _login(client)
    rotated = _refresh(client, tokens["refresh"])
    assert rotated.status_code == 200
    assert _refresh(client, tokens["refresh"]).status_code == 401
    assert _refresh(client, rotated.json()["refresh"]).status_code == 200


def test_rotation_does_not_keep_a_session_alive_past_its_limit(api, regulator):
    client = api.client
    tokens = _login(client)
    time.sleep(2.1)
    with override_settings(LEVEE_SESSION_MAX_SECONDS=2):
        response = _refresh(client, tokens["refresh"])
    assert response.status_code == 401
