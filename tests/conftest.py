"""Personas and the API client, shared by every app's tests.

Regions: Beijing (110000) contains Chaoyang district (110105); Shanghai (310000) is the
neighbour that must never see Beijing's objects.
"""

import pytest
from django.conf import settings
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle
from rest_framework_simplejwt.tokens import RefreshToken

from core.choices import Role
from core.throttling import AnonRateThrottle

from .factories import LabFactory, PartyFactory, SentinelSiteFactory, UserFactory

BEIJING, CHAOYANG, SHANGHAI, PUDONG = "110000", "110105", "310000", "310115"


class Api:
    """A real JWT-authenticated client: api.as_(user).get(...)."""

    def __init__(self):
        self.client = APIClient()

    def as_(self, user):
        client = APIClient()
        if user is not None:
            token = RefreshToken.for_user(user).access_token
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client


@pytest.fixture(autouse=True)
def fresh_throttles():
    """The test client's address starts each test with its whole allowance of anonymous
    requests and complaints (the counters live in the shared cache and would outlive the
    test, so a fast run of public-endpoint tests met the anonymous limit)."""
    cache.delete_many(
        [
            throttle.cache_format % {"scope": scope, "ident": "127.0.0.1"}
            for throttle in (SimpleRateThrottle, AnonRateThrottle)
            for scope in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
        ]
    )


@pytest.fixture(autouse=True)
def notices_issued_inline(settings):
    """A test that disposes or announces sees the notices in the same transaction, as the
    embedded default (Celery eager) has them: nothing runs after a test's transaction
    commits. The worker tests (tests/notices/test_delivery.py) turn it off."""
    settings.LEVEE_NOTICES_INLINE = True


@pytest.fixture
def api():
    return Api()


@pytest.fixture
def admin_user(db):
    return UserFactory(
        username="admin", role=Role.ADMIN, region="", is_staff=True, is_superuser=True
    )


@pytest.fixture
def regulator(db):
    return UserFactory(username="regulator_bj", role=Role.REGULATOR, region=BEIJING)


@pytest.fixture
def regulator_other(db):
    return UserFactory(username="regulator_sh", role=Role.REGULATOR, region=SHANGHAI)


@pytest.fixture
def inspector(db):
    return UserFactory(username="inspector_cy", role=Role.INSPECTOR, region=CHAOYANG)


@pytest.fixture
def inspector_other(db):
    return UserFactory(username="inspector_pd", role=Role.INSPECTOR, region=PUDONG)


@pytest.fixture
def lab(db):
    return LabFactory(code="lab-bj", region=BEIJING)


@pytest.fixture
def lab_other(db):
    return LabFactory(code="lab-sh", region=SHANGHAI)


@pytest.fixture
def lab_user(lab):
    return UserFactory(username="lab_bj", role=Role.LAB, region="", lab=lab)


@pytest.fixture
def lab_user_other(lab_other):
    return UserFactory(username="lab_sh", role=Role.LAB, region="", lab=lab_other)


@pytest.fixture
def party(db):
    return PartyFactory(region=CHAOYANG, name="北京某电器有限公司")


@pytest.fixture
def party_other(db):
    return PartyFactory(region=PUDONG, name="上海某电器有限公司")


@pytest.fixture
def enterprise(party):
    return UserFactory(
        username="enterprise_bj", role=Role.ENTERPRISE, region="", party_uscc=party.uscc
    )


@pytest.fixture
def enterprise_other(party_other):
    return UserFactory(
        username="enterprise_sh", role=Role.ENTERPRISE, region="", party_uscc=party_other.uscc
    )


@pytest.fixture
def site(db):
    return SentinelSiteFactory(code="site-bj", region=CHAOYANG)


@pytest.fixture
def site_other(db):
    return SentinelSiteFactory(code="site-sh", region=PUDONG)


@pytest.fixture
def sentinel(site):
    return UserFactory(username="sentinel_bj", role=Role.SENTINEL, region="", site=site)


@pytest.fixture
def sentinel_other(site_other):
    return UserFactory(username="sentinel_sh", role=Role.SENTINEL, region="", site=site_other)


def errors_of(response):
    """The error codes in a drf-standardized-errors body."""
    return [e["code"] for e in response.json()["errors"]]
