"""Login throttling and lockout, and the password policy (DESIGN.md §4)."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from core.choices import Role
from core.models import LoginFailure
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"


def _login(client, username, password, address="10.0.0.1"):
    return client.post(
        TOKEN, {"username": username, "password": password}, format="json", REMOTE_ADDR=address
    )


def test_eleven_wrong_passwords_lock_the_username_and_the_right_one_waits(api, admin_user):
    client = api.client
    for _ in range(10):
        assert _login(client, "admin", "wrong").status_code == 401
    locked = _login(client, "admin", "wrong")
    assert locked.status_code == 429
    assert 0 < int(locked["Retry-After"]) <= 15 * 60
    refused = _login(client, "admin", "pw-123456", address="10.9.9.9")  # the right password
    assert refused.status_code == 429
    # Once the failures are older than the window, the right password works again.
    LoginFailure.objects.update(at=timezone.now() - dt.timedelta(minutes=16))
    assert _login(client, "admin", "pw-123456").status_code == 200


def test_fifty_failures_from_one_address_lock_that_address(api, regulator):
    client = api.client
    for n in range(50):
        assert _login(client, f"nobody-{n}", "wrong", address="10.0.0.7").status_code == 401
    assert _login(client, "regulator_bj", "pw-123456", address="10.0.0.7").status_code == 429
    assert _login(client, "regulator_bj", "pw-123456", address="10.0.0.8").status_code == 200


@pytest.mark.parametrize("password", ["1", "a", "password", "weak1", "12345678"])
def test_add_user_refuses_weak_passwords(password):
    with pytest.raises(CommandError):
        call_command("add_user", "weak1", "--role", "admin", "--password", password)


def test_add_user_accepts_a_strong_password():
    call_command("add_user", "strong1", "--role", "admin", "--password", "correct-horse-42-battery")


def test_the_admin_refuses_a_weak_password(client):
    root = UserFactory(
        username="root", role=Role.ADMIN, region="", is_staff=True, is_superuser=True
    )
    client.force_login(root)
    response = client.post(
        "/admin/core/user/add/",
        {
            "username": "weakling",
            "usable_password": "true",
            "password1": "password",
            "password2": "password",
            "role": "admin",
        },
    )
    assert response.status_code == 200  # the form again, with its errors
    assert "password" in response.content.decode().lower()
    assert not root.__class__.objects.filter(username="weakling").exists()


def test_the_admin_creates_a_user_with_a_strong_password(client):
    root = UserFactory(
        username="root", role=Role.ADMIN, region="", is_staff=True, is_superuser=True
    )
    client.force_login(root)
    strong = "correct-horse-42-battery"
    response = client.post(
        "/admin/core/user/add/",
        {
            "username": "newcomer",
            "usable_password": "true",
            "password1": strong,
            "password2": strong,
            "role": "regulator",
            "region": "110000",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert root.__class__.objects.get(username="newcomer").check_password(strong)
