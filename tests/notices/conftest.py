"""A lot that reached a distributor and three shops, and the samples that dispose of it.

The producer (`party`, Chaoyang) ships 500 to a distributor (Chaoyang; both sides record
it: confirmed custody), which ships 100 to shop A (Chaoyang, confirmed), 50 to shop B
(Pudong, Shanghai: only the shipment is recorded) and 30 to shop C (Chaoyang: only C's
receipt is recorded). Another lot reaches shop D and must not bring it a notice.
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from core.choices import Role
from sampling import services as sampling
from sampling.choices import SampleState
from tests.conftest import CHAOYANG, PUDONG
from tests.factories import LotFactory, PartyFactory, ProductFactory, UserFactory
from tests.sampling.conftest import advance, pass_objection_window
from tests.sampling.factories import TaskFactory
from tests.traceability.factories import make_event, ship
from traceability.choices import EventKind, PartyKind


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Chain:
    producer: object
    lot: object
    distributor: object
    shop_a: object
    shop_b: object
    shop_c: object
    shop_d: object
    other_lot: object

    @property
    def holders(self):
        return [self.distributor, self.shop_a, self.shop_b, self.shop_c]


def receive(lot, quantity, source, destination, days_ago=9):
    return make_event(
        EventKind.RECEIVE,
        destination,
        lots=[(lot, quantity)],
        source=source,
        destination=destination,
        days_ago=days_ago,
    )


@pytest.fixture
def chain(party):
    product = ProductFactory(producer=party, name="电热水壶", model="KT-9")
    lot = LotFactory(product=product, lot_code="KT9-2025", quantity=1000)
    other_lot = LotFactory(product=product, lot_code="KT9-OTHER", quantity=100)
    distributor = PartyFactory(region=CHAOYANG, name="朝阳批发", kind=PartyKind.DISTRIBUTOR)
    shop_a = PartyFactory(region=CHAOYANG, name="A 超市", kind=PartyKind.RETAILER)
    shop_b = PartyFactory(region=PUDONG, name="B 商店", kind=PartyKind.RETAILER)
    shop_c = PartyFactory(region=CHAOYANG, name="C 便利店", kind=PartyKind.RETAILER)
    shop_d = PartyFactory(region=CHAOYANG, name="D 商店", kind=PartyKind.RETAILER)
    make_event(EventKind.COMMISSION, party, lots=[(lot, 1000), (other_lot, 100)], days_ago=20)
    ship(lot, 500, party, distributor)
    receive(lot, 500, party, distributor)
    ship(lot, 100, distributor, shop_a, days_ago=8)
    receive(lot, 100, distributor, shop_a, days_ago=7)
    ship(lot, 50, distributor, shop_b, days_ago=8)
    receive(lot, 30, distributor, shop_c, days_ago=7)
    ship(other_lot, 20, party, shop_d)
    return Chain(party, lot, distributor, shop_a, shop_b, shop_c, shop_d, other_lot)


@pytest.fixture
def enterprise_of():
    """The enterprise user of a party (one per party)."""
    users = {}

    def make(party_):
        if party_.pk not in users:
            users[party_.pk] = UserFactory(
                username=f"ent-{party_.uscc}",
                role=Role.ENTERPRISE,
                region="",
                party_uscc=party_.uscc,
            )
        return users[party_.pk]

    return make


@pytest.fixture
def reported_sample(inspector, lab, chain):
    """A non-conforming sample of the chain's lot, reported, its objection window over."""

    def make(**kw):
        sample = sampling.sample_create(
            actor=inspector,
            task=kw.pop("task", None) or TaskFactory(lab=lab),
            sampled_party=chain.shop_a,
            producer=chain.producer,
            lot=chain.lot,
            location_kind="retail",
            quantity=4,
            backup_quantity=4,
            sampled_at=timezone.now() - dt.timedelta(hours=2),
            inspectors=["张三", "李四"],
            **kw,
        )
        sample = advance(sample, SampleState.REPORTED)
        pass_objection_window(sample)
        return sample

    return make


def dispose_url(sample):
    return f"/api/v1/sampling/samples/{sample.pk}/dispose/"
