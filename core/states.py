"""The one transition mechanism (DESIGN.md §1, §4).

An app declares its state machine as a table: one `Transition` row per action, naming the
states it runs from, the state it leads to, the roles that may run it, its guards (the
preconditions on the object), the serializer of its payload, its description (the API's
and the admin's), the service that runs it and the hooks to run after its effect.

`StateMachine.run` locks the row, checks the state, the role and the guards, sets the
target state, applies the service's effect, runs the after-hooks, saves and writes the
history entry, all in one transaction, so two concurrent transitions never both succeed.
The same checks decide `allowed_actions`, so an action listed is never refused for
anything but its payload. `core.api.transitions.TransitionViewSetMixin` turns each row into
`POST <object>/<action>/` and the admins offer the same rows as buttons.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .exceptions import ApplicationError, Conflict, PermissionDenied, TransitionNotAllowed
from .models import StateHistory


def _resolve(reference):
    return import_string(reference) if isinstance(reference, str) else reference


@dataclass(frozen=True, eq=False)
class Transition:
    """One row of a machine's table.

    guards: `guard(obj, actor)` raises `Precondition` (409) or `PermissionDenied` (403)
        when the action may not run on this object for this caller, whatever the payload.
    payload: the serializer (or its dotted path) of the request body; None: no body.
    service: the `<entity>_<verb>` function (or its dotted path) that runs the action,
        called as `service(<subject>=obj, actor=actor, **payload)`; it validates the payload
        and calls `machine.run(..., effect=...)`.
    after: `hook(obj, transition)` run after the effect, before the save (deadlines, alerts).
    target: None keeps the state (an action that records something without moving on).
    internal: run by another service, never on its own (no endpoint, not in
        allowed_actions), e.g. the first progress report moving a recall on.
    payload_as: the service takes the whole (list) payload under this keyword.
    response_status: the endpoint's success status (201 where the action creates).
    examples: {title: body} documented on the endpoint; each body is one it accepts (the
        schema example tests post them).
    label: the action's short name for people (the admin's buttons, list actions and
        history), translated; the action's slug stays the API's name for it.
    """

    action: str
    label: str
    sources: frozenset
    target: str | None
    roles: frozenset
    guards: tuple[Callable, ...]
    payload: object
    service: object
    description: str
    after: tuple[Callable, ...]
    internal: bool
    payload_as: str | None
    response_status: int
    examples: dict

    def __init__(
        self,
        action,
        sources: Iterable[str],
        target,
        roles=(),
        *,
        guards=(),
        payload=None,
        service=None,
        description="",
        after=(),
        internal=False,
        payload_as=None,
        response_status=200,
        examples=None,
        label=None,
    ):
        values = {
            "action": action,
            "label": label or action,
            "sources": frozenset(sources),
            "target": target,
            "roles": frozenset(roles),
            "guards": tuple(guards),
            "payload": payload,
            "service": service,
            "description": description,
            "after": tuple(after),
            "internal": internal,
            "payload_as": payload_as,
            "response_status": response_status,
            "examples": dict(examples or {}),
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def permits(self, actor):
        if actor is None:  # system jobs
            return True
        return getattr(actor, "is_levee_admin", False) or actor.role in self.roles

    @cached_property
    def payload_serializer(self):
        return _resolve(self.payload)

    @cached_property
    def service_function(self):
        return _resolve(self.service)


class StateMachine:
    """subject: the keyword the services take the object by (`sample=`).
    number: the field that names the object to people (`sample_no`)."""

    def __init__(
        self,
        *transitions: Transition,
        field="state",
        label=None,
        subject=None,
        number=None,
        after=(),
    ):
        self.transitions = {t.action: t for t in transitions}
        self.field = field
        self.label = label
        self.subject = subject
        self.number = number
        self.after = tuple(after)

    @property
    def actions(self):
        """The rows that are actions of their own (endpoints and admin buttons)."""
        return [t for t in self.transitions.values() if not t.internal]

    def action_label(self, action):
        """The translated name of `action` as the history records it (a row of this table
        or one of the entries every machine writes)."""
        transition = self.transitions.get(action)
        if transition is not None:
            return transition.label
        return HISTORY_ACTIONS.get(action, action)

    def number_of(self, obj):
        """What people call the object by: its number (sample_no), else its id."""
        return str((getattr(obj, self.number, None) if self.number else None) or obj.pk)

    def label_of(self, obj):
        """“召回 R-2026-0003”: the model's (translated) name and what people call it."""
        return f"{capfirst(obj._meta.verbose_name)} {self.number_of(obj)}"

    def refusal(self, obj, action, actor, *, for_people=False):
        """Why `actor` may not run `action` on `obj` now (an ApplicationError), or None.
        `for_people`: name the actions by their labels (the admin) rather than slugs."""
        transition = self.transitions[action]
        state = getattr(obj, self.field)
        if state not in transition.sources:
            allowed = self.allowed_actions(obj, actor)
            return TransitionNotAllowed(
                label=self.label_of(obj),
                state=state,
                state_label=getattr(obj, f"get_{self.field}_display")(),
                action=transition.label if for_people else action,
                allowed_actions=allowed,
                allowed_labels=[self.transitions[a].label for a in allowed] if for_people else None,
            )
        if not transition.permits(actor):
            return PermissionDenied(
                _("“%(action)s” is for %(roles)s; you act as %(role)s.")
                % {
                    "action": action,
                    "roles": ", ".join(sorted(transition.roles)),
                    "role": actor.role,
                }
            )
        for guard in transition.guards:
            try:
                guard(obj, actor)
            except ApplicationError as refused:
                if isinstance(refused, Conflict):
                    refused.extra.setdefault("state", state)
                    refused.extra.setdefault(
                        "allowed_actions", self.allowed_actions(obj, actor, exclude=action)
                    )
                return refused
        return None

    def check(self, obj, action, actor, *, for_people=False):
        refused = self.refusal(obj, action, actor, for_people=for_people)
        if refused is not None:
            raise refused

    def allowed_actions(self, obj, actor=None, *, exclude=None):
        """The actions `actor` could run on `obj` now: state, role and every guard pass."""
        state = getattr(obj, self.field)
        allowed = []
        for t in self.actions:
            if t.action == exclude or state not in t.sources or not t.permits(actor):
                continue
            try:
                for guard in t.guards:
                    guard(obj, actor)
            except ApplicationError:
                continue
            allowed.append(t.action)
        return allowed

    def perform(self, obj, action, *, actor, payload=None):
        """Run `action` through its row's service (the API's and the admin's entry)."""
        transition = self.transitions[action]
        if transition.internal or transition.service is None:
            raise ApplicationError(
                _("Unknown action “%(action)s”.") % {"action": action}, code="unknown_action"
            )
        if transition.payload_as:
            arguments = {transition.payload_as: payload}
        else:
            arguments = dict(payload or {})
        return transition.service_function(**{self.subject: obj}, actor=actor, **arguments)

    def run(self, obj, action, *, actor, payload=None, effect=None):
        """Apply `action` to `obj`: the target state is set, then `effect(locked_obj)`
        makes the action's own changes (a dict it returns is added to the history entry's
        payload), then the after-hooks run. Returns the updated object."""
        transition = self.transitions[action]
        model = type(obj)
        with transaction.atomic():
            locked = model._base_manager.select_for_update().get(pk=obj.pk)
            self.check(locked, action, actor)
            state = getattr(locked, self.field)
            target = state if transition.target is None else transition.target
            setattr(locked, self.field, target)
            payload = dict(payload or {})
            if effect is not None:
                payload.update(effect(locked) or {})
            for hook in (*self.after, *transition.after):
                hook(locked, transition)
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


# Actions the history records outside any machine's table (creation, alerts raised, facts
# corrected), by their translated names.
HISTORY_ACTIONS = {
    "create": _("Create"),
    "raise": _("Raise"),
    "correct": _("Correct"),
    "retract": _("Retract"),
    "withdraw": _("Withdraw"),
    "error_declaration": _("Error declaration"),
    "hand_over": _("Hand over"),
}


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

    regulators = [Role.REGULATOR]
    return StateMachine(
        Transition(
            "acknowledge",
            [AlertStatus.OPEN],
            AlertStatus.ACKNOWLEDGED,
            regulators,
            payload="core.api.serializers.NoteSerializer",
            service="core.services.alert_acknowledge",
            description="Acknowledge an open alert: someone is on it. Optional `note`.",
            examples={"Someone is on it": {"note": "已安排执法人员核查"}},
            label=_("Acknowledge"),
        ),
        Transition(
            "resolve",
            [AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED],
            AlertStatus.RESOLVED,
            regulators,
            payload="core.api.serializers.NoteSerializer",
            service="core.services.alert_resolve",
            description="Resolve an open or acknowledged alert. Optional `note`.",
            examples={"Dealt with": {"note": "涉事批次已下架，已立案调查"}},
            label=_("Resolve"),
        ),
        field="status",
        label=_("Alert"),
        subject="alert",
    )


alert_machine = _alert_machine()
