from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InjuryConfig(AppConfig):
    name = "injury"
    verbose_name = _("Injury surveillance")
