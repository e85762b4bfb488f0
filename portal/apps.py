from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The views that gather from every app (DESIGN.md §2, §7): the public product lookup
    and the enterprise overview. It reads every app; none reads it."""

    name = "portal"
    verbose_name = _("Portal")
