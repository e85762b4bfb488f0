"""Deadline checks for the `sweep_deadlines` job (DESIGN.md §8)."""

from itertools import batched

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from core.choices import AlertKind, AlertSeverity
from core.jobs import deadline_sweeper
from core.messages import choice
from core.services import alert_dedup_keys_raised, alert_raise

from .choices import OPEN_STATES, Stage
from .models import Sample


def dedup_key(sample_id, stage):
    return f"deadline_overdue:sample:{sample_id}:{stage}"


@deadline_sweeper
def sweep_sample_deadlines():
    """One deadline_overdue alert per sample and stage, ever: a stage that was alerted (and
    perhaps resolved) is not alerted again."""
    now = timezone.now()
    overdue = (
        Sample.objects.overdue(now)
        .filter(state__in=OPEN_STATES)
        .select_related("task")
        .only("id", "sample_no", "state", "due_stage", "due_at", "task__region")
        .order_by("id")
    )
    raised = 0
    for chunk in batched(overdue.iterator(chunk_size=500), 500):
        keys = {dedup_key(sample.pk, sample.due_stage): sample for sample in chunk}
        seen = alert_dedup_keys_raised(keys)
        for key, sample in keys.items():
            if key in seen:
                continue
            with transaction.atomic():
                alert = alert_raise(
                    kind=AlertKind.DEADLINE_OVERDUE,
                    dedup_key=key,
                    message=gettext_noop(
                        "Sample %(sample_no)s: the deadline of stage “%(stage)s” was %(due)s."
                    ),
                    message_args={
                        "sample_no": sample.sample_no,
                        "stage": choice(Stage, sample.due_stage),
                        "due": timezone.localtime(sample.due_at).isoformat(),
                    },
                    region=sample.task.region,
                    severity=AlertSeverity.MEDIUM,
                    subject=sample,
                    subject_label=sample.sample_no,
                    payload={
                        "sample_no": sample.sample_no,
                        "stage": sample.due_stage,
                        "state": sample.state,
                        "due_at": timezone.localtime(sample.due_at).isoformat(),
                    },
                )
            raised += alert is not None
    return {"sample_deadlines_overdue": raised}
