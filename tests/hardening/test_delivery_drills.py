"""Fault drills for alert delivery (issue 8): a Celery worker killed mid-delivery, and a
request that raises an alert while the broker is down. Real worker processes, the real
Redis broker, a real webhook receiver on loopback."""

import http.server
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from config.celery import app as celery_app
from core.choices import AlertKind, DeliveryStatus
from core.delivery import signature
from core.jobs import run as run_job
from core.models import Alert, AlertDelivery, AlertSubscription
from core.services import alert_raise
from tests.conftest import CHAOYANG
from tests.core.test_delivery import SECRET, WebhookServer
from tests.core.test_delivery_worker import closed_port, use_broker

ROOT = Path(__file__).resolve().parents[2]


class StallingReceiver:
    """A webhook receiver that records every request and holds the first one open (no
    answer) until released: the sender is mid-delivery for as long as the test wants."""

    def __init__(self):
        self.requests = []
        self.first_arrived = threading.Event()
        self.release = threading.Event()
        self.answered = threading.Condition()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.answered:
                    receiver.requests.append({"headers": dict(self.headers), "body": body})
                    first = len(receiver.requests) == 1
                if first:
                    receiver.first_arrived.set()
                    receiver.release.wait(30)
                try:
                    self.send_response(200)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender died while we stalled
                with receiver.answered:
                    receiver.answered.notify_all()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def wait_for(self, count, timeout):
        with self.answered:
            return self.answered.wait_for(lambda: len(self.requests) >= count, timeout)


def worker_database_url():
    """The URL of the database this test runs in (pytest-django's test database), for
    the worker processes."""
    params = connection.settings_dict
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or 5432
    return f"postgres://{params['USER']}{password}@{host}:{port}/{params['NAME']}"


def start_worker(log_path):
    """`celery -A config worker` in a process group of its own, against the test
    database and the real Redis broker."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "LOG_LEVEL": "INFO",
    }
    command = [
        str(Path(sys.executable).parent / "celery"),
        "-A",
        "config",
        "worker",
        "--pool=solo",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "--loglevel=INFO",
    ]
    log = open(log_path, "ab")  # noqa: SIM115 -- the worker writes it until it ends
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def kill(worker):
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def worker_log(log_path):
    return log_path.read_text(errors="replace")[-3000:]


def wait_until(condition, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_alert_whose_worker_is_killed_mid_delivery_is_delivered_with_the_same_ids(tmp_path):
    celery_app.control.purge()  # tasks left by other tests point at rows that are gone
    log_path = tmp_path / "worker.log"
    with StallingReceiver() as receiver:
        AlertSubscription.objects.create(url=receiver.url, secret=SECRET)
        first_worker = start_worker(log_path)
        try:
            with transaction.atomic():
                alert = alert_raise(
                    kind=AlertKind.DEADLINE_OVERDUE,
                    dedup_key="drill:kill",
                    message="overdue",
                    region=CHAOYANG,
                )
            # The worker picks the task up and POSTs; the receiver holds the request...
            assert receiver.first_arrived.wait(25), worker_log(log_path)
            # ...and the worker dies mid-delivery, before any answer.
            kill(first_worker)
        finally:
            kill(first_worker)

        delivery = AlertDelivery.objects.get(alert=alert)
        # Nothing was recorded: the delivery is still pending, leased to the dead sender.
        assert delivery.status == DeliveryStatus.PENDING
        assert delivery.attempt_count == 0
        assert delivery.next_attempt_at > timezone.now()

        # The lease (60 s by default) runs out; rather than wait, move the clock of the
        # delivery. Then a new worker runs the sweep, as beat would schedule it.
        AlertDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        second_worker = start_worker(log_path)
        try:
            celery_app.send_task("core.run_job", args=["deliver_pending_alerts"])
            assert receiver.wait_for(2, 25), worker_log(log_path)
            assert wait_until(
                lambda: (
                    AlertDelivery.objects.get(pk=delivery.pk).status == DeliveryStatus.DELIVERED
                ),
                10,
            ), worker_log(log_path)
        finally:
            kill(second_worker)

    # At least once: the interrupted POST and the redelivery, for one alert, under one
    # idempotency key, each signed over its exact body.
    requests = receiver.requests
    assert len(requests) >= 2
    assert {r["headers"]["X-Levee-Alert-Id"] for r in requests} == {str(alert.pk)}
    assert {r["headers"]["Idempotency-Key"] for r in requests} == {str(delivery.pk)}
    for request in requests:
        assert request["headers"]["X-Levee-Signature"] == signature(SECRET, request["body"])
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempt_count == 1
    assert delivery.delivered_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_request_that_raises_an_alert_succeeds_with_the_broker_down_and_it_is_delivered_later(
    api, regulator
):
    accident = {
        "category": "electric_bicycle",
        "occurred_at": "2024-09-30T10:00:00+08:00",
        "reported_at": "2024-10-09T12:00:00+08:00",
        "region": CHAOYANG,
        "deaths": 0,
        "injuries": 1,
        "property_loss": "5000.00",
        "reporter": "consumer",
        "description": "Battery caught fire while charging in a corridor.",
    }
    with WebhookServer() as webhook:
        AlertSubscription.objects.create(url=webhook.url, secret=SECRET)
        use_broker(f"redis://127.0.0.1:{closed_port()}/0")
        try:
            started = time.monotonic()
            response = api.as_(regulator).post("/api/v1/injury/accidents/", accident, format="json")
            elapsed = time.monotonic() - started
        finally:
            use_broker(None)

        assert response.status_code == 201, response.json()
        assert elapsed < 5
        alert = Alert.objects.get(kind=AlertKind.ACCIDENT_REPORTED)
        delivery = AlertDelivery.objects.get(alert=alert)
        assert delivery.status == DeliveryStatus.PENDING
        assert webhook.requests == []

        # The broker is back; the periodic sweep sends what the outage left pending.
        assert run_job("deliver_pending_alerts")["delivered"] == 1

    assert webhook.alert_ids() == [alert.pk]
    request = webhook.requests[0]
    assert request["headers"]["X-Levee-Signature"] == signature(SECRET, request["body"])
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
