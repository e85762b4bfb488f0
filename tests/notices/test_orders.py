"""The dispose (or announce) request only orders the notices; the order is carried out once
after commit, by the task or by the deliver_pending_alerts sweep, whichever comes first,
and a failed one stays pending until it succeeds (DESIGN.md §7). The Celery task's body is
called here as the worker calls it; tests/notices/test_delivery.py runs a real worker."""

import pytest

from core.choices import DeliveryTopic
from core.jobs import run as run_job
from core.models import AlertDelivery, AlertSubscription, StateHistory
from notices import services as notice_services
from notices.models import Notice, NoticeIssue
from notices.services import notices_issue_pending, notices_order
from notices.tasks import issue_notices
from tests.recalls.factories import make_recall

from .conftest import dispose_url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def issued_after_commit(settings):
    settings.LEVEE_NOTICES_INLINE = False


def subscribe(chain):
    for holder in chain.holders:
        AlertSubscription.objects.create(
            url="http://127.0.0.1:9/hook", secret="s" * 20, kinds=["notice"], party_uscc=holder.uscc
        )


def test_dispose_orders_the_notices_and_the_task_issues_them_once(
    api, regulator, chain, reported_sample
):
    sample = reported_sample()
    subscribe(chain)
    client = api.as_(regulator)

    response = client.post(
        dispose_url(sample), {"measures": [{"measure": "take_down"}]}, format="json"
    )

    assert response.status_code == 200
    board = response.json()["disposition"]["notices"]
    assert (board["issuing"], board["notified"]) == (True, 0)
    order = NoticeIssue.objects.get()
    assert (order.source_kind, order.source_id) == ("disposition", sample.disposition.pk)
    assert (order.lot_ids, order.measure, order.issued_at) == ([chain.lot.pk], "take_down", None)
    assert not Notice.objects.exists()

    assert issue_notices(order.pk) == {"created": 4, "updated": 0, "reissued": 0, "deliveries": 4}
    board = client.get(f"/api/v1/sampling/samples/{sample.pk}/notices/").json()
    assert (board["issuing"], board["notified"]) == (False, 4)
    assert {n["party"]["uscc"] for n in board["notices"]} == {p.uscc for p in chain.holders}
    [created] = StateHistory.objects.for_object(Notice.objects.get(party=chain.shop_a))
    assert (created.action, created.actor_username) == ("create", regulator.username)

    # The task again (a redelivered message) and the sweep: nothing more.
    assert issue_notices(order.pk) is None
    assert notices_issue_pending() == {"notice_orders_issued": 0, "notice_orders_failed": 0}
    assert Notice.objects.count() == 4
    assert AlertDelivery.objects.filter(topic=DeliveryTopic.NOTICE).count() == 4


def test_an_order_that_fails_stays_pending_and_the_sweep_issues_it_later(
    api, client, admin_user, regulator, chain, reported_sample, monkeypatch
):
    sample = reported_sample()
    api.as_(regulator).post(
        dispose_url(sample), {"measures": [{"measure": "take_down"}]}, format="json"
    )
    order = NoticeIssue.objects.get()

    def trace_unavailable(**kwargs):
        raise RuntimeError("trace unavailable")

    with monkeypatch.context() as patch:
        patch.setattr(notice_services, "lot_trace", trace_unavailable)
        with pytest.raises(RuntimeError):
            issue_notices(order.pk)  # the worker's try: the task retries
        assert run_job("deliver_pending_alerts")["notice_orders_failed"] == 1

    order.refresh_from_db()
    assert (order.issued_at, order.attempts) == (None, 2)
    assert "trace unavailable" in order.last_error
    assert not Notice.objects.exists()
    # An admin sees the stuck order and why.
    client.force_login(admin_user)
    page = client.get("/admin/notices/noticeissue/?issued_at__isempty=1")
    assert page.status_code == 200
    assert sample.sample_no in page.content.decode()
    assert "trace unavailable" in page.content.decode()

    assert run_job("deliver_pending_alerts")["notice_orders_issued"] == 1
    order.refresh_from_db()
    assert order.issued_at is not None and order.summary["created"] == 4
    assert Notice.objects.count() == 4


def test_two_dispositions_of_a_lot_carried_out_out_of_turn_end_as_in_turn(regulator, chain):
    older, newer = (
        notices_order(
            source_kind="disposition",
            source_id=source_id,
            source_number=f"S-{source_id}",
            lot_ids=[chain.lot.pk],
            measure="take_down",
            producer_id=chain.producer.pk,
            actor=regulator,
        )
        for source_id in (1, 2)
    )

    issue_notices(newer.pk)
    issue_notices(older.pk)  # a worker got to the older one last

    notices = Notice.objects.all()
    assert notices.count() == 4  # one per holder, not one per disposition
    assert {(n.source_id, n.source_number) for n in notices} == {(2, "S-2")}


def test_an_announced_recall_shows_its_notices_issuing_until_they_are(admin_user, api, chain):
    recall = make_recall(chain.producer, state="announced", actor=admin_user, lots=[chain.lot])
    board_url = f"/api/v1/recalls/{recall.pk}/notices/"
    board = api.as_(admin_user).get(board_url).json()
    assert (board["issuing"], board["notified"]) == (True, 0)

    assert run_job("deliver_pending_alerts")["notice_orders_issued"] == 1

    board = api.as_(admin_user).get(board_url).json()
    assert (board["issuing"], board["notified"]) == (False, 4)
    assert {n.source_id for n in Notice.objects.all()} == {recall.pk}
