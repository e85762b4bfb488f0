"""Notices issued and delivered through a real Celery worker on the real Redis to real HTTP
servers on loopback: signed, each holder only its own, retried until delivered once, and
kept through a broker outage. The dispose request only orders the notices; the worker
issues them after it commits (not inline, as the other tests have it)."""

import hashlib
import hmac
import json
import time

import psycopg
import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction

from config.celery import app as celery_app
from core import rules
from core.choices import DeliveryStatus
from core.jobs import run as run_job
from core.models import AlertDelivery, AlertSubscription
from notices.models import Notice, NoticeIssue
from tests.core.test_delivery import WebhookServer
from tests.core.test_delivery_worker import closed_port, use_broker
from tests.hardening.test_delivery_drills import kill, worker_database_url, worker_log
from tests.hardening.test_delivery_drills import start_worker as start_worker_process

from .conftest import dispose_url

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def issued_by_a_worker(settings):
    settings.LEVEE_NOTICES_INLINE = False


@pytest.fixture
def quick_retries(settings):
    settings.LEVEE_RULES_OVERRIDE = {"alerts": {"delivery": {"backoff_seconds": 1}}}
    rules.clear_cache()
    yield
    rules.clear_cache()


def secret_of(party):
    return f"secret-of-{party.uscc}"


def receivers(chain, statuses=None):
    """One webhook server per holder, subscribed by the holder itself."""
    servers = {}
    for holder in chain.holders:
        server = WebhookServer(statuses=(statuses or {}).get(holder.pk, (200,)))
        server.__enter__()
        servers[holder.pk] = server
        AlertSubscription.objects.create(
            url=server.url, secret=secret_of(holder), kinds=["notice"], party_uscc=holder.uscc
        )
    return servers


def wait_until(condition, seconds=20):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)
    return condition()


def all_delivered():
    # None before the worker has issued the notices (and written their deliveries).
    deliveries = AlertDelivery.objects.all()
    return deliveries.exists() and not deliveries.exclude(status=DeliveryStatus.DELIVERED).exists()


def check_received(chain, servers):
    for holder in chain.holders:
        notice = Notice.objects.get(party=holder)
        ok = [r for r in servers[holder.pk].requests]
        assert ok, holder.name
        for request in ok:
            headers, raw = request["headers"], request["body"]
            expected = hmac.new(secret_of(holder).encode(), raw, hashlib.sha256).hexdigest()
            assert headers["X-Levee-Signature"] == f"sha256={expected}"
            assert headers["X-Levee-Notice-Id"] == str(notice.pk)
            body = json.loads(raw)
            assert body["party"]["uscc"] == holder.uscc  # its own, nobody else's
            assert (body["measure"], body["lot"]["lot_code"]) == ("take_down", chain.lot.lot_code)
            # The deadline as a time to read (not "within 72 hours"), to the minute.
            due = body["due_at"][:16].replace("T", " ")
            assert due in body["instruction"] and "72" not in body["instruction"].replace(due, "")
            assert body["acknowledge_url"].endswith(f"/api/v1/notices/{notice.pk}/acknowledge/")
            assert body["quantity_received"] == str(int(notice.quantity_received))


def test_a_worker_delivers_each_holder_its_signed_notice_once(
    api, regulator, chain, reported_sample, quick_retries
):
    celery_app.control.purge()
    sample = reported_sample()
    # Shop B's receiver fails twice, then recovers.
    servers = receivers(chain, {chain.shop_b.pk: (500, 503, 200)})
    try:
        with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=10):
            response = api.as_(regulator).post(
                dispose_url(sample), {"measures": [{"measure": "take_down"}]}, format="json"
            )
            assert response.status_code == 200
            assert wait_until(all_delivered, seconds=30)
            time.sleep(1.5)  # nothing more arrives after a 2xx
    finally:
        for server in servers.values():
            server.__exit__(None, None, None)

    check_received(chain, servers)
    assert NoticeIssue.objects.get().issued_at is not None
    for holder in chain.holders:
        expected = 3 if holder == chain.shop_b else 1
        assert len(servers[holder.pk].requests) == expected, holder.name
    retried = AlertDelivery.objects.get(subscription__party_uscc=chain.shop_b.uscc)
    assert [a.status_code for a in retried.attempts.all()] == [500, 503, 200]
    board = api.as_(regulator).get(f"/api/v1/sampling/samples/{sample.pk}/notices/").json()
    assert board["delivered"] == 4


def test_notices_disposed_while_the_broker_is_down_are_delivered_when_it_is_back(
    api, regulator, chain, reported_sample
):
    sample = reported_sample()
    servers = receivers(chain)
    try:
        use_broker(f"redis://127.0.0.1:{closed_port()}/0")
        try:
            started = time.monotonic()
            response = api.as_(regulator).post(
                dispose_url(sample), {"measures": [{"measure": "take_down"}]}, format="json"
            )
            elapsed = time.monotonic() - started
        finally:
            use_broker(None)
        assert response.status_code == 200
        assert elapsed < 5
        # The disposition is recorded and the notices ordered; nobody could issue them yet.
        assert response.json()["state"] == "disposed"
        assert response.json()["disposition"]["notices"]["issuing"] is True
        assert NoticeIssue.objects.get().issued_at is None
        assert not Notice.objects.exists() and not AlertDelivery.objects.exists()
        assert not any(server.requests for server in servers.values())

        # The sweep issues them and sends them in the same run, once.
        assert run_job("deliver_pending_alerts")["delivered"] == 4
        assert run_job("deliver_pending_alerts")["delivered"] == 0
    finally:
        for server in servers.values():
            server.__exit__(None, None, None)

    check_received(chain, servers)
    assert [len(servers[h.pk].requests) for h in chain.holders] == [1, 1, 1, 1]
    assert NoticeIssue.objects.get().issued_at is not None
    board = api.as_(regulator).get(f"/api/v1/sampling/samples/{sample.pk}/notices/").json()
    assert (board["issuing"], board["notified"], board["delivered"]) == (False, 4, 4)


def order_locked_by_a_worker(order):
    """The worker has claimed the order (its row is locked) and not finished."""
    with transaction.atomic():
        free = NoticeIssue.objects.select_for_update(skip_locked=True).filter(pk=order.pk)
        return not free.exists() and NoticeIssue.objects.get(pk=order.pk).issued_at is None


def test_notices_whose_worker_is_killed_while_issuing_them_are_issued_once_by_the_sweep(
    api, regulator, chain, reported_sample, tmp_path
):
    celery_app.control.purge()  # tasks left by other tests point at rows that are gone
    sample = reported_sample()
    servers = receivers(chain)
    log_path = tmp_path / "worker.log"
    # Another transaction holds the lot, so the worker stops half-way through issuing
    # (the order claimed, the trace read) until the test lets it go.
    holder = psycopg.connect(worker_database_url().replace("postgres://", "postgresql://"))
    first_worker = start_worker_process(log_path)
    try:
        holder.execute("SELECT 1 FROM traceability_lot WHERE id = %s FOR UPDATE", [chain.lot.pk])
        response = api.as_(regulator).post(
            dispose_url(sample), {"measures": [{"measure": "take_down"}]}, format="json"
        )
        assert response.status_code == 200
        order = NoticeIssue.objects.get()
        assert wait_until(lambda: order_locked_by_a_worker(order), 25), worker_log(log_path)
        kill(first_worker)  # mid-issue: its transaction dies with it
        holder.rollback()

        assert NoticeIssue.objects.get().issued_at is None
        assert not Notice.objects.exists() and not AlertDelivery.objects.exists()

        # A new worker runs the sweep, as beat would schedule it.
        second_worker = start_worker_process(log_path)
        try:
            celery_app.send_task("core.run_job", args=["deliver_pending_alerts"])
            assert wait_until(all_delivered, 25), worker_log(log_path)
            time.sleep(1)  # nothing more arrives
        finally:
            kill(second_worker)
    finally:
        kill(first_worker)
        holder.close()
        for server in servers.values():
            server.__exit__(None, None, None)

    check_received(chain, servers)
    assert [len(servers[h.pk].requests) for h in chain.holders] == [1, 1, 1, 1]
    assert Notice.objects.count() == 4
    assert NoticeIssue.objects.get().issued_at is not None
