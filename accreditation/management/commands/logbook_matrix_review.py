"""List the cases whose role, supervision code and trainer position break the table
(accreditation/logbook/semantics.py): rows logged before the rule existed stay as logged,
and this is the list for their trainers to review.

    manage.py logbook_matrix_review [--trainee EMAIL]
"""

from django.core.management.base import BaseCommand

from accreditation.logbook.models import Case
from accreditation.logbook.semantics import cases_breaking_the_matrix


class Command(BaseCommand):
    help = "List the cases that contradict the role x code x position table (nothing is changed)."

    def add_arguments(self, parser):
        parser.add_argument("--trainee", help="Only this trainee's cases (e-mail).")

    def handle(self, *args, trainee=None, **options):
        cases = Case.objects.select_related("trainee")
        if trainee:
            cases = cases.filter(trainee__email__iexact=trainee)
        count = 0
        for case, messages in cases_breaking_the_matrix(cases):
            count += 1
            self.stdout.write(f"case {case.pk} ({case.trainee.email}, {case.date}, {case.status}):")
            for message in messages:
                self.stdout.write(f"  {message}")
        self.stdout.write(f"{count} case(s) to review.")
