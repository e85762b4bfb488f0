"""Scheduled jobs: registered by name, run by celery beat (through core.tasks.run_job)
or once by hand with `manage.py run_job NAME`.

A job takes a lock so that two beat instances never run the same job at once: a PostgreSQL
advisory lock (no broker needed, released if the process dies), or on SQLite, where one
process runs everything, the cache. It returns a small dict saying what it did.
"""

import contextlib
import time
import uuid
import zlib
from collections.abc import Callable

import structlog
from django.core.cache import cache
from django.db import connection

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


@contextlib.contextmanager
def _advisory_lock(name):
    key = zlib.crc32(f"levee:job:{name}".encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        if not cursor.fetchone()[0]:
            raise JobLocked(name)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


@contextlib.contextmanager
def _cache_lock(name, seconds):
    lock_key, token = f"levee:job-lock:{name}", uuid.uuid4().hex
    if not cache.add(lock_key, token, timeout=seconds):
        raise JobLocked(name)
    try:
        yield
    finally:
        if cache.get(lock_key) == token:
            cache.delete(lock_key)


def job_lock(name, *, seconds=900):
    if connection.vendor == "postgresql":
        return _advisory_lock(name)
    return _cache_lock(name, seconds)


def run(name, *, lock_seconds=900):
    func = _registry[name]
    try:
        with job_lock(name, seconds=lock_seconds):
            started = time.monotonic()
            result = func() or {}
    except JobLocked:
        log.info("job.skipped_locked", job=name)
        raise
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
