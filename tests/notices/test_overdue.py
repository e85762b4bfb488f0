"""sweep_deadlines: one notice_unacknowledged alert per notice past its due time."""

import datetime as dt

import pytest
from django.utils import timezone

from core.jobs import run as run_job
from core.models import Alert
from notices.models import Notice
from notices.services import notice_acknowledge, notices_issue
from tests.conftest import CHAOYANG, PUDONG

pytestmark = pytest.mark.django_db


def test_the_sweep_raises_once_per_overdue_notice_for_the_holders_region(chain, regulator):
    notices_issue(
        source_kind="disposition",
        source_id=1,
        source_number="S-1",
        lots=[chain.lot],
        measure="take_down",
        producer_id=chain.producer.pk,
        actor=regulator,
    )
    acknowledged = Notice.objects.get(party=chain.shop_a)
    notice_acknowledge(notice=acknowledged, actor=None, quantity_on_hand=0, quantity_removed=100)
    Notice.objects.exclude(party=chain.distributor).update(
        due_at=timezone.now() - dt.timedelta(minutes=5)
    )

    assert run_job("sweep_deadlines")["notices_unacknowledged"] == 2  # shops B and C
    assert run_job("sweep_deadlines")["notices_unacknowledged"] == 0
    alerts = Alert.objects.filter(kind="notice_unacknowledged")
    assert {(a.region, a.subject_id) for a in alerts} == {
        (PUDONG, str(Notice.objects.get(party=chain.shop_b).pk)),
        (CHAOYANG, str(Notice.objects.get(party=chain.shop_c).pk)),
    }
    # Resolving the alert does not bring it back.
    alerts.update(status="resolved")
    assert run_job("sweep_deadlines")["notices_unacknowledged"] == 0
