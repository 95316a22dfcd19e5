from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from rastrack.accounts.demo import DEMO_PASSWORD
from rastrack.demo import DEMO_LOGINS, empty_the_database, seed_demo_world


class Command(BaseCommand):
    help = "Load the small, realistic demo world (idempotent; dates relative to today)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true",
                            help="Seed even though DEBUG is false (never on a live service).")
        parser.add_argument("--reset", action="store_true",
                            help="Delete everything first and seed a fresh demo world (DEBUG only, "
                                 "whatever --force says: it empties the database).")

    def handle(self, *args, force: bool = False, reset: bool = False, **options):
        if reset and not settings.DEBUG:
            raise CommandError("Refusing to reset with DEBUG=false: --reset deletes every record. "
                               "It is for a development machine only (make demo-reset).")
        if not settings.DEBUG and not force:
            raise CommandError("Refusing to seed demo data with DEBUG=false; use --force if you mean it.")
        if reset:
            empty_the_database()
            self.stdout.write("Database emptied.")
        seed_demo_world()
        self.stdout.write(self.style.SUCCESS("Demo world ready. Sign in with any of these:"))
        for email, role in DEMO_LOGINS:
            self.stdout.write(f"  {email:<36} {role}")
        self.stdout.write(f"  password for all: {DEMO_PASSWORD}")
        self.stdout.write(
            "  the admin and the leads also need a two-factor code: "
            "DEBUG=true .venv/bin/python manage.py demo_otp <email>"
        )
