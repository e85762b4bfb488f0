"""The sample's state machine (DESIGN.md §6): 即抽、即检、即报告、即处置.

sampled → received → tested → reported → disposed → closed, with reported → objected →
reinspected for an objection, voided from sampled or received, and in rapid mode
sampled → tested by the inspector's on-site test.

And the task's (DESIGN.md §6.1): open (allocated to lower regions meanwhile) → published.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core.choices import AlertKind, AlertSeverity, Role
from core.exceptions import PermissionDenied, Precondition
from core.regions import covers
from core.services import alert_raise
from core.states import StateMachine, Transition

from .choices import Conclusion, SampleState, TaskMode, TaskState, Verdict
from .deadlines import current_deadline, objection_deadline

S = SampleState


def is_organiser(actor, task):
    """A regulator of the task's region or above: the organiser of the task, or of a task
    it was allocated from (every task above covers its region)."""
    if getattr(actor, "is_levee_admin", False):
        return True
    return getattr(actor, "role", None) == Role.REGULATOR and covers(actor.region, task.region)


def _organiser_only(task, actor, action):
    if actor is not None and not is_organiser(actor, task):
        raise PermissionDenied(
            _(
                "Only the organisers of task %(code)s (regulators of region %(region)s or above) "
                "may “%(action)s”."
            )
            % {"code": task.code, "region": task.region, "action": action}
        )


def _rapid(sample):
    return sample.task.mode == TaskMode.RAPID


def _inspector_only_on_site(sample, actor, action):
    if getattr(actor, "role", None) == Role.INSPECTOR and not _rapid(sample):
        raise PermissionDenied(
            _(
                "Inspectors “%(action)s” only for rapid (on-site) "
                "tasks; this sample goes to the lab."
            )
            % {"action": action}
        )


def guard_record_results(sample, actor):
    _inspector_only_on_site(sample, actor, "record_results")
    if sample.state == S.SAMPLED and not _rapid(sample):
        raise Precondition(
            _(
                "The lab must receive the sample before recording results "
                "(only rapid tasks go from sampled to tested)."
            ),
            code="not_received",
        )


def guard_issue_report(sample, actor):
    _inspector_only_on_site(sample, actor, "issue_report")
    if sample.report_issued_at:
        raise Precondition(
            _("Report %(report_no)s was already issued for this sample.")
            % {"report_no": sample.report_no},
            code="report_already_issued",
        )


def guard_notify(sample, actor):
    if not sample.report_issued_at:
        raise Precondition(
            _("The report must be issued before the parties are notified."),
            code="report_not_issued",
        )


def guard_object(sample, actor):
    if sample.conclusion != Conclusion.NONCONFORMING:
        raise Precondition(
            _("Only a non-conforming result can be objected to."), code="result_conforming"
        )
    closes = objection_deadline(sample)
    if timezone.now() > closes:
        raise Precondition(
            _(
                "The objection window closed at %(closed)s (15 days after notification); "
                "the result is final."
            )
            % {"closed": timezone.localtime(closes).isoformat()},
            code="objection_window_closed",
        )
    if getattr(actor, "role", None) == Role.ENTERPRISE and actor.party_uscc not in (
        sample.sampled_party.uscc,
        sample.producer.uscc,
    ):
        raise PermissionDenied(_("Only the sampled party or the producer may object."))


def _handlers_only(sample, actor, action):
    """After a hand-over (移送) the handling region's regulators own the result."""
    if actor is None or getattr(actor, "is_levee_admin", False) or not sample.handed_over_at:
        return
    if not covers(actor.region, sample.handling_region):
        raise PermissionDenied(
            _(
                "Sample %(sample_no)s was handed over to region %(handling_region)s; its "
                "regulators “%(action)s” it."
            )
            % {
                "sample_no": sample.sample_no,
                "handling_region": sample.handling_region,
                "action": action,
            }
        )


def guard_set_handling_region(sample, actor):
    _organiser_only(sample.task, actor, "set_handling_region")


def guard_dispose(sample, actor):
    _handlers_only(sample, actor, "dispose")
    if sample.conclusion != Conclusion.NONCONFORMING:
        raise Precondition(
            _("A conforming sample is closed, not disposed of."), code="result_conforming"
        )
    if sample.state == S.REPORTED and not _rapid(sample):
        closes = objection_deadline(sample)
        if timezone.now() <= closes:
            raise Precondition(
                _("The result is not final until the objection window closes at %(closes)s.")
                % {"closes": timezone.localtime(closes).isoformat()},
                code="result_not_final",
            )


def guard_close(sample, actor):
    _handlers_only(sample, actor, "close")
    if sample.state in (S.REPORTED, S.REINSPECTED) and sample.conclusion != Conclusion.CONFORMING:
        raise Precondition(
            _("A non-conforming sample must be disposed of before it is closed."),
            code="disposal_required",
        )


def refresh_deadline(sample, transition):
    """The deadline of the stage the sample is now in (stored so overdue is plain SQL)."""
    objection = getattr(sample, "objection", None) if sample.state == S.OBJECTED else None
    disposition = getattr(sample, "disposition", None) if sample.state == S.DISPOSED else None
    sample.due_stage, sample.due_at = current_deadline(
        sample, objection=objection, disposition=disposition
    )


def raise_nonconforming_alert(sample, transition):
    if sample.conclusion != Conclusion.NONCONFORMING:
        return
    failed = list(
        sample.items.filter(verdict=Verdict.FAIL).order_by("id").values_list("item", flat=True)
    )
    alert_raise(
        kind=AlertKind.NONCONFORMING_RESULT,
        dedup_key=f"nonconforming_result:sample:{sample.pk}",
        message=gettext_noop("Sample %(sample_no)s (%(product)s) is non-conforming: %(items)s."),
        message_args={
            "sample_no": sample.sample_no,
            "product": str(sample.product),
            "items": ", ".join(failed),
        },
        region=sample.task.region,
        severity=AlertSeverity.HIGH,
        subject=sample,
        subject_label=sample.sample_no,
        payload={"sample_no": sample.sample_no, "failed_items": failed, "lot": sample.lot_id},
    )


SERVICES = "sampling.services."
PAYLOADS = "sampling.api.serializers."

sample_machine = StateMachine(
    Transition(
        "receive",
        [S.SAMPLED],
        S.RECEIVED,
        [Role.LAB],
        label=gettext_lazy("Receive"),
        payload=PAYLOADS + "ReceiveSerializer",
        service=SERVICES + "sample_receive",
        description="The lab receives the sample: `received_at` (default now, not before it "
        "was taken), whether the seal was intact, and a note. Starts the report deadline.",
        examples={
            "Received with the seal intact": {
                "received_at": "2026-12-01T09:30:00+08:00",
                "seal_intact": True,
                "note": "封样完好，备样已入库",
            }
        },
    ),
    Transition(
        "record_results",
        [S.SAMPLED, S.RECEIVED],
        S.TESTED,
        [Role.LAB, Role.INSPECTOR],
        label=gettext_lazy("Record the results"),
        guards=[guard_record_results],
        payload=PAYLOADS + "ResultsSerializer",
        service=SERVICES + "sample_record_results",
        description="Record the test items and the conclusion (non-conforming exactly when an "
        "item fails). The lab, after receiving; the inspector on site for rapid tasks. A "
        "non-conforming result raises an alert to the task's region.",
        after=[raise_nonconforming_alert],
        examples={
            "One item fails": {
                "items": [
                    {
                        "item": "泄漏电流",
                        "standard": "GB 4706.1-2005 13.2",
                        "requirement": "≤ 0.75 mA",
                        "measured_value": "1.2",
                        "unit": "mA",
                        "verdict": "fail",
                    },
                    {"item": "标志和说明", "verdict": "pass"},
                ],
                "conclusion": "nonconforming",
                "tested_at": "2026-12-04T16:00:00+08:00",
            }
        },
    ),
    Transition(
        "issue_report",
        [S.TESTED],
        None,
        [Role.LAB, Role.INSPECTOR],
        label=gettext_lazy("Issue the report"),
        guards=[guard_issue_report],
        payload=PAYLOADS + "ReportSerializer",
        service=SERVICES + "sample_issue_report",
        description="Issue the test report once: its `report_no`, `issued_on` (not before the "
        "tests) and optionally the report file (multipart). The sample stays tested until "
        "the parties are notified.",
        examples={
            "The report's number and date": {
                "report_no": "BJ-JC-2026-0158",
                "issued_on": "2026-12-04",
            }
        },
    ),
    Transition(
        "notify",
        [S.TESTED],
        S.REPORTED,
        [Role.REGULATOR],
        label=gettext_lazy("Notify the parties"),
        guards=[guard_notify],
        payload=PAYLOADS + "SampleNoteSerializer",
        service=SERVICES + "sample_notify",
        description="Notify the sampled party and the producer of the issued report. Opens "
        "the 15-day objection window of a non-conforming result.",
        examples={"Notified, with a note": {"note": "检验结果通知书已送达被抽样单位和生产者"}},
    ),
    Transition(
        "object",
        [S.REPORTED],
        S.OBJECTED,
        [Role.ENTERPRISE],
        label=gettext_lazy("File an objection"),
        guards=[guard_object],
        payload=PAYLOADS + "ObjectSerializer",
        service=SERVICES + "sample_object",
        description="The sampled party or the producer objects to a non-conforming result "
        "within the objection window: the `reason` and the tested `items` objected to.",
        examples={
            "Objecting to one item": {
                "reason": "送检样品运输中外壳破损，泄漏电流结果不能代表本批次",
                "items": ["泄漏电流"],
            }
        },
    ),
    Transition(
        "record_reinspection",
        [S.OBJECTED],
        S.REINSPECTED,
        [Role.LAB],
        label=gettext_lazy("Record the re-inspection"),
        payload=PAYLOADS + "ReinspectionSerializer",
        service=SERVICES + "sample_record_reinspection",
        description="Record the re-inspection of the objected items; its conclusion is final.",
        examples={
            "The re-inspection confirms the failure": {
                "items": [
                    {
                        "item": "泄漏电流",
                        "standard": "GB 4706.1-2005 13.2",
                        "requirement": "≤ 0.75 mA",
                        "measured_value": "1.1",
                        "unit": "mA",
                        "verdict": "fail",
                    }
                ],
                "conclusion": "nonconforming",
                "report_no": "BJ-FJ-2026-0007",
            }
        },
    ),
    Transition(
        "dispose",
        [S.REPORTED, S.REINSPECTED],
        S.DISPOSED,
        [Role.REGULATOR],
        label=gettext_lazy("Dispose"),
        guards=[guard_dispose],
        payload=PAYLOADS + "DisposeSerializer",
        service=SERVICES + "sample_dispose",
        description="Decide the measures for a final non-conforming result (after the "
        "objection window or the re-inspection): `measures` with due dates; `recall` opens a "
        "draft recall of the lot, and the forward trace is kept with the disposition.",
        examples={
            "Take down and recall": {
                "measures": [
                    {"measure": "take_down"},
                    {"measure": "recall", "note": "责令召回 KT-1 全部批次"},
                ],
                "note": "泄漏电流超标",
            }
        },
    ),
    Transition(
        "close",
        [S.REPORTED, S.REINSPECTED, S.DISPOSED],
        S.CLOSED,
        [Role.REGULATOR],
        label=gettext_lazy("Close"),
        guards=[guard_close],
        payload=PAYLOADS + "SampleNoteSerializer",
        service=SERVICES + "sample_close",
        description="Close the case: a conforming sample once reported, a non-conforming one "
        "once disposed of.",
        examples={"Closed after the follow-up": {"note": "复查合格，结案"}},
    ),
    Transition(
        "void",
        [S.SAMPLED, S.RECEIVED],
        S.VOIDED,
        [Role.REGULATOR, Role.INSPECTOR],
        label=gettext_lazy("Void"),
        payload=PAYLOADS + "VoidSerializer",
        service=SERVICES + "sample_void",
        description="Void a sample taken in error, before any result, with the `reason`.",
        examples={"Taken in error": {"reason": "抽样单填错被抽样单位，重新抽样"}},
    ),
    Transition(
        "set_handling_region",
        [S.SAMPLED, S.RECEIVED, S.TESTED],
        None,
        [Role.REGULATOR],
        label=gettext_lazy("Hand over to another region"),
        guards=[guard_set_handling_region],
        payload=PAYLOADS + "HandlingRegionSerializer",
        service=SERVICES + "sample_set_handling_region",
        description="Before `notify`, an organiser (a regulator of the task's region or "
        "above) may hand the result handling to another region than the producer's.",
        examples={
            "Handed over to the producer's district": {
                "handling_region": "110108",
                "reason": "生产者实际生产地在海淀区，移送属地处理",
            }
        },
    ),
    label=gettext_lazy("Sample"),
    subject="sample",
    number="sample_no",
    after=[refresh_deadline],
)


def guard_allocate(task, actor):
    _organiser_only(task, actor, "allocate")


def guard_publish(task, actor):
    from .selectors import task_open_samples

    _organiser_only(task, actor, "publish")
    still_open = task_open_samples(task=task)
    if still_open:
        shown = ", ".join(f"{no} ({state})" for no, state in still_open[:20])
        more = f" and {len(still_open) - 20} more" if len(still_open) > 20 else ""
        raise Precondition(
            f"Task {task.code} cannot be published while samples are open: {shown}{more}.",
            code="samples_open",
            extra={"open_samples": [{"sample_no": no, "state": state} for no, state in still_open]},
        )


task_machine = StateMachine(
    Transition(
        "allocate",
        [TaskState.OPEN],
        None,
        [Role.REGULATOR],
        label=gettext_lazy("Allocate"),
        guards=[guard_allocate],
        payload=PAYLOADS + "AllocationsSerializer",
        payload_as="allocations",
        service=SERVICES + "task_allocate",
        response_status=201,
        description="Allocate the task to lower regions: one child task per entry (same "
        "category, mode, period and standard; its own quota and lab, the task's lab by "
        "default). The regions lie inside the task's (any region for a national task), once "
        "each; a quota is not below the samples already taken there under this task. "
        "Regulators of the task's region or above.",
        examples={
            "Two districts": [
                {"region": "110105", "quota": 20},
                {"region": "110108", "quota": 15, "lab": "lab-bj-01"},
            ]
        },
    ),
    Transition(
        "publish",
        [TaskState.OPEN],
        TaskState.PUBLISHED,
        [Role.REGULATOR],
        label=gettext_lazy("Publish the results"),
        guards=[guard_publish],
        service=SERVICES + "task_publish",
        description="Publish the task's results: once every sample of the task and of the "
        "tasks allocated from it is final (closed, disposed, voided, or reported with no "
        "objection window left), publishes them at /api/v1/public/spot-checks/{code}/; "
        "otherwise 409 `samples_open` with `open_samples`. No body.",
    ),
    label=gettext_lazy("Task"),
    subject="task",
    number="code",
)
