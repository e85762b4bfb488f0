"""The database or the broker down, against a real gunicorn whose DATABASE_URL or
REDIS_URL points at a dead port (the shared services are never stopped)."""

import contextlib

import httpx
from rest_framework_simplejwt.tokens import AccessToken

from bench.server import free_port, start_server, stop_server
from core.choices import Role
from tests.factories import UserFactory

DEAD_DATABASE = "postgres://postgres@127.0.0.1:1/levee"


@contextlib.contextmanager
def serving(**env):
    port = free_port()
    server = start_server(port, workers=1, env=env)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_server(server)


def test_with_the_database_down_a_post_with_an_idempotency_key_is_a_503():
    admin = UserFactory.build(pk=1, username="admin", role=Role.ADMIN)
    headers = {"Authorization": f"Bearer {AccessToken.for_user(admin)}"}
    body = {"url": "http://127.0.0.1:9/hook", "secret": "s" * 32, "kinds": ["deadline_overdue"]}
    with serving(DATABASE_URL=DEAD_DATABASE, CONN_MAX_AGE="0") as url:
        for extra in ({"Idempotency-Key": "outage-1"}, {}):
            response = httpx.post(
                f"{url}/api/v1/alerts/subscriptions/",
                json=body,
                headers={**headers, **extra},
                timeout=30,
            )
            assert response.status_code == 503, (extra, response.text)
            assert response.json()["errors"][0]["code"] == "database_unavailable"
