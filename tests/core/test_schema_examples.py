"""The request examples the schema documents are bodies the API accepts (DESIGN.md §4).

Each chain is one test (its own transaction): it starts from a fresh state (the personas
and the parties the examples name, ids numbered from 1 as on a new install) and posts every
example of each of its operations, exactly as the schema documents it, expecting 2xx.
"""

import datetime as dt

import pytest
from django.apps import apps
from django.core.management.color import no_style
from django.db import connection
from django.utils import timezone

from core.choices import Role
from sampling.models import Sample
from tests.factories import LabFactory, PartyFactory, UserFactory

# The parties the examples name by USCC.
RETAILER, PRODUCER = "91110105MA01RTLK3D", "91110105MA01KTPR8M"

SAMPLES = "/api/v1/sampling/samples/"


def _schema(client):
    return client.get("/api/v1/schema/?format=json").json()


def _examples(schema, path):
    body = schema["paths"][path]["post"].get("requestBody", {})
    examples = body.get("content", {}).get("application/json", {}).get("examples", {})
    return [example["value"] for example in examples.values()]


def _pass_objection_window(sample_id):
    """Sixteen days go by after the notification: the result is final."""
    Sample.objects.filter(pk=sample_id).update(notified_at=timezone.now() - dt.timedelta(days=16))


# Each chain: its steps (persona, path, what happens before the step; {id} is the sample the
# chain created) and the state the sample ends in.
CHAINS = {
    "non-conforming result disposed of and closed": (
        "closed",
        [
            ("regulator", "/api/v1/sampling/tasks/", None),
            ("inspector", SAMPLES, None),
            ("lab", SAMPLES + "{id}/receive/", None),
            ("lab", SAMPLES + "{id}/record_results/", None),
            ("lab", SAMPLES + "{id}/issue_report/", None),
            ("regulator", SAMPLES + "{id}/notify/", None),
            ("regulator", SAMPLES + "{id}/dispose/", _pass_objection_window),
            ("regulator", SAMPLES + "{id}/close/", None),
        ],
    ),
    "objection and re-inspection": (
        "reinspected",
        [
            ("regulator", "/api/v1/sampling/tasks/", None),
            ("inspector", SAMPLES, None),
            ("lab", SAMPLES + "{id}/receive/", None),
            ("lab", SAMPLES + "{id}/record_results/", None),
            ("lab", SAMPLES + "{id}/issue_report/", None),
            ("regulator", SAMPLES + "{id}/notify/", None),
            ("producer", SAMPLES + "{id}/object/", None),
            ("lab", SAMPLES + "{id}/record_reinspection/", None),
        ],
    ),
    "handed over, then voided": (
        "voided",
        [
            ("regulator", "/api/v1/sampling/tasks/", None),
            ("inspector", SAMPLES, None),
            ("regulator", SAMPLES + "{id}/set_handling_region/", None),
            ("regulator", SAMPLES + "{id}/void/", None),
        ],
    ),
}


@pytest.fixture
def fresh_state(db, api):
    """What a new install has after its operators are added: the users, the lab and the
    parties the examples name, and every id sequence starting again after the last row (at
    1 for the tables the chain fills)."""
    models = [
        m
        for name in ("sampling", "traceability", "recalls")
        for m in apps.get_app_config(name).get_models()
    ]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
    lab = LabFactory(code="lab-bj-01", region="110000")
    retailer = PartyFactory(uscc=RETAILER, region="110105", kind="retailer", name="朝阳某超市")
    PartyFactory(uscc=PRODUCER, region="110105", kind="producer", name="北京某电器有限公司")
    users = {
        "regulator": UserFactory(role=Role.REGULATOR, region="110000"),
        "inspector": UserFactory(role=Role.INSPECTOR, region="110105"),
        "lab": UserFactory(role=Role.LAB, region="", lab=lab),
        "producer": UserFactory(role=Role.ENTERPRISE, region="", party_uscc=PRODUCER),
        "retailer": UserFactory(role=Role.ENTERPRISE, region="", party_uscc=retailer.uscc),
    }
    return {persona: api.as_(user) for persona, user in users.items()}


@pytest.mark.django_db
@pytest.mark.parametrize("chain", list(CHAINS))
def test_the_documented_examples_are_accepted_along_the_chain(client, fresh_state, chain):
    schema = _schema(client)
    sample_id = None
    final_state, steps = CHAINS[chain]
    for persona, path, before in steps:
        examples = _examples(schema, path)
        assert examples, f"{path} documents no example"
        if before is not None:
            before(sample_id)
        for body in examples:
            response = fresh_state[persona].post(path.format(id=sample_id), body, format="json")
            assert 200 <= response.status_code < 300, (path, body, response.json())
            if path == SAMPLES:
                sample_id = response.json()["id"]
    assert response.json()["state"] == final_state


@pytest.mark.django_db
def test_every_documented_sampling_example_is_posted_by_a_chain(client):
    schema = _schema(client)
    documented = {
        path
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/sampling/") and "post" in item and _examples(schema, path)
    }
    posted = {path for _state, steps in CHAINS.values() for _persona, path, _before in steps}
    assert documented - posted == set()
