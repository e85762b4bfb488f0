import os
import secrets
import subprocess
import sys
from pathlib import Path

import jwt
import pytest

from core.choices import Role
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
# The key config/settings.py used to fall back on: published with the source, so anyone
# could sign a token with it.
PUBLISHED_KEY = "levee-insecure-development-key-change-me-in-production-0123456789"

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "levee.example.org",
    "SECURE_SSL_REDIRECT": "true",
    "SESSION_COOKIE_SECURE": "true",
    "CSRF_COOKIE_SECURE": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
}


def _env_example():
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def _run(args, env, *, drop=()):
    environ = {k: v for k, v in {**os.environ, **env}.items() if k not in drop}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _check_deploy(env):
    return _run(["check", "--deploy", "--fail-level", "WARNING"], env)


def test_production_settings_pass_check_deploy_with_no_warnings():
    result = _check_deploy(PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_the_secure_values_are_missing():
    insecure = {
        k: v for k, v in PRODUCTION_ENV.items() if not k.startswith(("SECURE_", "SESSION", "CSRF"))
    }
    result = _check_deploy(insecure)
    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr  # SECURE_SSL_REDIRECT


def test_the_env_example_settings_pass_check_deploy_once_given_a_key():
    example = _env_example()
    assert example["SECRET_KEY"] == "", "the example must not ship a key anyone could copy"
    result = _check_deploy({**example, "SECRET_KEY": secrets.token_urlsafe(50)})
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("key", [None, "", "change-me-to-a-long-random-string"])
def test_with_debug_off_the_service_refuses_to_start_without_a_key_of_its_own(key):
    env = {"DEBUG": "false"} if key is None else {"DEBUG": "false", "SECRET_KEY": key}
    result = _run(["check"], env, drop=("SECRET_KEY",) if key is None else ())
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "secrets.token_urlsafe" in result.stderr  # says how to make one


@pytest.mark.django_db
def test_a_token_signed_with_the_published_key_is_refused(api):
    admin = UserFactory(username="root", role=Role.ADMIN, region="", is_superuser=True)
    forged = jwt.encode(
        {"token_type": "access", "exp": 4102444800, "jti": "forged", "user_id": str(admin.pk)},
        PUBLISHED_KEY,
        algorithm="HS256",
    )
    response = api.client.get(
        "/api/v1/alerts/subscriptions/", HTTP_AUTHORIZATION=f"Bearer {forged}"
    )
    assert response.status_code == 401
