"""Which holders get a notice, with what, and never twice (DESIGN.md §7, §8)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from core.choices import DeliveryTopic
from core.models import AlertDelivery, AlertSubscription, StateHistory
from notices.choices import NoticeMeasure, NoticeSource, NoticeState
from notices.models import Notice
from notices.services import notice_acknowledge, notices_issue
from tests.factories import PartyFactory
from tests.recalls.factories import make_recall
from traceability.choices import EventKind, LotRole
from traceability.models import Event, EventLot

from .conftest import dispose_url

pytestmark = pytest.mark.django_db


def notices_by_party(**filters):
    return {n.party_id: n for n in Notice.objects.filter(**filters)}


def test_a_take_down_notices_exactly_the_holders_the_trace_reaches(
    api, regulator, chain, reported_sample
):
    sample = reported_sample()
    before = timezone.now()

    response = api.as_(regulator).post(
        dispose_url(sample), {"measures": [{"measure": "take_down"}]}, format="json"
    )

    assert response.status_code == 200, response.json()
    notices = notices_by_party()
    assert set(notices) == {p.pk for p in chain.holders}  # not the producer, not shop D
    assert {pid: n.quantity_received for pid, n in notices.items()} == {
        chain.distributor.pk: Decimal(500),
        chain.shop_a.pk: Decimal(100),
        chain.shop_b.pk: Decimal(50),
        chain.shop_c.pk: Decimal(30),
    }
    assert {pid: n.custody_confirmed for pid, n in notices.items()} == {
        chain.distributor.pk: True,
        chain.shop_a.pk: True,
        chain.shop_b.pk: False,  # shipped to, never confirmed by B
        chain.shop_c.pk: False,  # C says it received; the distributor never said it shipped
    }
    disposition = sample.disposition
    for notice in notices.values():
        assert (notice.lot_id, notice.product_id) == (chain.lot.pk, chain.lot.product_id)
        assert (notice.measure, notice.state) == (NoticeMeasure.TAKE_DOWN, NoticeState.SENT)
        assert (notice.source_kind, notice.source_id) == ("disposition", disposition.pk)
        assert notice.source_number == sample.sample_no
        # 72 hours for a take-down (LEVEE_RULES notices.due.default)
        assert dt.timedelta(hours=72) <= notice.due_at - before < dt.timedelta(hours=72, minutes=1)
        [created] = StateHistory.objects.for_object(notice)
        assert (created.action, created.from_state, created.to_state) == ("create", None, "sent")
        assert created.actor_username == regulator.username


def test_a_recall_measure_is_due_in_24_hours(api, regulator, chain, reported_sample):
    sample = reported_sample()
    before = timezone.now()
    measures = [{"measure": "take_down"}, {"measure": "recall"}]
    api.as_(regulator).post(dispose_url(sample), {"measures": measures}, format="json")

    notices = Notice.objects.all()
    assert notices.count() == 4
    for notice in notices:
        assert notice.measure == NoticeMeasure.RECALL
        assert dt.timedelta(hours=24) <= notice.due_at - before < dt.timedelta(hours=24, minutes=1)


@pytest.mark.parametrize("measure", ["rectify", "case_filed", "none"])
def test_measures_that_leave_the_shelf_alone_send_no_notice(
    api, regulator, chain, reported_sample, measure
):
    sample = reported_sample()
    response = api.as_(regulator).post(
        dispose_url(sample), {"measures": [{"measure": measure}]}, format="json"
    )
    assert response.status_code == 200
    assert not Notice.objects.exists()


def test_one_notice_per_party_and_source_across_repeated_dispositions(regulator, chain):
    def dispose(disposition_id, measure):
        return notices_issue(
            source_kind=NoticeSource.DISPOSITION,
            source_id=disposition_id,
            source_number=f"S-{disposition_id}",
            lots=[chain.lot],
            measure=measure,
            producer_id=chain.producer.pk,
            actor=regulator,
        )

    assert dispose(1, "take_down")["created"] == 4
    first = notices_by_party()
    shop_a = first[chain.shop_a.pk]
    notice_acknowledge(notice=shop_a, actor=None, quantity_on_hand=10, quantity_removed=90)

    # The same measure again (a second disposition of the lot): updated, not duplicated.
    assert dispose(2, "take_down") == {"created": 0, "updated": 4, "reissued": 0, "deliveries": 0}
    again = notices_by_party()
    assert {pid: n.pk for pid, n in again.items()} == {pid: n.pk for pid, n in first.items()}
    assert {n.source_id for n in again.values()} == {2}
    assert again[chain.shop_a.pk].state == NoticeState.ACKNOWLEDGED
    assert {n.revision for n in again.values()} == {1}

    # A stronger measure reissues each notice: sent again, recall, due in 24 hours.
    assert dispose(3, "recall")["reissued"] == 4
    third = notices_by_party()
    assert Notice.objects.count() == 4
    assert {(n.measure, n.state, n.revision) for n in third.values()} == {("recall", "sent", 2)}
    actions = [e.action for e in StateHistory.objects.for_object(third[chain.shop_a.pk])]
    assert actions == ["create", "acknowledge", "update", "reissue"]

    # Nothing changed: nothing written.
    assert dispose(3, "recall") == {"created": 0, "updated": 0, "reissued": 0, "deliveries": 0}


def test_a_recall_has_its_own_notices_beside_the_dispositions(regulator, chain):
    common = {"lots": [chain.lot], "producer_id": chain.producer.pk, "actor": regulator}
    notices_issue(
        source_kind="disposition", source_id=1, source_number="S-1", measure="take_down", **common
    )
    notices_issue(
        source_kind="recall", source_id=7, source_number="RC7", measure="recall", **common
    )
    notices_issue(
        source_kind="recall", source_id=7, source_number="RC7", measure="recall", **common
    )

    assert Notice.objects.filter(source_kind="disposition").count() == 4
    assert Notice.objects.filter(source_kind="recall", source_id=7).count() == 4


def test_announcing_a_recall_notices_the_holders_of_its_lots(admin_user, chain):
    recall = make_recall(chain.producer, state="announced", actor=admin_user, lots=[chain.lot])

    notices = notices_by_party(source_kind="recall", source_id=recall.pk)
    assert set(notices) == {p.pk for p in chain.holders}
    assert {n.measure for n in notices.values()} == {"recall"}
    assert {n.source_number for n in notices.values()} == {recall.recall_no}


def _fan_out(producer, lot, count):
    holders = PartyFactory.create_batch(count, region="110105", kind="retailer")
    events = Event.objects.bulk_create(
        Event(
            event_id=f"fan-{lot.pk}-{i}",
            kind=EventKind.SHIP,
            occurred_at=timezone.now() - dt.timedelta(days=3),
            party=producer,
            source=producer,
            destination=holder,
        )
        for i, holder in enumerate(holders)
    )
    EventLot.objects.bulk_create(
        EventLot(event=event, lot=lot, quantity=5, role=LotRole.LOT) for event in events
    )
    return holders


def test_a_thousand_notices_take_a_handful_of_statements(
    regulator, chain, django_assert_max_num_queries
):
    holders = _fan_out(chain.producer, chain.other_lot, 1000)
    for holder in holders[:300]:
        AlertSubscription.objects.create(
            url="http://127.0.0.1:9/hook", secret="s" * 20, kinds=["notice"], party_uscc=holder.uscc
        )

    with django_assert_max_num_queries(12):
        summary = notices_issue(
            source_kind="disposition",
            source_id=1,
            source_number="S-1",
            lots=[chain.other_lot],
            measure="take_down",
            producer_id=chain.producer.pk,
            actor=regulator,
        )

    assert summary["created"] == 1001  # the thousand, and shop D
    assert summary["deliveries"] == 300
    assert StateHistory.objects.filter(action="create", to_state="sent").count() >= 1001
    assert AlertDelivery.objects.filter(topic=DeliveryTopic.NOTICE).count() == 300
