from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Levee core"

    def ready(self):
        from core import lookups  # noqa: F401  registers field__any_of

        # Each app registers its scheduled jobs in its own jobs.py.
        autodiscover_modules("jobs")
