from django.core.management.base import BaseCommand, CommandError

from rastrack.audit.models import AuditEntry
from rastrack.audit.verify import first_broken_link


class Command(BaseCommand):
    help = "Check every audit hash chain; exit non-zero naming the first broken link."

    def handle(self, *args, **options):
        broken = first_broken_link()
        if broken is not None:
            raise CommandError(f"Audit trail broken: {broken}")
        self.stdout.write(self.style.SUCCESS(
            f"Audit trail intact: {AuditEntry.objects.count()} entries checked."))
