"""The admin and the API docs need their static files served by the app itself (WhiteNoise),
with DEBUG off as in production and in `make run`."""

import pytest
from django.core.management import call_command
from django.test import Client, override_settings


@pytest.fixture
def collected(tmp_path):
    with override_settings(STATIC_ROOT=str(tmp_path), DEBUG=False):
        call_command("collectstatic", "--noinput", verbosity=0)
        yield


@pytest.mark.parametrize(
    "path",
    [
        "/static/admin/css/base.css",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
    ],
)
def test_static_files_are_served_with_debug_off(collected, path):
    response = Client().get(path)
    assert response.status_code == 200
    assert b"".join(response.streaming_content)


def test_an_unknown_static_file_is_404(collected):
    assert Client().get("/static/admin/css/no-such-file.css").status_code == 404
