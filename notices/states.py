"""The notice's state machine (DESIGN.md §7): sent -> acknowledged -> completed.

The holder acknowledges (how much it still holds and how much it has taken off sale);
the holder, or a regulator of its region, completes it once the measure is carried out.
"""

from decimal import Decimal

from core.choices import Role
from core.exceptions import ApplicationError
from core.states import StateMachine, Transition

from .choices import NoticeState as S


def _quantities_within_received(notice, actor, payload):
    """Neither quantity may exceed what the party received."""
    for name in ("quantity_on_hand", "quantity_removed"):
        value = Decimal(str(payload.get(name)))
        if value > notice.quantity_received:
            raise ApplicationError(
                f"{name} ({value.normalize():f}) is more than the "
                f"{notice.quantity_received.normalize():f} {notice.unit} the party received.",
                code="above_received",
                attr=name,
            )


notice_machine = StateMachine(
    Transition(
        "acknowledge",
        [S.SENT],
        S.ACKNOWLEDGED,
        [Role.ENTERPRISE],
        guard=_quantities_within_received,
    ),
    Transition("complete", [S.ACKNOWLEDGED], S.COMPLETED, [Role.ENTERPRISE, Role.REGULATOR]),
    label="Notice",
)
