"""The accident investigation: reported -> investigating -> concluded (DESIGN.md §7)."""

from django.utils.translation import gettext as _

from core.choices import Role
from core.exceptions import ApplicationError
from core.states import StateMachine, Transition

from .choices import AccidentState, RootCause


def _has_experts(accident, actor, payload):
    experts = payload.get("experts")
    if not experts:
        raise ApplicationError(_("An investigation needs at least one expert."), attr="experts")


def _has_conclusion(accident, actor, payload):
    if not (payload.get("findings") or "").strip():
        raise ApplicationError(_("A conclusion needs findings."), attr="findings")
    if payload.get("root_cause") not in RootCause.values:
        raise ApplicationError(_("A conclusion needs a root cause."), attr="root_cause")


accident_machine = StateMachine(
    Transition(
        "open_investigation",
        [AccidentState.REPORTED],
        AccidentState.INVESTIGATING,
        [Role.REGULATOR],
        guard=_has_experts,
    ),
    Transition(
        "conclude",
        [AccidentState.INVESTIGATING],
        AccidentState.CONCLUDED,
        [Role.REGULATOR],
        guard=_has_conclusion,
    ),
    label="Accident",
)
