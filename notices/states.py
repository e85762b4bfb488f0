"""The notice's state machine (DESIGN.md §7): sent -> acknowledged -> completed.

The holder acknowledges (how much it still holds and how much it has taken off sale);
the holder, or a regulator of its region, completes it once the measure is carried out.
"""

from core.choices import Role
from core.states import StateMachine, Transition

from .choices import NoticeState as S

notice_machine = StateMachine(
    Transition(
        "acknowledge",
        [S.SENT],
        S.ACKNOWLEDGED,
        [Role.ENTERPRISE],
        payload="notices.api.serializers.AcknowledgeSerializer",
        service="notices.services.notice_acknowledge",
        description="Acknowledge a notice: the holder records `quantity_on_hand` and "
        "`quantity_removed` (neither above what it received) and an optional `note`.",
    ),
    Transition(
        "complete",
        [S.ACKNOWLEDGED],
        S.COMPLETED,
        [Role.ENTERPRISE, Role.REGULATOR],
        payload="notices.api.serializers.NoticeNoteSerializer",
        service="notices.services.notice_complete",
        description="Complete a notice: the measure is carried out (the holder, or a "
        "regulator of its region). Optional `note`.",
    ),
    label="Notice",
    subject="notice",
)
