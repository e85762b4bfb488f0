"""Administrative division codes (GB/T 2260): six digits, province-city-district.

A region covers every code that shares its non-zero prefix: 110000 (a province) covers
110100 (a city in it) and 110105 (a district in that). 000000 is the national level and
covers every region.
"""

import re

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

NATIONAL = "000000"
_CODE = re.compile(r"^\d{6}$")
# Province-level codes in GB/T 2260 (plus Taiwan, Hong Kong and Macao).
PROVINCES = frozenset(
    (
        "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
        "50 51 52 53 54 61 62 63 64 65 71 81 82"
    ).split()
)


def validate_region_code(code):
    if not isinstance(code, str) or not _CODE.match(code):
        raise ValidationError(_("Region must be a 6-digit GB/T 2260 code."), code="invalid_region")
    if code == NATIONAL:
        return
    if code[:2] not in PROVINCES:
        raise ValidationError(
            _("“%(code)s” is not a province code.") % {"code": code[:2]}, code="invalid_region"
        )
    if code[2:4] == "00" and code[4:] != "00":
        raise ValidationError(_("A district code needs a city part."), code="invalid_region")


def region_prefix(code):
    """The non-zero prefix that every covered code starts with."""
    for length in (2, 4):
        if code[length:] == "0" * (6 - length):
            return code[:length] if code[:length] != "00" else ""
    return code


def covers(region, code):
    return bool(region) and bool(code) and code.startswith(region_prefix(region))


def ancestors(code):
    """The regions that cover `code`: itself, its city, its province and the nation."""
    if not code or code == NATIONAL:
        return [NATIONAL]
    chain = [code, code[:4] + "00", code[:2] + "0000", NATIONAL]
    return list(dict.fromkeys(c for c in chain if covers(c, code)))


def level_of(code):
    """The administrative level of a region code: national, provincial, municipal, county."""
    if code == NATIONAL:
        return "national"
    if code[2:] == "0000":
        return "provincial"
    if code[4:] == "00":
        return "municipal"
    return "county"


def region_q(path, region):
    """A filter matching rows whose region field at `path` lies within `region`."""
    prefix = region_prefix(region)
    if not prefix:
        return Q()
    return Q(**{f"{path}__startswith": prefix})


def province_of(code):
    return code[:2] + "0000"
