"""Alert delivery to webhook subscribers: the reader of the outbox (DESIGN.md §7).

1. `on_alert_raised` runs inside the transaction that raised the alert and writes one
   `AlertDelivery` row per matching active subscription, so the alert and the promise to
   deliver it commit (or roll back) together.
2. After commit it enqueues one Celery task per delivery. Enqueueing never fails the
   request: with the broker down the delivery simply stays pending.
3. A sender first *claims* a due delivery (`SELECT ... FOR UPDATE SKIP LOCKED` on
   PostgreSQL) and pushes its due time forward by a lease, in a short transaction; then it
   POSTs outside any transaction; then it records the attempt. Two workers (the task and
   the `deliver_pending_alerts` job, or two jobs) therefore never send one delivery at
   the same time, and a sender that dies mid-send only delays the delivery by the lease.
4. A failed attempt is retried with exponential backoff; after `max_attempts` the delivery
   is dead (visible in the API and the admin, and re-armed by `delivery_retry`).

Delivery is at least once: a subscriber deduplicates on the `Idempotency-Key` header (the
delivery id, stable across retries) or `X-Levee-Alert-Id`. The body is the alert's JSON;
`X-Levee-Signature: sha256=<hex>` is the HMAC-SHA256 of exactly those bytes with the
subscription's secret.
"""

import datetime as dt
import hashlib
import hmac
import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import structlog
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import DeliveryStatus
from .exceptions import Conflict
from .models import AlertDelivery, AlertDeliveryAttempt, AlertSubscription
from .regions import covers
from .rules import rule

log = structlog.get_logger(__name__)

SIGNATURE_HEADER = "X-Levee-Signature"
USER_AGENT = "Levee-Webhooks/1"
_SEND_THREADS = 8


def _setting(name):
    return rule(f"alerts.delivery.{name}")


def subscription_matches(subscription, alert):
    """Empty kinds or regions match everything; a region matches alerts inside it."""
    if subscription.kinds and alert.kind not in subscription.kinds:
        return False
    if subscription.regions:
        return any(covers(region, alert.region) for region in subscription.regions)
    return True


def on_alert_raised(alert):
    """Write the alert's deliveries in the raising transaction; enqueue them after it."""
    deliveries = [
        AlertDelivery(alert=alert, subscription=subscription)
        for subscription in AlertSubscription.objects.filter(active=True)
        if subscription_matches(subscription, alert)
    ]
    if not deliveries:
        return []
    AlertDelivery.objects.bulk_create(deliveries)
    ids = [d.pk for d in deliveries]
    transaction.on_commit(lambda: enqueue(ids))
    return deliveries


def enqueue(delivery_ids, *, countdown=None):
    """Hand deliveries to Celery. A broker outage is logged, never raised: the deliveries
    stay pending and deliver_pending_alerts sends them later."""
    from .tasks import deliver_alert

    queued = 0
    for delivery_id in delivery_ids:
        try:
            deliver_alert.apply_async(
                (delivery_id,),
                countdown=countdown,
                retry=True,
                retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.2},
            )
            queued += 1
        except Exception as exc:  # any broker or transport error
            log.warning(
                "alert.delivery.enqueue_failed",
                delivery_id=delivery_id,
                error=f"{exc.__class__.__name__}: {exc}"[:300],
            )
            break  # the broker is down: the rest would fail the same way, and slowly
    return queued


def signature(secret, body):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def alert_body(alert):
    from .api.serializers import AlertSerializer

    data = AlertSerializer(alert).data
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str).encode()


@dataclass(frozen=True)
class Outgoing:
    """A claimed delivery, ready to send with no database access."""

    delivery_id: int
    url: str
    body: bytes
    headers: dict


@dataclass(frozen=True)
class Outcome:
    delivery_id: int
    status_code: int | None
    error: str
    duration_ms: int

    @property
    def succeeded(self):
        return self.status_code is not None and 200 <= self.status_code < 300


def _claim(queryset, limit):
    """Lock due pending deliveries (skipping rows another sender holds), lease them, and
    return what to send."""
    now = timezone.now()
    lease = dt.timedelta(seconds=_setting("lease_seconds"))
    with transaction.atomic():
        claimed = list(
            # A paused (inactive) subscription's deliveries wait for it to be resumed.
            queryset.filter(
                status=DeliveryStatus.PENDING, next_attempt_at__lte=now, subscription__active=True
            )
            .select_related("alert", "subscription")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("next_attempt_at", "id")[:limit]
        )
        if not claimed:
            return []
        AlertDelivery.objects.filter(pk__in=[d.pk for d in claimed]).update(
            next_attempt_at=now + lease
        )
    outgoing = []
    for delivery in claimed:
        body = alert_body(delivery.alert)
        outgoing.append(
            Outgoing(
                delivery_id=delivery.pk,
                url=delivery.subscription.url,
                body=body,
                headers={
                    "Content-Type": "application/json",
                    "User-Agent": USER_AGENT,
                    SIGNATURE_HEADER: signature(delivery.subscription.secret, body),
                    "Idempotency-Key": str(delivery.pk),
                    "X-Levee-Alert-Id": str(delivery.alert_id),
                    "X-Levee-Delivery-Id": str(delivery.pk),
                    "X-Levee-Attempt": str(delivery.attempt_count + 1),
                },
            )
        )
    return outgoing


def _post(outgoing, client):
    started = time.monotonic()
    status_code, error = None, ""
    try:
        response = client.post(outgoing.url, content=outgoing.body, headers=outgoing.headers)
        status_code = response.status_code
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except httpx.HTTPError as exc:
        error = f"{exc.__class__.__name__}: {exc}"
    return Outcome(
        delivery_id=outgoing.delivery_id,
        status_code=status_code,
        error=error[:500],
        duration_ms=int((time.monotonic() - started) * 1000),
    )


def _client():
    timeout = httpx.Timeout(
        _setting("timeout_seconds"), connect=_setting("connect_timeout_seconds")
    )
    # Redirects are not followed: a subscriber answers where it was registered.
    return httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False)


def backoff(attempt_count):
    base, cap = _setting("backoff_seconds"), _setting("backoff_max_seconds")
    return dt.timedelta(seconds=min(cap, base * 2 ** max(attempt_count - 1, 0)))


def _record(outcome):
    """Write the attempt and the delivery's new status. Returns the delivery."""
    with transaction.atomic():
        delivery = AlertDelivery.objects.select_for_update().filter(pk=outcome.delivery_id).first()
        if delivery is None:  # its subscription was deleted while the POST was under way
            return None
        delivery.attempt_count += 1
        AlertDeliveryAttempt.objects.create(
            delivery=delivery,
            number=AlertDeliveryAttempt.objects.filter(delivery=delivery).count() + 1,
            status_code=outcome.status_code,
            error=outcome.error,
            duration_ms=outcome.duration_ms,
            succeeded=outcome.succeeded,
        )
        delivery.last_status_code = outcome.status_code
        delivery.last_error = outcome.error
        now = timezone.now()
        if outcome.succeeded:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = now
        elif delivery.attempt_count >= _setting("max_attempts"):
            delivery.status = DeliveryStatus.DEAD
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempt_count)
        delivery.save()
    log.info(
        "alert.delivery.attempt",
        delivery_id=delivery.pk,
        alert_id=delivery.alert_id,
        attempt=delivery.attempt_count,
        status_code=outcome.status_code,
        error=outcome.error or None,
        result=delivery.status,
    )
    return delivery


def _send_all(outgoing):
    """POST each claimed delivery, a few at a time, so one slow subscriber does not hold
    up the others; then record every outcome."""
    if not outgoing:
        return []
    with _client() as client, ThreadPoolExecutor(max_workers=_SEND_THREADS) as pool:
        outcomes = list(pool.map(lambda o: _post(o, client), outgoing))
    return [d for d in (_record(outcome) for outcome in outcomes) if d is not None]


def delivery_send(*, delivery_id):
    """Send one delivery if it is pending and due (the Celery task's body). A failure
    that leaves it pending re-enqueues it with its backoff."""
    delivered = _send_all(_claim(AlertDelivery.objects.filter(pk=delivery_id), 1))
    if not delivered:
        return None
    delivery = delivered[0]
    if delivery.status == DeliveryStatus.PENDING and not _eager():
        delay = max((delivery.next_attempt_at - timezone.now()).total_seconds(), 0)
        enqueue([delivery.pk], countdown=round(delay))
    return delivery.status


def _eager():
    from celery import current_app

    # Eager mode runs a countdown at once; the job paces retries there instead.
    return bool(current_app.conf.task_always_eager)


def deliver_pending(*, batch=100, max_batches=50):
    """Send every pending delivery that is due (the deliver_pending_alerts job)."""
    counts = {"delivered": 0, "failed": 0, "dead": 0}
    for _batch in range(max_batches):
        outgoing = _claim(AlertDelivery.objects.all(), batch)
        if not outgoing:
            break
        for delivery in _send_all(outgoing):
            key = {DeliveryStatus.DELIVERED: "delivered", DeliveryStatus.DEAD: "dead"}
            counts[key.get(delivery.status, "failed")] += 1
    return counts


def delivery_retry(*, delivery):
    """Re-arm a dead (or pending) delivery for another round of attempts."""
    with transaction.atomic():
        delivery = AlertDelivery.objects.select_for_update().get(pk=delivery.pk)
        if delivery.status == DeliveryStatus.DELIVERED:
            raise Conflict(_("This delivery was delivered already."), extra={"state": "delivered"})
        delivery.status = DeliveryStatus.PENDING
        delivery.attempt_count = 0
        delivery.next_attempt_at = timezone.now()
        delivery.save()
        pk = delivery.pk
        transaction.on_commit(lambda: enqueue([pk]))
    return delivery
