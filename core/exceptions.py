"""The one ApplicationError family; core.api.errors maps it to HTTP.

Messages are written in English inside gettext (with %-placeholders) and translated through
`locale/`; a lazy message is rendered in the language of the request that reports it.
"""

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    """A request that breaks a business rule. 400 unless a subclass says otherwise."""

    status_code = 400
    default_code = "invalid"

    def __init__(self, message, *, code=None, attr=None, extra=None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.attr = attr
        self.extra = extra or {}


class NotFound(ApplicationError):
    status_code = 404
    default_code = "not_found"


class PermissionDenied(ApplicationError):
    status_code = 403
    default_code = "permission_denied"


class Conflict(ApplicationError):
    status_code = 409
    default_code = "conflict"


class Precondition(Conflict):
    """A transition refused for the object's situation, not its state or the payload (a
    window still open, a plan missing fields): 409, and the machine adds `state` and
    `allowed_actions`. Give it a `code` that names the precondition."""

    default_code = "precondition_failed"


class TransitionNotAllowed(Conflict):
    default_code = "transition_not_allowed"

    def __init__(
        self, *, label, state, action, allowed_actions, state_label=None, allowed_labels=None
    ):
        # The API names actions by their slugs (the codes clients send); the admin by their
        # translated labels (`allowed_labels`, with `action` given as its label).
        shown = allowed_actions if allowed_labels is None else allowed_labels
        allowed = ", ".join(str(a) for a in shown) or _("none")
        super().__init__(
            _(
                "%(object)s is in state “%(state)s”: “%(action)s” is not "
                "allowed. Allowed actions: %(allowed)s."
            )
            % {
                "object": label,
                "state": state_label or state,
                "action": action,
                "allowed": allowed,
            },
            extra={"state": state, "allowed_actions": list(allowed_actions)},
        )


class Unprocessable(ApplicationError):
    status_code = 422
    default_code = "unprocessable"
