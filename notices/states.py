"""The notice's state machine (DESIGN.md §7): sent -> acknowledged -> completed.

The holder acknowledges (how much it still holds and how much it has taken off sale);
the holder, or a regulator of its region, completes it once the measure is carried out.
"""

from django.utils.translation import gettext_lazy

from core.choices import Role
from core.states import StateMachine, Transition

from .choices import NoticeState as S

SERVICES = "notices.services."
PAYLOADS = "notices.api.serializers."

notice_machine = StateMachine(
    Transition(
        "acknowledge",
        [S.SENT],
        S.ACKNOWLEDGED,
        [Role.ENTERPRISE],
        label=gettext_lazy("Acknowledge"),
        payload=PAYLOADS + "AcknowledgeSerializer",
        service=SERVICES + "notice_acknowledge",
        description="The holder records the quantity it still has on hand and the quantity "
        "it has removed from sale; neither may exceed what it received.",
        examples={
            "All taken off sale": {
                "quantity_on_hand": "0",
                "quantity_removed": "200",
                "note": "已全部下架，封存于仓库",
            }
        },
    ),
    Transition(
        "complete",
        [S.ACKNOWLEDGED],
        S.COMPLETED,
        [Role.ENTERPRISE, Role.REGULATOR],
        label=gettext_lazy("Complete"),
        payload=PAYLOADS + "NoticeNoteSerializer",
        service=SERVICES + "notice_complete",
        description="The measure is carried out: the holder, or a regulator of its region, "
        "completes the notice.",
        examples={"Returned to the producer": {"note": "200 台已退回生产者"}},
    ),
    label=gettext_lazy("Notice"),
    subject="notice",
)
