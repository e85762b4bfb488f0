"""Weighted national estimates (DESIGN.md §8) against a hand-computed example."""

import datetime as dt
import math

import pytest

from core.choices import Role
from core.models import SentinelSite
from injury.selectors import injury_estimates, summarise
from tests.factories import UserFactory

from .factories import InjuryReportFactory
from .survey import at, build_survey

pytestmark = pytest.mark.django_db

URL = "/api/v1/injury/estimates/"
MARCH = {"from": "2024-03-01", "to": "2024-03-31"}
THRESHOLDS = {"min_cases": 20, "min_estimate": 1200, "max_cv": 0.33, "z": 1.96}


@pytest.fixture
def survey(db):
    return build_survey()


def by_group(rows):
    return {row["group"]: row for row in rows}


def test_estimate_se_and_interval_match_the_hand_computed_example(api, admin_user, survey):
    response = api.as_(admin_user).get(URL, {**MARCH, "group_by": "product_category"})
    assert response.status_code == 200
    body = response.json()
    assert (body["group_by"], body["from"], body["to"]) == (
        "product_category",
        "2024-03-01",
        "2024-03-31",
    )
    rows = by_group(body["results"])
    assert list(rows) == ["toy", "electric_kettle"]  # largest estimate first

    toy = rows["toy"]
    # Stratum A: y = 30, 10, 0 (a3 counts as a zero; a4 was not active): mean 40/3,
    # squares 466.67, times 3/2 = 700. Stratum B has one site and adds 0.
    assert toy["cases"] == 6
    assert toy["estimate"] == pytest.approx(140)
    assert toy["se"] == pytest.approx(math.sqrt(700), abs=1e-3)
    assert toy["cv"] == pytest.approx(math.sqrt(700) / 140, abs=1e-4)
    assert toy["ci_low"] == pytest.approx(140 - 1.96 * math.sqrt(700), abs=1e-3)
    assert toy["ci_high"] == pytest.approx(140 + 1.96 * math.sqrt(700), abs=1e-3)
    assert toy["unstable"] is True

    kettle = rows["electric_kettle"]
    # Stratum A: y = 0, 10, 0: squares 66.67, times 3/2 = 100; se 10, cv 1.
    assert kettle["cases"] == 1
    assert kettle["estimate"] == pytest.approx(10)
    assert kettle["se"] == pytest.approx(10)
    assert kettle["cv"] == pytest.approx(1)
    assert kettle["ci_low"] == 0  # never below zero
    assert kettle["ci_high"] == pytest.approx(29.6)


def test_a_stratum_of_one_site_adds_no_variance(admin_user, survey):
    rows = injury_estimates(
        user=admin_user,
        group_by="product_category",
        date_from=dt.date(2024, 3, 10),
        date_to=dt.date(2024, 3, 11),
    )
    assert rows == [
        {
            "group": "toy",
            "cases": 2,
            "estimate": 100.0,
            "se": 0.0,
            "cv": 0.0,
            "ci_low": 100.0,
            "ci_high": 100.0,
            "unstable": True,
        }
    ]


def test_estimates_are_two_queries_the_sites_and_one_pass_over_the_reports(
    admin_user, survey, django_assert_num_queries
):
    for group_by in ("product_category", "body_part", "mechanism", "age_band", "sex", "region"):
        with django_assert_num_queries(2):
            injury_estimates(
                user=admin_user,
                group_by=group_by,
                date_from=dt.date(2024, 3, 1),
                date_to=dt.date(2024, 3, 31),
                interval="week",
            )


def test_grouping_by_age_band_and_region(api, admin_user, survey):
    client = api.as_(admin_user)
    ages = by_group(client.get(URL, {**MARCH, "group_by": "age_band"}).json()["results"])
    assert {band: row["cases"] for band, row in ages.items()} == {
        "25-44": 5,
        "65+": 1,
        "0-4": 1,
    }
    regions = by_group(client.get(URL, {**MARCH, "group_by": "region"}).json()["results"])
    assert {code: row["estimate"] for code, row in regions.items()} == {
        "110105": 30,
        "110108": 20,
        "120101": 100,
    }


def test_the_monthly_series_has_a_row_per_month_and_group(api, admin_user, survey):
    response = api.as_(admin_user).get(
        URL, {"from": "2024-02-15", "to": "2024-04-10", "interval": "month"}
    )
    assert response.status_code == 200
    rows = [
        (r["period"], r["period_end"], r["group"], r["cases"]) for r in response.json()["results"]
    ]
    assert rows == [
        ("2024-02-15", "2024-02-29", "toy", 1),
        ("2024-03-01", "2024-03-31", "toy", 6),
        ("2024-03-01", "2024-03-31", "electric_kettle", 1),
        ("2024-04-01", "2024-04-10", "toy", 1),
    ]
    march_toy = response.json()["results"][1]
    assert march_toy["se"] == pytest.approx(math.sqrt(700), abs=1e-3)


def test_the_weekly_series_starts_on_mondays(api, admin_user, survey):
    response = api.as_(admin_user).get(URL, {**MARCH, "interval": "week"})
    periods = sorted({row["period"] for row in response.json()["results"]})
    # 1 March 2024 is a Friday: the first week is clipped to the range.
    assert periods[0] == "2024-03-01"
    assert all(dt.date.fromisoformat(p).weekday() == 0 for p in periods[1:])


def test_a_site_that_reports_while_inactive_counts_in_its_stratum(admin_user, survey):
    a4 = SentinelSite.objects.get(code="a4")  # not active since 1 February
    InjuryReportFactory(site=a4, occurred_at=at(20), product_category="toy")

    for interval in (None, "month"):
        rows = injury_estimates(
            user=admin_user,
            group_by="product_category",
            date_from=dt.date(2024, 3, 1),
            date_to=dt.date(2024, 3, 31),
            interval=interval,
        )
        toy = by_group(rows)["toy"]
        # Stratum A: y = 30, 10, 0 and a4's 10, n = 4: mean 12.5, squares 475, times 4/3
        # (with a4 left out of n it would be 400).
        assert (toy["cases"], toy["estimate"]) == (7, 150)
        assert toy["se"] == pytest.approx(math.sqrt(475 * 4 / 3), abs=1e-3)


def test_a_report_at_local_midnight_on_monday_opens_the_week(admin_user, survey):
    b1 = SentinelSite.objects.get(code="b1")
    sunday_night = at(17, 23) + dt.timedelta(minutes=59, seconds=59)
    InjuryReportFactory(site=b1, occurred_at=sunday_night, product_category="sled")
    InjuryReportFactory(site=b1, occurred_at=at(18, 0), product_category="sled")
    InjuryReportFactory(site=b1, occurred_at=at(18, 0), product_category="sled")

    rows = injury_estimates(
        user=admin_user,
        group_by="product_category",
        date_from=dt.date(2024, 3, 1),
        date_to=dt.date(2024, 3, 31),
        interval="week",
    )

    sleds = [(r["period"], r["period_end"], r["cases"]) for r in rows if r["group"] == "sled"]
    assert sleds == [
        (dt.date(2024, 3, 11), dt.date(2024, 3, 17), 1),
        (dt.date(2024, 3, 18), dt.date(2024, 3, 24), 2),
    ]


@pytest.mark.parametrize(
    ("cases", "estimate", "cv", "unstable"),
    [
        (20, 1200, 0.33, False),
        (19, 5000, 0.1, True),
        (100, 1199.9, 0.1, True),
        (100, 5000, 0.331, True),
        (100, 0, None, True),
    ],
)
def test_the_stability_rule(cases, estimate, cv, unstable):
    variance = (cv * estimate) ** 2 if cv is not None else 0
    row = summarise(cases=cases, estimate=estimate, variance=variance, thresholds=THRESHOLDS)
    assert row["unstable"] is unstable


def test_a_regulator_gets_estimates_over_its_own_regions_sites_only(api, survey, regulator):
    rows = by_group(api.as_(regulator).get(URL, MARCH).json()["results"])
    # Beijing: a1, a2, a3 (stratum A); Tianjin's b1 is not in scope.
    assert rows["toy"]["cases"] == 4
    assert rows["toy"]["estimate"] == pytest.approx(40)


def test_a_regulator_elsewhere_sees_no_cases(api, survey, regulator_other):
    response = api.as_(regulator_other).get(URL, MARCH)
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_the_region_filter_narrows_the_sites(api, admin_user, survey):
    rows = by_group(api.as_(admin_user).get(URL, {**MARCH, "region": "120000"}).json()["results"])
    assert rows["toy"]["estimate"] == pytest.approx(100)


@pytest.mark.parametrize("persona", ["sentinel", "inspector", "lab_user", "enterprise"])
def test_other_roles_may_not_see_estimates(api, persona, request):
    response = api.as_(request.getfixturevalue(persona)).get(URL)
    assert response.status_code == 403


@pytest.mark.parametrize(
    "params",
    [
        {"group_by": "name"},
        {"interval": "day"},
        {"from": "2024-13-01"},
        {"from": "2024-04-01", "to": "2024-03-01"},
        {"region": "99"},
        {"from": "2010-01-01", "to": "2024-01-01", "interval": "week"},
        {"from": "1900-01-01", "to": "2024-01-01"},
    ],
)
def test_bad_estimate_parameters_are_400(api, admin_user, params):
    assert api.as_(admin_user).get(URL, params).status_code == 400


def test_a_regulator_without_a_region_gets_nothing_not_an_error(api):
    user = UserFactory(username="nobody", role=Role.REGULATOR, region="")
    response = api.as_(user).get(URL)
    assert response.status_code == 200
    assert response.json()["results"] == []
