"""The admin a regulator meets (issue 14, item 8), with a Chinese browser: every page of the
seeded demo speaks Chinese — labels, section names, choices, action names, buttons and
messages — and every time is local with its offset. English words on a page may only
come from the data itself (names people typed) or be codes (USCC, GTIN, ...)."""

import io
import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.db import models

from core.models import Alert, User
from recalls.models import Recall
from sampling.models import Sample

pytestmark = pytest.mark.django_db

CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}
# Codes and abbreviations that stay as they are in Chinese text.
CODES = {
    "USCC", "GTIN", "GLN", "EPC", "EPCIS", "URL", "ID", "JSON", "GB", "T", "UTC", "ISO", "CBV",
    "SSCC", "HMAC", "SHA", "Levee", "Django", "jti", "cron", "crontab", "Celery", "PDF", "CSV",
    "XLSX", "pcs", "kg", "mA", "http", "https", "LDAP", "true", "false", "null",
    # Key names in Django's own Chinese help text for multiple selects.
    "Control", "Command", "Mac",
}  # fmt: skip
# Third-party pages whose own catalogues are not ours to complete.
THIRD_PARTY = ("/admin/django_celery_beat/", "/admin/auth/group/add/")
WORD = re.compile(r"[A-Za-z]+")


class _Visible(HTMLParser):
    """The text a person sees: body text, button and option labels, titles, placeholders."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") in ("submit", "button"):
            self.parts.append(attrs.get("value") or "")
        for name in ("title", "placeholder", "aria-label"):
            if attrs.get(name):
                self.parts.append(attrs[name])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html):
    parser = _Visible()
    parser.feed(html)
    return " ".join(parser.parts)


def data_words():
    """Every ASCII word stored in the project's tables: data, not messages."""
    words = set()
    for model in apps.get_models():
        # Permission names are data too: Django writes them in English when it migrates.
        if model._meta.app_label not in {
            "core", "traceability", "notices", "recalls", "sampling", "injury", "risk",
            "django_celery_beat", "auth",
        }:  # fmt: skip
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField))
        ]
        for row in model._default_manager.values_list(*fields):
            for value in row:
                words.update(WORD.findall(str(value)))
    return words


def english_words(text, allowed):
    found = set()
    for token in re.split(r"[\s,;:()\[\]{}“”\"/|→—]+", text):
        # Numbers, codes, addresses and masked secrets (a password hash's "HGEqVx******").
        if not token or re.search(r"[\d_@.*]", token) or token in allowed:
            continue
        found.update(w for w in WORD.findall(token) if w not in allowed and len(w) > 1)
    return found


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def site(client, demo):
    client.force_login(User.objects.get(username="admin"))
    return client


def admin_pages():
    """Index, each registered model's list, its newest object's page and its add page."""
    yield "/admin/"
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        yield base
        newest = model._default_manager.order_by("-pk").first()
        if newest is not None:
            yield f"{base}{newest.pk}/change/"
        yield f"{base}add/"


def test_every_admin_page_of_the_demo_speaks_chinese(site):
    allowed = CODES | data_words() | {u.username for u in User.objects.all()}
    offenders = {}
    for url in admin_pages():
        response = site.get(url, **CHINESE)
        if response.status_code == 403 or url.startswith(THIRD_PARTY):
            continue
        assert response.status_code == 200, url
        words = english_words(visible_text(response.content.decode()), allowed)
        if words:
            offenders[url] = sorted(words)
    assert offenders == {}


def test_every_transition_form_speaks_chinese(site):
    from recalls.states import recall_machine
    from sampling.states import sample_machine

    allowed = CODES | data_words()
    offenders = {}
    for machine, obj in (
        (sample_machine, Sample.objects.order_by("pk").first()),
        (recall_machine, Recall.objects.order_by("pk").first()),
    ):
        base = f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/transition/"
        for transition in machine.actions:
            response = site.get(f"{base}{transition.action}/", **CHINESE)
            if response.status_code == 302:  # runs without a form: nothing to read
                continue
            assert response.status_code == 200, transition.action
            words = english_words(visible_text(response.content.decode()), allowed)
            if words:
                offenders[f"{obj._meta.model_name}.{transition.action}"] = sorted(words)
    assert offenders == {}


def test_the_checker_finds_english_on_a_page():
    html = "<p>召回</p><button title='Approve'>批准</button><p>Recall 3 is in state draft</p>"
    assert english_words(visible_text(html), CODES) == {"Recall", "is", "in", "state", "draft"} | {
        "Approve"
    }


def test_a_sample_is_run_from_its_page_with_chinese_buttons_and_messages(site):
    sample = Sample.objects.filter(state="received").first()
    page = site.get(f"/admin/sampling/sample/{sample.pk}/change/", **CHINESE).content.decode()
    assert ">记录检验结果<" in page and ">作废<" in page
    assert 'class="state-history"' in page and "+0800" in page
    assert f"{sample.region} 北京市" in page
    form = site.get(f"/admin/sampling/sample/{sample.pk}/transition/void/", **CHINESE)
    text = visible_text(form.content.decode())
    assert "我确认：作废" in text
    response = site.post(
        f"/admin/sampling/sample/{sample.pk}/transition/void/",
        {"transition_form": "1", "reason": "封样破损", "confirm": "on"},
        follow=True,
        **CHINESE,
    )
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == [f"样品 {sample.sample_no}：作废已完成，当前状态：已作废。"]
    history = visible_text(response.content.decode())
    assert "作废" in history and "已收样 → 已作废" in history


def test_a_refused_recall_action_names_the_recall_by_its_number_in_chinese(site):
    recall = Recall.objects.filter(state="draft").first()
    response = site.post(
        "/admin/recalls/recall/",
        {"action": "approve", "_selected_action": [recall.pk]},
        follow=True,
        **CHINESE,
    )
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith(f"召回 {recall.recall_no} 处于“草稿”状态，不允许执行“批准”。")
    assert "approve" not in message and "draft" not in message


def test_times_on_a_page_and_in_its_history_are_the_same_local_time(site):
    sample = Sample.objects.order_by("pk").first()
    page = visible_text(
        site.get(f"/admin/sampling/sample/{sample.pk}/change/", **CHINESE).content.decode()
    )
    from django.utils import timezone

    created = timezone.localtime(sample.created_at).strftime("%Y-%m-%d %H:%M")
    assert page.count(created) >= 2, page  # the creation time, and the history's first row


def test_the_lists_mark_overdue_rows_and_filter_by_province_and_overdue(site):
    for url in ("/admin/sampling/sample/", "/admin/recalls/recall/", "/admin/core/alert/"):
        page = site.get(url, **CHINESE).content.decode()
        assert "?overdue=yes" in page, url
        assert "_province=11" in page, url
        assert "北京市" in page, url
    for url in ("/admin/sampling/sample/", "/admin/core/alert/"):
        overdue = site.get(url, {"overdue": "yes"}, **CHINESE).content.decode()
        assert 'class="overdue"' in overdue and "(已逾期)" in overdue, url


def test_the_demo_registers_the_periodic_tasks_and_raises_its_overdue_alerts(site):
    from django_celery_beat.models import PeriodicTask

    page = site.get("/admin/django_celery_beat/periodictask/", **CHINESE).content.decode()
    names = set(PeriodicTask.objects.values_list("name", flat=True))
    assert {"sweep_deadlines", "check_recall_progress"} <= names
    for name in names:
        assert name in page
    assert Alert.objects.filter(kind="deadline_overdue").exists()
