"""detect_injury_signals: EARS C1/C2/C3 against a series with a planted spike and one
without, the guards, PRR disproportionality, idempotency."""

import datetime as dt

import pytest
from django.utils import timezone

from core.jobs import run as run_job
from core.models import Alert
from injury.models import InjuryReport
from risk.jobs import detect_injury_signals, ears, params, prr
from tests.factories import SentinelSiteFactory

DAY = dt.date(2026, 3, 20)
BASELINE = [2, 3, 1, 2, 4, 2, 3, 2, 1, 3, 2]  # the 11 days before DAY, oldest first


@pytest.fixture
def beijing_site(db):
    return SentinelSiteFactory(code="sig-bj", region="110105")


@pytest.fixture
def shanghai_site(db):
    return SentinelSiteFactory(code="sig-sh", region="310115")


def file_reports(site, category, day, n, **fields):
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    values = {
        "age": 30,
        "sex": "male",
        "place": "home",
        "activity": "leisure",
        "mechanism": "fall",
        "intent": "unintentional",
        "nature": "fracture",
        "body_part": "arm",
        "severity": "mild",
        "disposition": "treated_released",
        "product_relation": "uncertain",
        "weight": 1,
    }
    values.update(fields)
    InjuryReport.objects.bulk_create(
        InjuryReport(site=site, occurred_at=at, product_category=category, **values)
        for _ in range(n)
    )


def file_series(site, category, counts, last_day=DAY):
    for offset, n in enumerate(reversed(counts)):
        if n:
            file_reports(site, category, last_day - dt.timedelta(days=offset), n)


def ears_alerts():
    return Alert.objects.filter(kind="injury_signal", payload__method="ears")


@pytest.mark.django_db
def test_a_planted_spike_raises_an_injury_signal_with_its_figures(beijing_site):
    file_series(beijing_site, "electric_bicycle", [*BASELINE, 15])

    result = detect_injury_signals(as_of=DAY)

    assert result["ears_raised"] == 1
    alert = ears_alerts().get()
    assert alert.region == "110000"
    assert alert.dedup_key == "injury_signal:ears:11:electric_bicycle:2026-03-20"
    figures = alert.payload
    assert (figures["category"], figures["day"], figures["count"]) == (
        "electric_bicycle",
        "2026-03-20",
        15,
    )
    # C1's baseline is the 7 days before: 4, 2, 3, 2, 1, 3, 2.
    assert figures["c1_baseline_mean"] == pytest.approx(17 / 7, abs=1e-3)
    assert figures["c1"] > 3 and figures["c2"] > 3 and figures["c3"] > 2
    assert set(figures["fired"]) == {"C1", "C2", "C3"}
    assert figures["parameters"]["baseline_days"] == 7


@pytest.mark.django_db
def test_an_ordinary_day_raises_nothing(beijing_site):
    file_series(beijing_site, "electric_bicycle", [*BASELINE, 3])
    assert detect_injury_signals(as_of=DAY)["ears_raised"] == 0
    assert not ears_alerts().exists()


@pytest.mark.django_db
def test_a_few_reports_after_silence_are_not_a_signal(beijing_site):
    # C1 would be 3 / 0.5 = 6, but 3 reports are under the minimum count.
    file_series(beijing_site, "toy", [0] * 11 + [3])
    assert detect_injury_signals(as_of=DAY)["ears_raised"] == 0


@pytest.mark.django_db
def test_the_sigma_floor_keeps_a_flat_baseline_from_exploding(beijing_site):
    # sd is 0; one report more than every day before is (6 - 5) / 0.5 = 2: no signal.
    file_series(beijing_site, "toy", [5] * 11 + [6])
    assert detect_injury_signals(as_of=DAY)["ears_raised"] == 0


@pytest.mark.django_db
def test_running_the_job_twice_raises_nothing_new(beijing_site):
    file_series(beijing_site, "electric_bicycle", [*BASELINE, 15])
    assert detect_injury_signals(as_of=DAY)["ears_raised"] == 1
    assert detect_injury_signals(as_of=DAY)["ears_raised"] == 0
    assert ears_alerts().count() == 1


@pytest.mark.django_db
def test_signals_go_to_the_province_where_the_reports_were_filed(
    api, regulator, regulator_other, beijing_site, shanghai_site
):
    file_series(shanghai_site, "electric_bicycle", [*BASELINE, 15])
    file_series(beijing_site, "electric_bicycle", [*BASELINE, 2])
    detect_injury_signals(as_of=DAY)
    signal = ears_alerts().get()
    assert signal.region == "310000"
    query = {"kind": "injury_signal"}
    assert api.as_(regulator).get("/api/v1/alerts/", query).json()["count"] == 0
    seen = api.as_(regulator_other).get("/api/v1/alerts/", query).json()["results"]
    assert signal.pk in [a["id"] for a in seen]
    assert {a["region"] for a in seen} == {"310000"}


@pytest.mark.django_db
def test_the_job_runs_by_name_on_yesterday(beijing_site):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    file_series(beijing_site, "electric_bicycle", [*BASELINE, 15], last_day=yesterday)
    assert run_job("detect_injury_signals")["ears_raised"] == 1


def test_ears_c2_uses_a_two_day_lagged_baseline():
    day = DAY
    # A rise over the last two days: C2's baseline (days t-9..t-3) stays low.
    series = {day - dt.timedelta(days=i): 1 for i in range(3, 12)}
    series[day - dt.timedelta(days=1)] = 12
    series[day - dt.timedelta(days=2)] = 12
    series[day] = 12
    figures = ears(series, day, params("signals"))
    assert figures["c2_baseline_mean"] == 1
    assert figures["c2"] == pytest.approx((12 - 1) / 0.5)
    assert figures["c1"] < figures["c2"]  # C1's baseline holds the two high days


# --- PRR


def test_prr_and_yates_chi_square_of_a_table():
    ratio, chi2 = prr(6, 4, 2, 58)
    assert ratio == pytest.approx(0.6 / (2 / 60))
    assert chi2 == pytest.approx(70 * (abs(6 * 58 - 4 * 2) - 35) ** 2 / (10 * 60 * 8 * 62))
    assert prr(3, 0, 0, 50)[0] == pytest.approx((3.5 / 4) / (0.5 / 51))  # Haldane


def spread(site, category, n, days, **fields):
    for i in range(n):
        file_reports(site, category, DAY - dt.timedelta(days=i % days), 1, **fields)


@pytest.mark.django_db
def test_a_disproportionate_injury_nature_raises_a_prr_signal(beijing_site):
    spread(beijing_site, "toy", 6, 20, nature="burn")
    spread(beijing_site, "toy", 4, 20)
    spread(beijing_site, "bicycle", 2, 20, nature="burn")
    spread(beijing_site, "bicycle", 58, 20)
    # A third category, so that the bicycles' fractures are not the mirror image.
    spread(beijing_site, "kettle", 30, 20)

    result = detect_injury_signals(as_of=DAY)

    assert result["prr_raised"] == 1
    alert = Alert.objects.get(payload__method="prr")
    assert alert.dedup_key == "injury_signal:prr:11:toy:nature:burn"
    figures = alert.payload
    assert (figures["a"], figures["b"], figures["c"], figures["d"]) == (6, 4, 2, 88)
    assert figures["prr"] == pytest.approx(27.0)
    assert figures["chi2"] >= 4
    assert detect_injury_signals(as_of=DAY)["prr_raised"] == 0


@pytest.mark.django_db
def test_fewer_than_three_cases_are_never_a_prr_signal(beijing_site):
    spread(beijing_site, "toy", 2, 20, nature="burn")
    spread(beijing_site, "toy", 4, 20)
    spread(beijing_site, "bicycle", 58, 20)
    assert detect_injury_signals(as_of=DAY)["prr_raised"] == 0


@pytest.mark.django_db
def test_reports_outside_the_prr_window_do_not_count(beijing_site):
    old = DAY - dt.timedelta(days=40)
    file_reports(beijing_site, "toy", old, 6, nature="burn")
    spread(beijing_site, "toy", 4, 20)
    spread(beijing_site, "bicycle", 58, 20)
    assert detect_injury_signals(as_of=DAY)["prr_raised"] == 0


@pytest.mark.django_db
def test_the_portable_aggregation_matches_the_single_scan(beijing_site, shanghai_site, monkeypatch):
    from django.db import connection

    from risk.jobs import aggregate

    file_series(beijing_site, "electric_bicycle", [*BASELINE, 15])
    spread(shanghai_site, "toy", 6, 25, nature="burn", body_part="hand")
    spread(shanghai_site, "kettle", 9, 30)
    single_scan = aggregate(DAY, params("signals"))
    monkeypatch.setattr(connection, "vendor", "sqlite")  # the ORM path other databases take
    assert aggregate(DAY, params("signals")) == single_scan


WEEK = [2, 3, 1, 2, 2, 3, 1]  # 14 a week


@pytest.mark.django_db
def test_a_slow_weekly_rise_no_single_day_shows_raises_a_weekly_signal(beijing_site):
    file_series(beijing_site, "electric_kettle", [*WEEK, *WEEK[::-1], *WEEK, *WEEK, *[5] * 7])
    result = detect_injury_signals(as_of=DAY)
    assert result["ears_raised"] == 0  # the last day is like the six before it
    assert result["weekly_raised"] == 1
    alert = Alert.objects.get(payload__method="weekly")
    assert alert.dedup_key == "injury_signal:weekly:11:electric_kettle"
    assert (alert.payload["count"], alert.payload["baseline_weeks"]) == (35, [14, 14, 14, 14])
    assert detect_injury_signals(as_of=DAY)["weekly_raised"] == 0


@pytest.mark.django_db
def test_steady_weeks_raise_no_weekly_signal(beijing_site):
    file_series(beijing_site, "electric_kettle", [*WEEK, *WEEK[::-1], *WEEK, *WEEK, *WEEK])
    assert detect_injury_signals(as_of=DAY)["weekly_raised"] == 0
