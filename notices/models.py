from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.choices import Role
from core.scoping import RestrictedQuerySet, Scope
from traceability.models import Lot, Party, Product

from .choices import NoticeMeasure, NoticeSource, NoticeState


def _quantity(**kwargs):
    return models.DecimalField(max_digits=14, decimal_places=3, **kwargs)


class NoticeQuerySet(RestrictedQuerySet):
    def overdue(self, now=None):
        """Sent and not acknowledged by its due time."""
        return self.filter(state=NoticeState.SENT, due_at__lt=now or timezone.now())


class Notice(models.Model):
    """A notice to a party that holds (or held) a lot: what to do with it and by when
    (DESIGN.md §7). One per party and lot for a lot's dispositions (a later disposition
    updates it), one per party, lot and recall for an announced recall. The source is
    named by kind and id: sampling and recalls sit above this app."""

    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.PROTECT, related_name="notices"
    )
    lot = models.ForeignKey(
        Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="notices"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    measure = models.CharField(
        verbose_name=_("measure"), max_length=16, choices=NoticeMeasure.choices
    )
    quantity_received = _quantity(verbose_name=_("quantity received"))
    unit = models.CharField(verbose_name=_("unit"), max_length=16, blank=True)
    # Whether the party's custody of the lot is confirmed by both sides (DESIGN.md §5.2):
    # notices go to confirmed and unconfirmed holders alike; the board tells them apart.
    custody_confirmed = models.BooleanField(verbose_name=_("custody confirmed"), default=False)
    source_kind = models.CharField(
        verbose_name=_("source kind"), max_length=16, choices=NoticeSource.choices
    )
    source_id = models.BigIntegerField(verbose_name=_("source ID"))
    source_number = models.CharField(
        verbose_name=_("source number"),
        max_length=64,
        blank=True,
        help_text=_("Sample or recall no."),
    )
    state = models.CharField(
        verbose_name=_("state"),
        max_length=16,
        choices=NoticeState.choices,
        default=NoticeState.SENT,
        db_index=True,
    )
    sent_at = models.DateTimeField(verbose_name=_("sent at"), default=timezone.now)
    due_at = models.DateTimeField(verbose_name=_("due at"))
    acknowledged_at = models.DateTimeField(verbose_name=_("acknowledged at"), null=True, blank=True)
    quantity_on_hand = _quantity(verbose_name=_("quantity on hand"), null=True, blank=True)
    quantity_removed = _quantity(verbose_name=_("quantity removed"), null=True, blank=True)
    completed_at = models.DateTimeField(verbose_name=_("completed at"), null=True, blank=True)
    # Raised with the notice's webhook; a reissue (stronger measure) sends a new revision.
    revision = models.PositiveIntegerField(verbose_name=_("revision"), default=1)
    overdue_alerted_at = models.DateTimeField(
        verbose_name=_("overdue alerted at"), null=True, blank=True
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    objects = NoticeQuerySet.as_manager()
    scope = Scope(
        region=("party__region",),
        party=("party__uscc",),
        roles=frozenset({Role.REGULATOR, Role.ENTERPRISE}),
    )

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["party", "lot"],
                condition=Q(source_kind="disposition"),
                name="one_disposition_notice_per_party_and_lot",
            ),
            models.UniqueConstraint(
                fields=["party", "lot", "source_id"],
                condition=Q(source_kind="recall"),
                name="one_recall_notice_per_party_lot_and_recall",
            ),
        ]
        indexes = [
            models.Index(fields=["source_kind", "source_id"], name="notice_source"),
            models.Index(fields=["due_at"], condition=Q(state="sent"), name="notice_sent_due"),
        ]

    def __str__(self):
        return gettext("Notice %(id)s: %(measure)s, lot %(lot)s, party %(party)s") % {
            "id": self.pk,
            "measure": self.get_measure_display(),
            "lot": self.lot_id,
            "party": self.party_id,
        }


class NoticeIssue(models.Model):
    """An order to issue the notices of a source (a disposition or an announced recall):
    written in the transaction that decides it, carried out after that commits by a Celery
    task, so the deciding request does not walk the trace and write a notice per holder.
    `deliver_pending_alerts` carries out any order a broker outage or a crashed worker
    left pending: an order is never lost, and carrying one out twice changes nothing
    (one notice per party and source)."""

    source_kind = models.CharField(max_length=16, choices=NoticeSource.choices)
    source_id = models.BigIntegerField()
    source_number = models.CharField(max_length=64, blank=True)
    measure = models.CharField(max_length=16, choices=NoticeMeasure.choices)
    urgent = models.BooleanField(default=False)
    # Lot ids: one for a disposition, the recall's lots for a recall.
    lot_ids = models.JSONField(default=list)
    producer = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    issued_at = models.DateTimeField(null=True, blank=True)
    # What issuing did: notices created, updated, reissued, deliveries written.
    summary = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["source_kind", "source_id"], name="notice_issue_source"),
            models.Index(
                fields=["id"], condition=Q(issued_at__isnull=True), name="notice_issue_pending"
            ),
        ]

    def __str__(self):
        return f"Notices of {self.source_kind} {self.source_id} ({self.source_number})"
