"""Schema fuzzing with schemathesis: every operation, as every demo role, through the real
Django stack. No input may produce a 5xx, and every response must match the schema.

`make test` runs a bounded number of examples per operation (FUZZ_EXAMPLES, default 8);
`make fuzz` runs many more.
"""

import io
import os

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


@pytest.mark.slow
@pytest.mark.django_db
@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), phases=[Phase.explicit])
def test_the_schemas_examples_are_answered_as_documented(case, demo_tokens):
    """The request examples of the schema, sent as an admin: documented answers, no 5xx."""
    with transaction.atomic():
        case.call_and_validate(
            headers={"Authorization": f"Bearer {demo_tokens['admin']}"},
            checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
        )
        transaction.set_rollback(True)
