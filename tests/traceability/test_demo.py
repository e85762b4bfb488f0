import pytest

from core.models import User
from traceability import demo
from traceability.models import Event, Party
from traceability.selectors import lot_trace

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent_and_links_the_enterprise_user():
    demo.seed()
    counts = (Party.objects.count(), Event.objects.count())
    assert demo.seed() == [("enterprise", "enterprise-demo-pass")]
    assert (Party.objects.count(), Event.objects.count()) == counts
    user = User.objects.get(username="enterprise")
    producer = Party.objects.get(uscc=user.party_uscc)
    assert producer.kind == "producer"
    assert {p.region for p in Party.objects.all()} >= {"110000", "110105", "310000"}
    flour = Event.objects.get(event_id="demo-f-1").lines.get().lot
    forward = lot_trace(lot_ids=[flour.id])
    assert any(e["kind"] == "transform" for e in forward["edges"])
