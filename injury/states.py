"""The accident: reported -> investigating -> concluded (DESIGN.md §7), and the full report
that follows the first where the category asks for one."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.choices import Role
from core.exceptions import Precondition
from core.states import StateMachine, Transition

from .choices import AccidentState as S

SERVICES = "injury.services."
PAYLOADS = "injury.api.serializers."
REPORTERS = [Role.REGULATOR, Role.ENTERPRISE, Role.SENTINEL]


def guard_full_report_due(accident, actor):
    if accident.full_report_due is None:
        raise Precondition(
            _("Category %(category)s asks for no full report after the first.")
            % {"category": accident.category_id},
            code="no_full_report",
        )
    if accident.full_reported_at is not None:
        raise Precondition(
            _("The full report of %(accident)s was filed at %(at)s.")
            % {
                "accident": accident,
                "at": timezone.localtime(accident.full_reported_at).isoformat(),
            },
            code="full_report_filed",
        )


accident_machine = StateMachine(
    Transition(
        "full_report",
        [S.REPORTED, S.INVESTIGATING, S.CONCLUDED],
        None,
        REPORTERS,
        label=gettext_lazy("File the full report"),
        guards=[guard_full_report_due],
        payload=PAYLOADS + "FullReportSerializer",
        service=SERVICES + "accident_file_full_report",
        description="The full report after the first, where the category asks for one "
        "(new-energy vehicle fires: within 48 hours); filed once, by whoever may file "
        "accident reports and sees this one. The state does not change.",
        examples={
            "The full report": {
                "full_report": "起火点位于动力电池包左后部；车辆充电至 95% 时电池管理系统报警，"
                "随后冒烟起火。消防到场后 20 分钟扑灭，车辆烧毁，相邻两车受损。"
            }
        },
    ),
    Transition(
        "open_investigation",
        [S.REPORTED],
        S.INVESTIGATING,
        [Role.REGULATOR],
        label=gettext_lazy("Open the investigation"),
        payload=PAYLOADS + "OpenInvestigationSerializer",
        service=SERVICES + "accident_open_investigation",
        description="Open the investigation of a reported accident with its `experts` "
        "(name and field of each, at least one).",
        examples={
            "Two experts": {
                "experts": [
                    {"name": "李工", "field": "动力电池安全"},
                    {"name": "赵工", "field": "电气火灾调查"},
                ]
            }
        },
    ),
    Transition(
        "conclude",
        [S.INVESTIGATING],
        S.CONCLUDED,
        [Role.REGULATOR],
        label=gettext_lazy("Conclude"),
        payload=PAYLOADS + "ConcludeSerializer",
        service=SERVICES + "accident_conclude",
        description="Conclude the investigation: `findings`, `root_cause`, the `measure` "
        "taken and a note on it.",
        examples={
            "A manufacturing defect, recalled": {
                "findings": "电芯内部短路引发热失控，同批次电芯存在隔膜缺陷。",
                "root_cause": "manufacturing",
                "measure": "recall",
                "measure_note": "建议生产者召回同批次电池包",
            }
        },
    ),
    label=gettext_lazy("Accident"),
    subject="accident",
    number="accident_no",
)
