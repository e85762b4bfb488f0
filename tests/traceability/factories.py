"""Traceability test data: events built directly (the services are tested on their own)."""

import datetime as dt
import itertools

from django.utils import timezone

from traceability.choices import EventKind, LotRole
from traceability.models import Event, EventLot

_ids = itertools.count(1)


def make_event(
    kind, party, *, lots=(), inputs=(), outputs=(), source=None, destination=None, days_ago=10
):
    """An event with its lot lines; lots/inputs/outputs are (lot, quantity) pairs."""
    event = Event.objects.create(
        event_id=f"test-{next(_ids)}",
        kind=kind,
        occurred_at=timezone.now() - dt.timedelta(days=days_ago),
        party=party,
        source=source,
        destination=destination,
    )
    lines = [(lot, q, LotRole.LOT) for lot, q in lots]
    lines += [(lot, q, LotRole.INPUT) for lot, q in inputs]
    lines += [(lot, q, LotRole.OUTPUT) for lot, q in outputs]
    EventLot.objects.bulk_create(
        EventLot(event=event, lot=lot, quantity=q, role=role) for lot, q, role in lines
    )
    return event


def ship(lot, quantity, source, destination, days_ago=10):
    return make_event(
        EventKind.SHIP,
        source,
        lots=[(lot, quantity)],
        source=source,
        destination=destination,
        days_ago=days_ago,
    )


def receive(lot, quantity, source, destination, days_ago=9):
    """`destination`'s own receipt of what `source` shipped."""
    return make_event(
        EventKind.RECEIVE,
        destination,
        lots=[(lot, quantity)],
        source=source,
        destination=destination,
        days_ago=days_ago,
    )


def transform(party, inputs, outputs, days_ago=10):
    return make_event(EventKind.TRANSFORM, party, inputs=inputs, outputs=outputs, days_ago=days_ago)
