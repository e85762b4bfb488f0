"""The recall's state machine (DESIGN.md §7).

draft -> plan_submitted -> approved -> announced -> in_progress -> completed -> closed, or
terminated from any state before completion. A submitted plan may be returned to draft
for rework; the first progress report moves announced to in_progress.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.choices import Role
from core.exceptions import Precondition
from core.states import StateMachine, Transition

from .choices import RecallState as S


def plan_missing(recall):
    """The plan fields a recall still lacks before its plan can be submitted."""
    missing = [
        name
        for name in (
            "hazard",
            "defect",
            "remedy",
            "remedy_details",
            "risk_level",
            "category",
            "scope_description",
            "production_from",
            "production_to",
            "sale_regions",
            "consumer_contact",
            "notice_text",
        )
        if not getattr(recall, name)
    ]
    if not recall.lots.all():  # the list's prefetched lots, when there are
        missing.insert(0, "lots")
    if not recall.units_affected:
        missing.append("units_affected")
    return missing


def guard_plan_complete(recall, actor):
    missing = plan_missing(recall)
    if missing:
        raise Precondition(
            _("The recall plan is incomplete; missing: %(fields)s.")
            % {"fields": ", ".join(missing)},
            code="plan_incomplete",
            extra={"missing": missing},
        )


REGULATOR = [Role.REGULATOR]
SERVICES = "recalls.services."
PAYLOADS = "recalls.api.serializers."

recall_machine = StateMachine(
    Transition(
        "submit_plan",
        [S.DRAFT],
        S.PLAN_SUBMITTED,
        REGULATOR,
        label=gettext_lazy("Submit the plan"),
        guards=[guard_plan_complete],
        service=SERVICES + "recall_submit_plan",
        description="Submit the draft's plan (the recall's own fields) for approval; refused "
        "with the missing fields while the plan is incomplete. No body.",
    ),
    Transition(
        "return_plan",
        [S.PLAN_SUBMITTED],
        S.DRAFT,
        REGULATOR,
        label=gettext_lazy("Return the plan"),
        payload=PAYLOADS + "RecallReasonSerializer",
        service=SERVICES + "recall_return_plan",
        description="Return a submitted plan to draft for rework, with the `reason`.",
        examples={"Returned for rework": {"reason": "补充召回范围内的产品序列号区间"}},
    ),
    Transition(
        "approve",
        [S.PLAN_SUBMITTED],
        S.APPROVED,
        REGULATOR,
        label=gettext_lazy("Approve"),
        service=SERVICES + "recall_approve",
        description="Approve the submitted plan; starts the deadline for the public "
        "announcement. No body.",
    ),
    Transition(
        "announce",
        [S.APPROVED],
        S.ANNOUNCED,
        REGULATOR,
        label=gettext_lazy("Announce"),
        service=SERVICES + "recall_announce",
        description="Announce the approved recall to the public (it appears in "
        "public/recalls/); progress reports are due from now on. No body.",
    ),
    Transition(
        "report_progress",
        [S.ANNOUNCED],
        S.IN_PROGRESS,
        [Role.ENTERPRISE],
        label=gettext_lazy("Report progress"),
        description="The first progress report (POST <recall>/progress/) moves an announced "
        "recall to in_progress.",
        internal=True,
    ),
    Transition(
        "complete",
        [S.IN_PROGRESS],
        S.COMPLETED,
        REGULATOR,
        label=gettext_lazy("Complete"),
        payload=PAYLOADS + "SummarySerializer",
        service=SERVICES + "recall_complete",
        description="Mark the recall in progress as completed, optionally with its `summary`; "
        "starts the deadline for the summary report.",
        examples={
            "Completed, with the summary so far": {
                "summary": "截至 12 月 31 日共召回 500 台：更换 450 台，退款 50 台。"
            }
        },
    ),
    Transition(
        "close",
        [S.COMPLETED],
        S.CLOSED,
        REGULATOR,
        label=gettext_lazy("Close"),
        payload=PAYLOADS + "SummarySerializer",
        service=SERVICES + "recall_close",
        description="Close a completed recall, optionally with (or replacing) its `summary`.",
        examples={
            "Closed with the summary report": {
                "summary": "共召回 500 台，更换 450 台，退款 50 台；召回目标已完成。"
            }
        },
    ),
    Transition(
        "terminate",
        [S.DRAFT, S.PLAN_SUBMITTED, S.APPROVED, S.ANNOUNCED, S.IN_PROGRESS],
        S.TERMINATED,
        REGULATOR,
        label=gettext_lazy("Terminate"),
        payload=PAYLOADS + "RecallReasonSerializer",
        service=SERVICES + "recall_terminate",
        description="Terminate the recall before it is completed, with the `reason`.",
        examples={"The defect was disproved": {"reason": "复检表明温控器符合标准，缺陷不成立"}},
    ),
    label=gettext_lazy("Recall"),
    subject="recall",
    number="recall_no",
)
