"""The counting table of a pathway version (accreditation/logbook/counting.py).

    manage.py counting_rules show PATHWAY_ID            the version's rules (or the defaults)
    manage.py counting_rules preview PATHWAY_ID [--to OTHER_ID]
        whose case counts would change if the cohort enrolled on PATHWAY_ID were counted by
        OTHER_ID's rules (default: today's defaults); nothing is changed
"""

from django.core.management.base import BaseCommand, CommandError

from accreditation.logbook.counting import DEFAULT_RULES, progress_changes, rules_for
from curriculum.models import Pathway


class Command(BaseCommand):
    help = "Show a pathway version's counting rules, or preview whose progress a change of rules would move."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["show", "preview"])
        parser.add_argument("pathway", type=int)
        parser.add_argument("--to", type=int, help="preview: the pathway version whose rules to apply")

    def handle(self, *args, what, pathway, to=None, **options):
        found = Pathway.objects.filter(pk=pathway).first()
        if found is None:
            raise CommandError(f"No pathway {pathway}.")
        if what == "show":
            for rule in rules_for(found.pk):
                self.stdout.write(f"{rule.counted_as}: {rule.role} {rule.supervision} (takeover: {rule.takeover})")
            return
        rules = rules_for(to) if to else DEFAULT_RULES
        changes = progress_changes(pathway=found, rules=rules)
        for change in changes:
            self.stdout.write(f"{change['trainee'].email}: {change['kind']} "
                              f"(requirement {change['requirement'].pk}) {change['now']} -> {change['moved']}")
        self.stdout.write(f"{len(changes)} change(s) for the cohort of {found}.")
