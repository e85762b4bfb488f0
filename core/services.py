"""Writes owned by core: users and their links, and raising alerts."""

import structlog
from django.apps import apps
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .choices import AlertSeverity, DeliveryTopic, Role
from .exceptions import ApplicationError
from .messages import render_stored
from .models import Alert, Lab, SentinelSite, User
from .regions import validate_region_code

log = structlog.get_logger(__name__)


def user_upsert(
    *,
    username,
    role,
    password=None,
    region="",
    party_uscc="",
    lab_code="",
    site_code="",
    password_policy=True,
):
    """Create or update a user with the links its role needs (DESIGN.md §3). The password
    goes through AUTH_PASSWORD_VALIDATORS unless `password_policy` is off (the demo's
    published passwords)."""
    if role not in Role.values:
        raise ApplicationError(
            _("Unknown role “%(role)s”; one of %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)}
        )
    if region:
        try:
            validate_region_code(region)
        except DjangoValidationError as exc:
            raise ApplicationError(exc.messages[0], attr="region") from exc
    if party_uscc:
        party_model = apps.get_model("traceability", "Party")
        if not party_model.objects.filter(uscc=party_uscc).exists():
            raise ApplicationError(
                _("No party with USCC %(uscc)s.") % {"uscc": party_uscc}, attr="party"
            )
    with transaction.atomic():
        lab = (
            Lab.objects.get_or_create(code=lab_code, defaults={"name": lab_code})[0]
            if lab_code
            else None
        )
        site = (
            SentinelSite.objects.get_or_create(
                code=site_code, defaults={"name": site_code, "region": region}
            )[0]
            if site_code
            else None
        )
        user = User.objects.filter(username=username).first() or User(username=username)
        user.role = role
        user.region = region
        user.party_uscc = party_uscc
        user.lab = lab
        user.site = site
        user.is_staff = user.is_superuser = role == Role.ADMIN
        # Setting the same password again would revoke the user's tokens for nothing.
        if password and not (user.pk and user.check_password(password)):
            try:
                if password_policy:
                    password_validation.validate_password(password, user)
            except DjangoValidationError as exc:
                raise ApplicationError(" ".join(exc.messages), attr="password") from exc
            user.set_password(password)
        try:
            user.full_clean(exclude=["password"])
        except DjangoValidationError as exc:
            raise ApplicationError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            ) from exc
        user.save()
    return user


def alert_dedup_keys_raised(keys):
    """Which of `keys` ever raised an alert, resolved or not: the sweeps that alert a
    condition once, ever, skip these."""
    return set(Alert.objects.filter(dedup_key__any_of=keys).values_list("dedup_key", flat=True))


def alert_raise(
    *,
    kind,
    dedup_key,
    message,
    message_args=None,
    region="",
    severity=AlertSeverity.MEDIUM,
    subject=None,
    subject_label="",
    payload=None,
):
    """Raise an alert inside the caller's transaction. Returns the new alert, or None when
    an unresolved alert with the same dedup_key already exists. `message` is English text
    marked with gettext_noop and `message_args` its arguments (core.messages): each reader
    gets the message in their language."""
    subject_type = subject_id = ""
    if subject is not None:
        subject_type = subject._meta.label_lower
        subject_id = str(subject.pk)
        subject_label = subject_label or str(subject)
    if Alert.objects.unresolved().filter(dedup_key=dedup_key).exists():
        return None
    alert = Alert(
        kind=kind,
        severity=severity,
        subject_type=subject_type,
        subject_id=subject_id,
        subject=subject_label[:255],
        region=region,
        message=render_stored(message, message_args),
        message_text=message,
        message_args=message_args or {},
        payload=payload or {},
        dedup_key=dedup_key[:255],
    )
    try:
        with transaction.atomic():
            alert.save()
    except IntegrityError:
        return None  # raised concurrently by another transaction
    from .states import record_history

    record_history(
        alert,
        action="raise",
        from_state=None,
        to_state=alert.status,
        actor=None,
        payload={"kind": kind},
    )
    log.info("alert.raised", alert_id=alert.pk, kind=kind, dedup_key=dedup_key)
    _after_raise(alert)
    return alert


def _after_raise(alert):
    """Hook for delivery: subscribers are notified after the raising transaction commits."""
    from . import delivery

    delivery.on_alert_raised(alert)


def alert_acknowledge(*, alert, actor, note=""):
    from .states import alert_machine

    return alert_machine.run(alert, "acknowledge", actor=actor, payload={"note": note})


def alert_resolve(*, alert, actor, note=""):
    from .states import alert_machine

    return alert_machine.run(alert, "resolve", actor=actor, payload={"note": note})


def _check_subscription(*, party_uscc, kinds, regions):
    """An enterprise's subscription is for its party's notices and nothing else; any
    other subscription is for alerts."""
    notice = DeliveryTopic.NOTICE.value
    if party_uscc:
        if list(kinds) != [notice]:
            raise ApplicationError(
                _('An enterprise subscribes to its notices only: kinds ["%(notice)s"].')
                % {"notice": notice},
                attr="kinds",
            )
        if regions:
            raise ApplicationError(
                _("An enterprise's subscription covers its own party, not regions."),
                attr="regions",
            )
    elif notice in kinds:
        raise ApplicationError(
            _("Notices go to their holder's own subscriptions (an enterprise user's)."),
            attr="kinds",
        )


def subscription_create(*, actor, url, secret, kinds=(), regions=(), name="", active=True):
    """A webhook subscription. An enterprise user's is scoped to its party and carries its
    notices (kinds defaults to ["notice"])."""
    from .models import AlertSubscription

    party_uscc = actor.party_uscc if getattr(actor, "role", None) == Role.ENTERPRISE else ""
    kinds = list(kinds) or ([DeliveryTopic.NOTICE.value] if party_uscc else [])
    _check_subscription(party_uscc=party_uscc, kinds=kinds, regions=regions)
    return AlertSubscription.objects.create(
        url=url,
        secret=secret,
        kinds=kinds,
        regions=list(regions),
        party_uscc=party_uscc,
        name=name,
        active=active,
        created_by=actor if getattr(actor, "pk", None) else None,
    )


def subscription_update(*, subscription, **fields):
    for name, value in fields.items():
        setattr(subscription, name, list(value) if name in ("kinds", "regions") else value)
    _check_subscription(
        party_uscc=subscription.party_uscc, kinds=subscription.kinds, regions=subscription.regions
    )
    subscription.save()
    return subscription


def subscription_delete(*, subscription):
    """A deleted subscription is deactivated: no alert reaches it any more, and its
    deliveries stay on record (delivery history is never deleted)."""
    subscription.active = False
    subscription.save(update_fields=["active"])
    return subscription
