"""One language per response (DESIGN.md §4), walked over the error paths a client meets
most: a validation error, a 409 guard refusal, a 409 state refusal, a 404, an unknown
query parameter and a throttle. Every text of the body is Chinese by default and English
with `Accept-Language: en`; only codes, ids, numbers and field names may be ASCII."""

import re

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from risk.api.views import PublicComplaintThrottle
from tests.recalls.factories import make_recall

from .conftest import sample_body

pytestmark = pytest.mark.django_db

URL = "/api/v1/sampling/samples/"
ASCII_WORD = re.compile(r"[A-Za-z]{2,}")
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# Keys whose values are codes, not sentences.
CODE_KEYS = {"code", "attr", "type", "state", "allowed_actions", "action"}


def _texts(value, key=None):
    if key in CODE_KEYS:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _texts(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _texts(v, key)


def _codes(body):
    """The codes a message may quote: attrs, error codes, states and action names, and
    their dotted parts (`items.0.verdict`)."""
    codes = set()
    for error in body.get("errors", []):
        for part in re.split(r"[.\s]", error.get("attr") or ""):
            codes.add(part)
        codes.add(error.get("code"))
    codes.add(body.get("state"))
    codes.update(body.get("allowed_actions") or [])
    return {c for c in codes if c}


def english_in_chinese(body, *, also=()):
    """The ASCII words of a Chinese body that are not codes, ids or numbers."""
    allowed = _codes(body) | set(also)
    found = []
    for text in _texts(body):
        for token in re.split(r"[\s“”\"'\u2018\u2019：:，,。()（）/]+", text):
            bare = token.strip("-.;[]{}«»")
            if bare in allowed or re.search(r"[\d_]", bare):
                continue
            found += ASCII_WORD.findall(bare)
    return found


def chinese_in_english(body):
    return [text for text in _texts(body) if CJK.search(text)]


def both(client, method, url, data=None, **extra):
    call = getattr(client, method)
    args = (url, data) if data is not None else (url,)
    chinese = call(*args, format="json", **extra)
    english = call(*args, format="json", HTTP_ACCEPT_LANGUAGE="en", **extra)
    return chinese, english


def assert_one_language(chinese, english, *, also=()):
    assert chinese.status_code == english.status_code
    assert english_in_chinese(chinese.json(), also=also) == [], chinese.json()
    assert chinese_in_english(english.json()) == [], english.json()
    # Both are sentences, not empty: something was said in each language.
    assert any(CJK.search(t) for t in _texts(chinese.json())), chinese.json()


def test_the_checker_catches_an_english_message_in_a_chinese_body():
    body = {
        "type": "client_error",
        "errors": [{"code": "x", "detail": "该字段是必填项。Give a party id.", "attr": "party"}],
    }
    assert english_in_chinese(body) == ["Give", "id"]
    assert chinese_in_english({"errors": [{"detail": "令牌已过期"}]}) == ["令牌已过期"]


def test_a_sample_refused_for_its_fields_answers_in_one_language(
    api, inspector, task, party, retailer
):
    body = sample_body(
        task,
        party,
        retailer,
        quantity="-1",
        sampled_at="2999-01-01T00:00:00+08:00",
        inspectors=["张三"],
        location_kind="nowhere",
    )
    del body["product_name"]
    chinese, english = both(api.as_(inspector), "post", URL, body)
    assert chinese.status_code == 400
    assert len(chinese.json()["errors"]) >= 3
    assert_one_language(chinese, english, also={"nowhere"})


def test_a_sample_for_a_party_that_does_not_exist_answers_in_one_language(
    api, inspector, task, party, retailer
):
    body = sample_body(task, party, retailer, sampled_party=None, producer=999999)
    chinese, english = both(api.as_(inspector), "post", URL, body)
    assert chinese.status_code == 400
    assert_one_language(chinese, english)


def test_a_guard_refusal_names_its_precondition_in_one_language(api, make_sample, regulator):
    sample = make_sample("reported")  # objection window still open
    payload = {"measures": [{"measure": "rectify"}]}
    chinese, english = both(api.as_(regulator), "post", f"{URL}{sample.pk}/dispose/", payload)
    assert chinese.status_code == 409
    assert_one_language(chinese, english, also={sample.sample_no})
    closing = both(api.as_(regulator), "post", f"{URL}{sample.pk}/close/", {})
    assert closing[0].status_code == 409
    assert_one_language(*closing, also={sample.sample_no})


def test_a_transition_refused_in_this_state_answers_in_one_language(
    api, make_sample, lab_user, admin_user, party
):
    sample = make_sample("tested")
    chinese, english = both(
        api.as_(lab_user), "post", f"{URL}{sample.pk}/issue_report/", {"report_no": "R-9"}
    )
    assert chinese.status_code == 409
    assert_one_language(chinese, english, also={sample.sample_no})
    recall = make_recall(party, state="announced")
    refused = both(api.as_(admin_user), "post", f"/api/v1/recalls/{recall.pk}/approve/", {})
    assert refused[0].status_code == 409
    # The API names actions by their slugs, the codes a client sends.
    assert_one_language(*refused, also={recall.recall_no, "approve"})


def test_a_lab_payload_error_answers_in_one_language(api, make_sample, lab_user):
    sample = make_sample("received")
    items = [{"item": "", "verdict": "maybe", "measured_value": "x" * 300}]
    chinese, english = both(
        api.as_(lab_user),
        "post",
        f"{URL}{sample.pk}/record_results/",
        {"items": items, "conclusion": "conforming"},
    )
    assert chinese.status_code == 400
    assert_one_language(chinese, english, also={"maybe"})


def test_not_found_and_unknown_parameters_answer_in_one_language(api, inspector):
    client = api.as_(inspector)
    missing = both(client, "get", f"{URL}999999/")
    assert missing[0].status_code == 404
    assert_one_language(*missing)
    unknown = both(client, "get", URL, {"stat": "sampled"})
    assert unknown[0].status_code == 400
    assert_one_language(*unknown, also={"stat"})


def test_no_token_answers_in_one_language():
    refused = both(APIClient(), "get", URL)
    assert refused[0].status_code == 401
    assert_one_language(*refused)


def test_a_throttled_client_is_told_in_one_language(monkeypatch):
    monkeypatch.setattr(PublicComplaintThrottle, "THROTTLE_RATES", {"public_complaints": "1/hour"})
    cache.delete("throttle_public_complaints_10.0.0.99")
    client = APIClient()
    first = both(client, "post", "/api/v1/public/complaints/", {}, REMOTE_ADDR="10.0.0.99")
    # The first call is refused for its body (the second of the pair is already throttled).
    assert first[0].status_code == 400 and first[1].status_code == 429
    throttled = both(client, "post", "/api/v1/public/complaints/", {}, REMOTE_ADDR="10.0.0.99")
    assert throttled[0].status_code == 429
    assert_one_language(*throttled)
    cache.delete("throttle_public_complaints_10.0.0.99")


def test_an_alert_reads_in_the_language_of_each_reader(api, make_sample, regulator):
    from django.utils import timezone

    from sampling.jobs import sweep_sample_deadlines
    from sampling.models import Sample

    sample = make_sample()  # waiting to be received by the lab
    Sample.objects.filter(pk=sample.pk).update(due_at=timezone.now() - timezone.timedelta(days=1))
    assert sweep_sample_deadlines()["sample_deadlines_overdue"] == 1
    client = api.as_(regulator)
    (alert,) = client.get("/api/v1/alerts/", {"kind": "deadline_overdue"}).json()["results"]
    chinese = client.get(f"/api/v1/alerts/{alert['id']}/").json()["message"]
    english = client.get(f"/api/v1/alerts/{alert['id']}/", HTTP_ACCEPT_LANGUAGE="en").json()[
        "message"
    ]
    # The stage is a choice: each reader gets its label in their language.
    assert chinese.startswith(f"样品 {sample.sample_no}：“收样”环节期限为 ")
    assert english.startswith(f"Sample {sample.sample_no}: the deadline of stage “Receive” was ")
    assert english_in_chinese({"message": chinese}, also={sample.sample_no}) == []
    assert not CJK.search(english)
