import pytest
from django.core.management import call_command

from core.models import User
from notices.models import Notice
from sampling.models import Sample

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def issued_after_commit(settings):
    """As `seed_demo` runs on PostgreSQL and Redis: the seeding issues its notices itself."""
    settings.LEVEE_NOTICES_INLINE = False


def test_the_demo_has_notices_in_every_state_and_one_for_the_enterprise_user():
    call_command("seed_demo", verbosity=0)
    first = list(Notice.objects.order_by("id").values_list("id", "state", "due_at"))
    call_command("seed_demo", verbosity=0)
    assert list(Notice.objects.order_by("id").values_list("id", "state", "due_at")) == first

    disposed = Sample.objects.get(note="demo:disposed")
    kettle = Notice.objects.filter(source_kind="disposition", lot=disposed.lot)
    assert kettle.count() >= 4
    assert set(kettle.values_list("state", flat=True)) == {"sent", "acknowledged", "completed"}
    assert kettle.overdue().count() == 1
    assert {True, False} <= set(kettle.values_list("custody_confirmed", flat=True))

    enterprise = User.objects.get(username="enterprise")
    [own] = Notice.objects.restrict(enterprise)
    assert (own.state, own.measure) == ("sent", "take_down")
