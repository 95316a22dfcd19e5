from django.core.management.base import BaseCommand, CommandError

from accreditation.logbook.csv_template import export_cases
from accreditation.logbook.models import Case
from rastrack.accounts.models import User


class Command(BaseCommand):
    help = "Write a trainee's logbook as CSV (the import template's columns) to standard output."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **options):
        trainee = User.objects.filter(email__iexact=email).first()
        if trainee is None:
            raise CommandError(f"No account for {email}.")
        cases = (Case.objects.filter(trainee=trainee).select_related("site", "procedure", "supervisor")
                 .prefetch_related("steps__step").order_by("date", "id"))
        self.stdout.write(export_cases(cases), ending="")
