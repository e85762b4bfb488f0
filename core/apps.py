from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Levee core")

    def ready(self):
        from core import lookups  # noqa: F401  registers field__any_of

        # Each app registers its scheduled jobs in its own jobs.py.
        autodiscover_modules("jobs")
