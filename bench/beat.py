"""Every beat task of CELERY_BEAT_SCHEDULE, run once in-process against a bench database:
SQL statements and wall time of each, twice (the first run may catch up on a freshly loaded
world; the second is the steady state of an hourly run).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rastrack_bench_10000 DEBUG=true \\
        python bench/beat.py

Prints a Markdown table and the load average. Like bench/run.py, nothing here is a test.

Statements are counted by an execute wrapper on every connection (bench/statements.py), not
read from Django's query log, which keeps only the last 9,000: a sweep that runs more is
counted in full.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rastrack.settings")


def measure(run: Callable[[], object]) -> tuple[int, float]:
    """`run()`'s SQL statements and wall time in seconds."""
    from bench.statements import counting_statements

    with counting_statements() as counter:
        started = time.perf_counter()
        run()
        elapsed = time.perf_counter() - started
    return counter.count, elapsed


def main() -> None:
    import django

    django.setup()
    from celery import current_app
    from django.conf import settings

    import rastrack.celery  # noqa: F401 - registers the tasks

    current_app.loader.import_default_modules()
    print(f"load average at start: {os.getloadavg()}")
    print("| task | run 1: queries | run 1: s | run 2: queries | run 2: s |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        task = current_app.tasks[entry["task"]]
        cells = []
        for _ in range(2):
            statements, elapsed = measure(task.run)
            cells += [str(statements), f"{elapsed:.2f}"]
        print(f"| `{entry['task']}` | " + " | ".join(cells) + " |", flush=True)
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
