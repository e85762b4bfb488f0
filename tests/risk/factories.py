"""Factories of the risk tests: samples with a result, written straight to the database
(the sampling workflow has its own tests)."""

import datetime as dt

import factory
from django.utils import timezone

from sampling.models import Sample
from tests.factories import LotFactory, PartyFactory
from tests.sampling.factories import TaskFactory


class SampleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sample

    sample_no = factory.Sequence(lambda n: f"RISK-S{n:06d}")
    task = factory.SubFactory(TaskFactory)
    lot = factory.SubFactory(LotFactory)
    product = factory.LazyAttribute(lambda o: o.lot.product)
    producer = factory.LazyAttribute(lambda o: o.lot.product.producer)
    sampled_party = factory.SubFactory(PartyFactory, kind="retailer")
    location_kind = "retail"
    quantity = 4
    backup_quantity = 4
    sampled_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=3))
    inspectors = ["张三", "李四"]
    state = "disposed"
    conclusion = "nonconforming"
    tested_at = factory.LazyAttribute(lambda o: o.sampled_at + dt.timedelta(days=1))
