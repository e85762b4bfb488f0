import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core import jobs


class Command(BaseCommand):
    help = "Run one scheduled job once, in this process (--list lists them)."

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?")
        parser.add_argument("--list", action="store_true", help="list the registered jobs")

    def handle(self, *args, name=None, **opts):
        registered = jobs.registered()
        if opts["list"] or not name:
            for job_name, func in registered.items():
                doc = (func.__doc__ or "").strip().splitlines()
                self.stdout.write(f"{job_name}\t{doc[0] if doc else ''}")
            return
        if name not in registered:
            raise CommandError(
                _("Unknown job '%(name)s'. Known: %(items)s")
                % {"name": name, "items": ", ".join(registered)}
            )
        try:
            result = jobs.run(name)
        except jobs.JobLocked as exc:
            raise CommandError(
                _("Job '%(name)s' is already running elsewhere.") % {"name": name}
            ) from exc
        self.stdout.write(json.dumps({"job": name, **result}, default=str, ensure_ascii=False))
