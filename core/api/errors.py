"""One error shape everywhere (drf-standardized-errors), with ApplicationError mapped to
its HTTP status and a 409 carrying the state and the allowed actions."""

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_standardized_errors.formatter import ExceptionFormatter
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework import exceptions
from rest_framework.serializers import as_serializer_error
from rest_framework_simplejwt.exceptions import InvalidToken

from core.exceptions import ApplicationError


class ApplicationAPIException(exceptions.APIException):
    def __init__(self, exc: ApplicationError):
        self.status_code = exc.status_code
        detail = {exc.attr: [exc.message]} if exc.attr else exc.message
        super().__init__(detail=detail, code=exc.code)


class DatabaseUnavailable(exceptions.APIException):
    status_code = 503
    default_detail = _("The database is unavailable; retry shortly.")
    default_code = "database_unavailable"


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = _("The request body is larger than this service accepts.")
    default_code = "request_too_large"


def _one_token_error(exc):
    """simplejwt reports a bad token once per token type it tried (detail, code and a list
    of messages): one error entry says it, with the most specific message."""
    detail = exc.detail
    messages = detail.get("messages") or [{}]
    message = messages[0].get("message") or detail.get("detail")
    flat = exceptions.AuthenticationFailed(message, code="token_not_valid")
    flat.status_code = exc.status_code
    flat.auth_header = getattr(exc, "auth_header", None)
    return flat


class LeveeExceptionHandler(ExceptionHandler):
    def convert_known_exceptions(self, exc):
        if isinstance(exc, RequestDataTooBig):  # over DATA_UPLOAD_MAX_MEMORY_SIZE
            return RequestTooLarge()
        if isinstance(exc, InvalidToken) and isinstance(exc.detail, dict):
            return _one_token_error(exc)
        if isinstance(exc, ApplicationError):
            if exc.status_code == 400:
                detail = {exc.attr: [exc.message]} if exc.attr else [exc.message]
                return exceptions.ValidationError(detail=detail, code=exc.code)
            if exc.status_code == 404:
                return exceptions.NotFound(exc.message, code=exc.code)
            return ApplicationAPIException(exc)
        if isinstance(exc, DjangoValidationError):
            return exceptions.ValidationError(as_serializer_error(exc))
        if isinstance(exc, Http404):
            return exceptions.NotFound()
        if isinstance(exc, DataError):
            # A value the database cannot represent (a time zone offset beyond ±15:59, a
            # number out of range) that slipped past validation: the input's fault.
            return exceptions.ValidationError(
                [_("A value is out of the range the database can store.")], code="out_of_range"
            )
        if isinstance(exc, (OperationalError, InterfaceError)):
            # A dropped connection or a failover: the client may retry; Django reconnects
            # (CONN_HEALTH_CHECKS) on the next request.
            return DatabaseUnavailable()
        return super().convert_known_exceptions(exc)


class LeveeExceptionFormatter(ExceptionFormatter):
    def format_error_response(self, error_response):
        body = super().format_error_response(error_response)
        extra = getattr(self.original_exc, "extra", None)
        if extra:
            body.update(extra)
        return body
