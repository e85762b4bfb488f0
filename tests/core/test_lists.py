"""Lists tell the truth about their query (DESIGN.md §4): an unknown parameter is a 400
naming it, `ordering` works over the documented fields and nothing else, and the filters the
README names exist."""

import re

import pytest

from tests.conftest import CHAOYANG
from tests.factories import LotFactory, ProductFactory
from tests.recalls.factories import make_recall

pytestmark = pytest.mark.django_db


def _get_operations(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    for path, operations in schema["paths"].items():
        if "get" in operations:
            yield re.sub(r"\{[^}]+\}", "999999", path), operations["get"]


def _query_names(operation):
    return {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}


def test_every_get_answers_400_naming_a_query_parameter_it_does_not_document(api, admin_user):
    client = api.as_(admin_user)
    wrong = []
    for path, _operation in _get_operations(client):
        response = client.get(path, {"stae": "draft"})
        body = response.json()
        if response.status_code in (403, 404) and "stae" not in str(body):
            continue  # the role (enterprise overview) or the object is refused first
        if response.status_code != 400 or body["errors"][0]["attr"] != "stae":
            wrong.append((path, response.status_code))
    assert wrong == []


def test_every_list_takes_ordering_over_documented_fields_and_refuses_others(api, admin_user):
    client = api.as_(admin_user)
    lists = [(p, op) for p, op in _get_operations(client) if "page" in _query_names(op)]
    assert len(lists) >= 15
    wrong = []
    for path, operation in lists:
        ordering = next(p for p in operation["parameters"] if p["name"] == "ordering")
        for value in ordering["schema"]["items"]["enum"]:
            if client.get(path, {"ordering": value}).status_code != 200:
                wrong.append((path, value))
        refused = client.get(path, {"ordering": "bogus"})
        if refused.status_code != 400 or refused.json()["errors"][0]["attr"] != "ordering":
            wrong.append((path, "bogus"))
    assert wrong == []


def test_ordering_sorts_and_combines_fields(api, regulator, party):
    product = ProductFactory(producer=party)
    for code in ("B-2", "A-1", "C-3"):
        LotFactory(product=product, lot_code=code)
    client = api.as_(regulator)
    codes = lambda r: [lot["lot_code"] for lot in r.json()["results"]]  # noqa: E731
    lots = "/api/v1/traceability/lots/"
    assert codes(client.get(lots, {"ordering": "lot_code"})) == ["A-1", "B-2", "C-3"]
    assert codes(client.get(lots, {"ordering": "-lot_code"})) == ["C-3", "B-2", "A-1"]
    assert client.get(lots, {"ordering": "product,-id"}).status_code == 400


def test_an_unknown_parameter_is_refused_after_authentication(api):
    response = api.as_(None).get("/api/v1/traceability/lots/", {"stae": "x"})
    assert response.status_code == 401


def test_lots_search_with_q_finds_only_matching_lots(api, regulator, party):
    kettle = ProductFactory(producer=party, name="电热水壶", brand="Levee")
    LotFactory(product=kettle, lot_code="KT-001")
    LotFactory(product=ProductFactory(producer=party, name="电吹风"), lot_code="HD-002")
    client = api.as_(regulator)
    lots = "/api/v1/traceability/lots/"
    assert client.get(lots, {"q": "zzzz"}).json()["count"] == 0
    assert [r["lot_code"] for r in client.get(lots, {"q": "热水"}).json()["results"]] == ["KT-001"]
    assert [r["lot_code"] for r in client.get(lots, {"q": "hd-"}).json()["results"]] == ["HD-002"]


def test_products_search_with_q(api, regulator, party):
    ProductFactory(producer=party, name="电热水壶", model="KT-9")
    products = "/api/v1/traceability/products/"
    client = api.as_(regulator)
    assert client.get(products, {"q": "zzzz"}).json()["count"] == 0
    assert client.get(products, {"q": "kt-9"}).json()["count"] == 1


def test_public_recalls_search_with_q(api, party):
    make_recall(party, state="announced", title="某型号电热水壶召回")
    public = "/api/v1/public/recalls/"
    client = api.as_(None)
    assert client.get(public).json()["count"] == 1
    assert client.get(public, {"q": "zzzz"}).json()["count"] == 0
    assert client.get(public, {"q": "热水壶"}).json()["count"] == 1


def test_the_readme_lot_filters_exist(api, regulator, party):
    lots = "/api/v1/traceability/lots/"
    product = ProductFactory(producer=party, category="toy")
    LotFactory(product=product, lot_code="T-1", produced_on="2026-05-01")
    client = api.as_(regulator)
    for params, count in [
        ({"region": CHAOYANG}, 1),
        ({"region": "310000"}, 0),
        ({"category": "toy"}, 1),
        ({"producer": party.id}, 1),
        ({"lot_code": "T-1"}, 1),
        ({"produced_after": "2026-06-01"}, 0),
        ({"produced_before": "2026-06-01"}, 1),
    ]:
        response = client.get(lots, params)
        assert response.status_code == 200, (params, response.json())
        assert response.json()["count"] == count, params
