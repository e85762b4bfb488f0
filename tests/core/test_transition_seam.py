"""Every row of every machine is an endpoint documented by the row itself (DESIGN.md §4)."""

import pytest
import yaml
from django.core.management import call_command

from core.states import alert_machine
from injury.states import accident_machine
from recalls.states import recall_machine
from risk.states import assessment_machine
from sampling.states import sample_machine

MACHINES = {
    "/api/v1/sampling/samples/{id}/": sample_machine,
    "/api/v1/recalls/{id}/": recall_machine,
    "/api/v1/injury/accidents/{id}/": accident_machine,
    "/api/v1/risk/assessments/{id}/": assessment_machine,
    "/api/v1/alerts/{id}/": alert_machine,
}


@pytest.fixture(scope="module")
def schema(tmp_path_factory, django_db_blocker):
    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--file", str(path))
    return yaml.safe_load(path.read_text())


def test_each_row_is_an_endpoint_with_its_own_description_and_responses(schema):
    descriptions = []
    for prefix, machine in MACHINES.items():
        for transition in machine.actions:
            operation = schema["paths"][f"{prefix}{transition.action}/"]["post"]
            assert operation["description"] == transition.description
            assert {"200", "400", "403", "404", "409"} <= set(operation["responses"])
            assert ("requestBody" in operation) == (transition.payload is not None)
            descriptions.append(transition.description)
    assert len(set(descriptions)) == len(descriptions)


def test_internal_rows_have_no_endpoint(schema):
    assert "/api/v1/recalls/{id}/report_progress/" not in schema["paths"]
