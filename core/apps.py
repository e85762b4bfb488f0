from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Levee core")

    def ready(self):
        from core import lookups  # noqa: F401  registers field__any_of

        _limit_every_date_field()

        # Each app registers its scheduled jobs in its own jobs.py.
        autodiscover_modules("jobs")


def _limit_every_date_field():
    """Every date and date-time field of the API, its filters (django-filter builds on
    Django's form fields) and the admin refuses years outside 1900-2100: one rule, set here
    once rather than on each of the many declared fields."""
    from django import forms
    from rest_framework import serializers

    from core.validators import validate_year_in_range

    for field in (
        forms.DateField,
        forms.DateTimeField,
        serializers.DateField,
        serializers.DateTimeField,
    ):
        field.default_validators = [*field.default_validators, validate_year_in_range]
