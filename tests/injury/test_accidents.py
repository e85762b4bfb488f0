"""Mandatory accident reports: deadlines and `late`, alerts, who files, the investigation."""

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.choices import Role, SiteKind
from core.models import Alert, StateHistory
from injury.models import Accident, AccidentCategory
from tests.factories import LotFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/injury/accidents/"


def body(**fields):
    return {
        "category": "electric_bicycle",
        "occurred_at": "2024-09-30T10:00:00+08:00",
        "reported_at": "2024-10-09T12:00:00+08:00",
        "region": "110105",
        "deaths": 0,
        "injuries": 1,
        "property_loss": "5000.00",
        "reporter": "consumer",
        "description": "Battery caught fire while charging in a corridor.",
        **fields,
    }


def file(api, user, **fields):
    response = api.as_(user).post(URL, body(**fields), format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_two_working_days_run_across_the_national_day_holiday(api, regulator):
    # Occurred Monday 30 Sep 2024; 1-7 Oct are public holidays; the 2nd working day after
    # is Wednesday 9 Oct.
    on_time = file(api, regulator)
    assert on_time["deadline"] == "2024-10-09T23:59:59+08:00"
    assert on_time["late"] is False
    late = file(api, regulator, reported_at="2024-10-10T08:00:00+08:00")
    assert late["late"] is True


def test_the_deadline_counts_from_when_the_reporter_learned_of_it(api, regulator):
    accident = file(
        api,
        regulator,
        learned_at="2024-10-08T09:00:00+08:00",
        reported_at="2024-10-10T12:00:00+08:00",
    )
    assert accident["deadline"] == "2024-10-10T23:59:59+08:00"
    assert accident["late"] is False


@pytest.mark.parametrize(
    ("deaths", "injuries", "reported_at", "late"),
    [
        (0, 0, "2024-05-01T21:59:00+08:00", False),  # 12 h
        (0, 0, "2024-05-01T22:01:00+08:00", True),
        (0, 1, "2024-05-01T15:59:00+08:00", False),  # 6 h when anyone was hurt
        (1, 0, "2024-05-01T16:01:00+08:00", True),
    ],
)
def test_vehicle_fires_are_due_within_12_hours_or_6_with_casualties(
    api, regulator, deaths, injuries, reported_at, late
):
    accident = file(
        api,
        regulator,
        category="motor_vehicle",
        occurred_at="2024-05-01T10:00:00+08:00",
        reported_at=reported_at,
        deaths=deaths,
        injuries=injuries,
    )
    assert accident["late"] is late
    assert accident["full_report_due"] == "2024-05-03T10:00:00+08:00"


def test_every_accident_raises_an_alert_and_a_death_a_high_one(api, regulator):
    minor = file(api, regulator)
    fatal = file(api, regulator, deaths=2)
    alerts = {a.subject_id: a for a in Alert.objects.filter(kind="accident_reported")}
    assert alerts[str(minor["id"])].severity == "medium"
    assert alerts[str(fatal["id"])].severity == "high"
    assert alerts[str(fatal["id"])].region == "110105"
    assert alerts[str(fatal["id"])].payload["deaths"] == 2


def test_the_investigation_runs_reported_investigating_concluded(api, regulator):
    accident = file(api, regulator)
    assert accident["accident_no"].startswith("ACC-2024-")
    assert accident["state"] == "reported"
    assert accident["allowed_actions"] == ["open_investigation"]
    client = api.as_(regulator)
    experts = [
        {"name": "王工", "field": "lithium batteries"},
        {"name": "Dr. Li", "field": "fire investigation"},
    ]
    opened = client.post(
        f"{URL}{accident['id']}/open_investigation/", {"experts": experts}, format="json"
    )
    assert opened.status_code == 200, opened.json()
    assert opened.json()["state"] == "investigating"
    assert opened.json()["experts"] == experts
    concluded = client.post(
        f"{URL}{accident['id']}/conclude/",
        {
            "findings": "Cell separator defect in lot L1.",
            "root_cause": "manufacturing",
            "measure": "recall",
            "measure_note": "Recall lot L1.",
        },
        format="json",
    )
    assert concluded.status_code == 200, concluded.json()
    assert (concluded.json()["state"], concluded.json()["root_cause"]) == (
        "concluded",
        "manufacturing",
    )
    history = client.get(f"{URL}{accident['id']}/history/").json()
    assert [(h["action"], h["from_state"], h["to_state"]) for h in history] == [
        ("create", None, "reported"),
        ("open_investigation", "reported", "investigating"),
        ("conclude", "investigating", "concluded"),
    ]
    assert history[1]["payload"]["experts"] == experts
    assert history[1]["actor"] == regulator.username


def test_illegal_transitions_are_409_with_the_state_and_allowed_actions(api, regulator):
    accident = file(api, regulator)
    client = api.as_(regulator)
    conclude = {"findings": "x", "root_cause": "unknown", "measure": "none"}
    early = client.post(f"{URL}{accident['id']}/conclude/", conclude, format="json")
    assert early.status_code == 409
    assert early.json()["state"] == "reported"
    assert early.json()["allowed_actions"] == ["open_investigation"]
    experts = {"experts": [{"name": "A", "field": "B"}]}
    client.post(f"{URL}{accident['id']}/open_investigation/", experts, format="json")
    twice = client.post(f"{URL}{accident['id']}/open_investigation/", experts, format="json")
    assert twice.status_code == 409
    assert twice.json()["allowed_actions"] == ["conclude"]


@pytest.mark.parametrize(
    "payload",
    [{}, {"experts": []}, {"experts": [{"name": "A"}]}, {"experts": "A"}],
)
def test_an_investigation_needs_experts_with_names_and_fields(api, regulator, payload):
    accident = file(api, regulator)
    response = api.as_(regulator).post(
        f"{URL}{accident['id']}/open_investigation/", payload, format="json"
    )
    assert response.status_code == 400
    assert Accident.objects.get().state == "reported"


def test_a_bad_root_cause_is_400(api, regulator):
    accident = file(api, regulator)
    client = api.as_(regulator)
    client.post(
        f"{URL}{accident['id']}/open_investigation/",
        {"experts": [{"name": "A", "field": "B"}]},
        format="json",
    )
    response = client.post(
        f"{URL}{accident['id']}/conclude/",
        {"findings": "x", "root_cause": "bad_luck", "measure": "none"},
        format="json",
    )
    assert response.status_code == 400


def test_only_regulators_move_the_investigation(api, regulator, enterprise, party):
    product = ProductFactory(producer=party)
    accident = file(api, enterprise, product=product.pk, reporter="producer")
    response = api.as_(enterprise).post(
        f"{URL}{accident['id']}/open_investigation/",
        {"experts": [{"name": "A", "field": "B"}]},
        format="json",
    )
    assert response.status_code == 403


def test_a_regulator_elsewhere_neither_files_here_nor_sees_this(api, regulator, regulator_other):
    accident = file(api, regulator)
    other = api.as_(regulator_other)
    assert other.get(f"{URL}{accident['id']}/").status_code == 404
    assert other.get(URL).json()["results"] == []
    assert other.post(URL, body(), format="json").status_code == 403
    moved = other.post(
        f"{URL}{accident['id']}/open_investigation/",
        {"experts": [{"name": "A", "field": "B"}]},
        format="json",
    )
    assert moved.status_code == 404


def test_an_enterprise_reports_accidents_with_its_own_products_only(
    api, enterprise, party, party_other
):
    own_lot = LotFactory(product=ProductFactory(producer=party))
    accident = file(api, enterprise, lot=own_lot.pk, reporter="seller", region="")
    assert accident["product"] == own_lot.product_id
    assert accident["region"] == party.region
    assert api.as_(enterprise).get(f"{URL}{accident['id']}/").status_code == 200
    foreign = ProductFactory(producer=party_other)
    response = api.as_(enterprise).post(URL, body(product=foreign.pk), format="json")
    assert response.status_code == 403
    no_product = api.as_(enterprise).post(URL, body(), format="json")
    assert no_product.status_code == 403


def test_a_lot_of_another_product_is_400(api, regulator):
    lot = LotFactory()
    other = ProductFactory()
    response = api.as_(regulator).post(URL, body(product=other.pk, lot=lot.pk), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "lot"


def test_a_sentinel_hospital_reports_as_the_hospital(api, sentinel, site, school_sentinel):
    accident = file(api, sentinel, reporter="", region="")
    assert (accident["reporter"], accident["site"], accident["region"]) == (
        "hospital",
        site.code,
        site.region,
    )
    assert school_sentinel.site.kind == SiteKind.SCHOOL
    assert api.as_(school_sentinel).post(URL, body(), format="json").status_code == 403
    assert api.as_(school_sentinel).get(f"{URL}{accident['id']}/").status_code == 404


@pytest.mark.parametrize("persona", ["inspector", "lab_user"])
def test_inspectors_and_labs_neither_file_nor_read_accidents(api, persona, request):
    user = request.getfixturevalue(persona)
    assert api.as_(user).post(URL, body(), format="json").status_code == 403
    assert api.as_(user).get(URL).status_code == 403


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("category", "bicycle_bell"),
        ("category", "Not A Slug"),
        ("deaths", -1),
        ("reporter", "neighbour"),
        ("occurred_at", "2999-01-01T00:00:00+08:00"),
        ("reported_at", "2024-09-29T00:00:00+08:00"),
        ("region", "12345"),
        ("description", ""),
        ("product", 987654),
    ],
)
def test_bad_accident_input_is_400(api, regulator, field, value):
    response = api.as_(regulator).post(URL, body(**{field: value}), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == field


def test_an_admin_adds_a_key_category_with_its_own_deadline(api, admin_user, regulator):
    created = api.as_(admin_user).post(
        "/api/v1/injury/accident-categories/",
        {
            "code": "gas_appliance",
            "name": "燃气具",
            "deadline_amount": 24,
            "deadline_unit": "hours",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    accident = file(
        api,
        regulator,
        category="gas_appliance",
        occurred_at="2024-05-01T10:00:00+08:00",
        reported_at="2024-05-02T10:30:00+08:00",
    )
    assert accident["late"] is True
    refused = api.as_(regulator).post(
        "/api/v1/injury/accident-categories/",
        {"code": "lighter", "deadline_amount": 1, "deadline_unit": "days"},
        format="json",
    )
    assert refused.status_code == 403


def test_a_deactivated_category_takes_no_new_reports(api, regulator):
    AccidentCategory.objects.filter(code="electric_bicycle").update(active=False)
    response = api.as_(regulator).post(URL, body(), format="json")
    assert response.status_code == 400


def test_the_key_categories_come_from_the_rules(api, regulator):
    codes = {
        c["code"]
        for c in api.as_(regulator).get("/api/v1/injury/accident-categories/").json()["results"]
    }
    assert {
        "motor_vehicle",
        "electric_bicycle",
        "electrical_appliance",
        "children_product",
    } <= codes


def test_a_resent_accident_with_the_same_key_is_filed_once(api, regulator):
    client = api.as_(regulator)
    first = client.post(URL, body(), format="json", HTTP_IDEMPOTENCY_KEY="acc-1")
    again = client.post(URL, body(), format="json", HTTP_IDEMPOTENCY_KEY="acc-1")
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert Accident.objects.count() == 1
    assert Alert.objects.filter(kind="accident_reported").count() == 1
    assert StateHistory.objects.filter(action="create", to_state="reported").count() == 1


def test_an_admin_must_give_the_region(api, admin_user):
    response = api.as_(admin_user).post(URL, body(region=""), format="json")
    assert response.status_code == 400


def test_a_regulator_may_file_within_a_sub_region(api):
    city = UserFactory(username="reg_city", role=Role.REGULATOR, region="110100")
    assert file(api, city, region="110105")["region"] == "110105"


def _vehicle_fire(api, regulator, **fields):
    return file(
        api,
        regulator,
        category="motor_vehicle",
        occurred_at="2024-05-01T10:00:00+08:00",
        reported_at="2024-05-01T15:00:00+08:00",
        **fields,
    )


def test_a_vehicle_fires_full_report_is_filed_once_and_recorded(api, regulator):
    accident = _vehicle_fire(api, regulator)
    url = f"{URL}{accident['id']}/full_report/"
    response = api.as_(regulator).post(url, {"full_report": "  Cell 14 shorted.  "}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["full_report"] == "Cell 14 shorted."
    assert response.json()["full_reported_at"] is not None
    again = api.as_(regulator).post(url, {"full_report": "Amended."}, format="json")
    assert again.status_code == 409
    assert Accident.objects.get(pk=accident["id"]).full_report == "Cell 14 shorted."
    entry = StateHistory.objects.get(object_id=accident["id"], action="full_report")
    assert entry.payload == {"late": True}  # filed in 2026, due 3 May 2024


@pytest.mark.parametrize("text", ["", "   "])
def test_an_empty_full_report_is_400(api, regulator, text):
    accident = _vehicle_fire(api, regulator)
    response = api.as_(regulator).post(
        f"{URL}{accident['id']}/full_report/", {"full_report": text}, format="json"
    )
    assert response.status_code == 400
    assert Accident.objects.get(pk=accident["id"]).full_reported_at is None


def test_a_category_without_a_full_report_refuses_one(api, regulator):
    accident = file(api, regulator)  # electric_bicycle: one report only
    response = api.as_(regulator).post(
        f"{URL}{accident['id']}/full_report/", {"full_report": "More."}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "no_full_report"
    assert "无需提交详细报告" in response.json()["errors"][0]["detail"]


def test_a_regulator_elsewhere_cannot_file_the_full_report(api, regulator, regulator_other):
    accident = _vehicle_fire(api, regulator)
    response = api.as_(regulator_other).post(
        f"{URL}{accident['id']}/full_report/", {"full_report": "More."}, format="json"
    )
    assert response.status_code == 404


def test_the_sweep_alerts_an_overdue_full_report_once_and_not_a_filed_one(api, regulator):
    from core.jobs import run as run_job

    overdue = _vehicle_fire(api, regulator)
    filed = _vehicle_fire(api, regulator)
    api.as_(regulator).post(
        f"{URL}{filed['id']}/full_report/", {"full_report": "Done."}, format="json"
    )
    assert run_job("sweep_deadlines")["accident_full_reports_overdue"] == 1
    assert run_job("sweep_deadlines")["accident_full_reports_overdue"] == 0
    alerts = Alert.objects.filter(kind="deadline_overdue", subject_type="injury.accident")
    assert [a.subject_id for a in alerts] == [str(overdue["id"])]
    assert alerts[0].region == "110105"


def test_a_resolved_full_report_alert_is_not_raised_again(api, regulator):
    from core.jobs import run as run_job

    _vehicle_fire(api, regulator)
    run_job("sweep_deadlines")
    Alert.objects.filter(kind="deadline_overdue").update(status="resolved")
    assert run_job("sweep_deadlines")["accident_full_reports_overdue"] == 0
    assert Alert.objects.filter(kind="deadline_overdue").count() == 1


def test_a_reporter_cannot_backdate_its_own_report_out_of_lateness(api, enterprise, party):
    # Filed 60 days after the fire, claiming it was reported two hours after: the legal
    # report time is when Levee received it, so the report is late.
    product = ProductFactory(producer=party)
    occurred = timezone.now() - dt.timedelta(days=60)
    accident = file(
        api,
        enterprise,
        product=product.pk,
        reporter="producer",
        occurred_at=occurred.isoformat(),
        reported_at=(occurred + dt.timedelta(hours=2)).isoformat(),
    )
    assert accident["late"] is True
    assert abs(parse_datetime(accident["reported_at"]) - timezone.now()) < dt.timedelta(minutes=1)
    created = StateHistory.objects.get(object_id=str(accident["id"]), from_state=None)
    assert parse_datetime(created.payload["declared_reported_at"]) == occurred + dt.timedelta(
        hours=2
    )


def test_a_reporter_clock_a_little_behind_the_server_keeps_its_time(api, enterprise, party):
    product = ProductFactory(producer=party)
    sent = timezone.now() - dt.timedelta(minutes=2)
    accident = file(
        api,
        enterprise,
        product=product.pk,
        reporter="producer",
        occurred_at=(sent - dt.timedelta(hours=1)).isoformat(),
        reported_at=sent.isoformat(),
    )
    assert parse_datetime(accident["reported_at"]) == sent
