import pytest

from core import demo as core_demo
from sampling import demo
from sampling.choices import SampleState
from sampling.models import Sample


@pytest.mark.django_db
@pytest.mark.parametrize("with_traceability", [True, False])
def test_the_demo_has_samples_in_every_state_and_is_idempotent(with_traceability):
    core_demo.seed()
    if with_traceability:
        from traceability import demo as trace_demo

        trace_demo.seed()
    demo.seed()
    demo.seed()
    states = set(Sample.objects.values_list("state", flat=True))
    assert states == set(SampleState.values)
    # and the supplied part taken down at the producer's plant (the notices demo)
    assert Sample.objects.count() == len(demo.SAMPLES) + 1
    disposed = Sample.objects.get(note="demo:disposed")
    assert disposed.disposition.recall is not None
    if with_traceability:
        assert disposed.disposition.trace["parties"]
