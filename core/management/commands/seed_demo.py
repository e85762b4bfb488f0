from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from core import jobs


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
            # The demo's missed deadlines raise their alerts now, not at the first sweep.
            for name in ("sweep_deadlines", "check_recall_progress"):
                jobs.run(name)
        added = jobs.schedule_sync()
        self.stdout.write(f"Periodic tasks: {added} added, editable in the admin.")
        self.stdout.write("Demo logins (username / password):")
        for username, password in logins:
            self.stdout.write(f"{username} / {password}")
