"""JWT sessions (DESIGN.md §4): a password change revokes every token issued before it,
and refreshing cannot keep a session alive past LEVEE_SESSION_MAX_SECONDS from the login.

The check costs nothing extra: simplejwt loads the user on every request anyway, and the
user carries `password_changed_at`.
"""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt import authentication, serializers
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

# Token times are whole seconds: a token issued in the second of the change survives it.
REVOKED = _("This token was issued before the password was changed; log in again.")
SESSION_OVER = _("This session is over; log in again.")


def issued_before_password_change(token, user):
    changed = getattr(user, "password_changed_at", None)
    return changed is not None and token.get("iat", 0) < int(changed.timestamp())


class JWTAuthentication(authentication.JWTAuthentication):
    def get_user(self, validated_token):
        user = super().get_user(validated_token)
        if issued_before_password_change(validated_token, user):
            raise InvalidToken(REVOKED)
        return user


class TokenObtainPairSerializer(serializers.TokenObtainPairSerializer):
    @classmethod
    def get_token(cls, user):
        token = super().get_token(user)
        token["auth_time"] = int(time.time())  # kept through every rotation
        return token


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
