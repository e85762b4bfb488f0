import pytest

from core import demo as core_demo
from recalls import demo
from recalls.models import Recall
from traceability import demo as traceability_demo


@pytest.mark.django_db
def test_the_demo_seeds_recalls_in_several_states_once():
    core_demo.seed()
    traceability_demo.seed()
    demo.seed()
    demo.seed()
    states = set(Recall.objects.values_list("state", flat=True))
    assert {"draft", "plan_submitted", "announced", "in_progress", "closed"} <= states
    assert Recall.objects.count() == len(demo.RECALLS)
    running = Recall.objects.get(state="in_progress")
    assert running.progress_reports.count() == 2 and 0 < running.completion_rate < 1
