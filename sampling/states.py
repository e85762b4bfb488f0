"""The sample's state machine (DESIGN.md §6): 即抽、即检、即报告、即处置.

sampled → received → tested → reported → disposed → closed, with reported → objected →
reinspected for an objection, voided from sampled or received, and in rapid mode
sampled → tested by the inspector's on-site test.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import Role
from core.exceptions import ApplicationError, PermissionDenied
from core.states import StateMachine, Transition

from .choices import Conclusion, SampleState, TaskMode
from .deadlines import objection_deadline

S = SampleState


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


def guard_dispose(sample, actor, payload):
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
    label="Sample",
)
