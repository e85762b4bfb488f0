"""The trace and the token's user are prepared statements on PostgreSQL: planned once per
connection, not on every request (issue 16; core.db.fetchall_prepared)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def _prepared():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_a_trace_request_reuses_the_plans_of_the_trace_and_of_the_user(api, admin_user, chain):
    client = api.as_(admin_user)
    url = f"/api/v1/traceability/lots/{chain['flour'].id}/trace/?direction=forward"
    first = client.get(url)
    assert first.status_code == 200
    prepared = _prepared()
    assert sum("WITH RECURSIVE reach" in s for s in prepared) == 1
    assert sum('FROM "core_user"' in s for s in prepared) == 1
    again = client.get(url)
    assert again.json() == first.json()
    assert sorted(_prepared()) == sorted(prepared)  # the same statements, not new ones
