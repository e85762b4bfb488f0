"""Recall test data: recalls built through the services, in any state."""

import datetime as dt

from django.utils import timezone

from recalls import services
from recalls.models import Recall
from tests.factories import LotFactory, ProductFactory

# The transitions that lead to each state from a complete draft.
PATH = {
    "draft": [],
    "plan_submitted": ["submit_plan"],
    "approved": ["submit_plan", "approve"],
    "announced": ["submit_plan", "approve", "announce"],
}


def plan(**overrides):
    """Every field a plan needs, besides the producer and lots."""
    today = timezone.localdate()
    return {
        "kind": "voluntary",
        "title": "Kettle recall",
        "hazard": "The base can overheat and ignite.",
        "defect": "Thermostat fails closed.",
        "remedy": "replace",
        "remedy_details": "Free replacement at any dealer.",
        "risk_level": "serious",
        "scope_description": "Model KT-1 kettles, lots listed.",
        "production_from": today - dt.timedelta(days=90),
        "production_to": today - dt.timedelta(days=30),
        "sale_regions": ["110000", "310000"],
        "consumer_contact": "400-000-0000",
        "notice_text": "Stop using KT-1 kettles of the listed lots.",
        **overrides,
    }


def make_recall(producer, *, state="draft", actor=None, lots=None, quantity=1000, **overrides):
    """A complete recall of `producer` moved to `state` (draft .. in_progress)."""
    if lots is None:
        product = ProductFactory(producer=producer, brand="Acme", model="KT-1")
        lots = [LotFactory(product=product, quantity=quantity)]
    recall = services.recall_create(actor=actor, producer=producer, lots=lots, **plan(**overrides))
    steps = PATH.get(state, PATH["announced"])
    for action in steps:
        recall = services.recall_transition(recall=recall, action=action, actor=actor)
    if state in ("in_progress", "completed"):
        services.recall_report_progress(
            recall=recall, actor=actor, period_end=timezone.localdate(), recovered=100
        )
    if state == "completed":
        services.recall_transition(recall=recall, action="complete", actor=actor)
    return Recall.objects.get(pk=recall.pk)
