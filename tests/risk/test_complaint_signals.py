"""Complaints moving the risk work: detect_complaint_clusters (EARS, one alert per
subject and week), the ranking of products to sample, and the published statistics."""

import datetime as dt
import itertools
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from core.jobs import registered
from core.models import Alert
from risk.jobs import detect_complaint_clusters
from risk.models import Complaint
from risk.services import complaint_file
from tests.conftest import BEIJING, CHAOYANG, PUDONG, SHANGHAI
from tests.factories import LotFactory, PartyFactory, ProductFactory
from tests.injury.factories import InjuryReportFactory

from .factories import SampleFactory

YESTERDAY = timezone.localdate() - dt.timedelta(days=1)
CONTACTS = itertools.count(13900000000)  # a new complainant for each complaint


def at(day, hour=10):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def file(n, *, day=YESTERDAY, region=CHAOYANG, contact="", **fields):
    values = {"category": "electric_kettle", "problem": ["fire"], "product_name": "电热水壶"}
    values.update(fields)
    for i in range(n):
        complaint_file(
            actor=None,
            channel="web",
            region=region,
            received_at=at(day, 8 + i % 12),
            contact=contact or str(next(CONTACTS)),
            **values,
        )


def clusters():
    return Alert.objects.filter(kind="complaint_cluster")


@pytest.fixture
def kettle(party):
    return ProductFactory(producer=party, brand="暖心", model="K-17", category="electric_kettle")


def test_the_job_is_registered_and_scheduled():
    assert "detect_complaint_clusters" in registered()
    assert settings.CELERY_BEAT_SCHEDULE["detect_complaint_clusters"]["args"] == [
        "detect_complaint_clusters"
    ]


@pytest.mark.django_db
def test_a_rise_of_complaints_about_a_product_raises_one_alert(kettle):
    for back in range(2, 12):  # a quiet baseline: one complaint every other day
        if back % 2 == 0:
            file(1, day=YESTERDAY - dt.timedelta(days=back), brand="暖心", model="K-17")
    file(8, brand="暖心", model="K-17")

    first = detect_complaint_clusters()

    assert first["raised"] == 2  # the product and its brand x category
    alert = clusters().get(payload__group="product")
    year, week, _ = YESTERDAY.isocalendar()
    assert alert.dedup_key == f"complaint_cluster:product:{kettle.pk}:{year}-W{week:02d}"
    assert alert.region == kettle.producer.region
    assert alert.payload["count"] == 8
    assert "C1" in alert.payload["fired"]
    brand = clusters().get(payload__group="brand")
    assert (brand.payload["brand"], brand.payload["category"]) == ("暖心", "electric_kettle")
    assert brand.region == CHAOYANG

    # Run again, or after the alerts were resolved: nothing new this week.
    assert detect_complaint_clusters()["raised"] == 0
    clusters().update(status="resolved")
    call_command("run_job", "detect_complaint_clusters", stdout=StringIO())
    assert clusters().count() == 2


@pytest.mark.django_db
def test_repeats_by_one_contact_and_a_steady_level_raise_nothing(kettle):
    file(8, brand="暖心", model="K-17", contact="13911112222")  # one person, eight times
    for back in range(1, 12):
        file(6, day=YESTERDAY - dt.timedelta(days=back), brand="Other", model="X")
    file(6, brand="Other", model="X")  # as many as every day before

    result = detect_complaint_clusters()

    assert result["raised"] == 0
    assert Complaint.objects.filter(duplicate_of__isnull=False).count() == 7


# --- Task suggestions


SUGGESTIONS = "/api/v1/risk/task-suggestions/"


@pytest.mark.django_db
def test_suggestions_rank_products_as_their_complaints_injuries_and_failures_say(
    api, regulator, party
):
    complained = ProductFactory(producer=party, brand="A", model="1")
    injuring = ProductFactory(producer=party, brand="B", model="2")
    failing = ProductFactory(producer=party, brand="C", model="3")
    quiet = ProductFactory(producer=party, brand="D", model="4")
    file(3, brand="A", model="1", problem=["fire", "injury"])  # 4 x 1.0
    file(1, brand="A", model="1", contact="13811112222")
    file(1, brand="A", model="1", contact="13811112222")  # a repeat: not counted
    for _ in range(2):  # 2 x 3.0
        InjuryReportFactory(product=injuring, site__region=CHAOYANG, severity="severe")
    SampleFactory(lot=LotFactory(product=failing))  # 1 x 5.0 (a task of Beijing)
    file(9, region=PUDONG, brand="D", model="4")  # Shanghai's complaints: not Beijing's

    response = api.as_(regulator).get(SUGGESTIONS)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["region"] == BEIJING
    ranked = [(row["product"], row["score"]) for row in body["results"]]
    assert ranked == [(injuring.pk, 6.0), (failing.pk, 5.0), (complained.pk, 4.0)]
    assert quiet.pk not in {row["product"] for row in body["results"]}
    top = body["results"][0]
    assert (top["complaints"], top["injury_reports"], top["nonconforming_samples"]) == (0, 2, 0)
    assert top["reasons"] == [
        {
            "kind": "injury_reports",
            "count": 2,
            "window_days": 90,
            "weight": 3.0,
            "detail": {"severe": 2},
        }
    ]
    third = body["results"][2]
    assert third["reasons"][0]["detail"] == {"fire": 4, "injury": 3}
    assert [r["rank"] for r in body["results"]] == [1, 2, 3]


@pytest.mark.django_db
def test_suggestions_stay_within_the_callers_region(api, regulator, regulator_other, admin_user):
    file(5, region=PUDONG, brand="D", model="4", category="toy")
    assert api.as_(regulator).get(SUGGESTIONS, {"region": SHANGHAI}).status_code == 400
    assert api.as_(regulator_other).get(SUGGESTIONS).json()["results"] == []  # none matched
    product = ProductFactory(producer=PartyFactory(region=PUDONG), brand="E", model="5")
    file(5, region=PUDONG, brand="E", model="5")
    shown = api.as_(admin_user).get(SUGGESTIONS, {"region": SHANGHAI}).json()["results"]
    assert [row["product"] for row in shown] == [product.pk]
    assert api.as_(regulator).get(SUGGESTIONS).json()["results"] == []


# --- Public statistics


STATS = "/api/v1/public/complaints/stats/"


@pytest.mark.django_db
def test_statistics_leave_out_groups_under_five():
    file(7, category="electric_kettle", brand="暖心")
    file(5, category="toy", brand="Lego ")
    file(4, category="stroller", brand="lego")
    file(1, category="helmet", brand="")
    file(1, category="helmet", day=YESTERDAY - dt.timedelta(days=400))

    by_category = APIClient().get(STATS, {"group_by": "category"})

    assert by_category.status_code == 200, by_category.content
    body = by_category.json()
    assert body["results"] == [
        {"group": "electric_kettle", "complaints": 7},
        {"group": "toy", "complaints": 5},
    ]
    assert (body["suppressed_groups"], body["min_group_size"]) == (2, 5)

    by_brand = APIClient().get(STATS, {"group_by": "brand"}).json()
    assert by_brand["results"] == [
        {"group": "LEGO", "complaints": 9},  # brand spellings meet
        {"group": "暖心", "complaints": 7},
    ]

    window = {"group_by": "category", "from": str(YESTERDAY), "to": str(YESTERDAY)}
    assert APIClient().get(STATS, window).json()["results"][0]["complaints"] == 7
    last_year = {"from": str(YESTERDAY - dt.timedelta(days=400)), "to": str(YESTERDAY)}
    assert APIClient().get(STATS, last_year).json()["suppressed_groups"] == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"group_by": "region"},
        {"from": "2026-13-01"},
        {"from": "2026-05-02", "to": "2026-05-01"},
        {"from": "1800-01-01"},
    ],
)
def test_statistics_refuse_a_bad_query_with_400(query):
    assert APIClient().get(STATS, query).status_code == 400
