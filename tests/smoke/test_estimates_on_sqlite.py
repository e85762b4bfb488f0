"""National estimates on the embedded default: the same numbers as the hand-computed
example that tests/injury/test_estimates.py checks on PostgreSQL."""

import datetime as dt
import math

import pytest
from django.db import connection

from injury.selectors import injury_estimates
from tests.injury.survey import build_survey

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


@pytest.fixture
def admin(django_user_model):
    return django_user_model.objects.create(username="admin", role="admin", is_superuser=True)


def test_estimates_on_sqlite_match_the_hand_computed_example(admin):
    assert connection.vendor == "sqlite"
    build_survey()
    rows = injury_estimates(
        user=admin,
        group_by="product_category",
        date_from=dt.date(2024, 3, 1),
        date_to=dt.date(2024, 3, 31),
    )
    toy, kettle = rows
    assert (toy["group"], toy["cases"], toy["estimate"]) == ("toy", 6, 140)
    assert toy["se"] == pytest.approx(math.sqrt(700), abs=1e-3)
    assert (kettle["group"], kettle["cases"], kettle["se"], kettle["ci_low"]) == (
        "electric_kettle",
        1,
        10,
        0,
    )


def test_the_monthly_series_on_sqlite_uses_shanghai_months(admin):
    build_survey()
    rows = injury_estimates(
        user=admin,
        group_by="product_category",
        date_from=dt.date(2024, 2, 15),
        date_to=dt.date(2024, 4, 10),
        interval="month",
    )
    assert [(str(r["period"]), r["group"], r["cases"]) for r in rows] == [
        ("2024-02-15", "toy", 1),
        ("2024-03-01", "toy", 6),
        ("2024-03-01", "electric_kettle", 1),
        ("2024-04-01", "toy", 1),
    ]
