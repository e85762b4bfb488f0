"""The request examples the schema documents are bodies the API accepts (DESIGN.md §4).

Each chain is one test (its own transaction): it starts from a fresh install (users, a lab
and a sentinel hospital; ids numbered from 1, so the ids the examples name are those the
chain's earlier examples created) and sends every example of each of its operations exactly
as the schema documents it, expecting 2xx. An operation without a request body is sent none.
Time that must pass (an objection window) is set on the row, as the app's own tests do.
"""

import datetime as dt

import pytest
from django.apps import apps
from django.core.management.color import no_style
from django.db import connection
from django.utils import timezone

from core.choices import AlertKind, Role
from core.models import Alert
from notices.models import Notice
from recalls.models import Recall
from sampling.models import Sample
from tests.factories import LabFactory, SentinelSiteFactory, UserFactory

# The parties the examples name by USCC (registered by the parties/ examples).
PRODUCER, RETAILER = "91110105MA01KTPR8M", "91110105MA01RTLK3D"

V1 = "/api/v1/"
SAMPLES = V1 + "sampling/samples/"
SAMPLE = SAMPLES + "{id}/"
RECALLS = V1 + "recalls/"
RECALL = RECALLS + "{id}/"
NOTICES = V1 + "notices/"
NOTICE = NOTICES + "{id}/"
ACCIDENTS = V1 + "injury/accidents/"
ACCIDENT = ACCIDENTS + "{id}/"
ASSESSMENTS = V1 + "risk/assessments/"
ASSESSMENT = ASSESSMENTS + "{id}/"
TASKS = V1 + "sampling/tasks/"
TASK = TASKS + "{id}/"
ALERTS = V1 + "alerts/"
ALERT = ALERTS + "{id}/"
# The object a collection's {id} stands for in a chain (the last one it created).
SUBJECTS = {
    SAMPLES: "sample",
    RECALLS: "recall",
    NOTICES: "notice",
    ACCIDENTS: "accident",
    ASSESSMENTS: "assessment",
    TASKS: "task",
    ALERTS: "alert",
}


def _objection_window_passes(ids):
    """Sixteen days go by after the notification: the result is final."""
    Sample.objects.filter(pk=ids["sample"]).update(
        notified_at=timezone.now() - dt.timedelta(days=16)
    )


def _announced_before_the_reported_period(ids):
    """The recall was announced on 1 December, before the period the example reports."""
    announced = dt.datetime(2026, 12, 1, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    Recall.objects.filter(pk=ids["recall"]).update(announced_at=announced)


def _the_retailers_notice(ids):
    ids["notice"] = Notice.objects.get(party__uscc=RETAILER).pk


def _the_ordered_recall(ids):
    ids["recall"] = Recall.objects.get(kind="ordered").pk


def _the_nonconforming_result_alert(ids):
    ids["alert"] = Alert.objects.get(kind=AlertKind.NONCONFORMING_RESULT).pk


REGISTER_PARTIES = ("regulator", "post", V1 + "traceability/parties/", None)
FILE_TASK_AND_SAMPLE = [
    REGISTER_PARTIES,
    ("regulator", "post", TASKS, None),
    ("inspector", "post", SAMPLES, None),
]
TESTED_AND_NOTIFIED = [
    ("lab", "post", SAMPLE + "receive/", None),
    ("lab", "post", SAMPLE + "record_results/", None),
    ("lab", "post", SAMPLE + "issue_report/", None),
    ("regulator", "post", SAMPLE + "notify/", None),
]
A_LOT = [
    REGISTER_PARTIES,
    ("regulator", "post", V1 + "traceability/products/", None),
    ("regulator", "post", V1 + "traceability/lots/", None),
]
LOT_SHIPPED_AND_RECALLED = [
    *A_LOT,
    ("producer", "post", V1 + "traceability/events/", None),
    ("regulator", "post", RECALLS, None),
]

# Each chain: the object it ends with and its state (or None), and its steps (persona,
# method, path as the schema names it, what happens first). {id} is the chain's last object
# of that collection.
CHAINS = {
    "a non-conforming sample disposed of and closed": (
        ("sample", "closed"),
        [
            *FILE_TASK_AND_SAMPLE,
            *TESTED_AND_NOTIFIED,
            ("regulator", "post", ALERT + "acknowledge/", _the_nonconforming_result_alert),
            ("regulator", "post", ALERT + "resolve/", None),
            ("regulator", "post", SAMPLE + "dispose/", _objection_window_passes),
            ("producer", "post", RECALL + "objection/", _the_ordered_recall),
            ("regulator", "post", RECALL + "objection/review/", None),
            ("regulator", "post", SAMPLE + "close/", None),
        ],
    ),
    "an objection and the re-inspection": (
        ("sample", "reinspected"),
        [
            *FILE_TASK_AND_SAMPLE,
            *TESTED_AND_NOTIFIED,
            ("producer", "post", SAMPLE + "object/", None),
            ("lab", "post", SAMPLE + "record_reinspection/", None),
        ],
    ),
    "a sample handed over, then voided": (
        ("sample", "voided"),
        [
            *FILE_TASK_AND_SAMPLE,
            ("regulator", "post", SAMPLE + "set_handling_region/", None),
            ("regulator", "post", SAMPLE + "void/", None),
        ],
    ),
    "a shipped lot recalled to the end": (
        ("recall", "closed"),
        [
            *LOT_SHIPPED_AND_RECALLED,
            ("regulator", "patch", RECALL, None),
            ("regulator", "post", RECALL + "submit_plan/", None),
            ("regulator", "post", RECALL + "return_plan/", None),
            ("regulator", "post", RECALL + "submit_plan/", None),
            ("regulator", "post", RECALL + "approve/", None),
            ("regulator", "post", RECALL + "announce/", None),
            ("retailer", "post", NOTICE + "acknowledge/", _the_retailers_notice),
            ("retailer", "post", NOTICE + "complete/", None),
            ("producer", "post", RECALL + "progress/", _announced_before_the_reported_period),
            ("regulator", "post", RECALL + "complete/", None),
            ("regulator", "post", RECALL + "close/", None),
        ],
    ),
    "a recall terminated as a draft": (
        ("recall", "terminated"),
        [
            *LOT_SHIPPED_AND_RECALLED,
            ("regulator", "post", RECALL + "terminate/", None),
        ],
    ),
    "a city's task allocated to its districts and published": (
        ("task", "published"),
        [
            ("regulator", "post", TASKS, None),
            ("regulator", "post", TASK + "allocate/", None),
            ("regulator", "post", TASK + "publish/", None),
        ],
    ),
    "the demo inspector logs in": (None, [("anonymous", "post", V1 + "auth/token/", None)]),
    "complaints from the public and from the hotline": (
        None,
        [
            ("anonymous", "post", V1 + "public/complaints/", None),
            ("regulator", "post", V1 + "complaints/", None),
        ],
    ),
    "an injury seen at a sentinel hospital": (
        None,
        [("sentinel", "post", V1 + "injury/reports/", None)],
    ),
    "accidents reported, a car fire investigated and concluded": (
        ("accident", "concluded"),
        [
            ("regulator", "post", ACCIDENTS, None),
            ("regulator", "post", ACCIDENT + "full_report/", None),
            ("regulator", "post", ACCIDENT + "open_investigation/", None),
            ("regulator", "post", ACCIDENT + "conclude/", None),
        ],
    ),
    "a product's risk assessed and a recall decided": (
        ("assessment", "decided"),
        [
            *A_LOT,
            ("regulator", "post", ASSESSMENTS, None),
            ("regulator", "post", ASSESSMENT + "decide/", None),
        ],
    ),
}


@pytest.fixture
def fresh_install(db, api):
    """A new install after its operators added the users (the demo's inspector among them),
    the lab and the sentinel hospital: every id sequence starts again after the last row, at
    1 for the tables the chains fill (setval is not rolled back, which leaves the emptied
    tables' sequences low: harmless)."""
    models = [
        model
        for app in ("traceability", "notices", "recalls", "sampling", "injury", "risk")
        for model in apps.get_app_config(app).get_models()
    ]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
    lab = LabFactory(code="lab-bj-01", region="110000")
    hospital = SentinelSiteFactory(code="site-bj-hospital", region="110105", kind="hospital")
    users = {
        "regulator": UserFactory(role=Role.REGULATOR, region="110000"),
        # The demo's inspector, whose login the token endpoint's example shows.
        "inspector": UserFactory(
            username="inspector",
            role=Role.INSPECTOR,
            region="110105",
            password="inspector-demo-pass",
        ),
        "lab": UserFactory(role=Role.LAB, region="", lab=lab),
        "producer": UserFactory(role=Role.ENTERPRISE, region="", party_uscc=PRODUCER),
        "retailer": UserFactory(role=Role.ENTERPRISE, region="", party_uscc=RETAILER),
        "sentinel": UserFactory(role=Role.SENTINEL, region="", site=hospital),
    }
    return {"anonymous": api.as_(None)} | {
        persona: api.as_(user) for persona, user in users.items()
    }


def _url(path, ids):
    collection = next((c for c in SUBJECTS if path.startswith(c)), None)
    if "{id}" not in path:
        return path
    return path.replace("{id}", str(ids[SUBJECTS[collection]]))


def _schema(client):
    return client.get("/api/v1/schema/?format=json").json()


def _request(schema, method, path):
    return schema["paths"][path][method].get("requestBody")


def _examples(schema, method, path):
    content = (_request(schema, method, path) or {}).get("content", {})
    examples = content.get("application/json", {}).get("examples", {})
    return [example["value"] for example in examples.values()]


@pytest.mark.django_db
@pytest.mark.parametrize("chain", list(CHAINS))
def test_the_documented_examples_are_accepted_along_the_chain(client, fresh_install, chain):
    schema = _schema(client)
    subject, steps = CHAINS[chain]
    ids = {}
    for persona, method, path, first in steps:
        bodies = _examples(schema, method, path)
        if _request(schema, method, path) is None:
            bodies = [None]
        assert bodies, f"{method.upper()} {path} documents no example"
        if first is not None:
            first(ids)
        for body in bodies:
            send = getattr(fresh_install[persona], method)
            response = send(_url(path, ids), body, format="json")
            assert 200 <= response.status_code < 300, (path, body, response.json())
            if method == "post" and path in SUBJECTS:
                ids[SUBJECTS[path]] = response.json()["id"]
    if subject is not None:
        kind, final_state = subject
        url = next(path for path, name in SUBJECTS.items() if name == kind) + "{id}/"
        response = fresh_install["regulator"].get(_url(url, ids))
        assert response.json()["state"] == final_state


@pytest.mark.django_db
def test_every_documented_example_is_sent_by_a_chain(client):
    schema = _schema(client)
    documented = {
        (method, path)
        for path, item in schema["paths"].items()
        for method in item
        if method in ("post", "put", "patch") and _examples(schema, method, path)
    }
    sent = {(method, path) for _end, steps in CHAINS.values() for _p, method, path, _f in steps}
    assert documented - sent == set()
