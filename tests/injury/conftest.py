import pytest

from core.choices import Role, SiteKind
from tests.factories import SentinelSiteFactory, UserFactory

REPORT = {
    "occurred_at": "2025-03-10T09:30:00+08:00",
    "age": 7,
    "sex": "female",
    "place": "home",
    "activity": "leisure",
    "mechanism": "burn",
    "intent": "unintentional",
    "nature": "burn",
    "body_part": "hand",
    "severity": "moderate",
    "disposition": "treated_released",
    "product_category": "electric_kettle",
    "product_relation": "product_quality",
    "narrative": "Scalded by a kettle that tipped over.",
}


@pytest.fixture
def report_body():
    return dict(REPORT)


@pytest.fixture
def school_site(db):
    return SentinelSiteFactory(code="site-bj-school", region="110105", kind=SiteKind.SCHOOL)


@pytest.fixture
def school_sentinel(school_site):
    return UserFactory(username="sentinel_school", role=Role.SENTINEL, region="", site=school_site)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Personas get passwords; hashing them properly dominates these tests' time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
