"""The risk assessment: assessed -> decided (DESIGN.md §7)."""

from django.utils.translation import gettext_lazy

from core.choices import Role
from core.states import StateMachine, Transition

from .choices import AssessmentState

assessment_machine = StateMachine(
    Transition(
        "decide",
        [AssessmentState.ASSESSED],
        AssessmentState.DECIDED,
        [Role.REGULATOR],
        label=gettext_lazy("Decide the measure"),
        payload="risk.api.serializers.DecideSerializer",
        service="risk.services.assessment_decide",
        description="Accept a measure: `recall` opens a draft recall (of the assessed lot, or "
        "of the product's `lots`), `take_down` and `warning` raise an alert to the region, "
        "`monitor` sets a review date (`review_on`, default in LEVEE_RULES).",
        examples={
            "Recall lot 1": {
                "measure": "recall",
                "lots": [1],
                "note": "风险等级为严重，责令召回",
            }
        },
    ),
    label=gettext_lazy("Risk assessment"),
    subject="assessment",
    number="number",
)
