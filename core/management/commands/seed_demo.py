from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import module_has_submodule


class Command(BaseCommand):
    help = "Load the demo dataset (idempotent) and print the demo logins."

    def handle(self, *args, **opts):
        logins = []
        with transaction.atomic():
            # Apps seed in INSTALLED_APPS order, which follows their dependency order.
            for config in apps.get_app_configs():
                if module_has_submodule(config.module, "demo"):
                    demo = import_module(f"{config.name}.demo")
                    logins.extend(demo.seed() or [])
        self.stdout.write("Demo logins (username / password):")
        for username, password in logins:
            self.stdout.write(f"{username} / {password}")
