"""Risk assessments over the API: creation with the matrix, bad input, scoping and roles,
and the regulator's decision."""

import datetime as dt

import pytest
from django.utils import timezone

from core.models import Alert
from recalls.models import Recall
from risk.models import RiskAssessment
from tests.conftest import BEIJING, CHAOYANG, PUDONG, SHANGHAI, errors_of
from tests.factories import LotFactory

from .conftest import STEPS

URL = "/api/v1/risk/assessments/"


def body(**fields):
    values = {
        "subject_kind": "lot",
        "hazard": "Burns from a hot surface",
        "steps": STEPS,
        "severity": 2,
    }
    values.update(fields)
    return values


@pytest.mark.django_db
def test_a_regulator_assesses_a_lot_and_the_matrix_sets_level_and_measure(api, regulator, lot):
    response = api.as_(regulator).post(URL, body(lot=lot.pk), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    # 0.1 * 0.5 = 0.05: the "> 1/100" band; severity 2 is serious.
    assert data["probability"] == pytest.approx(0.05)
    assert (data["probability_band"], data["risk_level"]) == ("> 1/100", "serious")
    assert data["recommended_measure"] == "recall"
    assert data["matrix_version"] == "eu-2019-417"
    assert data["sensitivity"]["lower"] == {
        "probability": pytest.approx(0.0005),  # 0.01 * 0.05: "> 1/10,000"
        "risk_level": "medium",
    }
    assert (data["product"], data["category"], data["region"]) == (
        lot.product_id,
        "electric_kettle",
        BEIJING,
    )
    assert data["assessed_by"] == "regulator_bj"
    assert data["number"].startswith("RA")
    assert data["state"] == "assessed"
    history = api.as_(regulator).get(f"{URL}{data['id']}/history/").json()
    assert [(h["action"], h["from_state"], h["to_state"]) for h in history] == [
        ("create", None, "assessed")
    ]


@pytest.mark.django_db
def test_a_product_or_category_can_be_the_subject(api, regulator, product):
    client = api.as_(regulator)
    by_product = client.post(URL, body(subject_kind="product", product=product.pk), format="json")
    assert by_product.status_code == 201
    assert (by_product.json()["lot"], by_product.json()["category"]) == (None, "electric_kettle")
    by_category = client.post(
        URL, body(subject_kind="category", category="toy", region=CHAOYANG), format="json"
    )
    assert by_category.status_code == 201
    assert (by_category.json()["category"], by_category.json()["region"]) == ("toy", CHAOYANG)


@pytest.mark.django_db
def test_the_same_idempotency_key_creates_one_assessment(api, regulator, lot):
    client = api.as_(regulator)
    first = client.post(URL, body(lot=lot.pk), format="json", headers={"Idempotency-Key": "ra-1"})
    again = client.post(URL, body(lot=lot.pk), format="json", headers={"Idempotency-Key": "ra-1"})
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert RiskAssessment.objects.count() == 1
    other = client.post(
        URL, body(lot=lot.pk, severity=3), format="json", headers={"Idempotency-Key": "ra-1"}
    )
    assert other.status_code == 422


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "attr"),
    [
        ({"severity": 0}, "severity"),
        ({"severity": 5}, "severity"),
        ({"severity": "high"}, "severity"),
        ({"steps": []}, "steps"),
        ({"steps": None}, "steps"),
        ({"steps": [{"description": "x", "probability": 0}]}, "steps.0.probability"),
        ({"steps": [{"description": "x", "probability": 1.5}]}, "steps.0.probability"),
        ({"steps": [{"description": "x", "probability": -0.1}]}, "steps.0.probability"),
        ({"steps": [{"description": "x", "probability": "abc"}]}, "steps.0.probability"),
        ({"steps": [{"description": "x", "probability": "NaN"}]}, "steps.0.probability"),
        ({"steps": [{"description": "x", "probability": True}]}, "steps.0.probability"),
        ({"steps": [{"description": "x"}]}, "steps.0.probability"),
        ({"steps": ["x"]}, "steps.0.non_field_errors"),
        ({"subject_kind": "planet"}, "subject_kind"),
        ({"subject_kind": "product"}, "product"),
        ({"subject_kind": "category", "category": "Not A Slug"}, "category"),
        ({"subject_kind": "category", "category": ""}, "category"),
        ({"region": "999999"}, "region"),
        ({"hazard": ""}, "hazard"),
    ],
)
def test_bad_input_is_400(api, regulator, lot, change, attr):
    response = api.as_(regulator).post(URL, body(lot=lot.pk, **change), format="json")
    assert response.status_code == 400, response.json()
    assert any(e["attr"].startswith(attr) for e in response.json()["errors"])
    assert not RiskAssessment.objects.exists()


@pytest.mark.django_db
def test_a_regulator_cannot_assess_outside_their_region(api, regulator, product_other, lot):
    client = api.as_(regulator)
    foreign = client.post(
        URL, body(subject_kind="product", product=product_other.pk), format="json"
    )
    assert foreign.status_code == 400
    assert errors_of(foreign) == ["does_not_exist"]
    elsewhere = client.post(URL, body(lot=lot.pk, region=SHANGHAI), format="json")
    assert elsewhere.status_code == 400


@pytest.mark.django_db
def test_a_regulator_of_another_region_neither_sees_nor_decides(
    api, regulator_other, make_assessment
):
    assessment = make_assessment()
    client = api.as_(regulator_other)
    assert client.get(URL).json()["count"] == 0
    assert client.get(f"{URL}{assessment.pk}/").status_code == 404
    decided = client.post(f"{URL}{assessment.pk}/decide/", {"measure": "monitor"}, format="json")
    assert decided.status_code == 404
    assert client.get(f"{URL}{assessment.pk}/history/").status_code == 404


@pytest.mark.django_db
def test_other_roles_may_not_read_create_or_decide(
    api, inspector, lab_user, enterprise, sentinel, make_assessment, lot
):
    assessment = make_assessment()
    for user in (inspector, lab_user, enterprise, sentinel):
        client = api.as_(user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, body(lot=lot.pk), format="json").status_code == 403
        decide = client.post(f"{URL}{assessment.pk}/decide/", {"measure": "monitor"})
        assert decide.status_code == 403


@pytest.mark.django_db
def test_the_list_filters_by_level_and_category(api, regulator, make_assessment):
    serious = make_assessment()
    make_assessment(steps=[{"description": "rare", "probability": 0.0000001}])
    client = api.as_(regulator)
    listed = client.get(URL, {"risk_level": "serious", "category": "electric_kettle"}).json()
    assert [a["id"] for a in listed["results"]] == [serious.pk]


@pytest.mark.django_db
def test_an_admin_assesses_a_category_only_with_a_region(api, admin_user):
    client = api.as_(admin_user)
    missing = client.post(URL, body(subject_kind="category", category="toy"), format="json")
    assert missing.status_code == 400
    given = client.post(
        URL, body(subject_kind="category", category="toy", region=PUDONG), format="json"
    )
    assert given.status_code == 201


# --- decide


@pytest.mark.django_db
def test_deciding_recall_opens_a_draft_recall_of_the_lot(api, regulator, make_assessment, lot):
    assessment = make_assessment()
    response = api.as_(regulator).post(
        f"{URL}{assessment.pk}/decide/", {"measure": "recall", "note": "ordered"}, format="json"
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["state"], data["measure"], data["decided_by"]) == (
        "decided",
        "recall",
        "regulator_bj",
    )
    recall = Recall.objects.get(pk=data["recall"])
    assert recall.state == "draft"
    assert recall.kind == "ordered"
    assert recall.producer_id == lot.product.producer_id
    assert list(recall.lots.all()) == [lot]
    assert (recall.risk_level, recall.hazard) == ("serious", assessment.hazard)
    assert (recall.source_type, recall.source_id) == ("risk.riskassessment", str(assessment.pk))
    history = api.as_(regulator).get(f"{URL}{assessment.pk}/history/").json()
    assert history[-1]["action"] == "decide"
    assert history[-1]["payload"] == {"measure": "recall", "note": "ordered", "recall": recall.pk}


@pytest.mark.django_db
def test_a_product_recall_takes_only_that_products_lots(api, regulator, make_assessment, product):
    assessment = make_assessment(subject_kind="product", lot=None, product=product)
    own, foreign = LotFactory(product=product), LotFactory()
    client = api.as_(regulator)
    url = f"{URL}{assessment.pk}/decide/"
    refused = client.post(url, {"measure": "recall", "lots": [foreign.pk]}, format="json")
    assert refused.status_code == 400
    accepted = client.post(url, {"measure": "recall", "lots": [own.pk]}, format="json")
    assert accepted.status_code == 200
    assert list(Recall.objects.get().lots.all()) == [own]


@pytest.mark.django_db
def test_a_category_cannot_be_recalled(api, regulator, make_assessment):
    assessment = make_assessment(subject_kind="category", lot=None, category="toy")
    response = api.as_(regulator).post(
        f"{URL}{assessment.pk}/decide/", {"measure": "recall"}, format="json"
    )
    assert response.status_code == 400
    assessment.refresh_from_db()
    assert assessment.state == "assessed"
    assert not Recall.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("measure", "severity"), [("take_down", "high"), ("warning", "medium")])
def test_take_down_and_warning_raise_an_alert_to_the_region(
    api, regulator, regulator_other, make_assessment, measure, severity
):
    assessment = make_assessment()
    response = api.as_(regulator).post(
        f"{URL}{assessment.pk}/decide/", {"measure": measure}, format="json"
    )
    assert response.status_code == 200
    alert = Alert.objects.get(kind="risk_measure")
    assert response.json()["measure_alert"] == alert.pk
    assert (alert.region, alert.severity, alert.dedup_key) == (
        BEIJING,
        severity,
        f"risk_measure:{assessment.pk}",
    )
    assert alert.payload["measure"] == measure
    assert [a["id"] for a in api.as_(regulator).get("/api/v1/alerts/").json()["results"]] == [
        alert.pk
    ]
    assert api.as_(regulator_other).get("/api/v1/alerts/").json()["count"] == 0


@pytest.mark.django_db
def test_monitor_sets_a_review_date(api, regulator, make_assessment):
    client = api.as_(regulator)
    default = make_assessment()
    response = client.post(f"{URL}{default.pk}/decide/", {"measure": "monitor"}, format="json")
    assert (
        response.json()["review_on"] == (timezone.localdate() + dt.timedelta(days=90)).isoformat()
    )
    chosen = make_assessment()
    review_on = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    response = client.post(
        f"{URL}{chosen.pk}/decide/", {"measure": "monitor", "review_on": review_on}, format="json"
    )
    assert response.json()["review_on"] == review_on


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"measure": "destroy"},
        {"measure": "monitor", "review_on": "2001-01-01"},
        {"measure": "monitor", "review_on": "not a date"},
        {"measure": "recall", "lots": [999999]},
    ],
)
def test_a_bad_decision_is_400(api, regulator, make_assessment, payload):
    assessment = make_assessment(subject_kind="product", lot=None, product=make_product())
    response = api.as_(regulator).post(f"{URL}{assessment.pk}/decide/", payload, format="json")
    assert response.status_code == 400
    assessment.refresh_from_db()
    assert assessment.state == "assessed"


def make_product():
    from tests.factories import ProductFactory

    return ProductFactory()


@pytest.mark.django_db
def test_deciding_twice_is_409_with_the_state(api, regulator, make_assessment):
    assessment = make_assessment()
    client = api.as_(regulator)
    url = f"{URL}{assessment.pk}/decide/"
    assert client.post(url, {"measure": "monitor"}, format="json").status_code == 200
    again = client.post(url, {"measure": "recall"}, format="json")
    assert again.status_code == 409
    assert (again.json()["state"], again.json()["allowed_actions"]) == ("decided", [])
    assert not Recall.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_decision_succeeds_while_the_broker_is_down_and_its_alert_is_delivered_later(
    api, regulator, make_assessment
):
    from core.jobs import run as run_job
    from core.models import AlertDelivery, AlertSubscription
    from tests.core.test_delivery import SECRET, WebhookServer
    from tests.core.test_delivery_worker import closed_port, use_broker

    assessment = make_assessment()
    with WebhookServer() as webhook:
        AlertSubscription.objects.create(url=webhook.url, secret=SECRET, regions=[BEIJING])
        use_broker(f"redis://127.0.0.1:{closed_port()}/0")
        try:
            response = api.as_(regulator).post(
                f"{URL}{assessment.pk}/decide/", {"measure": "take_down"}, format="json"
            )
        finally:
            use_broker(None)
        assert response.status_code == 200
        assert AlertDelivery.objects.get().status == "pending"
        run_job("deliver_pending_alerts")
    assert webhook.alert_ids() == [response.json()["measure_alert"]]


@pytest.mark.django_db
def test_an_assessment_links_the_samples_and_injuries_it_draws_on(api, regulator, lot, site):
    from tests.injury.factories import InjuryReportFactory

    from .factories import SampleFactory

    sample = SampleFactory(lot=lot)
    report = InjuryReportFactory(site=site, product_category="electric_kettle")
    client = api.as_(regulator)
    response = client.post(
        URL, body(lot=lot.pk, samples=[sample.pk], injury_reports=[report.pk]), format="json"
    )
    assert response.status_code == 201, response.json()
    data = client.get(f"{URL}{response.json()['id']}/").json()
    assert (data["samples"], data["injury_reports"], data["accidents"]) == (
        [sample.pk],
        [report.pk],
        [],
    )


@pytest.mark.django_db
def test_evidence_outside_the_regulators_region_cannot_be_linked(api, regulator, lot, site_other):
    from tests.injury.factories import InjuryReportFactory
    from tests.sampling.factories import TaskFactory

    from .factories import SampleFactory

    foreign_sample = SampleFactory(task=TaskFactory(region=PUDONG))
    foreign_report = InjuryReportFactory(site=site_other)
    client = api.as_(regulator)
    for field, value in (("samples", foreign_sample.pk), ("injury_reports", foreign_report.pk)):
        response = client.post(URL, body(lot=lot.pk, **{field: [value]}), format="json")
        assert response.status_code == 400
        assert response.json()["errors"][0]["attr"].startswith(field)
