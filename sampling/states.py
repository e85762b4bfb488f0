"""The sample's state machine (DESIGN.md §6): 即抽、即检、即报告、即处置.

sampled → received → tested → reported → disposed → closed, with reported → objected →
reinspected for an objection, voided from sampled or received, and in rapid mode
sampled → tested by the inspector's on-site test.

And the task's (DESIGN.md §6.1): open (allocated to lower regions meanwhile) → published.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import Role
from core.exceptions import ApplicationError, Conflict, PermissionDenied
from core.regions import covers
from core.states import StateMachine, Transition

from .choices import Conclusion, SampleState, TaskMode, TaskState
from .deadlines import objection_deadline

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
                "may '%(action)s'."
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


def guard_record_results(sample, actor, payload):
    _inspector_only_on_site(sample, actor, "record_results")
    if sample.state == S.SAMPLED and not _rapid(sample):
        raise ApplicationError(
            _(
                "The lab must receive the sample before recording results "
                "(only rapid tasks go from sampled to tested)."
            ),
            code="not_received",
        )


def guard_issue_report(sample, actor, payload):
    _inspector_only_on_site(sample, actor, "issue_report")
    if sample.report_issued_at:
        raise ApplicationError(
            _("Report %(number)s was already issued for this sample.")
            % {"number": sample.report_no},
            code="report_already_issued",
        )


def guard_notify(sample, actor, payload):
    if not sample.report_issued_at:
        raise ApplicationError(
            _("The report must be issued before the parties are notified."),
            code="report_not_issued",
        )


def guard_object(sample, actor, payload):
    if sample.conclusion != Conclusion.NONCONFORMING:
        raise ApplicationError(
            _("Only a non-conforming result can be objected to."), code="result_conforming"
        )
    closes = objection_deadline(sample)
    if timezone.now() > closes:
        raise ApplicationError(
            _(
                "The objection window closed at %(at)s (15 days after notification); "
                "the result is final."
            )
            % {"at": timezone.localtime(closes).isoformat()},
            code="objection_window_closed",
        )


def _handlers_only(sample, actor, action):
    """After a hand-over (移送) the handling region's regulators own the result."""
    if actor is None or getattr(actor, "is_levee_admin", False) or not sample.handed_over_at:
        return
    if not covers(actor.region, sample.handling_region):
        raise PermissionDenied(
            _(
                "Sample %(sample_no)s was handed over to region %(handling_region)s; its "
                "regulators '%(action)s' it."
            )
            % {
                "sample_no": sample.sample_no,
                "handling_region": sample.handling_region,
                "action": action,
            }
        )


def guard_set_handling_region(sample, actor, payload):
    _organiser_only(sample.task, actor, "set_handling_region")


def guard_dispose(sample, actor, payload):
    _handlers_only(sample, actor, "dispose")
    if sample.conclusion != Conclusion.NONCONFORMING:
        raise ApplicationError(
            _("A conforming sample is closed, not disposed of."), code="result_conforming"
        )
    if sample.state == S.REPORTED and not _rapid(sample):
        closes = objection_deadline(sample)
        if timezone.now() <= closes:
            raise ApplicationError(
                _("The result is not final until the objection window closes at %(at)s.")
                % {"at": timezone.localtime(closes).isoformat()},
                code="result_not_final",
            )


def guard_close(sample, actor, payload):
    _handlers_only(sample, actor, "close")
    if sample.state in (S.REPORTED, S.REINSPECTED) and sample.conclusion != Conclusion.CONFORMING:
        raise ApplicationError(
            _("A non-conforming sample must be disposed of before it is closed."),
            code="disposal_required",
        )


sample_machine = StateMachine(
    Transition("receive", [S.SAMPLED], S.RECEIVED, [Role.LAB]),
    Transition(
        "record_results",
        [S.SAMPLED, S.RECEIVED],
        S.TESTED,
        [Role.LAB, Role.INSPECTOR],
        guard_record_results,
    ),
    Transition(
        "issue_report", [S.TESTED], S.TESTED, [Role.LAB, Role.INSPECTOR], guard_issue_report
    ),
    Transition("notify", [S.TESTED], S.REPORTED, [Role.REGULATOR], guard_notify),
    Transition("object", [S.REPORTED], S.OBJECTED, [Role.ENTERPRISE], guard_object),
    Transition("record_reinspection", [S.OBJECTED], S.REINSPECTED, [Role.LAB]),
    Transition("dispose", [S.REPORTED, S.REINSPECTED], S.DISPOSED, [Role.REGULATOR], guard_dispose),
    Transition(
        "close", [S.REPORTED, S.REINSPECTED, S.DISPOSED], S.CLOSED, [Role.REGULATOR], guard_close
    ),
    Transition("void", [S.SAMPLED, S.RECEIVED], S.VOIDED, [Role.REGULATOR, Role.INSPECTOR]),
    Transition(
        "set_handling_region",
        [S.SAMPLED, S.RECEIVED, S.TESTED],
        None,
        [Role.REGULATOR],
        guard_set_handling_region,
    ),
    label="Sample",
)


def guard_allocate(task, actor, payload):
    _organiser_only(task, actor, "allocate")


def guard_publish(task, actor, payload):
    from .selectors import task_open_samples

    _organiser_only(task, actor, "publish")
    still_open = task_open_samples(task=task)
    if still_open:
        shown = ", ".join(f"{no} ({state})" for no, state in still_open[:20])
        more = f" and {len(still_open) - 20} more" if len(still_open) > 20 else ""
        raise Conflict(
            _("Task %(code)s cannot be published while samples are open: %(shown)s%(more)s.")
            % {"code": task.code, "shown": shown, "more": more},
            code="samples_open",
            extra={
                "state": task.state,
                "allowed_actions": task_machine.allowed_actions(task, actor),
                "open_samples": [{"sample_no": no, "state": state} for no, state in still_open],
            },
        )


task_machine = StateMachine(
    Transition("allocate", [TaskState.OPEN], TaskState.OPEN, [Role.REGULATOR], guard_allocate),
    Transition("publish", [TaskState.OPEN], TaskState.PUBLISHED, [Role.REGULATOR], guard_publish),
    label="Task",
)
