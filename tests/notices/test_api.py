"""The notices API: who sees which notice, acknowledging within what was received,
completing, history, filters, and the boards on the disposition and the recall."""

import datetime as dt

import pytest
from django.utils import timezone

from notices.models import Notice
from tests.conftest import errors_of
from tests.recalls.factories import make_recall

from .conftest import dispose_url

pytestmark = pytest.mark.django_db
NOTICES = "/api/v1/notices/"


@pytest.fixture
def disposed(api, regulator, chain, reported_sample):
    sample = reported_sample()
    response = api.as_(regulator).post(
        dispose_url(sample), {"measures": [{"measure": "take_down"}]}, format="json"
    )
    assert response.status_code == 200
    return sample


def notice_of(party):
    return Notice.objects.get(party=party)


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_each_role_sees_its_own_notices(
    api, disposed, chain, admin_user, regulator, regulator_other, inspector, enterprise_of
):
    every = set(Notice.objects.values_list("id", flat=True))
    shanghai = {notice_of(chain.shop_b).pk}

    assert ids(api.as_(admin_user).get(NOTICES)) == every
    assert ids(api.as_(regulator).get(NOTICES)) == every - shanghai
    assert ids(api.as_(regulator_other).get(NOTICES)) == shanghai
    assert ids(api.as_(enterprise_of(chain.shop_a)).get(NOTICES)) == {notice_of(chain.shop_a).pk}
    # The producer holds nothing: the notices are its customers', not its own.
    assert ids(api.as_(enterprise_of(chain.producer)).get(NOTICES)) == set()
    assert api.as_(inspector).get(NOTICES).status_code == 403


def test_a_notice_out_of_scope_is_404_for_every_operation(
    api, disposed, chain, regulator_other, enterprise_of
):
    shop_a = notice_of(chain.shop_a)
    for user in (regulator_other, enterprise_of(chain.shop_c)):
        client = api.as_(user)
        assert client.get(f"{NOTICES}{shop_a.pk}/").status_code == 404
        assert client.get(f"{NOTICES}{shop_a.pk}/history/").status_code == 404
        assert client.post(f"{NOTICES}{shop_a.pk}/complete/").status_code == 404
    body = {"quantity_on_hand": 0, "quantity_removed": 0}
    acknowledge = f"{NOTICES}{shop_a.pk}/acknowledge/"
    assert api.as_(enterprise_of(chain.shop_c)).post(acknowledge, body).status_code == 404
    assert api.as_(regulator_other).post(acknowledge, body).status_code == 403  # holders only


def test_the_holder_acknowledges_within_what_it_received(api, disposed, chain, enterprise_of):
    notice = notice_of(chain.shop_a)  # received 100
    client = api.as_(enterprise_of(chain.shop_a))
    url = f"{NOTICES}{notice.pk}/acknowledge/"

    too_many = client.post(url, {"quantity_on_hand": 101, "quantity_removed": 0}, format="json")
    assert too_many.status_code == 400
    assert errors_of(too_many) == ["above_received"]
    assert too_many.json()["errors"][0]["attr"] == "quantity_on_hand"
    removed = client.post(url, {"quantity_on_hand": 0, "quantity_removed": 100.5}, format="json")
    assert (removed.status_code, removed.json()["errors"][0]["attr"]) == (400, "quantity_removed")
    negative = client.post(url, {"quantity_on_hand": -1, "quantity_removed": 0}, format="json")
    assert negative.status_code == 400
    missing = client.post(url, {"quantity_on_hand": 5}, format="json")
    assert missing.status_code == 400
    notice.refresh_from_db()
    assert notice.state == "sent"

    done = client.post(url, {"quantity_on_hand": 20, "quantity_removed": 80}, format="json")
    assert done.status_code == 200
    body = done.json()
    assert (body["state"], body["quantity_on_hand"], body["quantity_removed"]) == (
        "acknowledged",
        "20.000",
        "80.000",
    )
    assert body["allowed_actions"] == ["complete"]

    again = client.post(url, {"quantity_on_hand": 0, "quantity_removed": 100}, format="json")
    assert again.status_code == 409
    assert (again.json()["state"], again.json()["allowed_actions"]) == (
        "acknowledged",
        ["complete"],
    )


def test_complete_follows_acknowledge_and_history_records_both(
    api, disposed, chain, enterprise_of, regulator
):
    notice = notice_of(chain.shop_c)
    holder = api.as_(enterprise_of(chain.shop_c))
    early = api.as_(regulator).post(f"{NOTICES}{notice.pk}/complete/", {}, format="json")
    assert early.status_code == 409
    assert early.json()["state"] == "sent"

    holder.post(
        f"{NOTICES}{notice.pk}/acknowledge/",
        {"quantity_on_hand": 0, "quantity_removed": 30, "note": "all off the shelf"},
        format="json",
    )
    completed = api.as_(regulator).post(f"{NOTICES}{notice.pk}/complete/", {}, format="json")
    assert completed.status_code == 200
    assert completed.json()["state"] == "completed"

    history = holder.get(f"{NOTICES}{notice.pk}/history/").json()
    assert [(e["action"], e["from_state"], e["to_state"]) for e in history] == [
        ("create", None, "sent"),
        ("acknowledge", "sent", "acknowledged"),
        ("complete", "acknowledged", "completed"),
    ]
    assert history[1]["payload"]["quantity_removed"] == "30.000"
    assert history[1]["actor"] == f"ent-{chain.shop_c.uscc}"


def test_filters_state_source_lot_and_overdue(api, disposed, chain, admin_user, enterprise_of):
    client = api.as_(admin_user)
    shop_a, shop_b = notice_of(chain.shop_a), notice_of(chain.shop_b)
    api.as_(enterprise_of(chain.shop_a)).post(
        f"{NOTICES}{shop_a.pk}/acknowledge/",
        {"quantity_on_hand": 0, "quantity_removed": 100},
        format="json",
    )
    Notice.objects.filter(pk=shop_b.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    disposition_id = disposed.disposition.pk

    assert ids(client.get(NOTICES, {"state": "acknowledged"})) == {shop_a.pk}
    assert ids(client.get(NOTICES, {"overdue": "true"})) == {shop_b.pk}
    assert len(ids(client.get(NOTICES, {"overdue": "false"}))) == 3
    assert len(ids(client.get(NOTICES, {"source": f"disposition:{disposition_id}"}))) == 4
    assert ids(client.get(NOTICES, {"source": "recall"})) == set()
    assert len(ids(client.get(NOTICES, {"lot": chain.lot.pk}))) == 4
    assert ids(client.get(NOTICES, {"lot": chain.other_lot.pk})) == set()
    assert client.get(NOTICES, {"source": "sample:1"}).status_code == 400
    assert client.get(NOTICES, {"state": "lost"}).status_code == 400

    overdue = client.get(f"{NOTICES}{shop_b.pk}/").json()
    assert (overdue["overdue"], overdue["delivered"]) == (True, False)
    assert overdue["party"]["uscc"] == chain.shop_b.uscc


def test_the_list_costs_the_same_queries_for_many_notices(
    api, disposed, admin_user, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        assert api.as_(admin_user).get(NOTICES).status_code == 200


def test_the_disposition_shows_the_board(api, disposed, chain, regulator, enterprise_of):
    shop_a = notice_of(chain.shop_a)
    api.as_(enterprise_of(chain.shop_a)).post(
        f"{NOTICES}{shop_a.pk}/acknowledge/",
        {"quantity_on_hand": 0, "quantity_removed": 100},
        format="json",
    )
    Notice.objects.filter(party=chain.shop_b).update(due_at=timezone.now() - dt.timedelta(hours=1))
    client = api.as_(regulator)

    detail = client.get(f"/api/v1/sampling/samples/{disposed.pk}/").json()
    counts = {
        "notified": 4,
        "delivered": 0,
        "acknowledged": 1,
        "completed": 0,
        "overdue": 1,
        "custody_confirmed": 2,
        "custody_unconfirmed": 2,
        "issuing": False,  # issued with the disposition (tests issue inline)
    }
    assert detail["disposition"]["notices"] == counts

    board = client.get(f"/api/v1/sampling/samples/{disposed.pk}/notices/")
    assert board.status_code == 200
    body = board.json()
    assert {k: body[k] for k in counts} == counts
    rows = {row["party"]["uscc"]: row for row in body["notices"]}
    assert set(rows) == {p.uscc for p in chain.holders}
    assert rows[chain.shop_b.uscc]["custody_confirmed"] is False
    assert rows[chain.shop_b.uscc]["overdue"] is True
    assert rows[chain.shop_a.uscc]["state"] == "acknowledged"
    assert (
        api.as_(enterprise_of(chain.shop_a))
        .get(f"/api/v1/sampling/samples/{disposed.pk}/notices/")
        .status_code
        == 403
    )


def test_the_recall_shows_the_board(api, chain, admin_user, regulator, regulator_other):
    recall = make_recall(chain.producer, state="announced", actor=admin_user, lots=[chain.lot])

    board = api.as_(regulator).get(f"/api/v1/recalls/{recall.pk}/notices/")
    assert board.status_code == 200
    assert (board.json()["notified"], board.json()["overdue"]) == (4, 0)
    assert len(board.json()["notices"]) == 4
    assert api.as_(regulator_other).get(f"/api/v1/recalls/{recall.pk}/notices/").status_code == 404
