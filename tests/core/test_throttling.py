"""The anonymous rate limit of the public reads (DESIGN.md §4): 120 requests a minute per
address, counted in Redis in one round trip, and in the database while Redis is down."""

import secrets
import socket

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from rest_framework.test import APIClient
from stdnum import ean

from core import cache as fallback_cache

LOOKUP = "/api/v1/public/lookup/"
UNKNOWN = "690999999999" + ean.calc_check_digit("690999999999")
LIMIT = 120  # settings: "anon": "120/min"


def _address():
    return f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ask(client, address):
    return client.get(LOOKUP, {"gtin": UNKNOWN}, REMOTE_ADDR=address)


def _assert_the_limit_holds():
    client, address = APIClient(), _address()
    for _ in range(LIMIT):
        assert _ask(client, address).status_code == 200
    refused = _ask(client, address)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert _ask(client, _address()).status_code == 200  # another address is not held back
    return address


@pytest.mark.django_db
def test_the_public_lookup_refuses_the_121st_request_in_a_minute_from_one_address():
    assert django_settings.REDIS_URL, "this test is about the Redis window"
    address = _assert_the_limit_holds()
    # The window is Redis's sorted set of the allowed requests' times (refused ones not).
    redis = caches["redis"]
    key = redis.make_and_validate_key(f"throttle_window_anon_{address}")
    assert redis._cache.get_client(key).zcard(key) == LIMIT


@pytest.mark.django_db
def test_with_redis_down_the_limit_is_counted_in_the_database(settings):
    settings.CACHES = {
        **settings.CACHES,
        "redis": {
            **settings.CACHES["redis"],
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
        },
    }
    try:
        _assert_the_limit_holds()
        assert fallback_cache._primary_down_until.get("redis")
    finally:
        fallback_cache._primary_down_until.pop("redis", None)
        caches["redis"].close()
