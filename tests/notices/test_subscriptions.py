"""An enterprise's webhook subscriptions: its own party's notices, nothing else."""

import pytest

from core.models import AlertDelivery, AlertSubscription
from core.services import alert_raise
from notices.services import notice_bodies, notices_issue
from tests.conftest import CHAOYANG

pytestmark = pytest.mark.django_db
SUBSCRIPTIONS = "/api/v1/alerts/subscriptions/"
SECRET = "a-long-enough-secret"


def test_an_enterprise_subscribes_to_its_own_partys_notices(api, chain, enterprise_of):
    client = api.as_(enterprise_of(chain.shop_a))
    created = client.post(
        SUBSCRIPTIONS, {"url": "https://shop-a.example.org/levee", "secret": SECRET}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert (created.json()["kinds"], created.json()["party_uscc"]) == (
        ["notice"],
        chain.shop_a.uscc,
    )

    # It cannot reach for another party, alerts, or regions.
    other = client.post(
        SUBSCRIPTIONS,
        {"url": "https://x.example.org", "secret": SECRET, "party_uscc": chain.shop_b.uscc},
        format="json",
    )
    assert other.json()["party_uscc"] == chain.shop_a.uscc  # read-only: the caller's party
    for body in ({"kinds": ["deadline_overdue"]}, {"kinds": ["notice"], "regions": [CHAOYANG]}):
        refused = client.post(
            SUBSCRIPTIONS, {"url": "https://x.example.org", "secret": SECRET, **body}, format="json"
        )
        assert refused.status_code == 400, body
    url = f"{SUBSCRIPTIONS}{created.json()['id']}/"
    assert client.patch(url, {"kinds": ["injury_signal"]}, format="json").status_code == 400
    assert client.patch(url, {"active": False}, format="json").status_code == 200


def test_an_enterprise_sees_only_its_partys_subscriptions(api, chain, enterprise_of, admin_user):
    mine = api.as_(enterprise_of(chain.shop_a))
    mine.post(SUBSCRIPTIONS, {"url": "https://a.example.org", "secret": SECRET}, format="json")
    theirs = api.as_(enterprise_of(chain.shop_b)).post(
        SUBSCRIPTIONS, {"url": "https://b.example.org", "secret": SECRET}, format="json"
    )
    listed = mine.get(SUBSCRIPTIONS).json()["results"]
    assert [row["url"] for row in listed] == ["https://a.example.org"]
    assert mine.get(f"{SUBSCRIPTIONS}{theirs.json()['id']}/").status_code == 404
    assert mine.delete(f"{SUBSCRIPTIONS}{theirs.json()['id']}/").status_code == 404
    assert api.as_(admin_user).get(SUBSCRIPTIONS).json()["count"] == 2


def test_an_admin_cannot_subscribe_to_notices(api, admin_user):
    refused = api.as_(admin_user).post(
        SUBSCRIPTIONS,
        {"url": "https://x.example.org", "secret": SECRET, "kinds": ["notice"]},
        format="json",
    )
    assert refused.status_code == 400


def test_a_partys_subscription_gets_its_notices_and_no_alert(chain, regulator):
    shop_a = AlertSubscription.objects.create(
        url="http://127.0.0.1:9/a", secret=SECRET, kinds=["notice"], party_uscc=chain.shop_a.uscc
    )
    everything = AlertSubscription.objects.create(url="http://127.0.0.1:9/all", secret=SECRET)

    notices_issue(
        source_kind="disposition",
        source_id=1,
        source_number="S-1",
        lots=[chain.lot],
        measure="take_down",
        producer_id=chain.producer.pk,
        actor=regulator,
    )
    alert_raise(kind="deadline_overdue", dedup_key="k", message="m", region=CHAOYANG)

    [delivery] = AlertDelivery.objects.filter(subscription=shop_a)
    assert delivery.topic == "notice"
    body = notice_bodies([delivery.subject_id])[delivery.subject_id]
    assert body["party"]["uscc"] == chain.shop_a.uscc
    assert body["lot"]["lot_code"] == chain.lot.lot_code
    # A subscription for alerts gets no notice (they go to their holders only).
    assert [d.topic for d in AlertDelivery.objects.filter(subscription=everything)] == ["alert"]


def test_removing_a_subscription_that_delivered_keeps_its_deliveries(
    api, chain, enterprise_of, regulator
):
    client = api.as_(enterprise_of(chain.shop_a))
    created = client.post(
        SUBSCRIPTIONS, {"url": "http://127.0.0.1:9/a", "secret": SECRET}, format="json"
    ).json()
    notices_issue(
        source_kind="disposition",
        source_id=1,
        source_number="S-1",
        lots=[chain.lot],
        measure="take_down",
        producer_id=chain.producer.pk,
        actor=regulator,
    )

    assert client.delete(f"{SUBSCRIPTIONS}{created['id']}/").status_code == 204

    subscription = AlertSubscription.objects.get(pk=created["id"])
    assert subscription.active is False
    assert subscription.deliveries.count() == 1
