"""An enterprise traces its own lots (DESIGN.md §7): itself and its direct partners named,
parties further away shown by region and kind only; another's lot is not its to trace."""

import csv
import io

import pytest

from tests.factories import LotFactory, PartyFactory, ProductFactory
from tests.traceability.factories import ship, transform
from traceability.choices import PartyKind

pytestmark = pytest.mark.django_db


def url(lot, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/api/v1/traceability/lots/{lot.id}/trace/?{query}"


@pytest.fixture
def chain(party):
    """The enterprise's kettles go to a distributor, then to a retailer and a platform;
    its steel comes from a mill, whose ore comes from a mine."""
    distributor = PartyFactory(region="110108", kind=PartyKind.DISTRIBUTOR, name="Distributor")
    retailer = PartyFactory(region="310115", kind=PartyKind.RETAILER, name="Far Retailer")
    platform = PartyFactory(region="440305", kind=PartyKind.PLATFORM, name="Far Platform")
    mill = PartyFactory(region="130102", kind=PartyKind.PRODUCER, name="Steel Mill")
    mine = PartyFactory(region="150202", kind=PartyKind.PRODUCER, name="Ore Mine")
    kettles = LotFactory(product=ProductFactory(producer=party), lot_code="K1")
    steel = LotFactory(product=ProductFactory(producer=mill, name="Steel"), lot_code="ST-9")
    ore = LotFactory(product=ProductFactory(producer=mine, name="Ore"), lot_code="ORE-3")
    ship(kettles, 600, party, distributor, days_ago=9)
    ship(kettles, 400, distributor, retailer, days_ago=8)
    ship(kettles, 200, distributor, platform, days_ago=7)
    ship(ore, 50, mine, mill, days_ago=30)
    transform(mill, inputs=[(ore, 50)], outputs=[(steel, 20)], days_ago=25)
    ship(steel, 20, mill, party, days_ago=20)
    transform(party, inputs=[(steel, 20)], outputs=[(kettles, 1000)], days_ago=15)
    return {
        "kettles": kettles,
        "distributor": distributor,
        "retailer": retailer,
        "platform": platform,
        "mill": mill,
        "mine": mine,
        "steel": steel,
        "ore": ore,
    }


def party_nodes(body):
    return [n for n in body["nodes"] if n["type"] == "party"]


def test_forward_names_only_the_direct_partner(api, enterprise, party, chain):
    response = api.as_(enterprise).get(url(chain["kettles"], direction="forward"))

    assert response.status_code == 200, response.content
    body = response.json()
    named = {n["name"] for n in party_nodes(body) if n["name"]}
    assert named == {party.name, "Distributor"}
    far = [n for n in party_nodes(body) if n["name"] is None]
    assert sorted((n["region"], n["kind"]) for n in far) == [
        ("310115", "retailer"),
        ("440305", "platform"),
    ]
    assert all(n["id"] is None and n["uscc"] is None for n in far)
    text = response.content.decode()
    for secret in ("Far Retailer", "Far Platform", chain["retailer"].uscc, chain["platform"].uscc):
        assert secret not in text
    assert f'"party:{chain["retailer"].pk}"' not in text
    flat = {(p["name"], p["region"], p["quantity"]) for p in body["parties"]}
    assert flat == {("Distributor", "110108", 600), (None, "310115", 400), (None, "440305", 200)}
    # The distributor's onward shipments: the movement, not its event ids.
    onward = [e for e in body["edges"] if e["to"] in {n["key"] for n in far}]
    assert len(onward) == 2 and all(e["event_id"] is None for e in onward)


def test_backward_names_the_supplier_but_not_the_suppliers_supplier(api, enterprise, party, chain):
    body = api.as_(enterprise).get(url(chain["kettles"], direction="backward")).json()

    named = {n["name"] for n in party_nodes(body) if n["name"]}
    # The lot's own movements are part of its backward trace: the distributor too.
    assert named == {party.name, "Steel Mill", "Distributor"}
    lots = {n["id"]: n for n in body["nodes"] if n["type"] == "lot"}
    assert lots[chain["steel"].pk]["lot_code"] == "ST-9"  # made by the direct supplier
    assert lots[chain["ore"].pk]["lot_code"] is None  # made further up
    assert lots[chain["ore"].pk]["product_name"] is None
    assert "Ore Mine" not in str(body) and "ORE-3" not in str(body)


def test_the_spreadsheet_is_as_redacted(api, enterprise, chain):
    response = api.as_(enterprise).get(url(chain["kettles"], direction="forward", format="csv"))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert "Far Retailer" not in text and chain["retailer"].uscc not in text
    assert {r["Shipped to region"] for r in rows} >= {"310115", "440305"}


def test_an_enterprise_may_not_trace_anothers_lot(api, enterprise, enterprise_other, chain):
    assert api.as_(enterprise_other).get(url(chain["kettles"])).status_code == 404
    # Not even a lot it handled but did not make: the mill's steel.
    assert api.as_(enterprise).get(url(chain["steel"])).status_code == 404


def test_a_regulator_still_sees_the_whole_chain(api, admin_user, chain):
    body = api.as_(admin_user).get(url(chain["kettles"], direction="forward")).json()
    assert {"Far Retailer", "Far Platform"} <= {n["name"] for n in party_nodes(body)}
