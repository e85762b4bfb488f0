import io
import json
import socket

import pytest
from django.core.management import CommandError, call_command

from core.models import Lab, SentinelSite, User


@pytest.mark.django_db
def test_healthz_and_readyz_without_auth(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] == "ok"


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db
def test_readyz_is_503_when_the_broker_is_down(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] != "ok"
    assert response.json()["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_add_user_creates_each_role_with_its_links():
    call_command(
        "add_user",
        "ins",
        "--role",
        "inspector",
        "--password",
        "pw-123456",
        "--region",
        "110105",
        stdout=io.StringIO(),
    )
    call_command(
        "add_user",
        "lab1",
        "--role",
        "lab",
        "--password",
        "pw-123456",
        "--lab",
        "lab-new",
        stdout=io.StringIO(),
    )
    call_command(
        "add_user",
        "site1",
        "--role",
        "sentinel",
        "--password",
        "pw-123456",
        "--site",
        "site-new",
        stdout=io.StringIO(),
    )
    assert User.objects.get(username="ins").region == "110105"
    assert User.objects.get(username="lab1").lab == Lab.objects.get(code="lab-new")
    assert User.objects.get(username="site1").site == SentinelSite.objects.get(code="site-new")
    assert User.objects.get(username="ins").check_password("pw-123456")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "regulator"], "region"),
        (["--role", "lab"], "lab"),
        (["--role", "sentinel"], "site"),
        (["--role", "enterprise"], "party"),
        (["--role", "enterprise", "--party", "91110105000000000X"], "没有统一社会信用代码"),
        (["--role", "regulator", "--region", "11-000"], "6 位 GB/T 2260"),
    ],
)
def test_add_user_refuses_a_role_without_its_link(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("add_user", "u", "--password", "pw-123456", *args)
    assert not User.objects.filter(username="u").exists()


@pytest.mark.django_db
def test_run_job_lists_and_runs_jobs():
    out = io.StringIO()
    call_command("run_job", "--list", stdout=out)
    assert "purge_idempotency_keys" in out.getvalue()
    out = io.StringIO()
    call_command("run_job", "purge_idempotency_keys", stdout=out)
    assert json.loads(out.getvalue()) == {"job": "purge_idempotency_keys", "deleted": 0}
    with pytest.raises(CommandError, match="未知的任务"):
        call_command("run_job", "no_such_job")


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_logins():
    first, second = io.StringIO(), io.StringIO()
    call_command("seed_demo", stdout=first)
    users = User.objects.count()
    call_command("seed_demo", stdout=second)
    assert User.objects.count() == users
    assert "admin / admin-demo-pass" in second.getvalue().splitlines()


@pytest.mark.django_db
def test_an_unknown_api_url_is_a_json_404(client):
    response = client.get("/api/v1/alerts/0.5/")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"
