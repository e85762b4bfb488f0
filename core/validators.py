from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

validate_category = RegexValidator(
    r"^[a-z0-9_]{2,64}$",
    _("A category is a slug of 2-64 lower-case letters, digits or underscores."),
    code="invalid_category",
)


def is_choice(value, choices):
    """Whether a decoded JSON value is one of `choices` (strings): a list, an object or a
    number is simply not one — never an unhashable-type error."""
    return isinstance(value, str) and value in choices


EARLIEST_YEAR, LATEST_YEAR = 1900, 2100


def validate_year_in_range(value):
    """Dates and times between 1900 and 2100 (DESIGN.md §4): outside them a date is a typo,
    and date arithmetic near year 1 or 9999 would overflow."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(
            _("Give a date between %(earliest)d and %(latest)d.")
            % {"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
            code="out_of_range",
        )
