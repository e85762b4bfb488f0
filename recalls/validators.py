import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.regions import validate_region_code

_COUNTRY = re.compile(r"^[A-Z]{2}$")


def validate_sale_regions(value):
    """A list of GB/T 2260 region codes or ISO 3166 alpha-2 country codes (for exports)."""
    if not isinstance(value, list):
        raise ValidationError(_("Regions of sale are a list of codes."), code="invalid")
    for code in value:
        if isinstance(code, str) and _COUNTRY.match(code):
            continue
        try:
            validate_region_code(code)
        except ValidationError as exc:
            raise ValidationError(
                _(
                    "%(code)s: a region of sale is a 6-digit GB/T 2260 code or an ISO 3166 "
                    "country code (e.g. HK, VN)."
                )
                % {"code": repr(code)},
                code="invalid_region",
            ) from exc
