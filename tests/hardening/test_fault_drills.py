"""Fault drills against a real server thread and a real PostgreSQL."""

import threading
import time

import httpx
import psycopg
import pytest
from django.db import connection
from rest_framework_simplejwt.tokens import AccessToken

from core.choices import AlertKind
from core.services import alert_raise
from tests.conftest import CHAOYANG


def _conninfo():
    params = connection.get_connection_params()
    return {k: v for k, v in params.items() if k in ("dbname", "user", "host", "port", "password")}


@pytest.mark.django_db(transaction=True)
def test_a_connection_dropped_mid_request_fails_cleanly_and_the_next_request_succeeds(
    live_server, regulator
):
    alert = alert_raise(
        kind=AlertKind.DEADLINE_OVERDUE, dedup_key="drill", message="drill", region=CHAOYANG
    )
    headers = {"Authorization": f"Bearer {AccessToken.for_user(regulator)}"}
    url = f"{live_server.url}/api/v1/alerts/{alert.id}/acknowledge/"
    info = _conninfo()
    result = {}

    with psycopg.connect(**info) as locker, psycopg.connect(**info, autocommit=True) as admin:
        # Hold the alert's row lock so the request blocks inside its transaction...
        locker.execute("SELECT id FROM core_alert WHERE id = %s FOR UPDATE", [alert.id])

        def call():
            result["response"] = httpx.post(url, json={}, headers=headers, timeout=30)

        request = threading.Thread(target=call)
        request.start()
        blocked = None
        for _ in range(100):
            blocked = admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                [info["dbname"]],
            ).fetchone()
            if blocked:
                break
            time.sleep(0.05)
        assert blocked, "the request never reached the database"
        # ...then drop its connection mid-request.
        admin.execute("SELECT pg_terminate_backend(%s)", [blocked[0]])
        request.join(timeout=30)
        locker.rollback()

    failed = result["response"]
    assert failed.status_code == 503
    assert failed.json()["errors"][0]["code"] == "database_unavailable"

    retried = httpx.post(url, json={}, headers=headers, timeout=30)
    assert retried.status_code == 200
    assert retried.json()["status"] == "acknowledged"
