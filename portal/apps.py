from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The views that gather from every app (DESIGN.md §2, §7): the public product lookup
    and the enterprise overview. It reads every app; none reads it."""

    name = "portal"
