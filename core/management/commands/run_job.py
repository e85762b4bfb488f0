import json

from django.core.management.base import BaseCommand, CommandError

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
            raise CommandError(f"Unknown job '{name}'. Known: {', '.join(registered)}")
        try:
            result = jobs.run(name)
        except jobs.JobLocked as exc:
            raise CommandError(f"Job '{name}' is already running elsewhere.") from exc
        self.stdout.write(json.dumps({"job": name, **result}, default=str, ensure_ascii=False))
