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
        name = self.label or obj._meta.verbose_name.capitalize()
        return f"{name} {obj.pk}"

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
                    action=action,
                    allowed_actions=self.allowed_actions(locked, actor),
                )
            if not transition.permits(actor):
                raise PermissionDenied(
                    f"'{action}' is for {', '.join(sorted(transition.roles))}; "
                    f"you act as {actor.role}."
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


def record_history_bulk(entries, *, actor):
    """Write many history entries in one statement (a fan-out that changes many objects
    at once): `entries` are (obj, action, from_state, to_state, payload)."""
    from .db import bulk_insert

    return bulk_insert(
        [
            StateHistory(
                content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
                object_id=obj.pk,
                action=action,
                from_state=from_state,
                to_state=to_state,
                actor=actor if getattr(actor, "pk", None) else None,
                actor_username=getattr(actor, "username", "") or "system",
                payload=payload or {},
            )
            for obj, action, from_state, to_state, payload in entries
        ]
    )


__all__ = ["StateMachine", "Transition", "record_history", "record_history_bulk"]


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
