"""Logins and JWT sessions (DESIGN.md §4).

More than LEVEE_LOGIN["per_username"] failed logins for one username, or
LEVEE_LOGIN["per_address"] from one address, within LEVEE_LOGIN["window_seconds"] answer
429 with Retry-After, the right password included, until enough failures leave the window.
Failures are rows in the database, so the lockout holds without Redis and across workers.
A password change revokes every token issued before it, and refreshing cannot keep a
session alive past LEVEE_SESSION_MAX_SECONDS from the login.

The check costs nothing extra: simplejwt loads the user on every request anyway, and the
user carries `password_changed_at`.
"""

import datetime as dt
import math
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.throttling import BaseThrottle
from rest_framework_simplejwt import authentication, serializers
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings

from .db import instance_by_pk
from .models import LoginFailure

# Token times are whole seconds: a token issued in the second of the change survives it.
REVOKED = _("This token was issued before the password was changed; log in again.")
SESSION_OVER = _("This session is over; log in again.")


# Where a middleware that authenticates before the view leaves the (user, token) it found.
AUTHENTICATED = "levee_authenticated"


def issued_before_password_change(token, user):
    changed = getattr(user, "password_changed_at", None)
    return changed is not None and token.get("iat", 0) < int(changed.timestamp())


class JWTAuthentication(authentication.JWTAuthentication):
    def authenticate(self, request):
        # The Idempotency-Key middleware authenticated this very request a moment ago.
        found = getattr(request, AUTHENTICATED, None)
        return found if found is not None else super().authenticate(request)

    def get_user(self, validated_token):
        """simplejwt's checks, with the user read fresh on every request (role, region and
        password changes count at once) by one prepared statement (core.db.instance_by_pk)."""
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as e:
            raise InvalidToken(_("Token contained no recognizable user identification")) from e
        try:
            user = instance_by_pk(self.user_model, int(user_id))
        except (TypeError, ValueError, OverflowError):
            user = None
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if issued_before_password_change(validated_token, user):
            raise InvalidToken(REVOKED)
        return user


def login_wait_seconds(*, username, address):
    """Seconds until a login for `username` from `address` may be tried again (0: now)."""
    rules = settings.LEVEE_LOGIN
    window = dt.timedelta(seconds=rules["window_seconds"])
    now = timezone.now()
    wait = 0.0
    for field, value, limit in (
        ("username", username, rules["per_username"]),
        ("address", address, rules["per_address"]),
    ):
        recent = LoginFailure.objects.filter(**{field: value}, at__gte=now - window)
        times = list(recent.order_by("-at").values_list("at", flat=True)[:limit])
        if len(times) >= limit:  # locked until the limit-th latest failure leaves the window
            wait = max(wait, (times[-1] + window - now).total_seconds())
    return math.ceil(wait)


def purge_login_failures():
    window = dt.timedelta(seconds=settings.LEVEE_LOGIN["window_seconds"])
    deleted, _ = LoginFailure.objects.filter(at__lt=timezone.now() - window).delete()
    return deleted


class TokenObtainPairSerializer(serializers.TokenObtainPairSerializer):
    @classmethod
    def get_token(cls, user):
        token = super().get_token(user)
        token["auth_time"] = int(time.time())  # kept through every rotation
        return token

    def validate(self, attrs):
        username = str(attrs.get(self.username_field, ""))[:150]
        # The client address as DRF's throttles see it (NUM_PROXIES honoured).
        address = (BaseThrottle().get_ident(self.context["request"]) or "")[:64]
        wait = login_wait_seconds(username=username, address=address)
        if wait:
            raise Throttled(wait=wait, detail=str(_("Too many failed logins; try again later.")))
        try:
            return super().validate(attrs)
        except AuthenticationFailed:
            LoginFailure.objects.create(username=username, address=address)
            raise


class TokenRefreshSerializer(serializers.TokenRefreshSerializer):
    def validate(self, attrs):
        refresh = self.token_class(attrs["refresh"])
        started = refresh.payload.get("auth_time", refresh.payload.get("iat", 0))
        if time.time() - started > settings.LEVEE_SESSION_MAX_SECONDS:
            raise TokenError(SESSION_OVER)
        user = get_user_model().objects.filter(pk=refresh.payload.get("user_id")).first()
        if user is None:
            raise TokenError(_("No active account found for the given token."))
        if issued_before_password_change(refresh.payload, user):
            raise TokenError(REVOKED)
        return super().validate(attrs)
