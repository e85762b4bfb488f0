import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .choices import (
    AlertKind,
    AlertSeverity,
    AlertStatus,
    DeliveryStatus,
    DeliveryTopic,
    Role,
    SiteKind,
)
from .regions import validate_region_code
from .scoping import RestrictedQuerySet, Scope


class RegionField(models.CharField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 6)
        kwargs.setdefault("validators", [validate_region_code])
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)


class Lab(models.Model):
    """An inspection lab (检验检测机构) that receives samples and issues reports."""

    code = models.SlugField(verbose_name=_("code"), max_length=64, unique=True)
    name = models.CharField(verbose_name=_("name"), max_length=200)
    accreditation_no = models.CharField(
        verbose_name=_("accreditation number"), max_length=64, blank=True
    )
    region = RegionField(verbose_name=_("region"), blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope = Scope(region=("region",), lab=("id",))

    class Meta:
        verbose_name = _("testing lab")
        verbose_name_plural = _("testing labs")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class SentinelSite(models.Model):
    """An injury surveillance sentinel site (伤害监测哨点): a hospital, school or community."""

    code = models.SlugField(verbose_name=_("code"), max_length=64, unique=True)
    name = models.CharField(verbose_name=_("name"), max_length=200)
    kind = models.CharField(
        verbose_name=_("kind"), max_length=16, choices=SiteKind.choices, default=SiteKind.HOSPITAL
    )
    region = RegionField(verbose_name=_("region"), blank=True)
    stratum = models.CharField(verbose_name=_("stratum"), max_length=64, default="default")
    weight = models.DecimalField(
        verbose_name=_("weight"), max_digits=12, decimal_places=4, default=1
    )
    active_from = models.DateField(verbose_name=_("active from"), null=True, blank=True)
    active_to = models.DateField(verbose_name=_("active to"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope = Scope(region=("region",), site=("id",))

    class Meta:
        verbose_name = _("sentinel site")
        verbose_name_plural = _("sentinel sites")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class User(AbstractUser):
    """A Levee user: one role, and the link that role needs (DESIGN.md §3)."""

    role = models.CharField(
        verbose_name=_("role"), max_length=16, choices=Role.choices, default=Role.REGULATOR
    )
    region = RegionField(verbose_name=_("region"), blank=True)
    # The enterprise's party, by USCC: core sits below traceability and holds no FK to it.
    party_uscc = models.CharField(
        verbose_name=_("party USCC"), max_length=18, blank=True, db_index=True
    )
    lab = models.ForeignKey(
        Lab, verbose_name=_("lab"), null=True, blank=True, on_delete=models.PROTECT
    )
    site = models.ForeignKey(
        SentinelSite, verbose_name=_("site"), null=True, blank=True, on_delete=models.PROTECT
    )
    # Tokens issued before it are refused (core.auth).
    password_changed_at = models.DateTimeField(
        verbose_name=_("password changed at"), null=True, blank=True, editable=False
    )

    REQUIRED_LINKS = {
        Role.ADMIN: (),
        Role.REGULATOR: ("region",),
        Role.INSPECTOR: ("region",),
        Role.LAB: ("lab",),
        Role.ENTERPRISE: ("party_uscc",),
        Role.SENTINEL: ("site",),
    }

    def clean(self):
        super().clean()
        missing = [f for f in self.REQUIRED_LINKS.get(self.role, ()) if not getattr(self, f)]
        if missing:
            raise ValidationError(
                {
                    f: _("The %(role)s role needs a %(link)s.")
                    % {"role": self.get_role_display(), "link": f.replace("_uscc", "")}
                    for f in missing
                }
            )

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    @property
    def is_levee_admin(self):
        return self.role == Role.ADMIN or self.is_superuser


class StateHistoryQuerySet(models.QuerySet):
    def for_object(self, obj):
        ct = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        return self.filter(content_type=ct, object_id=obj.pk).order_by("id")


class StateHistory(models.Model):
    """Append-only record of every state change, written by core.states in the same
    transaction as the change itself."""

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("content type"), on_delete=models.PROTECT
    )
    object_id = models.BigIntegerField(verbose_name=_("object ID"))
    action = models.CharField(verbose_name=_("action"), max_length=64)
    from_state = models.CharField(
        verbose_name=_("from state"), max_length=32, null=True, blank=True
    )
    to_state = models.CharField(verbose_name=_("to state"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    actor_username = models.CharField(verbose_name=_("actor username"), max_length=150, blank=True)
    payload = models.JSONField(verbose_name=_("payload"), default=dict, blank=True)
    at = models.DateTimeField(verbose_name=_("at"), auto_now_add=True)

    objects = StateHistoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("state change")
        verbose_name_plural = _("state history")
        ordering = ["id"]
        indexes = [models.Index(fields=["content_type", "object_id", "id"])]

    def __str__(self):
        return f"{self.action}: {self.from_state or '—'} → {self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("State history is append-only."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("State history is append-only."))


class IdempotencyKey(models.Model):
    """A creating POST's Idempotency-Key, its body hash and the response to replay."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE
    )
    key = models.CharField(verbose_name=_("key"), max_length=255)
    method = models.CharField(verbose_name=_("method"), max_length=8)
    path = models.CharField(verbose_name=_("path"), max_length=512)
    request_hash = models.CharField(verbose_name=_("request hash"), max_length=64)
    status_code = models.PositiveSmallIntegerField(verbose_name=_("status code"), null=True)
    response_body = models.BinaryField(verbose_name=_("response body"), null=True)
    content_type = models.CharField(verbose_name=_("content type"), max_length=128, blank=True)
    created_at = models.DateTimeField(
        verbose_name=_("created at"), auto_now_add=True, db_index=True
    )

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user")
        ]

    def __str__(self):
        return self.key

    @staticmethod
    def hash_request(method, path, body):
        digest = hashlib.sha256()
        for part in (method.encode(), b"\0", path.encode(), b"\0", body):
            digest.update(part)
        return digest.hexdigest()


class AlertQuerySet(RestrictedQuerySet):
    def unresolved(self):
        return self.exclude(status=AlertStatus.RESOLVED)


class Alert(models.Model):
    """A risk alert. Written in the transaction of the change that raised it (the outbox);
    `dedup_key` keeps one condition to one unresolved alert."""

    kind = models.CharField(
        verbose_name=_("kind"), max_length=64, choices=AlertKind.choices, db_index=True
    )
    severity = models.CharField(
        verbose_name=_("severity"),
        max_length=16,
        choices=AlertSeverity.choices,
        default=AlertSeverity.MEDIUM,
    )
    subject_type = models.CharField(verbose_name=_("subject type"), max_length=64, blank=True)
    subject_id = models.CharField(verbose_name=_("subject ID"), max_length=64, blank=True)
    subject = models.CharField(
        verbose_name=_("subject"), max_length=255, blank=True, help_text=_("Human label")
    )
    region = RegionField(verbose_name=_("region"), blank=True)
    # The message as written (in the server's language), and its English text and arguments,
    # from which each reader gets it in their own language (core.messages).
    message = models.TextField(verbose_name=_("message"))
    message_text = models.TextField(verbose_name=_("message text"), blank=True)
    message_args = models.JSONField(verbose_name=_("message arguments"), default=dict, blank=True)
    payload = models.JSONField(verbose_name=_("payload"), default=dict, blank=True)
    status = models.CharField(
        verbose_name=_("status"),
        max_length=16,
        choices=AlertStatus.choices,
        default=AlertStatus.OPEN,
        db_index=True,
    )
    dedup_key = models.CharField(verbose_name=_("dedup key"), max_length=255, db_index=True)
    created_at = models.DateTimeField(
        verbose_name=_("created at"), auto_now_add=True, db_index=True
    )
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    objects = AlertQuerySet.as_manager()
    scope = Scope(region=("region",), roles=frozenset({Role.REGULATOR}))

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedup_key"],
                condition=~Q(status="resolved"),
                name="one_unresolved_alert_per_dedup_key",
            )
        ]

    def __str__(self):
        return f"[{self.kind}] {self.subject or self.dedup_key}"

    @property
    def localized_message(self):
        """The message in the language of the current request."""
        if not self.message_text:
            return self.message
        from .messages import render

        return render(self.message_text, self.message_args)


class AlertSubscription(models.Model):
    """A webhook that receives alerts matching its kinds and regions (empty: all), or, for
    an enterprise's subscription (`party_uscc` set), only the notices to its party."""

    name = models.CharField(verbose_name=_("name"), max_length=100, blank=True)
    url = models.URLField(verbose_name=_("URL"), max_length=500)
    secret = models.CharField(verbose_name=_("secret"), max_length=200)
    kinds = models.JSONField(verbose_name=_("kinds"), default=list, blank=True)
    regions = models.JSONField(verbose_name=_("regions"), default=list, blank=True)
    active = models.BooleanField(verbose_name=_("active"), default=True)
    # An enterprise's subscription: only notices to this party, never alerts.
    party_uscc = models.CharField(
        verbose_name=_("party USCC"), max_length=18, blank=True, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    # Admins all; an enterprise its own party's.
    scope = Scope(party=("party_uscc",), roles=frozenset({Role.ENTERPRISE}))

    class Meta:
        verbose_name = _("alert subscription")
        verbose_name_plural = _("alert subscriptions")
        ordering = ["id"]

    def __str__(self):
        return self.name or self.url


class AlertDelivery(models.Model):
    """One message to one subscription: the outbox row. Written in the transaction that
    raised the alert (or issued the notice); sent by a Celery task after commit and re-sent
    by the deliver_pending_alerts job until it is delivered or, after the attempt limit,
    dead. The message is rendered when sent: an alert from its row, any other topic by
    the renderer its app registered (core.delivery.register_renderer)."""

    alert = models.ForeignKey(
        Alert,
        verbose_name=_("alert"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    topic = models.CharField(
        verbose_name=_("topic"),
        max_length=16,
        choices=DeliveryTopic.choices,
        default=DeliveryTopic.ALERT,
    )
    # The notice (or other subject) a non-alert message is about.
    subject_id = models.BigIntegerField(verbose_name=_("subject ID"), null=True, blank=True)
    # One message per subscription and key (e.g. "notice:12:1", a notice's revision).
    message_key = models.CharField(verbose_name=_("message key"), max_length=64, blank=True)
    subscription = models.ForeignKey(
        AlertSubscription,
        verbose_name=_("subscription"),
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    status = models.CharField(
        verbose_name=_("status"),
        max_length=16,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    attempt_count = models.PositiveSmallIntegerField(verbose_name=_("attempt count"), default=0)
    # Due time of the next send; a claim pushes it forward by a lease so that a crashed
    # sender's delivery becomes due again.
    next_attempt_at = models.DateTimeField(verbose_name=_("next attempt at"), default=timezone.now)
    last_status_code = models.PositiveSmallIntegerField(
        verbose_name=_("last status code"), null=True, blank=True
    )
    last_error = models.CharField(verbose_name=_("last error"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(verbose_name=_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    scope = Scope(roles=frozenset())  # admins only

    class Meta:
        verbose_name = _("alert delivery")
        verbose_name_plural = _("alert deliveries")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "subscription"], name="one_delivery_per_alert_and_subscription"
            ),
            models.UniqueConstraint(
                fields=["subscription", "message_key"],
                condition=~Q(message_key=""),
                name="one_delivery_per_message_and_subscription",
            ),
        ]
        indexes = [
            models.Index(fields=["topic", "subject_id"], name="delivery_topic_subject"),
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="pending_delivery_due",
            ),
        ]

    def __str__(self):
        if self.alert_id:
            what = gettext("Alert %(id)s") % {"id": self.alert_id}
        else:
            what = f"{self.get_topic_display()} {self.subject_id}"
        return gettext("%(what)s → subscription %(subscription)s (%(status)s)") % {
            "what": what,
            "subscription": self.subscription_id,
            "status": self.get_status_display(),
        }


class AlertDeliveryAttempt(models.Model):
    """One POST of a delivery: what the subscriber answered, or why it failed."""

    delivery = models.ForeignKey(
        AlertDelivery, verbose_name=_("delivery"), on_delete=models.PROTECT, related_name="attempts"
    )
    number = models.PositiveSmallIntegerField(verbose_name=_("number"))
    at = models.DateTimeField(verbose_name=_("at"), default=timezone.now)
    status_code = models.PositiveSmallIntegerField(
        verbose_name=_("status code"), null=True, blank=True
    )
    error = models.CharField(verbose_name=_("error"), max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(verbose_name=_("duration (ms)"), default=0)
    succeeded = models.BooleanField(verbose_name=_("succeeded"), default=False)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["delivery", "number"]

    def __str__(self):
        return gettext("Attempt %(number)s of delivery %(delivery)s") % {
            "number": self.number,
            "delivery": self.delivery_id,
        }


class CacheEntry(models.Model):
    """The table of Django's DatabaseCache (the columns `createcachetable` makes), kept as a
    model so migrations create it: the cache while Redis is unreachable (core.cache)."""

    cache_key = models.CharField(verbose_name=_("cache key"), max_length=255, primary_key=True)
    value = models.TextField(verbose_name=_("value"))
    expires = models.DateTimeField(verbose_name=_("expires"), db_index=True)

    class Meta:
        verbose_name = _("cache entry")
        verbose_name_plural = _("cache entries")
        db_table = "levee_cache"

    def __str__(self):
        return self.cache_key


class LoginFailure(models.Model):
    """One refused login, counted per username and per address for the lockout (core.auth);
    older than the window, it no longer counts and the purge job removes it."""

    username = models.CharField(verbose_name=_("username"), max_length=150)
    address = models.CharField(verbose_name=_("address"), max_length=64)
    at = models.DateTimeField(verbose_name=_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("failed login")
        verbose_name_plural = _("failed logins")
        indexes = [
            models.Index(fields=["username", "at"], name="login_failure_user_at"),
            models.Index(fields=["address", "at"], name="login_failure_address_at"),
        ]

    def __str__(self):
        return f"{self.username} from {self.address} at {self.at:%Y-%m-%d %H:%M:%S}"
