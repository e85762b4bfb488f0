"""Writes owned by core: users and their links, and raising alerts."""

import structlog
from django.apps import apps
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .choices import AlertSeverity, Role
from .exceptions import ApplicationError
from .models import Alert, Lab, SentinelSite, User
from .regions import validate_region_code

log = structlog.get_logger(__name__)


def user_upsert(
    *, username, role, password=None, region="", party_uscc="", lab_code="", site_code=""
):
    """Create or update a user with the links its role needs (DESIGN.md §3)."""
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
        if password:
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
    region="",
    severity=AlertSeverity.MEDIUM,
    subject=None,
    subject_label="",
    payload=None,
):
    """Raise an alert inside the caller's transaction. Returns the new alert, or None when
    an unresolved alert with the same dedup_key already exists."""
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
        message=message,
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


def subscription_create(*, actor, url, secret, kinds=(), regions=(), name="", active=True):
    from .models import AlertSubscription

    return AlertSubscription.objects.create(
        url=url,
        secret=secret,
        kinds=list(kinds),
        regions=list(regions),
        name=name,
        active=active,
        created_by=actor,
    )


def subscription_update(*, subscription, **fields):
    for name, value in fields.items():
        setattr(subscription, name, list(value) if name in ("kinds", "regions") else value)
    subscription.save()
    return subscription


def subscription_delete(*, subscription):
    """A deleted subscription is deactivated: no alert reaches it any more, and its
    deliveries stay on record (delivery history is never deleted)."""
    subscription.active = False
    subscription.save(update_fields=["active"])
    return subscription
