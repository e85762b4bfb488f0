import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from rest_framework import relations, serializers

from core.api.schema import LeveeSchemaGenerator


@pytest.mark.django_db
def test_the_openapi_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
    assert (tmp_path / "s.yml").stat().st_size > 1000


@pytest.mark.django_db
def test_docs_are_served_without_a_cdn(client):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    assert b"cdn" not in page.content.lower()
    assert client.get("/api/v1/schema/").status_code == 200


def _schema(client):
    return client.get("/api/v1/schema/?format=json").json()


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


@pytest.mark.django_db
def test_every_operation_has_a_description_of_its_own(client):
    operations = dict(_operations(_schema(client)))
    missing = [name for name, op in operations.items() if not op.get("description", "").strip()]
    by_text = {}
    for name, op in operations.items():
        by_text.setdefault(op.get("description", "").strip(), []).append(name)
    shared = {text[:60]: names for text, names in by_text.items() if text and len(names) > 1}
    assert missing == []
    assert shared == {}


@pytest.mark.django_db
def test_the_history_description_stays_on_history(client):
    operations = dict(_operations(_schema(client)))
    history = operations["GET /api/v1/sampling/samples/{id}/history/"]["description"]
    assert "state changes" in history
    receive = operations["POST /api/v1/sampling/samples/{id}/receive/"]["description"]
    assert "state changes" not in receive


def _request_components(schema):
    """Every component a request body reaches, nested ones included."""
    components = schema["components"]["schemas"]
    found, todo = set(), []

    def refs(node):
        if isinstance(node, dict):
            if "$ref" in node:
                todo.append(node["$ref"].rsplit("/", 1)[-1])
            for value in node.values():
                refs(value)
        elif isinstance(node, list):
            for value in node:
                refs(value)

    for _name, operation in _operations(schema):
        refs(operation.get("requestBody", {}))
    while todo:
        name = todo.pop()
        if name not in found and name in components:
            found.add(name)
            refs(components[name])
    return {name: components[name] for name in found}


@pytest.mark.django_db
def test_every_request_field_says_what_it_is(client):
    undescribed = [
        f"{name}.{field}"
        for name, component in _request_components(_schema(client)).items()
        for field, spec in component.get("properties", {}).items()
        if not spec.get("readOnly") and not spec.get("description")
    ]
    assert undescribed == []


@pytest.mark.django_db
def test_the_sampled_party_is_documented_as_an_id_or_a_uscc(client):
    field = _schema(client)["components"]["schemas"]["SampleCreateRequest"]["properties"][
        "sampled_party"
    ]
    assert {option["type"] for option in field["oneOf"]} == {"integer", "string"}
    assert "USCC" in field["description"] and "id" in field["description"]


@pytest.mark.django_db
def test_the_token_endpoint_documents_401_and_an_example(client):
    operation = _schema(client)["paths"]["/api/v1/auth/token/"]["post"]
    assert "401" in operation["responses"]
    assert operation["requestBody"]["content"]["application/json"]["examples"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/auth/token/", {"username": "nobody", "password": "wrong-password"}),
        ("/api/v1/auth/token/refresh/", {"refresh": "not-a-token"}),
        ("/api/v1/auth/token/blacklist/", {"refresh": "not-a-token"}),
    ],
)
def test_each_token_endpoint_documents_the_401_it_answers(client, path, body):
    assert client.post(path, body, content_type="application/json").status_code == 401
    assert "401" in _schema(client)["paths"][path]["post"]["responses"]


@pytest.mark.django_db
def test_the_main_write_operations_carry_examples(client):
    paths = _schema(client)["paths"]
    for path in [
        "/api/v1/sampling/samples/",
        "/api/v1/sampling/tasks/",
        "/api/v1/traceability/events/",
        "/api/v1/recalls/",
        "/api/v1/injury/reports/",
        "/api/v1/injury/accidents/",
        "/api/v1/risk/assessments/",
    ]:
        assert paths[path]["post"]["requestBody"]["content"]["application/json"]["examples"], path


@pytest.mark.django_db
def test_documented_decimal_ranges_match_validation(client):
    """A decimal whose validation refuses negative numbers is not documented as taking one."""
    components = _schema(client)["components"]["schemas"]
    for component, field in [
        ("SampleCreateRequest", "quantity"),
        ("SampleCreateRequest", "price_paid"),
        ("RecallProgressRequest", "recovered"),
        ("SiteRequest", "weight"),
        ("AccidentRequest", "property_loss"),
        ("EventLineRequest", "quantity"),
    ]:
        spec = components[component]["properties"][field]
        assert not spec["pattern"].startswith("^-"), (component, field)
        assert spec["minimum"] >= 0, (component, field)


def _request_fields():
    """(component, field name, serializer field, documented spec) for every writable field
    of every request component, from the generator's own registry of what it mapped."""
    generator = LeveeSchemaGenerator()
    schema = generator.get_schema(request=None, public=True)
    requested = _request_components(schema)
    # The registry has no public iterator; its components carry the serializer they map.
    for component in generator.registry._components.values():
        if component.name not in requested or not isinstance(
            component.object, serializers.BaseSerializer
        ):
            continue
        properties = requested[component.name].get("properties", {})
        for name, field in component.object.fields.items():
            if name in properties and not field.read_only:
                yield component.name, name, field, properties[name]


@pytest.mark.django_db
def test_request_fields_say_which_ids_they_take_and_their_format():
    """A reference names what it takes (an id, or a code); a date and a time their format."""
    vague = []
    for component, name, field, spec in _request_fields():
        reference = getattr(field, "child_relation", field)
        if isinstance(reference, relations.SlugRelatedField):
            expected = reference.slug_field
        elif isinstance(reference, relations.RelatedField):
            expected = "id"
        elif spec.get("format") == "date":
            expected = "YYYY-MM-DD"
        elif spec.get("format") == "date-time":
            expected = "ISO 8601"
        else:
            continue
        if expected.lower() not in spec.get("description", "").lower().replace("ids", "id"):
            vague.append((component, name, expected))
    assert vague == []


def _accepts(field, value):
    try:
        field.run_validation(str(value))
    except serializers.ValidationError:
        return False
    return True


@pytest.mark.django_db
def test_every_decimal_request_field_documents_the_range_validation_accepts():
    """The documented minimum and maximum (and the pattern's digits) are where validation
    starts refusing, for every decimal a request takes."""
    checked = 0
    for component, name, field, spec in _request_fields():
        if not isinstance(field, serializers.DecimalField):
            continue
        where = (component, name)
        step = Decimal(1).scaleb(-field.decimal_places)
        whole = int(re.search(r"\\d\{0,(\d+)\}", spec["pattern"]).group(1))
        largest = Decimal(10) ** whole - step
        if field.max_value is not None:
            assert Decimal(str(spec["maximum"])) == field.max_value, where
            largest = min(largest, field.max_value)
        else:
            assert "maximum" not in spec, where
        assert _accepts(field, largest) and not _accepts(field, largest + step), where
        if field.min_value is None:
            assert spec["pattern"].startswith("^-?") and "minimum" not in spec, where
            continue
        assert Decimal(str(spec["minimum"])) == field.min_value, where
        assert spec["pattern"].startswith("^-?") == (field.min_value < 0), where
        assert _accepts(field, field.min_value), where
        assert not _accepts(field, field.min_value - step), where
        checked += 1
    assert checked >= 18


@pytest.mark.django_db
def test_the_schema_is_in_english_whatever_the_request_language(client):
    lots = client.get("/api/v1/schema/?format=json", HTTP_ACCEPT_LANGUAGE="zh-hans").json()[
        "paths"
    ]["/api/v1/traceability/lots/{id}/"]["get"]
    assert lots["parameters"][0]["description"] == "The id of the lot."
