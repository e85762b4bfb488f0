import pytest

from risk.services import assessment_create
from tests.factories import LotFactory, PartyFactory, ProductFactory

STEPS = [
    {"description": "The kettle's thermostat fails", "probability": 0.1},
    {"description": "The user touches the hot body", "probability": 0.5},
]


@pytest.fixture
def product(party):
    return ProductFactory(producer=party, category="electric_kettle")


@pytest.fixture
def lot(product):
    return LotFactory(product=product)


@pytest.fixture
def product_other(party_other):
    return ProductFactory(producer=PartyFactory(region=party_other.region), category="toy")


@pytest.fixture
def make_assessment(regulator, lot):
    def make(actor=None, **fields):
        values = {
            "subject_kind": "lot",
            "lot": lot,
            "hazard": "Burns from a hot surface",
            "steps": STEPS,
            "severity": 2,
        }
        values.update(fields)
        return assessment_create(actor=actor or regulator, **values)

    return make
