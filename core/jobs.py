"""Scheduled jobs: registered by name, run by celery beat (through core.tasks.run_job)
or once by hand with `manage.py run_job NAME`.

A job takes a lock in the cache (Redis in production) so that two beat instances never run
the same job at once, and returns a small dict saying what it did.
"""

import time
import uuid
from collections.abc import Callable

import structlog
from django.core.cache import cache

log = structlog.get_logger(__name__)

_registry: dict[str, Callable[[], dict | None]] = {}


class JobLocked(Exception):
    pass


def job(name):
    def register(func):
        _registry[name] = func
        return func

    return register


def registered():
    return dict(sorted(_registry.items()))


def run(name, *, lock_seconds=900):
    func = _registry[name]
    lock_key, token = f"levee:job-lock:{name}", uuid.uuid4().hex
    if not cache.add(lock_key, token, timeout=lock_seconds):
        log.info("job.skipped_locked", job=name)
        raise JobLocked(name)
    started = time.monotonic()
    try:
        result = func() or {}
    finally:
        if cache.get(lock_key) == token:
            cache.delete(lock_key)
    log.info("job.done", job=name, seconds=round(time.monotonic() - started, 3), **result)
    return result


@job("purge_idempotency_keys")
def purge_idempotency_keys():
    from .idempotency import purge_expired

    return {"deleted": purge_expired()}


@job("deliver_pending_alerts")
def deliver_pending_alerts():
    """Send alert deliveries that are pending and due (after a broker outage, a crashed
    worker or a failed attempt whose backoff has passed)."""
    from .delivery import deliver_pending

    return deliver_pending()


_deadline_sweepers: list[Callable[[], dict | None]] = []


def deadline_sweeper(func):
    """Register an app's deadline check with the `sweep_deadlines` job (apps below the
    risk layer register here rather than being imported by it)."""
    _deadline_sweepers.append(func)
    return func


@job("sweep_deadlines")
def sweep_deadlines():
    """Raise deadline_overdue alerts for every registered deadline check."""
    totals = {}
    for sweeper in _deadline_sweepers:
        for key, value in (sweeper() or {}).items():
            totals[key] = totals.get(key, 0) + value
    return totals
