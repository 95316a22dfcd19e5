from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accreditation.logbook.csv_template import import_cases
from rastrack.accounts.models import User
from rastrack.core.exceptions import ApplicationError
from rastrack.core.wording import counted


class Command(BaseCommand):
    help = "Import a trainee's cases from the logbook CSV template; nothing is imported if any row fails."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The trainee whose logbook this is.")
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check every row, import nothing.")

    def handle(self, *args, email: str, path: Path, dry_run: bool, **options):
        trainee = User.objects.filter(email__iexact=email, is_active=True).first()
        if trainee is None:
            raise CommandError(f"No active account for {email}.")
        try:
            result = import_cases(trainee=trainee, actor=trainee, file_bytes=path.read_bytes(), dry_run=dry_run)
        except ApplicationError as exc:
            raise CommandError("; ".join(m for ms in exc.errors.values() for m in ms) or exc.message) from None
        if not result.ok:
            lines = [f"row {r.row}: {field}: {' '.join(msgs)}"
                     for r in result.rows for field, msgs in r.errors.items()]
            raise CommandError("Nothing imported.\n" + "\n".join(lines))
        if dry_run:
            self.stdout.write(f"{counted(len(result.rows), 'case')} would be imported (dry run).")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {counted(result.imported, 'case')} for {trainee.email}."))
