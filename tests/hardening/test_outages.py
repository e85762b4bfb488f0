"""The database or the broker down, against a real gunicorn whose DATABASE_URL or
REDIS_URL points at a dead port (the shared services are never stopped)."""

import contextlib
import os
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from django.db import connection, connections
from rest_framework_simplejwt.tokens import AccessToken

from bench.server import free_port, start_server, stop_server
from core import jobs
from core.choices import Role
from core.services import alert_raise
from tests.conftest import CHAOYANG
from tests.factories import UserFactory
from tests.recalls.factories import make_recall

ROOT = Path(__file__).resolve().parents[2]
DEAD_DATABASE = "postgres://postgres@127.0.0.1:1/levee"
DEAD_BROKER = "redis://127.0.0.1:1/0"


def _test_database_url():
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


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


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_public_recalls_answer(party, admin_user):
    recall = make_recall(party, state="announced", actor=admin_user)
    with serving(DATABASE_URL=_test_database_url(), REDIS_URL=DEAD_BROKER) as url:
        public = f"{url}/api/v1/public/recalls/"
        for path in ("", f"{recall.id}/", "?category=electric_kettle"):
            response = httpx.get(public + path, timeout=30)
            assert response.status_code == 200, (path, response.text)
        assert httpx.get(public, timeout=30).json()["results"][0]["id"] == recall.id


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_deliver_pending_alerts_runs():
    alert_raise(kind="deadline_overdue", dedup_key="outage", message="m", region=CHAOYANG)
    result = subprocess.run(
        [sys.executable, "manage.py", "run_job", "deliver_pending_alerts"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": _test_database_url(), "REDIS_URL": DEAD_BROKER},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert '"job": "deliver_pending_alerts"' in result.stdout


@pytest.mark.django_db(transaction=True)
def test_a_job_running_elsewhere_is_not_run_twice():
    held, release = threading.Event(), threading.Event()

    def other_runner():  # its own thread, so its own database session
        with jobs.job_lock("sweep_deadlines"):
            held.set()
            release.wait(30)
        connections.close_all()

    runner = threading.Thread(target=other_runner)
    runner.start()
    assert held.wait(30)
    try:
        with pytest.raises(jobs.JobLocked):
            jobs.run("sweep_deadlines")
    finally:
        release.set()
        runner.join(30)
    assert isinstance(jobs.run("sweep_deadlines"), dict)
