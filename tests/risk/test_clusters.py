"""detect_nonconformance_clusters: a category or producer failing in several regions or
samples within the window."""

import datetime as dt

import pytest
from django.utils import timezone

from core.models import Alert
from risk.jobs import covering_region, detect_nonconformance_clusters
from tests.factories import LotFactory, PartyFactory, ProductFactory
from tests.sampling.factories import TaskFactory

from .factories import SampleFactory


def clusters(group):
    return Alert.objects.filter(kind="nonconformance_cluster", payload__group=group)


@pytest.mark.django_db
def test_a_category_failing_in_three_regions_is_a_cluster():
    for region in ("110105", "110108", "110101"):
        SampleFactory(task=TaskFactory(region=region, category="toy"), lot__product__category="toy")

    result = detect_nonconformance_clusters()

    assert result["category_raised"] == 1
    alert = clusters("category").get()
    assert alert.dedup_key == "nonconformance_cluster:category:toy"
    assert alert.region == "110100"  # the city covering the three districts
    assert (alert.payload["samples"], alert.payload["regions"]) == (3, 3)
    assert alert.payload["sample_regions"] == ["110101", "110105", "110108"]


@pytest.mark.django_db
def test_a_producer_failing_five_times_in_one_region_is_a_cluster(party):
    product = ProductFactory(producer=party, category="electric_kettle")
    task = TaskFactory(region="110105")
    samples = [SampleFactory(task=task, lot=LotFactory(product=product)) for _ in range(5)]

    detect_nonconformance_clusters()

    alert = clusters("producer").get()
    assert alert.dedup_key == f"nonconformance_cluster:producer:{party.pk}"
    assert alert.region == party.region
    assert sorted(alert.payload["sample_ids"]) == sorted(s.pk for s in samples)
    # Five samples of one category in one region is a category cluster too.
    assert clusters("category").get().region == "110105"


@pytest.mark.django_db
def test_conforming_old_or_few_failures_are_not_a_cluster(party):
    product = ProductFactory(producer=party)
    task = TaskFactory(region="110105")
    for _ in range(2):
        SampleFactory(task=task, lot=LotFactory(product=product))
    SampleFactory(task=TaskFactory(region="310115"), conclusion="conforming")
    SampleFactory(
        task=TaskFactory(region="120101"),
        sampled_at=timezone.now() - dt.timedelta(days=120),
    )
    assert detect_nonconformance_clusters() == {
        "category_clusters": 0,
        "category_raised": 0,
        "producer_clusters": 0,
        "producer_raised": 0,
    }


@pytest.mark.django_db
def test_running_the_cluster_job_twice_raises_nothing_new():
    for region in ("110105", "310115", "440305"):
        SampleFactory(task=TaskFactory(region=region))
    assert detect_nonconformance_clusters()["category_raised"] == 1
    assert detect_nonconformance_clusters()["category_raised"] == 0
    assert clusters("category").get().region == "000000"  # national: three provinces


@pytest.mark.parametrize(
    ("codes", "region"),
    [
        (["110105"], "110105"),
        (["110105", "110108"], "110100"),
        (["110105", "110000"], "110000"),
        (["110105", "120101"], "000000"),
    ],
)
def test_covering_region(codes, region):
    assert covering_region(codes) == region


@pytest.mark.django_db
def test_producer_clusters_ignore_other_producers():
    for _ in range(4):
        SampleFactory(lot__product__producer=PartyFactory())
    assert detect_nonconformance_clusters()["producer_clusters"] == 0
