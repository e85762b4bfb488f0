"""The one transition mechanism (DESIGN.md §1, §4).

An app declares its state machine as a table of transitions (action, from-states,
to-state, roles, guard). `StateMachine.run` locks the row, checks the state, the role and
the guard, applies the change and writes the history entry, all in one transaction, so
two concurrent transitions never both succeed.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .exceptions import PermissionDenied, TransitionNotAllowed
from .models import StateHistory


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str | None  # None: the effect returns the target state
    roles: frozenset[str] = field(default_factory=frozenset)  # admin is always allowed
    # guard(obj, actor, payload) raises an ApplicationError when the action may not run.
    guard: Callable | None = None

    def __init__(self, action, sources: Iterable[str], target, roles=(), guard=None):
        object.__setattr__(self, "action", action)
        object.__setattr__(self, "sources", frozenset(sources))
        object.__setattr__(self, "target", target)
        object.__setattr__(self, "roles", frozenset(roles))
        object.__setattr__(self, "guard", guard)

    def permits(self, actor):
        if actor is None:  # system jobs
            return True
        return getattr(actor, "is_levee_admin", False) or actor.role in self.roles


class StateMachine:
    def __init__(self, *transitions: Transition, field="state", label=None):
        self.transitions = {t.action: t for t in transitions}
        self.field = field
        self.label = label

    def allowed_actions(self, obj, actor=None):
        state = getattr(obj, self.field)
        return [
            t.action
            for t in self.transitions.values()
            if state in t.sources and (actor is None or t.permits(actor))
        ]

    def _label(self, obj):
        return object_label(obj)

    def run(self, obj, action, *, actor, payload=None, effect=None):
        """Apply `action` to `obj`; `effect(locked_obj)` makes the action's own changes
        (and returns the target state when the table leaves it open). Returns the
        updated object."""
        transition = self.transitions[action]
        model = type(obj)
        with transaction.atomic():
            locked = model._base_manager.select_for_update().get(pk=obj.pk)
            state = getattr(locked, self.field)
            if state not in transition.sources:
                raise TransitionNotAllowed(
                    label=self._label(locked),
                    state=state,
                    state_label=getattr(locked, f"get_{self.field}_display")(),
                    action=action,
                    allowed_actions=self.allowed_actions(locked, actor),
                )
            if not transition.permits(actor):
                raise PermissionDenied(
                    _("“%(action)s” is for %(roles)s; you act as %(role)s.")
                    % {
                        "action": action,
                        "roles": ", ".join(sorted(transition.roles)),
                        "role": actor.role,
                    }
                )
            if transition.guard:
                transition.guard(locked, actor, payload or {})
            target = transition.target
            if effect is not None:
                result = effect(locked)
                if target is None:
                    target = result
            setattr(locked, self.field, target)
            locked.save()
            record_history(
                locked,
                action=action,
                from_state=state,
                to_state=target,
                actor=actor,
                payload=payload,
            )
        return locked

    def record_creation(self, obj, *, actor, payload=None, action="create"):
        """The first history entry of a new object (from_state null)."""
        return record_history(
            obj,
            action=action,
            from_state=None,
            to_state=getattr(obj, self.field),
            actor=actor,
            payload=payload,
        )


# The human number an object carries (DESIGN.md §4), in the order they are looked for.
NUMBER_FIELDS = ("recall_no", "sample_no", "accident_no", "code")


def object_label(obj):
    """“召回 R-2026-0003”: the model's (translated) name and the object's human number,
    its id when it has none."""
    number = next((getattr(obj, f) for f in NUMBER_FIELDS if getattr(obj, f, None)), obj.pk)
    return f"{capfirst(obj._meta.verbose_name)} {number}"


def record_history(obj, *, action, from_state, to_state, actor, payload=None):
    return StateHistory.objects.create(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=obj.pk,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_username=getattr(actor, "username", "") or "system",
        payload=payload or {},
    )


__all__ = ["StateMachine", "Transition", "object_label", "record_history"]


def _alert_machine():
    from .choices import AlertStatus, Role

    return StateMachine(
        Transition("acknowledge", [AlertStatus.OPEN], AlertStatus.ACKNOWLEDGED, [Role.REGULATOR]),
        Transition(
            "resolve",
            [AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED],
            AlertStatus.RESOLVED,
            [Role.REGULATOR],
        ),
        field="status",
        label="Alert",
    )


alert_machine = _alert_machine()
