import pytest

from tests.conftest import BEIJING, CHAOYANG
from tests.factories import LotFactory, PartyFactory, ProductFactory, make_uscc
from traceability.models import Lot, Product

pytestmark = pytest.mark.django_db

PARTIES = "/api/v1/traceability/parties/"
PRODUCTS = "/api/v1/traceability/products/"
LOTS = "/api/v1/traceability/lots/"


def test_regulator_creates_a_party_in_their_region_with_a_valid_uscc(api, regulator):
    body = {
        "uscc": make_uscc(CHAOYANG, 77),
        "name": "新公司",
        "kind": "retailer",
        "region": CHAOYANG,
    }
    response = api.as_(regulator).post(PARTIES, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["uscc"] == body["uscc"]


def test_a_uscc_with_a_wrong_check_character_is_400(api, regulator):
    uscc = make_uscc(CHAOYANG, 78)
    bad = uscc[:-1] + ("0" if uscc[-1] != "0" else "1")
    response = api.as_(regulator).post(
        PARTIES, {"uscc": bad, "name": "x", "kind": "retailer", "region": CHAOYANG}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "uscc"


def test_regulator_cannot_create_a_party_outside_their_region(api, regulator):
    body = {"uscc": make_uscc("310115", 79), "name": "x", "kind": "retailer", "region": "310115"}
    response = api.as_(regulator).post(PARTIES, body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "region"


def test_parties_are_scoped_by_region_and_party(
    api, regulator, regulator_other, enterprise, party, party_other
):
    assert [p["id"] for p in api.as_(regulator).get(PARTIES).json()["results"]] == [party.id]
    assert [p["id"] for p in api.as_(regulator_other).get(PARTIES).json()["results"]] == [
        party_other.id
    ]
    assert [p["id"] for p in api.as_(enterprise).get(PARTIES).json()["results"]] == [party.id]
    assert api.as_(regulator).get(f"{PARTIES}{party_other.id}/").status_code == 404


def test_enterprise_may_not_create_parties(api, enterprise):
    body = {"uscc": make_uscc(CHAOYANG, 80), "name": "x", "kind": "retailer", "region": CHAOYANG}
    assert api.as_(enterprise).post(PARTIES, body, format="json").status_code == 403


def test_lab_sees_no_parties(api, lab_user, party):
    assert api.as_(lab_user).get(PARTIES).json()["count"] == 0


def test_party_filters(api, admin_user, party, party_other):
    client = api.as_(admin_user)
    assert [p["id"] for p in client.get(PARTIES, {"region": BEIJING}).json()["results"]] == [
        party.id
    ]
    assert client.get(PARTIES, {"q": "上海"}).json()["count"] == 1
    assert client.get(PARTIES, {"kind": "nonsense"}).status_code == 400


def test_enterprise_creates_a_product_and_a_lot_for_itself(api, enterprise, party):
    client = api.as_(enterprise)
    product = client.post(
        PRODUCTS,
        {
            "name": "Kettle",
            "category": "electric_kettle",
            "producer": party.id,
            "gtin": "6901234567892",
        },
        format="json",
    )
    assert product.status_code == 201, product.json()
    assert product.json()["gtin"] == "06901234567892"  # stored as GTIN-14
    lot = client.post(
        LOTS,
        {"product": product.json()["id"], "lot_code": "A1", "quantity": "100"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="lot-a1",
    )
    assert lot.status_code == 201, lot.json()
    replay = client.post(
        LOTS,
        {"product": product.json()["id"], "lot_code": "A1", "quantity": "100"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="lot-a1",
    )
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert Lot.objects.count() == 1


def test_enterprise_cannot_create_a_product_for_another_party(api, enterprise, party_other):
    response = api.as_(enterprise).post(
        PRODUCTS,
        {"name": "Kettle", "category": "electric_kettle", "producer": party_other.id},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "producer"
    assert not Product.objects.exists()


def test_bad_gtin_and_duplicate_lot_code_are_400(api, enterprise, party):
    client = api.as_(enterprise)
    bad = client.post(
        PRODUCTS,
        {"name": "K", "category": "electric_kettle", "producer": party.id, "gtin": "6901234567890"},
        format="json",
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["attr"] == "gtin"
    lot = LotFactory(product=ProductFactory(producer=party))
    dup = client.post(LOTS, {"product": lot.product_id, "lot_code": lot.lot_code}, format="json")
    assert dup.status_code == 400


def test_lots_are_scoped_to_the_producer(api, enterprise, enterprise_other, regulator_other, party):
    lot = LotFactory(product=ProductFactory(producer=party))
    assert api.as_(enterprise).get(f"{LOTS}{lot.id}/").status_code == 200
    assert api.as_(enterprise_other).get(f"{LOTS}{lot.id}/").status_code == 404
    assert api.as_(regulator_other).get(LOTS).json()["count"] == 0


def test_inspector_may_read_but_not_write_lots(api, inspector, party):
    lot = LotFactory(product=ProductFactory(producer=party))
    assert api.as_(inspector).get(f"{LOTS}{lot.id}/").status_code == 200
    response = api.as_(inspector).post(
        LOTS, {"product": lot.product_id, "lot_code": "Z"}, format="json"
    )
    assert response.status_code == 403


def test_lot_filters(api, regulator, party):
    product = ProductFactory(producer=party, category="toy")
    LotFactory(product=product, lot_code="X-1")
    LotFactory(product=ProductFactory(producer=party), lot_code="Y-1")
    client = api.as_(regulator)
    assert client.get(LOTS, {"lot_code": "X-1"}).json()["count"] == 1
    assert client.get(LOTS, {"category": "toy"}).json()["count"] == 1
    assert client.get(LOTS, {"producer": party.id}).json()["count"] == 2
    assert client.get(LOTS, {"produced_after": "not-a-date"}).status_code == 400


@pytest.mark.parametrize("url", [PARTIES, PRODUCTS, LOTS])
def test_list_endpoints_have_a_query_budget(api, regulator, url, django_assert_max_num_queries):
    for _n in range(5):
        producer = PartyFactory(region=CHAOYANG)
        LotFactory(product=ProductFactory(producer=producer))
    client = api.as_(regulator)
    with django_assert_max_num_queries(4):
        response = client.get(url)
    assert response.status_code == 200 and response.json()["count"] >= 5
