"""Idempotency-Key for POSTs (DESIGN.md §4).

The first request with a key stores a hash of its method, path and body and, once
answered, its response. A retry with the same key and body replays that response and
creates nothing; the same key with another body is a 422; a retry while the first is still
running is a 409. Keys are per user and expire after 24 hours. Server errors and conflicts
are not stored, so a retry after one runs again.
"""

import datetime as dt

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from .auth import AUTHENTICATED, JWTAuthentication
from .models import IdempotencyKey

HEADER = "Idempotency-Key"
TTL = dt.timedelta(hours=24)
_NOT_STORED = {409, 429}


def _error(status, code, detail):
    return JsonResponse(
        {"type": "client_error", "errors": [{"code": code, "detail": detail, "attr": None}]},
        status=status,
    )


def _user(request):
    try:
        found = JWTAuthentication().authenticate(request)
    except (AuthenticationFailed, InvalidToken, TokenError):
        return None
    if not found:
        return None
    setattr(request, AUTHENTICATED, found)  # the view's authentication takes it over
    return found[0]


def _insert_or_take_over_expired(*, user, key, method, path, digest):
    """The key's new record, claimed in one statement: inserted, or taking over an expired
    one. None when an unexpired record holds the key."""
    now = timezone.now()
    table = connection.ops.quote_name(IdempotencyKey._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, key, method, path, request_hash, status_code, "
            "response_body, content_type, created_at) VALUES (%s, %s, %s, %s, %s, NULL, NULL, "
            "'', %s) ON CONFLICT (user_id, key) DO UPDATE SET method = excluded.method, "
            "path = excluded.path, request_hash = excluded.request_hash, status_code = NULL, "
            "response_body = NULL, content_type = '', created_at = excluded.created_at "
            f"WHERE {table}.created_at < %s RETURNING id",
            [user.pk, key, method, path, digest, *map(adapt, (now, now - TTL))],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    record = IdempotencyKey(
        pk=row[0],
        user=user,
        key=key,
        method=method,
        path=path,
        request_hash=digest,
        content_type="",
        created_at=now,
    )
    record._state.adding = False
    return record


def purge_expired():
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - TTL).delete()
    return deleted


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None or not request.path.startswith("/api/"):
            return self.get_response(request)
        if not key or len(key) > 255:
            return _error(
                400,
                "invalid_idempotency_key",
                _("%(header)s must be 1-255 characters.") % {"header": HEADER},
            )
        user = _user(request)
        if user is None:  # unauthenticated: the view answers 401 (or the public endpoint runs)
            return self.get_response(request)

        request_hash = IdempotencyKey.hash_request(request.method, request.path, request.body)
        record, replay = self._claim(user, key, request, request_hash)
        if replay is not None:
            return replay

        response = self.get_response(request)
        if response.status_code >= 500 or response.status_code in _NOT_STORED or response.streaming:
            record.delete()
            return response
        record.status_code = response.status_code
        record.response_body = bytes(response.content)
        record.content_type = response.get("Content-Type", "")
        record.save(update_fields=["status_code", "response_body", "content_type"])
        return response

    def _claim(self, user, key, request, request_hash):
        record = _insert_or_take_over_expired(
            user=user, key=key, method=request.method, path=request.path[:512], digest=request_hash
        )
        if record is not None:
            return record, None
        record = IdempotencyKey.objects.filter(user=user, key=key).first()
        if record is None:  # deleted between our insert and read: treat as in progress
            return None, _error(409, "idempotency_key_in_use", _("Retry this request shortly."))
        if record.request_hash != request_hash:
            return None, _error(
                422,
                "idempotency_key_reused",
                _("%(header)s “%(key)s” was used for a different request; use a new key.")
                % {"header": HEADER, "key": key},
            )
        if record.status_code is None:
            return None, _error(
                409,
                "idempotency_key_in_use",
                _("A request with %(header)s “%(key)s” is still being processed.")
                % {"header": HEADER, "key": key},
            )
        response = HttpResponse(
            bytes(record.response_body or b""),
            status=record.status_code,
            content_type=record.content_type or "application/json",
        )
        response["Idempotent-Replayed"] = "true"
        return None, response
