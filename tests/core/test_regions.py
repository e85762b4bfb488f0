import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from core.regions import covers, region_prefix, validate_region_code


def test_a_province_covers_its_cities_and_districts_but_not_its_neighbours():
    assert covers("110000", "110105")
    assert covers("110000", "110100")
    assert covers("110100", "110105")
    assert not covers("110000", "120101")
    assert not covers("110105", "110106")
    assert not covers("110100", "110200")


def test_the_national_level_covers_everything():
    assert region_prefix("000000") == ""
    assert covers("000000", "650102")


@pytest.mark.parametrize("code", ["11000", "1100000", "abcdef", "990000", "110005", ""])
def test_malformed_region_codes_are_rejected(code):
    with pytest.raises(ValidationError):
        validate_region_code(code)


@given(st.sampled_from(["11", "31", "44", "65"]), st.integers(1, 99), st.integers(1, 99))
def test_every_district_is_covered_by_its_city_and_province(province, city, district):
    code = f"{province}{city:02d}{district:02d}"
    assert covers(f"{province}0000", code)
    assert covers(f"{province}{city:02d}00", code)
    assert covers(code, code)
