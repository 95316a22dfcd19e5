from django.core.management.base import BaseCommand

from curriculum.models import LIVE_ENROLMENT_STATUSES, Enrolment
from curriculum.progress import changes_under_default_provenances


class Command(BaseCommand):
    help = ("List the trainees whose progress would change if their pathway version counted only "
            "trainer-verified and device-imported simulator evidence (the default for new versions). "
            "Reads only.")

    def add_arguments(self, parser):
        parser.add_argument("--pathway", help="Only enrolments on pathways with this code.")

    def handle(self, *args, pathway: str | None = None, **options):
        enrolments = (Enrolment.objects.filter(status__in=LIVE_ENROLMENT_STATUSES)
                      .select_related("trainee", "pathway").order_by("pathway__code", "trainee__email", "id"))
        if pathway:
            enrolments = enrolments.filter(pathway__code=pathway)
        changes = changes_under_default_provenances(enrolments)
        for change in changes:
            e = change.enrolment
            self.stdout.write(
                f"{e.trainee.email}\t{e.pathway.code} v{e.pathway.version}\t{change.requirement}\t"
                f"{'met' if change.met_now else 'not met'} ({change.value_now}) -> "
                f"{'met' if change.met_then else 'not met'} ({change.value_then})")
        trainees = len({c.enrolment.trainee_id for c in changes})
        self.stdout.write(self.style.SUCCESS(f"{trainees} trainee(s) would see their progress change."))
