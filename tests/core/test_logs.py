"""Log lines carry the service's zone (+08:00) as the API does, and a request is one line."""

import io
import json
import logging
import logging.config

import pytest
import structlog
from django.conf import settings


@pytest.fixture
def log_lines():
    # Another test's in-process Celery worker may have set up logging its own way.
    logging.config.dictConfig(settings.LOGGING)
    handler = next(
        h
        for h in logging.getLogger().handlers
        if isinstance(h.formatter, structlog.stdlib.ProcessorFormatter)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    handler.setStream(previous)


def test_structlog_and_standard_library_lines_carry_the_offset(log_lines):
    structlog.get_logger("levee.test").info("structlog.event")
    logging.getLogger("levee.test").warning("a standard library record")
    lines = log_lines()
    assert [line["event"] for line in lines] == ["structlog.event", "a standard library record"]
    for line in lines:
        assert line["timestamp"].endswith("+08:00")
        assert line["level"] and line["logger"] == "levee.test"


@pytest.mark.django_db
def test_a_request_is_logged_once(client, log_lines):
    client.get("/api/v1/public/recalls/")
    events = [line["event"] for line in log_lines()]
    assert events == ["request_finished"]
