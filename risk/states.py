from core.choices import Role
from core.states import StateMachine, Transition

from .choices import AssessmentState

assessment_machine = StateMachine(
    Transition("decide", [AssessmentState.ASSESSED], AssessmentState.DECIDED, [Role.REGULATOR]),
    label="Risk assessment",
)
