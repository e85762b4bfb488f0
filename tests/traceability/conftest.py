import pytest

from tests.conftest import SHANGHAI
from tests.factories import LotFactory, PartyFactory, ProductFactory
from traceability.choices import EventKind, PartyKind

from .factories import make_event, ship, transform


@pytest.fixture
def chain(party, party_other):
    """A small chain: the Beijing producer `party` makes flour lot F and ships it to a
    mill; the mill (Shanghai) turns F plus sugar S into cake lot C, ships C to a retailer
    (Shanghai), which returns part of it to the mill (a cycle)."""
    mill = PartyFactory(region="310115", kind=PartyKind.PRODUCER, name="Mill")
    retailer = PartyFactory(region=SHANGHAI, kind=PartyKind.RETAILER, name="Shop")
    sugar_maker = PartyFactory(region="320000", kind=PartyKind.PRODUCER, name="Sugar")
    flour = LotFactory(product=ProductFactory(producer=party, category="flour"), lot_code="F1")
    sugar = LotFactory(product=ProductFactory(producer=sugar_maker), lot_code="S1")
    cake = LotFactory(product=ProductFactory(producer=mill, category="cake"), lot_code="C1")
    make_event(EventKind.COMMISSION, party, lots=[(flour, 500)], days_ago=20)
    ship(flour, 300, party, mill, days_ago=15)
    ship(sugar, 50, sugar_maker, mill, days_ago=15)
    transform(mill, inputs=[(flour, 300), (sugar, 50)], outputs=[(cake, 1000)], days_ago=12)
    ship(cake, 600, mill, retailer, days_ago=10)
    ship(cake, 100, retailer, mill, days_ago=5)
    return {
        "producer": party,
        "mill": mill,
        "retailer": retailer,
        "sugar_maker": sugar_maker,
        "flour": flour,
        "sugar": sugar,
        "cake": cake,
    }
