"""The token endpoints, with what they answer documented (401 included)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework_simplejwt.views import (
    TokenBlacklistView,
    TokenObtainPairView,
    TokenRefreshView,
)

from .schema import ErrorResponseSerializer


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField(
        help_text="A short-lived access token: send it as `Authorization: Bearer <access>`."
    )
    refresh = serializers.CharField(
        help_text="A refresh token for auth/token/refresh/ (rotated on each refresh)."
    )


class AccessTokenSerializer(serializers.Serializer):
    access = serializers.CharField(help_text="A new access token.")
    refresh = serializers.CharField(help_text="The new refresh token (the old one is revoked).")


class TokenObtainView(TokenObtainPairView):
    @extend_schema(
        description=(
            "Log in: a user name and password give an access token (minutes) and a refresh "
            "token (a day). A wrong user name or password is a 401."
        ),
        responses={200: TokenPairSerializer, 401: ErrorResponseSerializer},
        examples=[
            OpenApiExample(
                "A demo inspector",
                value={"username": "inspector", "password": "inspector-demo-pass"},
                request_only=True,
            )
        ],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class TokenRefreshDocumentedView(TokenRefreshView):
    @extend_schema(
        description=(
            "A new access token (and refresh token) for a refresh token; an expired, revoked "
            "or malformed refresh token is a 401."
        ),
        responses={200: AccessTokenSerializer, 401: ErrorResponseSerializer},
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class TokenBlacklistDocumentedView(TokenBlacklistView):
    @extend_schema(
        description=(
            "Log out: revoke a refresh token, so it can no longer be refreshed (access tokens "
            "already issued run out on their own). An expired, revoked or malformed refresh "
            "token is a 401."
        ),
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="Revoked: an empty object."),
            401: ErrorResponseSerializer,
        },
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
