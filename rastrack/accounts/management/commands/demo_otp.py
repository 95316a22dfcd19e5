from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from rastrack.accounts.demo_mfa import current_code


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo account (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **options):
        if not settings.DEBUG:
            raise CommandError("Demo codes are only for DEBUG (make run).")
        device = TOTPDevice.objects.filter(
            user__email__iexact=email, name="Demo authenticator", confirmed=True
        ).first()
        if device is None:
            raise CommandError(f"{email} has no demo authenticator; run seed_demo first.")
        self.stdout.write(current_code(device))
