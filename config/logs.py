"""Log lines for Levee: every line, structlog's and the standard library's alike, carries its
time in the service's zone with the offset (2026-11-30T10:38:02.123+08:00), the zone the API
speaks; and a request is logged once, when it finishes."""

import datetime as dt
import logging
from zoneinfo import ZoneInfo


def local_timestamper(zone):
    tz = ZoneInfo(zone)

    def add_timestamp(logger, method_name, event_dict):
        event_dict["timestamp"] = dt.datetime.now(tz).isoformat(timespec="milliseconds")
        return event_dict

    return add_timestamp


def drop_request_started(record):
    """django-structlog logs request_started and request_finished; the second carries all
    the first does plus the status, so the first only doubles the lines."""
    event = record.msg if isinstance(record.msg, dict) else {}
    return event.get("event") != "request_started"


def drop_hash_generator_chatter(record):
    """GS1's event hash generator logs every event it hashes, whole, at INFO on the root
    logger: a document without eventIDs would write each of its events into the logs."""
    return record.levelno >= logging.WARNING or "epcis_event_hash_generator" not in record.pathname
