from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

validate_category = RegexValidator(
    r"^[a-z0-9_]{2,64}$",
    _("A category is a slug of 2-64 lower-case letters, digits or underscores."),
    code="invalid_category",
)
