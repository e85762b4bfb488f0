"""Schema fuzzing with schemathesis: every operation, as every demo role, through the real
Django stack. No input may produce a 5xx, and every response must match the schema.

`make test` runs a bounded number of examples per operation (FUZZ_EXAMPLES, default 8);
`make fuzz` runs many more.
"""

import io
import json
import os
import re

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from rest_framework_simplejwt.tokens import AccessToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from config.wsgi import application
from core.models import User

ROLES = ["admin", "regulator", "inspector", "lab", "enterprise", "sentinel"]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)


@pytest.fixture(scope="module")
def demo_tokens(django_db_setup, django_db_blocker):
    """The demo dataset, built once for this module in a transaction rolled back after it
    (a flush would also remove what data migrations seeded, which later tests rely on)."""
    # As Django's test client does: the in-process WSGI calls must not close the test's
    # database connection between requests.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        tokens = {
            user.role: str(AccessToken.for_user(user))
            for user in User.objects.filter(username__in=ROLES)
        }
        yield tokens
        transaction.set_rollback(True)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.slow
@pytest.mark.django_db
@schema.parametrize()
@schema.given(role=st.sampled_from(ROLES))
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    # The schema's own examples are sent by the test below (schemathesis runs them only in
    # a test without extra strategies such as the role).
    phases=[phase for phase in Phase if phase is not Phase.explicit],
)
def test_no_input_produces_a_server_error_or_an_undocumented_response(case, role, demo_tokens):
    # Each call in a savepoint of its own, as each request is a transaction of its own in
    # production: a statement the database refused (answered with a 400) must not abort
    # the test's transaction for the calls after it.
    with transaction.atomic():
        case.call_and_validate(
            headers={"Authorization": f"Bearer {demo_tokens[role]}"},
            checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
        )
        transaction.set_rollback(True)


WRONG_TYPES = [[], {"": {}}, -1, 1e308, True, None, "x" * 10_000]
HOSTILE_BODIES = ["[" * 50_000 + "]" * 50_000, "[" * 100_000, '{"a":' * 10_000]


def _json_writes():
    spec = schema.raw_schema
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {})
            if method in ("post", "put", "patch") and "application/json" in content:
                body_schema = content["application/json"].get("schema", {})
                if "$ref" in body_schema:
                    name = body_schema["$ref"].rsplit("/", 1)[1]
                    body_schema = spec["components"]["schemas"][name]
                yield method, path, sorted(body_schema.get("properties", {}))


@pytest.mark.slow
@pytest.mark.django_db
def test_deep_nesting_and_wrong_json_types_never_produce_a_server_error(demo_tokens):
    """Deterministic hostile bodies on every JSON write: nesting far past the limit as
    every role, and (as the admin, whom fewest checks stop early) each documented property
    given each wrong JSON type in turn."""
    from rest_framework.test import APIClient

    failures = []
    for role in ROLES:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {demo_tokens[role]}")
        for method, path, properties in _json_writes():
            url = re.sub(r"\{[^}]+\}", "1", path)
            bodies = list(HOSTILE_BODIES)
            if role == "admin":
                bodies += [json.dumps({p: wrong}) for p in properties for wrong in WRONG_TYPES]
            for body in bodies:
                with transaction.atomic():
                    response = getattr(client, method)(url, body, content_type="application/json")
                    transaction.set_rollback(True)
                if response.status_code >= 500:
                    failures.append((role, method, url, body[:80], response.status_code))
    assert failures == []
