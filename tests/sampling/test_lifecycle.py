import datetime as dt

import pytest
from django.utils import timezone

from core.models import Alert
from recalls.models import Recall
from sampling.models import Sample
from tests.conftest import errors_of
from tests.factories import PartyFactory
from traceability.models import Event, EventLot

from .conftest import FAIL_ITEMS, PASS_ITEMS, pass_objection_window

URL = "/api/v1/sampling/samples/"


def post(client, sample, action, body=None):
    return client.post(f"{URL}{sample.pk}/{action}/", body or {}, format="json")


def results(items=FAIL_ITEMS, conclusion="nonconforming"):
    return {"items": items, "conclusion": conclusion}


def ship(lot, source, destination, quantity=100):
    event = Event.objects.create(
        event_id=f"ship-{lot.pk}-{destination.pk}",
        kind="ship",
        occurred_at=timezone.now() - dt.timedelta(days=5),
        party=source,
        source=source,
        destination=destination,
    )
    EventLot.objects.create(event=event, lot=lot, quantity=quantity)


@pytest.mark.django_db
def test_standard_lifecycle_of_a_nonconforming_sample(
    api, make_sample, lab_user, regulator, enterprise, party
):
    sample = make_sample()
    lab, reg = api.as_(lab_user), api.as_(regulator)
    shop = PartyFactory(region="310115", name="上海某商场", kind="retailer")
    ship(sample.lot, party, shop)

    response = post(lab, sample, "receive", {"note": "seal intact"})
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "received"
    assert response.json()["due_stage"] == "report"

    response = post(lab, sample, "record_results", results())
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "tested"
    assert response.json()["conclusion"] == "nonconforming"
    assert [i["verdict"] for i in response.json()["items"]] == ["fail", "pass"]
    alert = Alert.objects.get(kind="nonconforming_result")
    assert alert.region == sample.task.region
    assert alert.dedup_key == f"nonconforming_result:sample:{sample.pk}"

    assert errors_of(post(reg, sample, "notify")) == ["report_not_issued"]
    response = post(lab, sample, "issue_report", {"report_no": "BJ-2025-0001"})
    assert response.status_code == 200, response.json()
    assert response.json()["due_stage"] == "notify"

    response = post(reg, sample, "notify", {"note": "告知书已送达"})
    assert response.json()["state"] == "reported"
    assert response.json()["due_stage"] == "dispose"
    assert "object" in api.as_(enterprise).get(f"{URL}{sample.pk}/").json()["allowed_actions"]

    # Within the objection window the result is not final yet.
    assert errors_of(post(reg, sample, "dispose", {"measures": [{"measure": "recall"}]})) == [
        "result_not_final"
    ]
    pass_objection_window(sample)
    measures = [
        {"measure": "rectify"},
        {"measure": "recall", "due_on": str(timezone.localdate() + dt.timedelta(days=30))},
    ]
    response = post(reg, sample, "dispose", {"measures": measures, "note": "责令召回"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "disposed"
    assert body["due_stage"] == "follow_up"
    disposition = body["disposition"]
    assert disposition["measures"][0]["measure"] == "rectify"
    assert disposition["measures"][0]["due_on"] == str(timezone.localdate() + dt.timedelta(days=60))
    # The lot's forward trace: where the non-conforming product went.
    assert shop.uscc in [p["uscc"] for p in disposition["trace"]["parties"]]
    recall = Recall.objects.get(pk=disposition["recall"])
    assert recall.state == "draft" and recall.kind == "ordered"
    assert list(recall.lots.all()) == [sample.lot]
    source = ("sampling.disposition", str(Sample.objects.get(pk=sample.pk).disposition.pk))
    assert (recall.source_type, recall.source_id) == source

    response = post(reg, sample, "close", {"note": "复查合格"})
    assert response.json()["state"] == "closed"
    assert response.json()["due_at"] is None
    history = reg.get(f"{URL}{sample.pk}/history/").json()
    assert [h["action"] for h in history] == [
        "create",
        "receive",
        "record_results",
        "issue_report",
        "notify",
        "dispose",
        "close",
    ]
    assert history[1]["actor"] == "lab_bj"


@pytest.mark.django_db
def test_a_conforming_sample_goes_from_reported_straight_to_closed(api, make_sample, regulator):
    sample = make_sample("reported", conclusion="conforming")
    assert sample.due_at is None
    reg = api.as_(regulator)
    assert errors_of(post(reg, sample, "dispose", {"measures": [{"measure": "none"}]})) == [
        "result_conforming"
    ]
    assert post(reg, sample, "close").json()["state"] == "closed"
    assert not Alert.objects.filter(kind="nonconforming_result").exists()


@pytest.mark.django_db
def test_rapid_mode_the_inspector_tests_on_site(api, make_sample, rapid_task, inspector, regulator):
    sample = make_sample(task=rapid_task)
    assert sample.due_stage == "test"
    assert sample.due_at - sample.sampled_at == dt.timedelta(hours=24)
    insp = api.as_(inspector)
    response = post(insp, sample, "record_results", results())
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "tested"
    assert response.json()["due_stage"] == "notify"
    assert post(insp, sample, "issue_report", {"report_no": "RAPID-1"}).status_code == 200
    reg = api.as_(regulator)
    assert post(reg, sample, "notify").json()["due_stage"] == "dispose"
    # The fast track: disposal is decided within 24 hours, no waiting for the window.
    response = post(reg, sample, "dispose", {"measures": [{"measure": "take_down"}]})
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "disposed"


@pytest.mark.django_db
def test_inspectors_do_not_record_results_of_standard_samples(api, make_sample, inspector):
    sample = make_sample("received")
    response = post(api.as_(inspector), sample, "record_results", results())
    assert response.status_code == 403


@pytest.mark.django_db
def test_standard_samples_must_be_received_before_results(api, make_sample, lab_user):
    sample = make_sample()
    response = post(api.as_(lab_user), sample, "record_results", results())
    assert response.status_code == 409
    assert errors_of(response) == ["not_received"]
    assert response.json()["allowed_actions"] == ["receive"]


@pytest.mark.django_db
def test_online_lifecycle(api, make_sample, online_task, lab_user, regulator):
    sample = make_sample(task=online_task)
    assert (sample.order_no, sample.platform) == ("JD-1", "jd.com")
    lab, reg = api.as_(lab_user), api.as_(regulator)
    assert post(lab, sample, "receive", {"seal_intact": True}).status_code == 200
    assert post(lab, sample, "record_results", results(PASS_ITEMS, "conforming")).status_code == 200
    assert post(lab, sample, "issue_report", {"report_no": "ON-1"}).status_code == 200
    assert post(reg, sample, "notify").status_code == 200
    assert post(reg, sample, "close").json()["state"] == "closed"


# --- Objection and re-inspection ---------------------------------------------------------


@pytest.mark.django_db
def test_objection_then_conforming_reinspection_closes(
    api, make_sample, enterprise, lab_user, regulator
):
    sample = make_sample("reported")
    ent = api.as_(enterprise)
    failed = FAIL_ITEMS[0]["item"]
    response = post(ent, sample, "object", {"reason": "检验方法有误", "items": [failed]})
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "objected"
    assert response.json()["due_stage"] == "reinspection"
    assert response.json()["objection"]["items"] == [failed]
    # One objection per sample.
    assert post(ent, sample, "object", {"reason": "again"}).status_code == 409
    lab = api.as_(lab_user)
    wrong = [{"item": "other item", "verdict": "pass"}]
    assert post(lab, sample, "record_reinspection", results(wrong, "conforming")).status_code == 400
    item = [{**FAIL_ITEMS[0], "verdict": "pass", "measured_value": "0.5"}]
    response = post(lab, sample, "record_reinspection", results(item, "conforming"))
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "reinspected"
    assert response.json()["conclusion"] == "conforming"
    assert response.json()["initial_conclusion"] == "nonconforming"
    reg = api.as_(regulator)
    assert post(reg, sample, "dispose", {"measures": [{"measure": "rectify"}]}).status_code == 409
    assert post(reg, sample, "close").json()["state"] == "closed"


@pytest.mark.django_db
def test_objection_then_nonconforming_reinspection_is_disposed(
    api, make_sample, enterprise, lab_user, regulator
):
    sample = make_sample("reported")
    assert post(api.as_(enterprise), sample, "object", {"reason": "不服"}).status_code == 200
    response = post(api.as_(lab_user), sample, "record_reinspection", results())
    assert response.json()["due_stage"] == "dispose"
    reg = api.as_(regulator)
    assert errors_of(post(reg, sample, "close")) == ["disposal_required"]
    response = post(reg, sample, "dispose", {"measures": [{"measure": "case_filed"}]})
    assert response.status_code == 200, response.json()


@pytest.mark.django_db
def test_an_objection_after_the_window_is_refused(api, make_sample, enterprise):
    sample = make_sample("reported")
    pass_objection_window(sample)
    response = post(api.as_(enterprise), sample, "object", {"reason": "late"})
    assert response.status_code == 409
    assert errors_of(response) == ["objection_window_closed"]


@pytest.mark.django_db
def test_a_conforming_result_cannot_be_objected_to(api, make_sample, enterprise):
    sample = make_sample("reported", conclusion="conforming")
    response = post(api.as_(enterprise), sample, "object", {"reason": "?"})
    assert errors_of(response) == ["result_conforming"]


# --- Bad input ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, attr",
    [
        ({"items": [], "conclusion": "nonconforming"}, "items"),
        ({"conclusion": "nonconforming"}, "items"),
        ({"items": [{"item": "x", "verdict": "maybe"}], "conclusion": "conforming"}, "items"),
        ({"items": [{"item": "x", "verdict": "pass"}], "conclusion": "so-so"}, "conclusion"),
        (
            {"items": [{"item": "x", "verdict": "pass"}], "conclusion": "nonconforming"},
            "conclusion",
        ),
        ({"items": [{"item": "x", "verdict": "fail"}], "conclusion": "conforming"}, "conclusion"),
        ({"items": "not a list", "conclusion": "conforming"}, "items"),
    ],
)
def test_bad_results_are_a_400(api, make_sample, lab_user, body, attr):
    sample = make_sample("received")
    response = post(api.as_(lab_user), sample, "record_results", body)
    assert response.status_code == 400, response.json()
    assert response.json()["errors"][0]["attr"].startswith(attr)
    assert Sample.objects.get(pk=sample.pk).state == "received"


@pytest.mark.django_db
def test_a_report_before_results_is_a_409_with_state_and_allowed_actions(
    api, make_sample, lab_user
):
    sample = make_sample("received")
    response = post(api.as_(lab_user), sample, "issue_report", {"report_no": "R-1"})
    assert response.status_code == 409
    assert response.json()["state"] == "received"
    assert response.json()["allowed_actions"] == ["record_results"]
    assert errors_of(response) == ["transition_not_allowed"]


@pytest.mark.django_db
def test_a_report_is_issued_once(api, make_sample, lab_user):
    sample = make_sample("tested")
    response = post(api.as_(lab_user), sample, "issue_report", {"report_no": "R-2"})
    assert errors_of(response) == ["report_already_issued"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "measures",
    [
        [],
        [{"measure": "burn"}],
        [{"measure": "rectify"}, {"measure": "rectify"}],
        [{"measure": "none"}, {"measure": "rectify"}],
        [{"measure": "rectify", "due_on": "2001-01-01"}],
    ],
)
def test_bad_measures_are_a_400(api, make_sample, regulator, measures):
    sample = make_sample("reported")
    pass_objection_window(sample)
    response = post(api.as_(regulator), sample, "dispose", {"measures": measures})
    assert response.status_code == 400, response.json()
    assert response.json()["errors"][0]["attr"].startswith("measures")


@pytest.mark.django_db
def test_void_needs_a_reason_and_an_early_state(api, make_sample, inspector, regulator):
    sample = make_sample()
    insp = api.as_(inspector)
    assert post(insp, sample, "void", {}).status_code == 400
    response = post(insp, sample, "void", {"reason": "filed twice"})
    assert response.json()["state"] == "voided"
    assert response.json()["void_reason"] == "filed twice"
    assert response.json()["due_at"] is None
    tested = make_sample("tested")
    assert post(api.as_(regulator), tested, "void", {"reason": "x"}).status_code == 409


# --- Scoping -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_lab_cannot_receive_another_labs_sample(api, make_sample, lab_user_other):
    sample = make_sample()
    assert post(api.as_(lab_user_other), sample, "receive").status_code == 404
    assert api.as_(lab_user_other).get(f"{URL}{sample.pk}/").status_code == 404


@pytest.mark.django_db
def test_wrong_roles_are_403(api, make_sample, enterprise, inspector, lab_user, regulator):
    sample = make_sample()
    assert post(api.as_(enterprise), sample, "receive").status_code == 403
    assert post(api.as_(regulator), sample, "receive").status_code == 403
    assert post(api.as_(lab_user), sample, "notify").status_code == 403
    assert post(api.as_(inspector), sample, "dispose", {"measures": []}).status_code == 403


@pytest.mark.django_db
def test_other_regions_and_parties_see_nothing(
    api, make_sample, regulator_other, inspector_other, enterprise_other, sentinel
):
    sample = make_sample("reported")
    for user in (regulator_other, inspector_other, enterprise_other):
        client = api.as_(user)
        assert client.get(URL).json()["results"] == []
        assert client.get(f"{URL}{sample.pk}/").status_code == 404
        assert client.get(f"{URL}{sample.pk}/history/").status_code == 404
    assert post(api.as_(enterprise_other), sample, "object", {"reason": "x"}).status_code == 404
    assert api.as_(sentinel).get(URL).status_code == 403


@pytest.mark.django_db
def test_an_enterprise_sees_samples_where_it_is_sampled_party_or_producer(
    api, make_sample, enterprise, party, retailer, inspector, task
):
    as_producer = make_sample()
    retail_user = type(enterprise).objects.create(
        username="retail", role="enterprise", party_uscc=retailer.uscc
    )
    for user in (enterprise, retail_user):
        listed = api.as_(user).get(URL).json()["results"]
        assert [s["id"] for s in listed] == [as_producer.pk]
    other_producer = PartyFactory(region="110105")
    from sampling import services

    services.sample_create(
        actor=inspector,
        task=task,
        sampled_party=other_producer,
        producer=other_producer,
        location_kind="production",
        quantity=1,
        backup_quantity=1,
        sampled_at=timezone.now() - dt.timedelta(hours=1),
        inspectors=["a", "b"],
        product_name="p",
        lot_code="l",
    )
    assert len(api.as_(enterprise).get(URL).json()["results"]) == 1
    assert len(api.as_(inspector).get(URL).json()["results"]) == 2


@pytest.mark.django_db
def test_a_failed_follow_up_adds_a_public_notice_and_a_second_follow_up(
    api, make_sample, regulator
):
    original = make_sample("disposed")
    follow_up = make_sample("reported", follow_up_of=original)
    pass_objection_window(follow_up)
    response = post(
        api.as_(regulator), follow_up, "dispose", {"measures": [{"measure": "case_filed"}]}
    )
    assert response.status_code == 200, response.json()
    measures = Sample.objects.get(pk=original.pk).disposition.measures
    assert [m["measure"] for m in measures] == ["rectify", "public_notice", "second_follow_up"]
    today = timezone.localdate()
    assert measures[2]["earliest_on"] == str(today + dt.timedelta(days=60))
    assert measures[2]["due_on"] == str(today + dt.timedelta(days=90))


@pytest.mark.django_db
def test_the_lab_uploads_the_report_file(api, make_sample, lab_user, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    sample = make_sample("received")
    lab = api.as_(lab_user)
    post(lab, sample, "record_results", results(PASS_ITEMS, "conforming"))
    upload = SimpleUploadedFile("report.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    response = lab.post(
        f"{URL}{sample.pk}/issue_report/",
        {"report_no": "BJ-9", "issued_on": str(timezone.localdate()), "file": upload},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["report_no"] == "BJ-9"
    assert response.json()["report_file"].endswith(".pdf")


@pytest.mark.django_db
def test_admin_actions_run_the_same_transitions(client, admin_user, make_sample):
    sample = make_sample()
    tested = make_sample("tested")
    client.force_login(admin_user)
    assert client.get("/admin/sampling/sample/").status_code == 200
    assert client.get(f"/admin/sampling/sample/{sample.pk}/change/").status_code == 200
    assert client.get("/admin/sampling/task/").status_code == 200
    response = client.post(
        "/admin/sampling/sample/",
        {"action": "receive", "_selected_action": [sample.pk, tested.pk]},
        follow=True,
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    assert Sample.objects.get(pk=sample.pk).state == "received"
    assert Sample.objects.get(pk=tested.pk).state == "tested"  # refused, as in the API
    assert "not allowed" in response.content.decode()


@pytest.mark.django_db
def test_the_sample_admin_offers_the_allowed_transitions_and_shows_the_history(
    client, admin_user, make_sample
):
    sample = make_sample("received")
    client.force_login(admin_user)
    page = client.get(f"/admin/sampling/sample/{sample.pk}/change/").content.decode()
    assert 'class="state-history"' in page and "+0800" in page
    assert 'id="transition-record_results"' in page and 'id="transition-void"' in page
    assert 'id="transition-receive"' not in page
    form = client.get(f"/admin/sampling/sample/{sample.pk}/transition/void/").content.decode()
    assert 'name="reason"' in form and 'name="confirm"' in form
    body = {"transition_form": "1", "reason": "Seal broken", "confirm": "on"}
    client.post(f"/admin/sampling/sample/{sample.pk}/transition/void/", body)
    sample.refresh_from_db()
    assert (sample.state, sample.void_reason) == ("voided", "Seal broken")


@pytest.mark.django_db
def test_the_sample_list_marks_overdue_samples_and_filters_them_by_province(
    client, admin_user, make_sample
):
    late, fresh = make_sample(), make_sample()
    Sample.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(days=1))
    client.force_login(admin_user)
    page = client.get("/admin/sampling/sample/", {"overdue": "yes"}).content.decode()
    assert late.sample_no in page and fresh.sample_no not in page
    assert "(已逾期)" in page and "+0800" in page
    province = late.region[:2]
    page = client.get("/admin/sampling/sample/", {"region_province": province}).content.decode()
    assert late.sample_no in page and f"{late.region} " in page
    page = client.get("/admin/sampling/sample/", {"region_province": "99"}).content.decode()
    assert late.sample_no not in page


@pytest.mark.django_db
def test_only_enterprises_object_and_are_refused_before_the_body(
    api, make_sample, regulator, inspector, lab_user
):
    sample = make_sample("reported")
    for user in (regulator, inspector, lab_user):
        assert post(api.as_(user), sample, "object", {}).status_code == 403
