"""The access matrix (DESIGN.md §3): every operation of the OpenAPI schema, as every role and
as an anonymous caller, on an object in the caller's scope ("mine") and one outside it
("theirs": Shanghai instead of Beijing, the other lab, party and site).

One table, MATRIX, keyed by "METHOD /path/template/" (under /api/v1), says what each cell
must answer; an operation of the schema without a row
fails `test_every_schema_operation_has_a_row`. Columns: admin, regulator, inspector, lab,
enterprise, sentinel and (optional, default 401) anonymous. A cell is one outcome for both
sides, or `mine|theirs`. Outcomes:

- `ok`     the role and scope gates let the request through: 200/201/204, or 400/409/422 when
           the (deliberately empty) body or the object's state is refused. On a list: 200,
           "mine" is listed and "theirs" is not.
- `all`    a list shows both sides (admins, public data).
- `empty`  a list answers 200 and shows neither side (a role with nothing to see there).
- `401`, `403`, `404`  exactly that status (404: the object is hidden, out of scope).

Each cell runs inside a savepoint that is rolled back, so writes never change the world the
next cell sees.
"""

import datetime as dt
import re

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from tests.conftest import Api
from tests.factories import make_uscc
from tests.injury.conftest import REPORT

from .access_world import ROLES, build_world

# fmt: off
MATRIX = {
    #                                                  adm regula inspec lab    enterp sentin ano
    # alerts: regulators of the alert's region; subscriptions and deliveries: admins only
    "GET /alerts/":                                     "all ok     403    403    403    403",
    "GET /alerts/{id}/":                                "ok  ok|404 403    403    403    403",
    "POST /alerts/{id}/acknowledge/":                   "ok  ok|404 403    403    403    403",
    "GET /alerts/{id}/history/":                        "ok  ok|404 403    403    403    403",
    "POST /alerts/{id}/resolve/":                       "ok  ok|404 403    403    403    403",
    "GET /alerts/deliveries/":                          "all 403    403    403    403    403",
    "GET /alerts/deliveries/{id}/":                     "ok  403    403    403    403    403",
    "POST /alerts/deliveries/{id}/retry/":              "ok  403    403    403    403    403",
    "GET /alerts/subscriptions/":                       "all 403    403    403    403    403",
    "POST /alerts/subscriptions/":                      "ok  403    403    403    403    403",
    "GET /alerts/subscriptions/{id}/":                  "ok  403    403    403    403    403",
    "PATCH /alerts/subscriptions/{id}/":                "ok  403    403    403    403    403",
    "DELETE /alerts/subscriptions/{id}/":               "ok  403    403    403    403    403",
    # complaints: regulators file and read their region's; anyone files publicly
    "GET /complaints/":                                 "all ok     403    403    403    403",
    "POST /complaints/":                                "ok  ok     403    403    403    403",
    "GET /complaints/{id}/":                            "ok  ok|404 403    403    403    403",
    "POST /public/complaints/":                         "ok  ok     ok     ok     ok     ok     ok",
    "GET /public/complaints/stats/":                   "all all    all    all    all    all    all",
    # injury: sites and reports for regulators (region) and sentinels (own site)
    "GET /injury/sites/":                               "all ok     403    403    403    ok",
    "POST /injury/sites/":                              "ok  403    403    403    403    403",
    "GET /injury/sites/{id}/":                          "ok  ok|404 403    403    403    ok|404",
    "PATCH /injury/sites/{id}/":                        "ok  403    403    403    403    403",
    "GET /injury/reports/":                             "all ok     403    403    403    ok",
    "POST /injury/reports/":                            "ok  403    403    403    403    ok",
    "GET /injury/reports/{id}/":                        "ok  ok|404 403    403    403    ok|404",
    "GET /injury/estimates/":                           "all ok     403    403    403    403",
    # accident categories are reference data every role reads; admins edit them
    "GET /injury/accident-categories/":                 "all all    all    all    all    all",
    "POST /injury/accident-categories/":                "ok  403    403    403    403    403",
    "GET /injury/accident-categories/{id}/":            "ok  ok     ok     ok     ok     ok",
    "PATCH /injury/accident-categories/{id}/":          "ok  403    403    403    403    403",
    # accidents: regulators (region), the producer's enterprise, the sentinel hospital
    "GET /injury/accidents/":                           "all ok     403    403    ok     ok",
    "POST /injury/accidents/":                          "ok  ok     403    403    ok     ok",
    "GET /injury/accidents/{id}/":                      "ok  ok|404 403    403    ok|404 ok|404",
    "GET /injury/accidents/{id}/history/":              "ok  ok|404 403    403    ok|404 ok|404",
    "POST /injury/accidents/{id}/full_report/":         "ok  ok|404 403    403    ok|404 ok|404",
    "POST /injury/accidents/{id}/open_investigation/":  "ok  ok|404 403    403    403    403",
    "POST /injury/accidents/{id}/conclude/":            "ok  ok|404 403    403    403    403",
    # public recall notices: no auth, both sides are announced
    "GET /public/recalls/":                            "all all    all    all    all    all    all",
    "GET /public/recalls/{id}/":                        "ok  ok     ok     ok     ok     ok     ok",
    # published spot-check results: no auth; "mine" is published, "theirs" is not
    "GET /public/spot-checks/":                        "ok  ok     ok     ok     ok     ok     ok",
    "GET /public/spot-checks/{code}/":                  "ok|404 ok|404 ok|404 ok|404 ok|404 ok|404 ok|404",  # noqa: E501
    # the product lookup: anyone; the query names "mine"'s product, whose recall it shows
    "GET /public/lookup/":                              "ok  ok     ok     ok     ok     ok     ok",
    # recalls: regulators (producer's region) and the producer's enterprise users
    "GET /recalls/":                                    "all ok     403    403    ok     403",
    "POST /recalls/":                                   "ok  ok     403    403    ok     403",
    "GET /recalls/{id}/":                               "ok  ok|404 403    403    ok|404 403",
    "PATCH /recalls/{id}/":                             "ok  ok|404 403    403    ok|404 403",
    "GET /recalls/{id}/affected-parties/":              "ok  ok|404 403    403    ok|404 403",
    "GET /recalls/{id}/history/":                       "ok  ok|404 403    403    ok|404 403",
    "GET /recalls/{id}/progress/":                      "ok  ok|404 403    403    ok|404 403",
    "POST /recalls/{id}/progress/":                     "ok  403    403    403    ok|404 403",
    "GET /recalls/{id}/objection/":                     "ok  ok|404 403    403    ok|404 403",
    "POST /recalls/{id}/objection/":                    "ok  403    403    403    ok|404 403",
    "POST /recalls/{id}/objection/review/":             "ok  ok|404 403    403    403    403",
    "POST /recalls/{id}/submit_plan/":                  "ok  ok|404 403    403    403    403",
    "POST /recalls/{id}/return_plan/":                  "ok  ok|404 403    403    403    403",
    "POST /recalls/{id}/approve/":                      "ok  ok|404 403    403    403    403",
    "POST /recalls/{id}/announce/":                     "ok  ok|404 403    403    403    403",
    "POST /recalls/{id}/complete/":                     "ok  ok|404 403    403    403    403",
    "POST /recalls/{id}/close/":                        "ok  ok|404 403    403    403    403",
    "POST /recalls/{id}/terminate/":                    "ok  ok|404 403    403    403    403",
    # risk assessments: regulators of the region
    "GET /risk/assessments/":                           "all ok     403    403    403    403",
    "POST /risk/assessments/":                          "ok  ok     403    403    403    403",
    "GET /risk/assessments/{id}/":                      "ok  ok|404 403    403    403    403",
    "GET /risk/assessments/{id}/history/":              "ok  ok|404 403    403    403    403",
    "POST /risk/assessments/{id}/decide/":              "ok  ok|404 403    403    403    403",
    "GET /risk/task-suggestions/":                      "all ok     403    403    403    403",
    # sampling: tasks for regulators, inspectors (region) and the assigned lab
    "GET /sampling/tasks/":                             "all ok     ok     ok     403    403",
    "POST /sampling/tasks/":                            "ok  ok     403    403    403    403",
    "GET /sampling/tasks/{id}/":                        "ok  ok|404 ok|404 ok|404 403    403",
    "GET /sampling/tasks/{id}/history/":                "ok  ok|404 ok|404 ok|404 403    403",
    "POST /sampling/tasks/{id}/allocate/":              "ok  ok|404 403    403    403    403",
    "POST /sampling/tasks/{id}/publish/":               "ok  ok|404 403    403    403    403",
    # samples: also the sampled party's and the producer's enterprise users
    "GET /sampling/samples/":                           "all ok     ok     ok     ok     403",
    "POST /sampling/samples/":                          "ok  403    ok     403    403    403",
    "GET /sampling/samples/stats/":                     "all ok     ok     ok     ok     403",
    "GET /sampling/samples/{id}/":                      "ok  ok|404 ok|404 ok|404 ok|404 403",
    "GET /sampling/samples/{id}/history/":              "ok  ok|404 ok|404 ok|404 ok|404 403",
    "POST /sampling/samples/{id}/receive/":             "ok  403    403    ok|404 403    403",
    "POST /sampling/samples/{id}/record_results/":      "ok  403    ok|404 ok|404 403    403",
    "POST /sampling/samples/{id}/issue_report/":        "ok  403    ok|404 ok|404 403    403",
    "POST /sampling/samples/{id}/notify/":              "ok  ok|404 403    403    403    403",
    "POST /sampling/samples/{id}/object/":              "ok  403    403    403    ok|404 403",
    "POST /sampling/samples/{id}/record_reinspection/": "ok  403    403    ok|404 403    403",
    "POST /sampling/samples/{id}/dispose/":             "ok  ok|404 403    403    403    403",
    "POST /sampling/samples/{id}/close/":               "ok  ok|404 403    403    403    403",
    "POST /sampling/samples/{id}/void/":                "ok  ok|404 ok|404 403    403    403",
    "POST /sampling/samples/{id}/set_handling_region/": "ok  ok|404 403    403    403    403",
    # traceability master data: regulators and inspectors (region), enterprises (own party);
    # labs and sentinels have no business there and see nothing
    "GET /traceability/parties/":                       "all ok     ok     empty  ok     empty",
    "POST /traceability/parties/":                      "ok  ok     403    403    403    403",
    "GET /traceability/parties/{id}/":                  "ok  ok|404 ok|404 404    ok|404 404",
    "PATCH /traceability/parties/{id}/":                "ok  ok|404 403    403    403    403",
    "GET /traceability/products/":                      "all ok     ok     empty  ok     empty",
    "POST /traceability/products/":                     "ok  ok     403    403    ok     403",
    "GET /traceability/products/{id}/":                 "ok  ok|404 ok|404 404    ok|404 404",
    "PATCH /traceability/products/{id}/":               "ok  ok|404 403    403    ok|404 403",
    "GET /traceability/lots/":                          "all ok     ok     empty  ok     empty",
    "POST /traceability/lots/":                         "ok  ok     403    403    ok     403",
    "GET /traceability/lots/{id}/":                     "ok  ok|404 ok|404 404    ok|404 404",
    "PATCH /traceability/lots/{id}/":                   "ok  ok|404 403    403    ok|404 403",
    "GET /traceability/lots/{id}/trace/":               "ok  ok|404 403    403    ok|404 403",
    "GET /traceability/lots/{id}/history/":             "ok  ok|404 ok|404 404    ok|404 404",
    "POST /traceability/lots/{id}/correct/":            "ok  ok|404 403    403    ok|404 403",
    "GET /traceability/events/":                        "all ok     ok     empty  ok     empty",
    "POST /traceability/events/":                       "ok  ok     403    403    ok     403",
    "GET /traceability/events/{id}/":                   "ok  ok|404 ok|404 404    ok|404 404",
    "GET /traceability/events/{id}/history/":           "ok  ok|404 ok|404 404    ok|404 404",
    "POST /traceability/events/{id}/retract/":          "ok  ok|404 403    403    ok|404 403",
    "POST /traceability/events/bulk/":                  "ok  ok     403    403    ok     403",
    "POST /traceability/epcis/capture/":                "ok  ok     403    403    ok     403",
    "GET /traceability/epcis/events/":                  "all ok     ok     empty  ok     empty",
}
# fmt: on

API = "/api/v1"
# Not part of the matrix: token endpoints take credentials, schema and docs are public.
UNGATED = re.compile(r"^(GET|POST) /(auth/token/.*|schema/|docs/)$")

# The world object each path addresses with {id}, by path prefix (longest first).
OBJECT_OF = {
    "/alerts/deliveries/": "delivery",
    "/alerts/subscriptions/": "subscription",
    "/alerts/": "alert",
    "/complaints/": "complaint",
    "/injury/accident-categories/": "category",
    "/injury/accidents/": "accident",
    "/injury/reports/": "report",
    "/injury/sites/": "site",
    "/public/recalls/": "recall",
    "/public/spot-checks/": "public_task",
    "/recalls/": "recall",
    "/risk/assessments/": "assessment",
    "/sampling/samples/": "sample",
    "/sampling/tasks/": "task",
    "/traceability/events/": "event",
    "/traceability/lots/": "lot",
    "/traceability/parties/": "party",
    "/traceability/products/": "product",
}


def object_of(path):
    return next(name for prefix, name in OBJECT_OF.items() if path.startswith(prefix))


def _ids(body):
    return {row["id"] for row in body["results"]}


def _pk_of(name):
    return lambda side: side[name].pk


# How to tell which side's object a list shows: (query, what it lists, marker of a side's
# object). Every list a role may read is checked this way.
LISTS = {
    "GET /public/lookup/": (
        lambda world: {"gtin": world.mine["product"].gtin},
        lambda body: {row["reference"] for row in body["results"]},
        lambda side: side["recall"].recall_no,
    ),
    "GET /public/complaints/stats/": (
        {"group_by": "category"},
        lambda body: {row["group"] for row in body["results"]},
        lambda side: side["complaint"].category,
    ),
    "GET /risk/task-suggestions/": (
        {},
        lambda body: {row["product"] for row in body["results"]},
        lambda side: side["product"].pk,
    ),
    "GET /injury/estimates/": (
        {"group_by": "region"},
        lambda body: {str(row["group"])[:2] for row in body["results"]},
        lambda side: side["site"].region[:2],
    ),
    "GET /public/spot-checks/": (
        {},
        lambda body: {row["code"] for row in body["results"]},
        lambda side: side["public_task"].code,
    ),
    "GET /sampling/samples/stats/": (
        {"group_by": "producer"},
        lambda body: {row["uscc"] for row in body},
        lambda side: side["party"].uscc,
    ),
    "GET /traceability/epcis/events/": (
        {},
        lambda body: {event["eventID"] for event in body["epcisBody"]["eventList"]},
        lambda side: side["event"].event_id,
    ),
}
for _key in MATRIX:
    _method, _path = _key.split()
    if _method == "GET" and "{" not in _path and _key not in LISTS:
        LISTS[_key] = ({}, _ids, _pk_of(object_of(_path)))

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
GATE_PASSED = {200, 201, 204, 400, 409, 422}
DENIALS = {"401", "403", "404"}


def expectations(key):
    """{role or 'anon': (mine, theirs)} from the table's row."""
    cells = MATRIX[key].split()
    cells += ["401"] * (len(ROLES) + 1 - len(cells))
    result = {}
    for role, cell in zip((*ROLES, "anon"), cells, strict=True):
        mine, _, theirs = cell.partition("|")
        result[role] = (mine, theirs or mine)
    return result


def _cells():
    for key in MATRIX:
        detail = "{id}" in key or "{code}" in key
        for role, (mine, theirs) in expectations(key).items():
            if not detail:
                yield key, role, "both", mine
            elif role == "anon":
                yield key, role, "mine", mine
            else:
                yield key, role, "mine", mine
                yield key, role, "theirs", theirs


# Cells known to fail, with the reason; strict, so a fix makes them fail until removed here.
KNOWN: dict[tuple[str, str, str], str] = {}


def _param(key, role, side, expected):
    reason = KNOWN.get((key, role, side))
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(key, role, side, expected, id=f"{key}-{role}-{side}", marks=marks)


CELLS = [_param(*cell) for cell in _cells()]


def schema_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        f"{method.upper()} {path.removeprefix(API)}"
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }


def test_every_schema_operation_has_a_row():
    operations = {op for op in schema_operations() if not UNGATED.match(op)}
    assert operations - MATRIX.keys() == set(), "operations without a row in MATRIX"
    assert MATRIX.keys() - operations == set(), "rows for operations the schema lacks"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The world, built once in a transaction rolled back after the module."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHER),
        transaction.atomic(),
    ):
        yield build_world()
        transaction.set_rollback(True)


def _request(world, key, role, side):
    method, path = key.split()
    user = None if role == "anon" else world.users[role]
    client = Api().as_(user)
    if "{id}" in path:
        path = path.replace("{id}", str(world.side(side)[object_of(path)].pk))
    if "{code}" in path:
        path = path.replace("{code}", world.side(side)[object_of(path)].code)
    path = API + path
    query = LISTS[key][0] if key in LISTS else {}
    if callable(query):
        query = query(world)
    if method == "GET":
        return client.get(path, query)
    if method == "DELETE":
        return client.delete(path)
    return getattr(client, method.lower())(path, {}, format="json")


def judge(key, expected, response, world):
    """None when the response matches the expected outcome, else what went wrong."""
    code = response.status_code
    if expected in DENIALS:
        return None if code == int(expected) else f"expected {expected}, got {code}"
    if key not in LISTS:
        return None if code in GATE_PASSED else f"expected {expected}, got {code}"
    if code != 200:
        return f"expected {expected} (a 200 list), got {code}"
    _, listed, marker = LISTS[key]
    shown = listed(response.json())
    seen = {side: marker(world.side(side)) in shown for side in ("mine", "theirs")}
    wanted = {
        "ok": {"mine": True, "theirs": False},
        "all": {"mine": True, "theirs": True},
        "empty": {"mine": False, "theirs": False},
    }[expected]
    if seen == wanted:
        return None
    return f"expected {expected}: listed {seen}, wanted {wanted}"


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "role", "side", "expected"), CELLS)
def test_access(world, key, role, side, expected):
    try:
        with transaction.atomic():
            response = _request(world, key, role, side)
            transaction.set_rollback(True)
    except Exception as exc:  # a 500: the test client re-raises the view's exception
        pytest.fail(f"{key} as {role} on {side}: expected {expected}, got {exc!r}")
    problem = judge(key, expected, response, world)
    if problem and expected in DENIALS and response.status_code in GATE_PASSED:
        problem = f"LEAK: {problem}"
    body = response.content[:300].decode(errors="replace")
    assert problem is None, f"{key} as {role} on {side}: {problem}; {body}"


# Creating endpoints: a valid body about "mine" must be accepted (proving the body is good),
# and the same body about "theirs" refused (400/403/404/422), for every role besides admin
# whose gate lets it create. A body builder may return None where a side means nothing.
def _now():
    return timezone.now() - dt.timedelta(hours=1)


def _product(world, side, role):
    s = world.side(side)
    return {
        "name": "Matrix kettle",
        "brand": "Acme",
        "model": f"MX-{side}",
        "category": "toy",
        "producer": s["party"].id,
    }


def _lot(world, side, role):
    return {
        "product": world.side(side)["product"].id,
        "lot_code": f"MX-{side}",
        "produced_on": str(timezone.localdate() - dt.timedelta(days=3)),
        "quantity": "10",
        "unit": "pcs",
    }


def _event(world, side, role):
    s = world.side(side)
    return {
        "event_id": f"matrix-new-{side}",
        "kind": "commission",
        "occurred_at": _now().isoformat(),
        "party": str(s["party"].id),
        "lots": [{"lot": s["lot"].id, "quantity": "5"}],
    }


def _party(world, side, role):
    region = world.side(side)["party"].region
    return {
        "uscc": make_uscc(region, 987654),
        "name": f"Matrix party {side}",
        "kind": "retailer",
        "region": region,
        "address": "Somewhere",
    }


def _task(world, side, role):
    task = world.side(side)["task"]
    return {
        "code": f"matrix-new-{side}",
        "title": "Matrix task",
        "level": "municipal",
        "region": task.region,
        "category": "toy",
        "mode": "standard",
        "lab": task.lab.code,
        "starts_on": str(timezone.localdate()),
        "ends_on": str(timezone.localdate() + dt.timedelta(days=30)),
    }


def _sample(world, side, role):
    s = world.side(side)
    return {
        "task": s["task"].id,
        "sampled_party": s["retailer"].id,
        "producer": s["party"].id,
        # A new product: the one in the world was sampled already (the 6-month rule).
        "product_name": "电热水壶",
        "brand": "Acme",
        "model": f"MX-{side}",
        "lot_code": "MX-1",
        "location_kind": "retail",
        "quantity": "4",
        "backup_quantity": "4",
        "sampled_at": _now().isoformat(),
        "inspectors": ["张三 0101", "李四 0102"],
        "seal_intact": True,
    }


def _recall(world, side, role):
    s = world.side(side)
    return {"producer": s["party"].id, "lots": [s["lot"].id], "kind": "voluntary"}


def _assessment(world, side, role):
    return {
        "subject_kind": "lot",
        "lot": world.side(side)["lot"].id,
        "hazard": "Burns from a hot surface",
        "steps": [{"description": "The thermostat fails", "probability": 0.1}],
        "severity": 2,
    }


def _accident(world, side, role):
    s = world.side(side)
    body = {
        "category": s["accident"].category_id,
        "occurred_at": _now().isoformat(),
        "description": "A kettle caught fire.",
    }
    if role == "regulator":
        return {**body, "region": s["task"].region}
    if role == "enterprise":
        return {**body, "product": s["product"].id}
    # A sentinel hospital files for its own site wherever the accident happened.
    return body if side == "mine" else None


def _complaint(world, side, role):
    return {
        "channel": "hotline_12315",
        "region": world.side(side)["party"].region,
        "category": "toy",
        "product_name": "Matrix toy",
        "problem": ["choking"],
    }


def _report(world, side, role):
    return {**REPORT, "site": world.side(side)["site"].code}


CREATES = {
    "POST /traceability/parties/": _party,
    "POST /traceability/products/": _product,
    "POST /traceability/lots/": _lot,
    "POST /traceability/events/": _event,
    "POST /traceability/events/bulk/": lambda w, side, role: {"events": [_event(w, side, role)]},
    "POST /sampling/tasks/": _task,
    "POST /sampling/samples/": _sample,
    "POST /recalls/": _recall,
    "POST /risk/assessments/": _assessment,
    "POST /injury/accidents/": _accident,
    "POST /injury/reports/": _report,
    "POST /complaints/": _complaint,
}
# Creating endpoints without a scoped reference in the body, or checked elsewhere: the
# EPCIS capture maps onto the same service as events/bulk/; anyone files a complaint.
UNSCOPED_CREATES = {"POST /traceability/epcis/capture/", "POST /public/complaints/"}


def _creators(key):
    return [
        role for role, (mine, _) in expectations(key).items() if role != "admin" and mine == "ok"
    ]


def test_every_creating_operation_is_checked_with_bodies():
    creating = {
        key for key in MATRIX if key.startswith("POST ") and "{id}" not in key and _creators(key)
    }
    assert creating - UNSCOPED_CREATES == CREATES.keys()


CREATE_CELLS = [
    pytest.param(key, role, side, id=f"{key}-{role}-{side}")
    for key in CREATES
    for role in _creators(key)
    for side in ("mine", "theirs")
]


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "role", "side"), CREATE_CELLS)
def test_create(world, key, role, side):
    body = CREATES[key](world, side, role)
    if body is None:
        pytest.skip("no out-of-scope body for this role")
    client = Api().as_(world.users[role])
    try:
        with transaction.atomic():
            response = client.post(API + key.split()[1], body, format="json")
            transaction.set_rollback(True)
    except Exception as exc:  # a 500: the test client re-raises the view's exception
        pytest.fail(f"{key} as {role} about {side}: got {exc!r}")
    code, text = response.status_code, response.content[:300].decode(errors="replace")
    if side == "mine":
        assert code in (200, 201), f"{key} as {role} about mine: expected 201, got {code}; {text}"
    else:
        assert code in (400, 403, 404, 422), (
            f"{key} as {role} about theirs: "
            f"{'LEAK: ' if code < 300 else ''}expected a refusal, got {code}; {text}"
        )
