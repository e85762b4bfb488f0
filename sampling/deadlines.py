"""The deadline of each stage of a sample (DESIGN.md §8), from the sample's own dates.

`current_deadline` is called at every transition and its result stored on the sample
(`due_stage`, `due_at`), so that overdue samples are found with plain SQL.
"""

from core.rules import rule
from core.workdays import due_after

from .choices import Conclusion, SampleState, Stage, TaskMode


def period(stage, task=None):
    if stage == Stage.REPORT and task is not None and task.report_working_days:
        return (task.report_working_days, "working_days")
    return rule(f"sampling.deadlines.{stage}")


def rapid_period(stage):
    return rule(f"sampling.rapid_deadlines.{stage}")


def objection_deadline(sample):
    """The end of the window in which the sampled party or producer may object."""
    return due_after(sample.notified_at, rule("sampling.deadlines.objection_window"))


def current_deadline(sample, *, objection=None, disposition=None):
    """(stage, due_at) for the sample in its current state, or ("", None)."""
    state, task = sample.state, sample.task
    rapid = task.mode == TaskMode.RAPID
    nonconforming = sample.conclusion == Conclusion.NONCONFORMING
    if state == SampleState.SAMPLED:
        if rapid:
            return Stage.TEST, due_after(sample.sampled_at, rapid_period("test"))
        return Stage.RECEIVE, due_after(sample.sampled_at, period(Stage.RECEIVE))
    if state == SampleState.RECEIVED:
        return Stage.REPORT, due_after(sample.received_at, period(Stage.REPORT, task))
    if state == SampleState.TESTED:
        if rapid:
            return Stage.NOTIFY, due_after(sample.tested_at, rapid_period("notify"))
        if not sample.report_issued_at:
            start = sample.received_at or sample.sampled_at
            return Stage.REPORT, due_after(start, period(Stage.REPORT, task))
        if nonconforming:
            return Stage.NOTIFY, due_after(sample.report_issued_at, period(Stage.NOTIFY))
        return "", None
    if state == SampleState.REPORTED and nonconforming:
        if rapid:
            return Stage.DISPOSE, due_after(sample.notified_at, rapid_period("dispose"))
        # The result is final once the objection window has passed unused.
        return Stage.DISPOSE, due_after(objection_deadline(sample), period(Stage.DISPOSE))
    if state == SampleState.OBJECTED and objection is not None:
        return Stage.REINSPECTION, due_after(objection.filed_at, period(Stage.REINSPECTION))
    if state == SampleState.REINSPECTED and nonconforming:
        return Stage.DISPOSE, due_after(sample.reinspected_at, period(Stage.DISPOSE))
    if state == SampleState.DISPOSED and disposition and disposition.follow_up_due_at:
        return Stage.FOLLOW_UP, disposition.follow_up_due_at
    return "", None
