"""Delivery through the real broker: a broker outage loses nothing, and an in-process
Celery worker on the real Redis delivers an alert."""

import socket
import time

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import transaction

from config.celery import app as celery_app
from core.choices import AlertKind, DeliveryStatus
from core.jobs import run as run_job
from core.models import AlertDelivery, AlertSubscription
from core.services import alert_raise
from tests.conftest import CHAOYANG

from .test_delivery import SECRET, WebhookServer


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def use_broker(url):
    # The producer pool is built once from the broker URL: drop it so the next send
    # connects to `url`.
    celery_app.conf.broker_write_url = url
    celery_app.amqp._producer_pool = None
    celery_app._pool = None


def raise_alert(key="sample:1:receive"):
    with transaction.atomic():
        return alert_raise(
            kind=AlertKind.DEADLINE_OVERDUE, dedup_key=key, message="overdue", region=CHAOYANG
        )


@pytest.mark.django_db(transaction=True)
def test_an_alert_raised_while_the_broker_is_down_is_delivered_once_it_is_back():
    with WebhookServer() as webhook:
        AlertSubscription.objects.create(url=webhook.url, secret=SECRET)
        queue = redis.Redis.from_url(settings.REDIS_URL)
        queued_before = queue.llen("celery")
        use_broker(f"redis://127.0.0.1:{closed_port()}/0")
        try:
            started = time.monotonic()
            alert = raise_alert()  # commits; enqueueing after commit fails and is logged
            elapsed = time.monotonic() - started
        finally:
            use_broker(None)

        assert alert is not None
        assert elapsed < 5
        assert queue.llen("celery") == queued_before  # nothing reached the real broker
        delivery = AlertDelivery.objects.get(alert=alert)
        assert (delivery.status, delivery.attempt_count) == (DeliveryStatus.PENDING, 0)
        assert webhook.requests == []

        assert run_job("deliver_pending_alerts")["delivered"] == 1
        assert run_job("deliver_pending_alerts")["delivered"] == 0

    assert webhook.alert_ids() == [alert.pk]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_in_process_worker_on_the_real_redis_delivers_an_alert():
    celery_app.control.purge()  # tasks left by other tests point at rows that are gone
    with (
        WebhookServer() as webhook,
        start_worker(celery_app, perform_ping_check=False, shutdown_timeout=10),
    ):
        AlertSubscription.objects.create(url=webhook.url, secret=SECRET)
        alert = raise_alert()  # the task is enqueued on commit
        deadline = time.monotonic() + 15
        while not webhook.requests and time.monotonic() < deadline:
            time.sleep(0.1)
        deadline = time.monotonic() + 5
        while (
            AlertDelivery.objects.get(alert=alert).status != DeliveryStatus.DELIVERED
            and time.monotonic() < deadline
        ):
            time.sleep(0.1)

    assert webhook.alert_ids() == [alert.pk]
    assert AlertDelivery.objects.get(alert=alert).status == DeliveryStatus.DELIVERED
