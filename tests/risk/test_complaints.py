"""Consumer complaints (DESIGN.md §7): filed by anyone without an account (throttled per
address) or by a regulator for their region; no personal data in clear; matched to the
product and lot they name."""

import pytest
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient
from stdnum import ean

from risk.api.views import PublicComplaintThrottle
from risk.models import Complaint
from tests.conftest import BEIJING, CHAOYANG, SHANGHAI
from tests.factories import LotFactory, ProductFactory
from traceability.models import normalize_gtin

PUBLIC = "/api/v1/public/complaints/"
COMPLAINTS = "/api/v1/complaints/"
PHONE, ID_NUMBER, EMAIL = "13987654321", "11010519491231002X", "wang.fang@example.com"


def gtin13(body12):
    return body12 + ean.calc_check_digit(body12)


PRINTED_GTIN = gtin13("690123456789")  # GTIN-13 on the box; stored as GTIN-14


@pytest.fixture(autouse=True)
def fresh_throttle():
    """The addresses of the throttle test start with their whole allowance."""
    keys = [f"throttle_public_complaints_{ip}" for ip in ("10.0.0.7", "10.0.0.8")]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


@pytest.fixture
def kettle(party):
    return ProductFactory(
        producer=party,
        gtin=normalize_gtin(PRINTED_GTIN),
        brand="暖心",
        model="K-17",
        category="electric_kettle",
    )


def body(**fields):
    return {
        "region": CHAOYANG,
        "product_name": "电热水壶",
        "brand": "暖心",
        "model": "K-17",
        "problem": ["fire"],
        "narrative": "烧水时底座冒烟。",
        **fields,
    }


@pytest.mark.django_db
def test_anyone_files_a_complaint_without_an_account_and_gets_a_receipt(kettle):
    response = APIClient().post(PUBLIC, body(gtin=PRINTED_GTIN), format="json")

    assert response.status_code == 201, response.content
    receipt = response.json()["receipt_no"]
    complaint = Complaint.objects.get(receipt_no=receipt)
    assert complaint.channel == "web"
    assert complaint.filed_by is None
    assert complaint.category == "electric_kettle"  # from the product the GTIN names
    assert set(response.json()) == {"receipt_no", "received_at"}


@pytest.mark.django_db
def test_no_personal_data_is_stored_in_clear(kettle):
    response = APIClient().post(
        PUBLIC,
        body(
            gtin=PRINTED_GTIN,
            contact=f"+86 {PHONE[:3]}-{PHONE[3:7]}-{PHONE[7:]}",
            narrative=f"我叫王芳 电话{PHONE} 身份证{ID_NUMBER} 邮箱{EMAIL}。壶底冒烟。",
            name="王芳",
            id_number=ID_NUMBER,
        ),
        format="json",
    )
    assert response.status_code == 201, response.content

    # Read the row as the database holds it, every column.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM risk_complaint WHERE receipt_no = %s", [response.json()["receipt_no"]]
        )
        row = " ".join(str(value) for value in cursor.fetchone())
    for secret in (PHONE, ID_NUMBER, EMAIL, PHONE[3:7] + PHONE[7:]):
        assert secret not in row
    complaint = Complaint.objects.get(receipt_no=response.json()["receipt_no"])
    assert "壶底冒烟" in complaint.narrative
    assert len(complaint.contact_hash) == 64


@pytest.mark.django_db
def test_a_repeat_by_the_same_contact_is_kept_but_marked(kettle):
    client = APIClient()
    first = client.post(PUBLIC, body(gtin=PRINTED_GTIN, contact=PHONE), format="json")
    again = client.post(PUBLIC, body(gtin=PRINTED_GTIN, contact=f"86{PHONE}"), format="json")
    other = client.post(PUBLIC, body(gtin=PRINTED_GTIN, contact="13800000000"), format="json")

    by_receipt = {c.receipt_no: c for c in Complaint.objects.all()}
    first_row = by_receipt[first.json()["receipt_no"]]
    assert by_receipt[again.json()["receipt_no"]].duplicate_of == first_row
    assert by_receipt[other.json()["receipt_no"]].duplicate_of is None


@pytest.mark.django_db
def test_filing_is_throttled_per_address(kettle, monkeypatch):
    # The rate comes from settings (LEVEE_COMPLAINT_RATE); 3 an hour keeps the test short.
    monkeypatch.setattr(PublicComplaintThrottle, "THROTTLE_RATES", {"public_complaints": "3/hour"})
    client = APIClient()
    codes = [
        client.post(PUBLIC, body(), format="json", REMOTE_ADDR="10.0.0.7").status_code
        for _ in range(4)
    ]
    assert codes == [201, 201, 201, 429]
    refused = client.post(PUBLIC, body(), format="json", REMOTE_ADDR="10.0.0.7")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    # A forged X-Forwarded-For does not buy a new allowance...
    forged = client.post(
        PUBLIC, body(), format="json", REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR="1.2.3.4"
    )
    assert forged.status_code == 429
    # ...while another address has its own.
    assert client.post(PUBLIC, body(), format="json", REMOTE_ADDR="10.0.0.8").status_code == 201
    assert Complaint.objects.count() == 4


@pytest.mark.django_db
def test_matching_by_gtin_and_lot(kettle):
    lot = LotFactory(product=kettle, lot_code="20260901A")
    LotFactory(product=ProductFactory(), lot_code="20260901A")  # same code, another product
    client = APIClient()

    matched = client.post(PUBLIC, body(gtin=PRINTED_GTIN, lot_code="20260901A"), format="json")
    unknown_lot = client.post(PUBLIC, body(gtin=PRINTED_GTIN, lot_code="NOPE"), format="json")
    unknown_gtin = client.post(
        PUBLIC,
        body(gtin=gtin13("690999999999"), category="toy", brand="", model=""),
        format="json",
    )

    rows = {c.receipt_no: c for c in Complaint.objects.all()}
    first = rows[matched.json()["receipt_no"]]
    assert (first.product, first.lot, first.gtin) == (kettle, lot, kettle.gtin)
    second = rows[unknown_lot.json()["receipt_no"]]
    assert (second.product, second.lot, second.lot_code) == (kettle, None, "NOPE")
    third = rows[unknown_gtin.json()["receipt_no"]]
    assert (third.product, third.lot, third.category) == (None, None, "toy")


@pytest.mark.django_db
def test_matching_by_brand_and_model_only_when_they_name_one_product(kettle):
    response = APIClient().post(PUBLIC, body(brand="暖心", model="k-17"), format="json")
    assert Complaint.objects.get(receipt_no=response.json()["receipt_no"]).product == kettle

    ProductFactory(brand="暖心", model="K-17")  # a second producer's product of that name
    response = APIClient().post(PUBLIC, body(category="electric_kettle"), format="json")
    assert Complaint.objects.get(receipt_no=response.json()["receipt_no"]).product is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "attr"),
    [
        ({"gtin": "6901234567890"}, "gtin"),  # wrong check digit
        ({"problem": []}, "problem"),
        ({"problem": ["smell"]}, "problem"),
        ({"region": "999999"}, "region"),
        ({"brand": "", "product_name": "", "model": ""}, "product_name"),
        ({"category": ""}, "category"),  # no known product to take it from
    ],
)
def test_a_bad_filing_is_a_clear_400(fields, attr):
    response = APIClient().post(PUBLIC, body(**fields), format="json")
    assert response.status_code == 400
    assert attr in {e["attr"].split(".")[0] for e in response.json()["errors"] if e["attr"]}


@pytest.mark.django_db
def test_an_idempotency_key_replays_the_receipt(kettle):
    client = APIClient()
    first = client.post(PUBLIC, body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(PUBLIC, body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    changed = client.post(
        PUBLIC, body(narrative="另一件事"), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )

    assert first.json()["receipt_no"] == again.json()["receipt_no"]
    assert again["Idempotent-Replayed"] == "true"
    assert changed.status_code == 422
    assert Complaint.objects.count() == 1


@pytest.mark.django_db
def test_regulators_file_and_read_their_regions_complaints(api, regulator, regulator_other, kettle):
    filed = api.as_(regulator).post(
        COMPLAINTS, {**body(), "channel": "hotline_12315"}, format="json"
    )
    assert filed.status_code == 201, filed.content
    assert filed.json()["product"] == kettle.pk
    assert "contact_hash" not in filed.json()
    refused = api.as_(regulator).post(
        COMPLAINTS, {**body(region=SHANGHAI), "channel": "regulator"}, format="json"
    )
    assert refused.status_code == 400

    complaint_id = filed.json()["id"]
    assert [c["id"] for c in api.as_(regulator).get(COMPLAINTS).json()["results"]] == [complaint_id]
    assert api.as_(regulator_other).get(COMPLAINTS).json()["results"] == []
    assert api.as_(regulator_other).get(f"{COMPLAINTS}{complaint_id}/").status_code == 404
    assert api.as_(regulator).get(COMPLAINTS, {"region": BEIJING}).json()["count"] == 1


@pytest.mark.django_db
def test_other_roles_do_not_read_complaints(api, inspector, enterprise, lab_user, sentinel):
    for user in (inspector, enterprise, lab_user, sentinel):
        assert api.as_(user).get(COMPLAINTS).status_code == 403
        assert api.as_(user).post(COMPLAINTS, body(), format="json").status_code == 403
