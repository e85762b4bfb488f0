"""factory-boy factories shared by every app's tests."""

import datetime as dt

import factory
from django.utils import timezone
from stdnum.cn import uscc as uscc_number

from core.choices import Role, SiteKind
from core.models import Lab, SentinelSite, User
from traceability.choices import PartyKind
from traceability.models import Lot, Party, Product


def make_uscc(region="110105", serial=0):
    """A valid unified social credit code for a company registered in `region`."""
    body = f"91{region}{serial:09d}"
    return body + uscc_number.calc_check_digit(body)


class LabFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lab
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"lab-{n:03d}")
    name = factory.LazyAttribute(lambda o: f"Lab {o.code}")
    region = "110000"


class SentinelSiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SentinelSite
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"site-{n:03d}")
    name = factory.LazyAttribute(lambda o: f"Site {o.code}")
    kind = SiteKind.HOSPITAL
    region = "110105"
    stratum = "s1"
    weight = 10


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    region = "110105"
    uscc = factory.LazyAttributeSequence(lambda o, n: make_uscc(o.region, 1000 + n))
    name = factory.Sequence(lambda n: f"Party {n}")
    kind = PartyKind.PRODUCER
    address = "Somewhere"


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")
    brand = "Acme"
    model = factory.Sequence(lambda n: f"M-{n}")
    category = "electric_kettle"
    producer = factory.SubFactory(PartyFactory)


class LotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lot

    product = factory.SubFactory(ProductFactory)
    lot_code = factory.Sequence(lambda n: f"L{n:05d}")
    produced_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    quantity = 1000
    unit = "pcs"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.REGULATOR
    region = "110000"
    password = factory.PostGenerationMethodCall("set_password", "pw-123456")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()
