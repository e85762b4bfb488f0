"""`POST <object>/<action>/` for every row of a state machine (DESIGN.md §4).

A viewset that sets `machine` gets one action per row of the machine's table, with the
row's roles in the role gate and its description, payload, request examples and responses
in the OpenAPI schema. The request is checked against the row before the payload is read
(403 for the role, 404 out of scope, 409 for the state or a precondition, with `state` and
`allowed_actions`), then the payload (400), then the row's service runs it.
"""

import re

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from .schema import ConflictResponseSerializer, ErrorResponseSerializer


def _endpoint(machine, transition, response_serializer):
    def run(self, request, *args, **kwargs):
        obj = self.get_object()
        machine.check(obj, transition.action, request.user)
        data = None
        if transition.payload_serializer is not None:
            payload = transition.payload_serializer(
                data=request.data, context=self.get_serializer_context()
            )
            payload.is_valid(raise_exception=True)
            data = payload.validated_data
        done = machine.perform(obj, transition.action, actor=request.user, payload=data)
        response = self.transition_response(done or obj)
        response.status_code = transition.response_status
        return response

    run.__name__ = transition.action
    run.__doc__ = transition.description
    endpoint = action(detail=True, methods=["post"], url_path=transition.action)(run)
    return extend_schema(
        summary=re.split(r"[:;(]|\. ", transition.description)[0].strip().rstrip("."),
        description=transition.description,
        request=transition.payload_serializer,
        responses={
            transition.response_status: response_serializer,
            400: ErrorResponseSerializer,
            409: ConflictResponseSerializer,
        },
        examples=[
            OpenApiExample(title, value=body, request_only=True)
            for title, body in transition.examples.items()
        ],
    )(endpoint)


class TransitionViewSetMixin:
    """Set `machine` (a core.states.StateMachine) and, if the response is not the
    viewset's `serializer_class`, `transition_serializer_class`."""

    machine = None
    transition_serializer_class = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        machine = cls.__dict__.get("machine")
        if machine is None:
            return
        response = cls.__dict__.get("transition_serializer_class") or cls.serializer_class
        roles = dict(getattr(cls, "action_roles", {}))
        for transition in machine.actions:
            if transition.action in cls.__dict__:
                raise TypeError(f"{cls.__name__} defines '{transition.action}' itself.")
            setattr(cls, transition.action, _endpoint(machine, transition, response))
            roles[transition.action] = transition.roles
        cls.action_roles = roles

    def get_transition_queryset(self):
        return self.get_queryset()

    def transition_response(self, obj):
        """The object as it is after the transition, as the caller sees it."""
        fresh = self.get_transition_queryset().get(pk=obj.pk)
        serializer_class = self.transition_serializer_class or self.serializer_class
        return Response(serializer_class(fresh, context=self.get_serializer_context()).data)
