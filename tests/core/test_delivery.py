"""Webhook delivery of alerts (the outbox of DESIGN.md §7), against a real HTTP server on
loopback."""

import datetime as dt
import hashlib
import hmac
import http.server
import json
import socket
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from core import delivery as delivery_module
from core import rules
from core.choices import AlertKind, DeliveryStatus
from core.jobs import run as run_job
from core.models import Alert, AlertDelivery, AlertDeliveryAttempt, AlertSubscription
from core.services import alert_raise
from core.tasks import deliver_alert
from tests.conftest import BEIJING, CHAOYANG, PUDONG, SHANGHAI

SECRET = "s3cret-s3cret-s3cret"


class WebhookServer:
    """A real HTTP server in a thread; answers with `statuses` in turn (the last one
    repeats) and keeps every request it got."""

    def __init__(self, statuses=(200,), delay=0.0):
        self.statuses = list(statuses)
        self.delay = delay
        self.requests = []
        self._lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with server._lock:
                    server.requests.append({"headers": dict(self.headers), "body": body})
                    status = (
                        server.statuses.pop(0) if len(server.statuses) > 1 else (server.statuses[0])
                    )
                time.sleep(server.delay)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def alert_ids(self):
        return [int(r["headers"]["X-Levee-Alert-Id"]) for r in self.requests]


def closed_port_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


@pytest.fixture
def webhook():
    with WebhookServer() as server:
        yield server


@pytest.fixture
def delivery_rules(settings):
    """Delivery settings for a test: few attempts, short backoff."""

    def apply(**values):
        settings.LEVEE_RULES_OVERRIDE = {"alerts": {"delivery": values}}
        rules.clear_cache()

    yield apply
    rules.clear_cache()


def subscribe(url, **kwargs):
    return AlertSubscription.objects.create(url=url, secret=SECRET, **kwargs)


def raise_alert(key="sample:1:receive", region=CHAOYANG, kind=AlertKind.DEADLINE_OVERDUE):
    with transaction.atomic():
        return alert_raise(kind=kind, dedup_key=key, message="Sample overdue", region=region)


def make_due():
    AlertDelivery.objects.update(next_attempt_at=timezone.now())


@pytest.mark.django_db
def test_an_alert_is_posted_to_a_real_webhook_with_a_valid_signature(webhook):
    subscribe(webhook.url)
    alert = raise_alert()
    delivery = AlertDelivery.objects.get(alert=alert)

    assert deliver_alert.run(delivery.pk) == DeliveryStatus.DELIVERED

    [request] = webhook.requests
    headers, body = request["headers"], request["body"]
    expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Levee-Signature"] == f"sha256={expected}"
    assert headers["Idempotency-Key"] == str(delivery.pk)
    assert headers["X-Levee-Alert-Id"] == str(alert.pk)
    assert headers["Content-Type"] == "application/json"
    sent = json.loads(body)
    assert (sent["id"], sent["kind"], sent["region"]) == (alert.pk, "deadline_overdue", CHAOYANG)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert [(a.number, a.status_code, a.succeeded) for a in delivery.attempts.all()] == [
        (1, 200, True)
    ]


@pytest.mark.django_db
def test_a_delivered_alert_is_not_sent_again(webhook):
    subscribe(webhook.url)
    alert = raise_alert()
    run_job("deliver_pending_alerts")
    deliver_alert.run(AlertDelivery.objects.get(alert=alert).pk)
    run_job("deliver_pending_alerts")
    assert webhook.alert_ids() == [alert.pk]


@pytest.mark.django_db
def test_only_matching_active_subscriptions_get_a_delivery():
    everything = subscribe("http://127.0.0.1:9/a")
    beijing = subscribe("http://127.0.0.1:9/b", regions=[BEIJING])
    shanghai = subscribe("http://127.0.0.1:9/c", regions=[SHANGHAI])
    signals_only = subscribe("http://127.0.0.1:9/d", kinds=[AlertKind.INJURY_SIGNAL])
    overdue_chaoyang = subscribe(
        "http://127.0.0.1:9/e", kinds=[AlertKind.DEADLINE_OVERDUE], regions=[CHAOYANG]
    )
    subscribe("http://127.0.0.1:9/f", active=False)

    alert = raise_alert(region=CHAOYANG)

    assert set(
        AlertDelivery.objects.filter(alert=alert).values_list("subscription", flat=True)
    ) == {
        everything.pk,
        beijing.pk,
        overdue_chaoyang.pk,
    }
    other = raise_alert(key="x", region=PUDONG, kind=AlertKind.INJURY_SIGNAL)
    assert set(
        AlertDelivery.objects.filter(alert=other).values_list("subscription", flat=True)
    ) == {
        everything.pk,
        shanghai.pk,
        signals_only.pk,
    }


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_neither_alert_nor_delivery():
    subscribe("http://127.0.0.1:9/a")
    with pytest.raises(RuntimeError), transaction.atomic():
        alert_raise(kind=AlertKind.DEADLINE_OVERDUE, dedup_key="k", message="m", region=CHAOYANG)
        raise RuntimeError("the raising change failed")
    assert not Alert.objects.exists()
    assert not AlertDelivery.objects.exists()


@pytest.mark.django_db
def test_a_failing_subscriber_is_retried_with_backoff_then_marked_dead(delivery_rules):
    delivery_rules(max_attempts=3, backoff_seconds=10, backoff_max_seconds=15)
    with WebhookServer(statuses=[500]) as failing:
        subscribe(failing.url)
        alert = raise_alert()
        delivery = AlertDelivery.objects.get(alert=alert)

        before = timezone.now()
        assert run_job("deliver_pending_alerts") == {"delivered": 0, "failed": 1, "dead": 0}
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.PENDING
        assert (
            dt.timedelta(seconds=9) < delivery.next_attempt_at - before < dt.timedelta(seconds=12)
        )
        # Not due yet: the job leaves it alone.
        assert run_job("deliver_pending_alerts") == {"delivered": 0, "failed": 0, "dead": 0}

        make_due()
        before = timezone.now()
        run_job("deliver_pending_alerts")
        delivery.refresh_from_db()
        # Doubled backoff (20 s), capped at 15 s.
        assert (
            dt.timedelta(seconds=14) < delivery.next_attempt_at - before < dt.timedelta(seconds=17)
        )

        make_due()
        assert run_job("deliver_pending_alerts") == {"delivered": 0, "failed": 0, "dead": 1}
        make_due()
        assert run_job("deliver_pending_alerts") == {"delivered": 0, "failed": 0, "dead": 0}

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DEAD
    assert len(failing.requests) == 3
    assert [(a.number, a.status_code, a.error) for a in delivery.attempts.all()] == [
        (n, 500, "HTTP 500") for n in (1, 2, 3)
    ]
    # Every attempt carried the same idempotency key.
    assert {r["headers"]["Idempotency-Key"] for r in failing.requests} == {str(delivery.pk)}


@pytest.mark.django_db
def test_a_delivery_succeeds_on_a_later_attempt():
    with WebhookServer(statuses=[503, 200]) as flaky:
        subscribe(flaky.url)
        alert = raise_alert()
        run_job("deliver_pending_alerts")
        make_due()
        run_job("deliver_pending_alerts")
    delivery = AlertDelivery.objects.get(alert=alert)
    assert delivery.status == DeliveryStatus.DELIVERED
    assert [a.status_code for a in delivery.attempts.all()] == [503, 200]


@pytest.mark.django_db
def test_an_unreachable_subscriber_never_blocks_the_others(webhook):
    down = subscribe(closed_port_url())
    up = subscribe(webhook.url)
    alerts = [raise_alert(key=f"k{i}") for i in range(3)]

    run_job("deliver_pending_alerts")

    assert sorted(webhook.alert_ids()) == [a.pk for a in alerts]
    assert set(AlertDelivery.objects.filter(subscription=up).values_list("status", flat=True)) == {
        DeliveryStatus.DELIVERED
    }
    failed = AlertDelivery.objects.filter(subscription=down)
    assert set(failed.values_list("status", flat=True)) == {DeliveryStatus.PENDING}
    assert all("ConnectError" in d.last_error for d in failed)


@pytest.mark.django_db
def test_a_claimed_delivery_is_left_to_its_sender(webhook):
    subscribe(webhook.url)
    raise_alert()
    claimed = delivery_module._claim(AlertDelivery.objects.all(), 10)
    assert len(claimed) == 1
    # Another sender (the job, or a duplicate task) finds nothing due while the lease runs.
    assert run_job("deliver_pending_alerts")["delivered"] == 0
    assert deliver_alert.run(claimed[0].delivery_id) is None
    assert webhook.requests == []


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_senders_never_send_one_delivery_twice():
    with WebhookServer(delay=0.05) as slow:
        subscribe(slow.url)
        alerts = [raise_alert(key=f"k{i}") for i in range(12)]
        barrier = threading.Barrier(2)

        def sender():
            barrier.wait()
            try:
                delivery_module.deliver_pending(batch=3)
            finally:
                connection.close()

        threads = [threading.Thread(target=sender) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    assert sorted(slow.alert_ids()) == [a.pk for a in alerts]
    assert AlertDelivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 12


# --- API and admin


@pytest.mark.django_db
def test_admins_see_deliveries_with_their_attempts(api, admin_user, delivery_rules):
    delivery_rules(max_attempts=1)
    subscribe(closed_port_url())
    alert = raise_alert()
    run_job("deliver_pending_alerts")

    client = api.as_(admin_user)
    listed = client.get("/api/v1/alerts/deliveries/", {"status": "dead"}).json()["results"]
    assert [(d["alert"], d["status"], d["attempt_count"]) for d in listed] == [
        (alert.pk, "dead", 1)
    ]
    assert listed[0]["attempts"][0]["succeeded"] is False
    assert client.get("/api/v1/alerts/deliveries/", {"status": "pending"}).json()["count"] == 0


@pytest.mark.django_db
def test_a_dead_delivery_can_be_retried_by_an_admin(api, admin_user, delivery_rules, webhook):
    delivery_rules(max_attempts=1)
    subscription = subscribe(closed_port_url())
    raise_alert()
    run_job("deliver_pending_alerts")
    delivery = AlertDelivery.objects.get()

    subscription.url = webhook.url
    subscription.save()
    response = api.as_(admin_user).post(f"/api/v1/alerts/deliveries/{delivery.pk}/retry/")
    assert response.status_code == 200
    assert response.json()["status"] == "pending"
    run_job("deliver_pending_alerts")
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert [a.number for a in delivery.attempts.all()] == [1, 2]
    again = api.as_(admin_user).post(f"/api/v1/alerts/deliveries/{delivery.pk}/retry/")
    assert again.status_code == 409


@pytest.mark.django_db
def test_only_admins_reach_deliveries_and_subscriptions(api, regulator, enterprise):
    subscription = subscribe("http://127.0.0.1:9/a")
    raise_alert()
    delivery = AlertDelivery.objects.get()
    for user in (regulator, enterprise):
        client = api.as_(user)
        assert client.get("/api/v1/alerts/deliveries/").status_code == 403
        assert client.post(f"/api/v1/alerts/deliveries/{delivery.pk}/retry/").status_code == 403
        assert client.get("/api/v1/alerts/subscriptions/").status_code == 403
        sub_url = f"/api/v1/alerts/subscriptions/{subscription.pk}/"
        assert client.patch(sub_url, {"active": False}, format="json").status_code == 403
        assert client.delete(sub_url).status_code == 403


@pytest.mark.django_db
def test_an_admin_creates_updates_and_deactivates_a_subscription(api, admin_user):
    client = api.as_(admin_user)
    created = client.post(
        "/api/v1/alerts/subscriptions/",
        {"url": "https://hooks.example.org/levee", "secret": SECRET, "regions": [BEIJING]},
        format="json",
        headers={"Idempotency-Key": "sub-1"},
    )
    assert created.status_code == 201
    assert "secret" not in created.json()
    url = f"/api/v1/alerts/subscriptions/{created.json()['id']}/"

    patched = client.patch(url, {"kinds": ["injury_signal"], "active": False}, format="json")
    assert patched.status_code == 200
    assert (patched.json()["kinds"], patched.json()["regions"]) == (["injury_signal"], [BEIJING])
    assert patched.json()["active"] is False

    assert client.patch(url, {"active": True}, format="json").status_code == 200
    assert client.delete(url).status_code == 204
    # deleting deactivates: the subscription and its deliveries stay on record
    assert client.get(url).json()["active"] is False
    assert AlertSubscription.objects.filter(active=False).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {"url": "ftp://hooks.example.org/x", "secret": SECRET},
        {"url": "not a url", "secret": SECRET},
        {"url": "https://hooks.example.org/x", "secret": "short"},
        {"url": "https://hooks.example.org/x", "secret": SECRET, "kinds": ["no_such_kind"]},
        {"url": "https://hooks.example.org/x", "secret": SECRET, "regions": ["12"]},
    ],
)
def test_bad_subscriptions_are_400(api, admin_user, body):
    response = api.as_(admin_user).post("/api/v1/alerts/subscriptions/", body, format="json")
    assert response.status_code == 400


@pytest.mark.django_db
def test_the_admin_lists_deliveries_and_shows_attempts(client, admin_user):
    subscribe(closed_port_url())
    raise_alert()
    run_job("deliver_pending_alerts")
    delivery = AlertDelivery.objects.get()
    client.force_login(admin_user)
    assert client.get("/admin/core/alertdelivery/").status_code == 200
    page = client.get(f"/admin/core/alertdelivery/{delivery.pk}/change/")
    assert page.status_code == 200
    assert b"ConnectError" in page.content
    assert client.get("/admin/core/alertsubscription/").status_code == 200


@pytest.mark.django_db
def test_a_paused_subscription_keeps_its_deliveries_until_resumed(webhook):
    subscription = subscribe(webhook.url)
    alert = raise_alert()
    subscription.active = False
    subscription.save()
    run_job("deliver_pending_alerts")
    assert webhook.requests == []
    subscription.active = True
    subscription.save()
    run_job("deliver_pending_alerts")
    assert webhook.alert_ids() == [alert.pk]


@pytest.mark.django_db
def test_deleting_a_subscription_deactivates_it_and_keeps_its_deliveries(api, admin_user, webhook):
    subscription = subscribe(webhook.url)
    for n in range(3):
        raise_alert(key=f"sample:{n}:receive")
    run_job("deliver_pending_alerts")
    assert AlertDelivery.objects.filter(subscription=subscription).count() == 3
    attempts = AlertDeliveryAttempt.objects.count()

    client = api.as_(admin_user)
    assert client.delete(f"/api/v1/alerts/subscriptions/{subscription.pk}/").status_code == 204
    subscription.refresh_from_db()
    assert subscription.active is False
    assert AlertDelivery.objects.filter(subscription=subscription).count() == 3
    assert AlertDeliveryAttempt.objects.count() == attempts
    raise_alert(key="sample:9:receive")  # a deactivated subscription gets nothing new
    assert AlertDelivery.objects.filter(subscription=subscription).count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["alert", "alertdelivery", "alertsubscription"])
def test_the_admin_deletes_no_alert_delivery_or_subscription(client, admin_user, webhook, model):
    subscription = subscribe(webhook.url)
    alert = raise_alert()
    obj = {
        "alert": alert,
        "alertdelivery": AlertDelivery.objects.get(),
        "alertsubscription": subscription,
    }[model]
    client.force_login(admin_user)
    changelist = f"/admin/core/{model}/"
    assert client.post(f"{changelist}{obj.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(
        changelist, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
    )
    assert type(obj).objects.filter(pk=obj.pk).exists()
    assert AlertDelivery.objects.count() == 1
