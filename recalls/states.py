"""The recall's state machine (DESIGN.md §7).

draft -> plan_submitted -> approved -> announced -> in_progress -> completed -> closed, or
terminated from any state before completion. A submitted plan may be returned to draft
for rework; the first progress report moves announced to in_progress.
"""

from django.utils.translation import gettext as _

from core.choices import Role
from core.exceptions import ApplicationError
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
    if not recall.lots.exists():
        missing.insert(0, "lots")
    if not recall.units_affected:
        missing.append("units_affected")
    return missing


def _plan_complete(recall, actor, payload):
    missing = plan_missing(recall)
    if missing:
        raise ApplicationError(
            _("The recall plan is incomplete; missing: %(fields)s.")
            % {"fields": ", ".join(missing)},
            code="plan_incomplete",
            extra={"missing": missing},
        )


def _reason_given(recall, actor, payload):
    if not str(payload.get("reason") or "").strip():
        raise ApplicationError(_("Give a reason."), code="required", attr="reason")


REGULATOR = [Role.REGULATOR]

recall_machine = StateMachine(
    Transition("submit_plan", [S.DRAFT], S.PLAN_SUBMITTED, REGULATOR, guard=_plan_complete),
    Transition("return_plan", [S.PLAN_SUBMITTED], S.DRAFT, REGULATOR, guard=_reason_given),
    Transition("approve", [S.PLAN_SUBMITTED], S.APPROVED, REGULATOR),
    Transition("announce", [S.APPROVED], S.ANNOUNCED, REGULATOR),
    Transition("report_progress", [S.ANNOUNCED], S.IN_PROGRESS, [Role.ENTERPRISE]),
    Transition("complete", [S.IN_PROGRESS], S.COMPLETED, REGULATOR),
    Transition("close", [S.COMPLETED], S.CLOSED, REGULATOR),
    Transition(
        "terminate",
        [S.DRAFT, S.PLAN_SUBMITTED, S.APPROVED, S.ANNOUNCED, S.IN_PROGRESS],
        S.TERMINATED,
        REGULATOR,
        guard=_reason_given,
    ),
    label="Recall",
)

# The actions a regulator or admin runs by name (API endpoints and admin actions).
ACTIONS = ("submit_plan", "return_plan", "approve", "announce", "complete", "close", "terminate")
