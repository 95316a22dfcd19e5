"""`manage.py seed_bench --cases N`: load the national-scale benchmark world.

Refuses to run unless the database is explicitly a bench database: its name contains
"bench", or `--yes` is given. It only adds rows, but a real database is never the place
for a million made-up cases.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bench import world as bench_world


class Command(BaseCommand):
    help = "Load the benchmark world: N cases and everything else in proportion (bench databases only)."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=100_000,
                            help="Number of logbook cases (default 100 000; 1 000 000 is the national world).")
        parser.add_argument("--seed", type=int, default=12, help="Random seed (the world is repeatable).")
        parser.add_argument("--yes", action="store_true",
                            help="Seed even though the database name does not contain 'bench'.")
        parser.add_argument("--quiet", action="store_true", help="No progress lines.")
        parser.add_argument("--no-summaries", action="store_true",
                            help="Skip computing the dashboards' progress summaries after the load.")

    def handle(self, *args, cases: int, seed: int, yes: bool, quiet: bool, no_summaries: bool = False,
               **options):
        name = str(connection.settings_dict["NAME"])
        if "bench" not in name.lower() and not yes:
            raise CommandError(
                f"Refusing to load the benchmark world into {name!r}: point DATABASE_URL at a database "
                "whose name contains 'bench' (e.g. rastrack_bench), or pass --yes if you mean it.")
        if cases < 100:
            raise CommandError("--cases must be at least 100.")
        progress = bench_world.Progress(stream=self.stderr._out, quiet=quiet)
        try:
            result = bench_world.build(cases=cases, seed=seed, progress=progress, summaries=not no_summaries)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from None
        result["database"] = f"{connection.vendor}:{name}"
        self.stdout.write(json.dumps(result, indent=2, default=str))
        self.stdout.write(self.style.SUCCESS(
            f"Bench world of {cases:,} cases loaded in {result['seconds']:.1f}s."))
