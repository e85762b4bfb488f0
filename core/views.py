"""Liveness and readiness: no auth, no database work beyond one round trip."""

import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError, connection
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults


def healthz(request):
    return JsonResponse({"status": "ok"})


def _database_ok():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True, "ok"
    except Exception as exc:  # any driver error means "not ready"
        return False, exc.__class__.__name__


def _broker_ok():
    if not settings.REDIS_URL:
        return True, "not configured (tasks run eagerly)"
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
        return True, "ok"
    except redis.RedisError as exc:
        return False, exc.__class__.__name__


def readyz(request):
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    ready = all(ok for ok, _ in checks.values())
    return JsonResponse(
        {
            "status": "ok" if ready else "unavailable",
            "checks": {name: detail for name, (_, detail) in checks.items()},
        },
        status=200 if ready else 503,
    )


def _api_error(status, code, detail):
    return JsonResponse(
        {
            "type": "client_error" if status < 500 else "server_error",
            "errors": [{"code": code, "detail": detail, "attr": None}],
        },
        status=status,
    )


def bad_request(request, exception=None):
    """400 for a request Django itself refused, wherever it was read (the Idempotency-Key
    middleware reads the body too); a body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413."""
    if isinstance(exception, RequestDataTooBig):
        return _api_error(
            413, "request_too_large", _("The request body is larger than this service accepts.")
        )
    if request.path.startswith("/api/"):
        return _api_error(400, "bad_request", _("Bad request."))
    return defaults.bad_request(request, exception)


def not_found(request, exception=None):
    """404 for URLs no route matches: the API's error shape under /api/, HTML elsewhere."""
    if request.path.startswith("/api/"):
        return _api_error(404, "not_found", _("Not found."))
    return defaults.page_not_found(request, exception)


def server_error(request):
    """500, or 503 when the database is unreachable. Django calls this while handling the
    exception, wherever it was raised (a middleware such as the Idempotency-Key one included),
    so the exception is still in sys.exc_info()."""
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        response = _api_error(
            503, "database_unavailable", _("The database is unavailable; retry shortly.")
        )
        response["Retry-After"] = "5"
        return response
    if request.path.startswith("/api/"):
        return _api_error(500, "error", _("Server Error (500)"))
    return defaults.server_error(request)
