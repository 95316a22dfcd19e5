from django.core.management.base import BaseCommand

from curriculum.progress_summary import DEFAULT_BATCH, refresh_all, refresh_due


class Command(BaseCommand):
    help = ("Recompute the dashboards' progress summaries: the due ones (stale, missing, old), "
            "or with --all every live enrolment's (after a bulk load).")

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Every live enrolment, not only the due ones.")
        parser.add_argument("--limit", type=int, default=DEFAULT_BATCH, help="Due ones per run (without --all).")

    def handle(self, *args, all: bool = False, limit: int = DEFAULT_BATCH, **options):
        if all:
            done = refresh_all(progress=lambda n: self.stderr.write(f"  {n} enrolments"))
        else:
            done = refresh_due(limit=limit)
        self.stdout.write(self.style.SUCCESS(f"Refreshed {done} progress summaries."))
