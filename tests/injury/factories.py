"""Factories of the injury app's tests."""

import datetime as dt

import factory
from django.utils import timezone

from injury.models import InjuryReport
from tests.factories import SentinelSiteFactory


class InjuryReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InjuryReport

    site = factory.SubFactory(SentinelSiteFactory)
    occurred_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    age = 30
    sex = "male"
    place = "home"
    activity = "leisure"
    mechanism = "fall"
    intent = "unintentional"
    nature = "fracture"
    body_part = "arm"
    severity = "mild"
    disposition = "treated_released"
    product_category = "toy"
    product_relation = "uncertain"
    weight = factory.LazyAttribute(lambda o: o.site.weight)
