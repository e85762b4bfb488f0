import pytest

from core import demo as core_demo
from core.models import Alert
from sampling import demo, selectors
from sampling.choices import SampleState
from sampling.models import Sample, Task


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
    assert Sample.objects.count() == len(demo.SAMPLES) + len(demo.NATIONAL_SAMPLES)
    national = Task.objects.get(code=demo.NATIONAL_TASK)
    assert (national.level, national.region, national.state) == ("national", "000000", "published")
    assert sorted(national.children.values_list("region", flat=True)) == ["110000", "310000"]
    handed_over = Sample.objects.get(handed_over_at__isnull=False)
    assert (handed_over.handling_region, handed_over.state) == ("310115", "disposed")
    assert handed_over.disposition.decided_by.username == "regulator_sh"
    assert Alert.objects.filter(kind="case_handed_over", region="310115").count() == 1
    rows = selectors.public_spot_check(code=national.code)["rows"]
    assert len(rows) == len(demo.NATIONAL_SAMPLES)
    disposed = Sample.objects.get(note="demo:disposed")
    assert disposed.disposition.recall is not None
    if with_traceability:
        assert disposed.disposition.trace["parties"]
