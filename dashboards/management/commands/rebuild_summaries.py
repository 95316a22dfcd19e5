"""`manage.py rebuild_summaries`: the nightly rebuild of the summary tables, now (after the
migration that adds a summary, or a bulk load past the services)."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Recompute every summary table the dashboards read and report the rows corrected."

    def handle(self, *args, **options):
        from dashboards.summary_rebuild import rebuild_summaries

        for name, corrected in rebuild_summaries().items():
            self.stdout.write(f"{name}: {corrected} rows corrected")
