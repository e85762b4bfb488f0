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

The same outbox carries notices to holders (`outbox_add`, topic `notice`): each goes only to
the active subscriptions of the holder's own party that ask for `notice`, its body rendered
when sent by the renderer the notices app registered (core sits below it). Deliveries are
enqueued in batches; a worker sends a batch through one shared HTTP client (connection
reuse) on a pool of threads, so one slow receiver holds up one thread, not the batch. The
notices themselves are written by a task after the disposing request commits; the orders
for them that a broker outage held back are carried out by the writer the notices app
registered (`register_pending_writer`), which `deliver_pending` runs first.
"""

import datetime as dt
import hashlib
import hmac
import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import batched

import httpx
import structlog
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import DeliveryStatus
from .db import bulk_insert
from .exceptions import Conflict
from .models import AlertDelivery, AlertDeliveryAttempt, AlertSubscription
from .regions import covers
from .rules import rule

log = structlog.get_logger(__name__)

SIGNATURE_HEADER = "X-Levee-Signature"
USER_AGENT = "Levee-Webhooks/1"
_SEND_THREADS = 16


def _setting(name):
    return rule(f"alerts.delivery.{name}")


def subscription_matches(subscription, alert):
    """Empty kinds or regions match everything; a region matches alerts inside it. A
    party's subscription gets its notices only, never alerts."""
    if subscription.party_uscc:
        return False
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


_renderers = {}


def register_renderer(topic, render):
    """`render(subject_ids)` -> {subject id: JSON-able body}: how a topic's messages are
    written when they are sent."""
    _renderers[topic] = render


def outbox_add(*, topic, messages):
    """Write one delivery per message and matching subscription, in the caller's
    transaction; enqueue them after it commits. A message is a dict with `party_uscc`
    (whose subscriptions get it), `subject_id` and `key` (unique per subscription).
    Returns the number of deliveries written."""
    by_party = {}
    for subscription_id, party_uscc, kinds in AlertSubscription.objects.filter(
        active=True, party_uscc__in={m["party_uscc"] for m in messages}
    ).values_list("id", "party_uscc", "kinds"):
        if not kinds or topic in kinds:
            by_party.setdefault(party_uscc, []).append(subscription_id)
    deliveries = [
        AlertDelivery(
            topic=topic,
            subscription_id=subscription_id,
            subject_id=message["subject_id"],
            message_key=message["key"],
        )
        for message in messages
        for subscription_id in by_party.get(message["party_uscc"], ())
    ]
    if not deliveries:
        return 0
    bulk_insert(deliveries)
    ids = [d.pk for d in deliveries]
    transaction.on_commit(lambda: enqueue(ids))
    return len(ids)


def enqueue(delivery_ids, *, countdown=None):
    """Hand deliveries to Celery, a batch per task. A broker outage is logged, never
    raised: the deliveries stay pending and deliver_pending_alerts sends them later."""
    from .tasks import deliver_batch

    queued = 0
    for chunk in batched(delivery_ids, _setting("batch_size")):
        try:
            deliver_batch.apply_async(
                (list(chunk),),
                countdown=countdown,
                retry=True,
                retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.2},
            )
            queued += len(chunk)
        except Exception as exc:  # any broker or transport error
            log.warning(
                "alert.delivery.enqueue_failed",
                delivery_ids=list(chunk)[:20],
                error=f"{exc.__class__.__name__}: {exc}"[:300],
            )
            break  # the broker is down: the rest would fail the same way, and slowly
    return queued


def signature(secret, body):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _encode(data):
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def alert_body(alert):
    from .api.serializers import AlertSerializer

    return _encode(AlertSerializer(alert).data)


def _bodies_and_id_headers(deliveries):
    """{delivery id: (body bytes, id header)}; each topic's bodies rendered in one go."""
    subjects = {}
    for delivery in deliveries:
        if delivery.alert_id is None:
            subjects.setdefault(delivery.topic, set()).add(delivery.subject_id)
    rendered = {topic: _renderers[topic](ids) for topic, ids in subjects.items()}
    result = {}
    for delivery in deliveries:
        if delivery.alert_id is not None:
            header = {"X-Levee-Alert-Id": str(delivery.alert_id)}
            result[delivery.pk] = (alert_body(delivery.alert), header)
        else:
            header = {f"X-Levee-{delivery.topic.title()}-Id": str(delivery.subject_id)}
            body = rendered[delivery.topic][delivery.subject_id]
            result[delivery.pk] = (_encode(body), header)
    return result


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
    bodies = _bodies_and_id_headers(claimed)
    for delivery in claimed:
        body, id_header = bodies[delivery.pk]
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
                    "X-Levee-Topic": delivery.topic,
                    **id_header,
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


class _Sender:
    """The process's HTTP client and thread pool, shared by every batch it sends so that
    connections to a subscriber are reused; built afresh in a forked worker child."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pid = None

    def get(self):
        with self._lock:
            if self._pid != os.getpid():
                timeout = httpx.Timeout(
                    _setting("timeout_seconds"), connect=_setting("connect_timeout_seconds")
                )
                limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
                # Redirects are not followed: a subscriber answers where it was registered.
                self.client = httpx.Client(
                    timeout=timeout, limits=limits, follow_redirects=False, trust_env=False
                )
                self.pool = ThreadPoolExecutor(
                    max_workers=_SEND_THREADS, thread_name_prefix="levee-webhook"
                )
                self._pid = os.getpid()
            return self.client, self.pool


_sender = _Sender()


def backoff(attempt_count):
    base, cap = _setting("backoff_seconds"), _setting("backoff_max_seconds")
    return dt.timedelta(seconds=min(cap, base * 2 ** max(attempt_count - 1, 0)))


def _record(outcomes):
    """Write each outcome's attempt and its delivery's new status, for a whole batch in
    one transaction. Returns the deliveries (those still there)."""
    if not outcomes:
        return []
    now = timezone.now()
    with transaction.atomic():
        deliveries = {
            d.pk: d
            for d in AlertDelivery.objects.select_for_update().filter(
                pk__in=[o.delivery_id for o in outcomes]
            )
        }
        numbers = dict(
            AlertDeliveryAttempt.objects.filter(delivery__in=list(deliveries))
            .values("delivery")
            .annotate(n=Count("id"))
            .values_list("delivery", "n")
        )
        attempts, recorded = [], []
        for outcome in outcomes:
            delivery = deliveries.get(outcome.delivery_id)
            if delivery is None:  # its subscription was deleted while the POST was under way
                continue
            delivery.attempt_count += 1
            attempts.append(
                AlertDeliveryAttempt(
                    delivery=delivery,
                    number=numbers.get(delivery.pk, 0) + 1,
                    at=now,
                    status_code=outcome.status_code,
                    error=outcome.error,
                    duration_ms=outcome.duration_ms,
                    succeeded=outcome.succeeded,
                )
            )
            delivery.last_status_code = outcome.status_code
            delivery.last_error = outcome.error
            delivery.updated_at = now
            if outcome.succeeded:
                delivery.status = DeliveryStatus.DELIVERED
                delivery.delivered_at = now
            elif delivery.attempt_count >= _setting("max_attempts"):
                delivery.status = DeliveryStatus.DEAD
            else:
                delivery.next_attempt_at = now + backoff(delivery.attempt_count)
            recorded.append(delivery)
        bulk_insert(attempts)
        AlertDelivery.objects.bulk_update(
            recorded,
            [
                "attempt_count",
                "last_status_code",
                "last_error",
                "status",
                "delivered_at",
                "next_attempt_at",
                "updated_at",
            ],
        )
    for delivery in recorded:
        log.info(
            "alert.delivery.attempt",
            delivery_id=delivery.pk,
            alert_id=delivery.alert_id,
            attempt=delivery.attempt_count,
            status_code=delivery.last_status_code,
            error=delivery.last_error or None,
            result=delivery.status,
        )
    return recorded


def _send_all(outgoing):
    """POST each claimed delivery, a few at a time, so one slow subscriber does not hold
    up the others; then record every outcome."""
    if not outgoing:
        return []
    client, pool = _sender.get()
    return _record(list(pool.map(lambda o: _post(o, client), outgoing)))


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


def delivery_send_batch(*, delivery_ids):
    """Send the deliveries of a batch that are pending and due (the Celery task's body);
    each failure that leaves one pending re-enqueues it with its backoff."""
    sent = _send_all(_claim(AlertDelivery.objects.filter(pk__in=delivery_ids), len(delivery_ids)))
    if not _eager():
        now = timezone.now()
        for delivery in sent:
            if delivery.status == DeliveryStatus.PENDING:
                delay = max((delivery.next_attempt_at - now).total_seconds(), 0)
                enqueue([delivery.pk], countdown=round(delay))
    return {"sent": len(sent)}


def _eager():
    from celery import current_app

    # Eager mode runs a countdown at once; the job paces retries there instead.
    return bool(current_app.conf.task_always_eager)


_pending_writers = []


def register_pending_writer(write):
    """`write()` -> {name: count}: an app's work, held back by a broker outage or a
    crashed worker, that writes deliveries (the notices app's pending orders to issue
    notices); deliver_pending runs it first, so what it writes goes out in the same run."""
    _pending_writers.append(write)


def deliver_pending(*, batch=100, max_batches=50):
    """Send every pending delivery that is due (the deliver_pending_alerts job), after
    the registered writers have written what was held back."""
    counts = {"delivered": 0, "failed": 0, "dead": 0}
    for write in _pending_writers:
        counts.update({name: n for name, n in (write() or {}).items() if n})
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
