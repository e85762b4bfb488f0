"""GET /api/v1/enterprise/overview/ (DESIGN.md §7): an enterprise's samples and results,
notices, complaints about its products and recalls with what falls due, only its own."""

import datetime as dt

import pytest
from django.utils import timezone

from risk.services import complaint_file
from tests.factories import LotFactory, PartyFactory, ProductFactory
from tests.recalls.factories import make_recall
from tests.risk.factories import SampleFactory

OVERVIEW = "/api/v1/enterprise/overview/"


@pytest.fixture
def world(party, party_other, admin_user):
    """The same of everything for the enterprise's party and for another producer."""
    made = {}
    for tag, producer in (("own", party), ("other", party_other)):
        product = ProductFactory(producer=producer, brand=f"{tag}-brand", model=f"{tag}-1")
        lot = LotFactory(product=product, lot_code=f"{tag}-L1")
        sample = SampleFactory(lot=lot, conclusion="nonconforming", state="disposed")
        recall = make_recall(producer, state="in_progress", actor=admin_user, lots=[lot])
        for _ in range(2):
            complaint_file(
                actor=None,
                channel="web",
                region=producer.region,
                brand=product.brand,
                model=product.model,
                lot_code=lot.lot_code,
                problem=["fire"],
                narrative=f"{tag}: the base smoked",
            )
        made[tag] = {"product": product, "lot": lot, "sample": sample, "recall": recall}
    # A sample of another's product taken at the enterprise's shop: its own as sampled party.
    shop_sample = SampleFactory(
        lot=LotFactory(product=ProductFactory(producer=PartyFactory(region="120101"))),
        sampled_party=party,
        conclusion="conforming",
        state="closed",
    )
    made["shop_sample"] = shop_sample
    return made


@pytest.mark.django_db
def test_the_overview_shows_only_the_enterprises_own(api, enterprise, party, world):
    response = api.as_(enterprise).get(OVERVIEW)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["party"]["uscc"] == party.uscc
    samples = {s["sample_no"]: s for s in body["samples"]["recent"]}
    assert set(samples) == {world["own"]["sample"].sample_no, world["shop_sample"].sample_no}
    assert samples[world["own"]["sample"].sample_no]["role"] == "producer"
    assert samples[world["shop_sample"].sample_no]["role"] == "sampled_party"
    assert (body["samples"]["total"], body["samples"]["nonconforming"]) == (2, 1)
    assert [r["recall_no"] for r in body["recalls"]] == [world["own"]["recall"].recall_no]
    recall = body["recalls"][0]
    assert recall["next_step"] == "progress_report"
    assert recall["due_at"] > timezone.now().isoformat()
    assert body["complaints"]["total"] == 2
    assert body["complaints"]["last_90_days"] == [
        {
            "product": world["own"]["product"].pk,
            "name": world["own"]["product"].name,
            "model": "own-1",
            "complaints": 2,
        }
    ]
    assert {c["lot_code"] for c in body["complaints"]["recent"]} == {"own-L1"}
    text = response.content.decode()
    for other in ("other-L1", "other-brand", world["other"]["recall"].recall_no, "smoked"):
        assert other not in text


@pytest.mark.django_db
def test_a_missed_progress_report_shows_as_overdue(api, enterprise, party, admin_user):
    recall = make_recall(party, state="announced", actor=admin_user)
    recall.announced_at = timezone.now() - dt.timedelta(days=100)
    recall.save(update_fields=["announced_at"])

    row = api.as_(enterprise).get(OVERVIEW).json()["recalls"][0]

    assert (row["next_step"], row["overdue"], row["missed_progress_periods"]) == (
        "progress_report",
        True,
        [1],
    )


@pytest.mark.django_db
def test_other_roles_have_no_overview(api, admin_user, regulator, inspector, lab_user, sentinel):
    for user in (admin_user, regulator, inspector, lab_user, sentinel):
        assert api.as_(user).get(OVERVIEW).status_code == 403
    assert api.as_(None).get(OVERVIEW).status_code == 401
