import io

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from core.models import Alert
from risk.models import Complaint, RiskAssessment


@pytest.mark.django_db
def test_the_demo_seeds_one_assessment_idempotently():
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    assessment = RiskAssessment.objects.get()
    assert (assessment.risk_level, assessment.recommended_measure) == ("serious", "recall")


@pytest.mark.django_db
def test_the_demo_has_complaints_with_one_cluster_and_a_product_to_look_up():
    call_command("seed_demo", stdout=io.StringIO())
    count = Complaint.objects.count()
    call_command("seed_demo", stdout=io.StringIO())

    assert Complaint.objects.count() == count
    clusters = Alert.objects.filter(kind="complaint_cluster")
    assert {a.payload["group"] for a in clusters} == {"product", "brand"}
    assert clusters.get(payload__group="product").payload["count"] == 8
    lookup = APIClient().get(
        "/api/v1/public/lookup/", {"gtin": "6901234567892", "lot": "K2025-0415"}
    )
    assert [r["kind"] for r in lookup.json()["results"]] == ["recall"]
    stats = APIClient().get("/api/v1/public/complaints/stats/", {"group_by": "category"}).json()
    assert {row["group"] for row in stats["results"]} == {
        "electric_kettle",
        "toy",
        "electric_bicycle",
    }
    assert stats["suppressed_groups"] == 1


@pytest.mark.django_db
def test_the_assessment_list_has_a_query_budget(
    api, regulator, make_assessment, django_assert_max_num_queries
):
    for _ in range(5):
        make_assessment()
    client = api.as_(regulator)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/risk/assessments/")
    assert response.json()["count"] == 5


@pytest.mark.django_db
def test_the_delivery_list_has_a_query_budget(api, admin_user, django_assert_max_num_queries):
    from core.jobs import run as run_job
    from core.models import AlertSubscription
    from tests.core.test_delivery import closed_port_url, raise_alert

    AlertSubscription.objects.create(url=closed_port_url(), secret="x" * 20)
    for i in range(5):
        raise_alert(key=f"k{i}")
    run_job("deliver_pending_alerts")
    client = api.as_(admin_user)
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/alerts/deliveries/")
    assert response.json()["count"] == 5
    assert all(len(d["attempts"]) == 1 for d in response.json()["results"])


@pytest.mark.django_db
def test_the_admin_lists_and_shows_assessments(client, admin_user, make_assessment):
    assessment = make_assessment()
    client.force_login(admin_user)
    assert client.get("/admin/risk/riskassessment/").status_code == 200
    page = client.get(f"/admin/risk/riskassessment/{assessment.pk}/change/")
    assert page.status_code == 200
    assert assessment.number.encode() in page.content
    assert client.get("/admin/risk/riskassessment/add/").status_code == 403
