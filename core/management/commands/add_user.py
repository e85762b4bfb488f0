from django.core.management.base import BaseCommand, CommandError

from core.choices import Role
from core.exceptions import ApplicationError
from core.services import user_upsert


class Command(BaseCommand):
    help = "Create or update a user with a role and the links that role needs."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--password", required=True)
        parser.add_argument("--region", default="", help="6-digit GB/T 2260 code")
        parser.add_argument("--party", default="", help="USCC of an existing party")
        parser.add_argument("--lab", default="", help="lab code (created if missing)")
        parser.add_argument("--site", default="", help="sentinel site code (created if missing)")

    def handle(self, *args, **opts):
        try:
            user = user_upsert(
                username=opts["username"],
                role=opts["role"],
                password=opts["password"],
                region=opts["region"],
                party_uscc=opts["party"],
                lab_code=opts["lab"],
                site_code=opts["site"],
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{user.username} ({user.role}) saved")
