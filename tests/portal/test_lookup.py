"""GET /api/v1/public/lookup/ (DESIGN.md §7): "is my product affected?" without an account,
by GTIN and lot or by GS1 Digital Link."""

import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from rest_framework.test import APIClient
from stdnum import ean

from risk.services import assessment_create, assessment_decide
from sampling import models as sampling_models
from sampling.models import PublishedResult, Sample
from sampling.selectors import published_rows
from tests.factories import LotFactory, ProductFactory
from tests.recalls.factories import make_recall
from tests.risk.factories import SampleFactory
from traceability.models import normalize_gtin

LOOKUP = "/api/v1/public/lookup/"


def gtin13(body12):
    return body12 + ean.calc_check_digit(body12)


KETTLE_GTIN = gtin13("690123456780")
OTHER_GTIN = gtin13("690123456781")


@pytest.fixture
def kettle(party):
    return ProductFactory(
        producer=party, gtin=normalize_gtin(KETTLE_GTIN), name="电热水壶", brand="暖心"
    )


@pytest.fixture
def recalled_lot(kettle, admin_user, party):
    lot = LotFactory(product=kettle, lot_code="2026A")
    make_recall(party, state="announced", actor=admin_user, lots=[lot], remedy="refund")
    return lot


def lookup(**params):
    return APIClient().get(LOOKUP, params)


@pytest.mark.django_db
def test_a_recalled_lot_shows_its_recall_and_what_to_do(recalled_lot, kettle, admin_user, party):
    clean_lot = LotFactory(product=kettle, lot_code="2026B")
    make_recall(party, state="draft", actor=admin_user, lots=[clean_lot])  # not announced

    response = lookup(gtin=KETTLE_GTIN, lot="2026A")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["product"]["brand"] == "暖心"
    assert [(r["kind"], r["lots"]) for r in body["results"]] == [("recall", ["2026A"])]
    recall = body["results"][0]
    assert "400-000-0000" in recall["what_to_do"]
    assert recall["details"]["remedy"] == "refund"
    assert recall["hazard"]

    assert lookup(gtin=KETTLE_GTIN, lot="2026B").json()["results"] == []
    # Without a lot: every announced recall of the product, naming its lots.
    assert [r["lots"] for r in lookup(gtin=KETTLE_GTIN).json()["results"]] == [["2026A"]]


@pytest.mark.django_db
def test_a_digital_link_finds_the_same(recalled_lot):
    link = f"https://id.gs1.org/01/{normalize_gtin(KETTLE_GTIN)}/10/2026A"
    response = lookup(link=link)
    assert response.status_code == 200, response.content
    assert [r["kind"] for r in response.json()["results"]] == ["recall"]
    # A brand's own resolver domain is a Digital Link too.
    other = lookup(link=f"https://qr.example.cn/01/{normalize_gtin(KETTLE_GTIN)}/10/2026A?x=1")
    assert other.json()["results"] == response.json()["results"]


def publish(*samples):
    """What `task_publish` writes for these samples (the workflow has its own tests)."""
    rows = published_rows(Sample.objects.filter(pk__in=[s.pk for s in samples]))
    for row in rows:
        PublishedResult.objects.create(
            sample_id=row["sample_id"],
            task_id=row["task_id"],
            product_id=row["product_id"],
            lot_id=row["lot_id"],
            conclusion=row["conclusion"],
            published_at=timezone.now(),
            row_text=json.dumps(row["row"], ensure_ascii=False, cls=DjangoJSONEncoder),
        )


@pytest.mark.django_db
def test_a_published_nonconforming_result_names_its_lot(kettle):
    failed_lot = LotFactory(product=kettle, lot_code="2026F")
    failed = SampleFactory(lot=failed_lot)
    sampling_models.TestItem.objects.create(
        sample=failed, item="泄漏电流", requirement="≤0.75 mA", measured_value="1.9", verdict="fail"
    )
    publish(failed, SampleFactory(lot=LotFactory(product=kettle), conclusion="conforming"))
    SampleFactory(lot=LotFactory(product=kettle, lot_code="2026U"))  # failed, not published

    results = lookup(gtin=KETTLE_GTIN, lot="2026F").json()["results"]

    assert [(r["kind"], r["reference"], r["lots"]) for r in results] == [
        ("spot_check", failed.sample_no, ["2026F"])
    ]
    assert "泄漏电流" in results[0]["title"]
    assert results[0]["details"]["failing_items"][0]["measured_value"] == "1.9"
    assert lookup(gtin=KETTLE_GTIN, lot="2026U").json()["results"] == []
    assert [r["kind"] for r in lookup(gtin=KETTLE_GTIN).json()["results"]] == ["spot_check"]


@pytest.mark.django_db
def test_a_consumer_warning_names_the_product(kettle, regulator):
    lot = LotFactory(product=kettle, lot_code="2026C")
    assessment = assessment_create(
        actor=regulator,
        subject_kind="product",
        product=kettle,
        hazard="The lid can open while pouring",
        steps=[{"description": "lid opens", "probability": 0.01}],
        severity=2,
    )
    assessment_decide(assessment=assessment, actor=regulator, measure="warning")
    undecided = assessment_create(
        actor=regulator,
        subject_kind="lot",
        lot=lot,
        hazard="Not decided yet",
        steps=[{"description": "x", "probability": 0.5}],
        severity=4,
    )
    assert undecided.state == "assessed"

    results = lookup(gtin=KETTLE_GTIN, lot="2026C").json()["results"]

    assert [(r["kind"], r["hazard"], r["lots"]) for r in results] == [
        ("warning", "The lid can open while pouring", [])
    ]


@pytest.mark.django_db
def test_an_unaffected_or_unknown_product_answers_an_empty_list(kettle, recalled_lot):
    ProductFactory(gtin=normalize_gtin(OTHER_GTIN))
    for params in ({"gtin": OTHER_GTIN}, {"gtin": gtin13("690999999999")}):
        response = lookup(**params)
        assert response.status_code == 200
        assert response.json()["results"] == []
    assert lookup(gtin=gtin13("690999999999")).json()["product"] is None
    # A lot the records do not know is not said to be recalled.
    assert lookup(gtin=KETTLE_GTIN, lot="NOPE").json()["results"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"gtin": "6901234567801"},  # wrong check digit
        {"gtin": "abc"},
        {},
        {"link": "https://id.gs1.org/01/06901234567801/10/A"},  # wrong check digit
        {"link": "https://id.gs1.org/10/A"},  # no GTIN
        {"link": "not a link"},
        {"link": "https://example.com/product/123"},
        {"link": f"https://id.gs1.org/01/{gtin13('690123456780')}", "gtin": KETTLE_GTIN},
    ],
)
def test_a_malformed_gtin_or_link_is_a_400(params):
    response = lookup(**params)
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["attr"] in {"gtin", "link"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"gtin": KETTLE_GTIN, "lot": "2026A"},
        {"gtin": KETTLE_GTIN},
        {"gtin": KETTLE_GTIN, "lot": "NOPE"},
        {"gtin": gtin13("690999999999")},
        {"link": f"https://id.gs1.org/01/{normalize_gtin(KETTLE_GTIN)}/10/2026A"},
    ],
)
def test_the_lookup_is_one_statement(recalled_lot, params, django_assert_num_queries):
    # The product, its recalls, spot checks and warnings in one UNION: one round trip.
    with django_assert_num_queries(1):
        assert lookup(**params).status_code == 200
