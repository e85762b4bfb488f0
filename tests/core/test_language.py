"""One language per response (DESIGN.md §4): Chinese by default, English with
`Accept-Language: en`, the project's messages and the framework's alike."""

import datetime as dt
import gettext
import re
from pathlib import Path

import pytest
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

from tests.conftest import CHAOYANG
from tests.recalls.factories import make_recall

pytestmark = pytest.mark.django_db

PARTIES = "/api/v1/traceability/parties/"
ROOT = Path(__file__).resolve().parents[2]


def _details(response):
    return {e["attr"]: e["detail"] for e in response.json()["errors"]}


def test_a_body_mixing_framework_and_project_messages_is_all_chinese_by_default(api, regulator):
    response = api.as_(regulator).post(
        PARTIES, {"uscc": "91110105BAD", "kind": "retailer", "region": CHAOYANG}, format="json"
    )
    assert response.status_code == 400
    details = _details(response)
    assert details["name"] == "该字段是必填项。"
    assert details["uscc"] == "“91110105BAD”不是有效的统一社会信用代码。"


def test_the_same_body_is_all_english_when_the_client_asks_for_it(api, regulator):
    response = api.as_(regulator).post(
        PARTIES,
        {"uscc": "91110105BAD", "kind": "retailer", "region": CHAOYANG},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    details = _details(response)
    assert details["name"] == "This field is required."
    assert details["uscc"] == "“91110105BAD” is not a valid unified social credit code."


def test_a_refused_transition_names_the_recall_by_its_number_in_one_language(
    api, admin_user, party
):
    recall = make_recall(party, state="announced")
    url = f"/api/v1/recalls/{recall.id}/approve/"
    chinese = api.as_(admin_user).post(url, {}, format="json")
    assert chinese.status_code == 409
    assert chinese.json()["errors"][0]["detail"].startswith(
        f"召回 {recall.recall_no} 处于“已公告”状态，不允许执行“approve”。"
    )
    english = api.as_(admin_user).post(url, {}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["errors"][0]["detail"].startswith(
        f"Recall {recall.recall_no} is in state “Announced”: “approve” is not allowed."
    )


def test_a_garbage_token_is_one_error_entry(api):
    client = api.as_(None)
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = client.get("/api/v1/alerts/")
    assert response.status_code == 401
    assert "WWW-Authenticate" in response
    errors = response.json()["errors"]
    assert len(errors) == 1
    assert errors[0]["code"] == "token_not_valid"


def test_an_expired_token_is_one_error_entry_in_the_clients_language(api, regulator):
    token = AccessToken.for_user(regulator)
    token.set_exp(from_time=timezone.now() - dt.timedelta(hours=1), lifetime=dt.timedelta(0))
    client = api.as_(None)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    chinese = client.get("/api/v1/alerts/").json()["errors"]
    english = client.get("/api/v1/alerts/", HTTP_ACCEPT_LANGUAGE="en").json()["errors"]
    assert len(chinese) == len(english) == 1
    assert english[0]["detail"] == "Token is expired"
    assert chinese[0]["detail"] == "令牌已过期"


def test_choice_labels_are_translated_not_mixed():
    from django.utils import translation

    from recalls.choices import RecallState

    with translation.override("zh-hans"):
        assert str(RecallState.DRAFT.label) == "草稿"
    with translation.override("en"):
        assert str(RecallState.DRAFT.label) == "Draft"


def _messages_in_code():
    """The one-line messages of the code: _("…") and pgettext_lazy("context", "…")."""
    plain = re.compile(r'\b_\(\s*"((?:[^"\\]|\\.)+)"\s*\)')
    with_context = re.compile(r'pgettext_lazy\(\s*"([^"]+)",\s*"((?:[^"\\]|\\.)+)"\s*\)')
    for path in ROOT.glob("*/**/*.py"):
        if path.parts[len(ROOT.parts)] in {"tests", "bench", ".venv", "scripts"}:
            continue
        source = path.read_text()
        for text in plain.findall(source):
            yield path, text
        for context, text in with_context.findall(source):
            yield path, f"{context}\x04{text}"


def test_every_message_of_the_project_has_a_compiled_chinese_translation():
    with open(ROOT / "locale/zh_Hans/LC_MESSAGES/django.mo", "rb") as mo:
        catalogue = gettext.GNUTranslations(mo)._catalog
    untranslated = [
        (str(path.relative_to(ROOT)), key)
        for path, key in _messages_in_code()
        if not re.search(r"[\u4e00-\u9fff]", catalogue.get(key, ""))
    ]
    assert untranslated == []
