"""Privileges for a loaded bench world, so the currency sweep has real work to measure.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rastrack_bench_1000000 DEBUG=true \\
        python bench/privileges.py [--surgeons 2000]

Gives the trainees with the most validated console cases in the last year a privilege per
site, platform and procedure group they operate in (full, a tenth provisional), granted a year
ago, then runs the currency sweep twice and prints its statements and time. Refuses a database
whose name does not contain "bench". Nothing here is a test.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rastrack.settings")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--surgeons", type=int, default=2000)
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.db import connection, transaction
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accreditation.logbook.models import CONSOLE_ROLES, Case, CaseStatus
    from accreditation.privileges.currency import currency_sweep
    from accreditation.privileges.models import Privilege, PrivilegeStatus, ProcedureGroup
    from rastrack.reference.models import Procedure

    if "bench" not in connection.settings_dict["NAME"]:
        raise SystemExit("refusing: not a bench database")
    today = timezone.localdate()
    granted = today - datetime.timedelta(days=365)
    if not ProcedureGroup.objects.exists():
        # The bench world's catalogue is loaded after the migrations that name the groups:
        # one group per specialty, as a site would define them.
        for specialty in Procedure.objects.order_by("specialty").values_list("specialty", flat=True).distinct():
            group, _ = ProcedureGroup.objects.get_or_create(code=f"bench-{specialty}", defaults={"name": f"Bench {specialty}"})
            group.procedures.set(Procedure.objects.filter(specialty=specialty))
    if not Privilege.objects.exists():
        groups = {p: g for g, p in ProcedureGroup.objects.values_list("pk", "procedures")}
        top = (Case.objects.filter(status=CaseStatus.VALIDATED, role__in=CONSOLE_ROLES,
                                   date__gt=granted, procedure__privilege_groups__isnull=False)
               .values("trainee_id").annotate(n=Count("pk")).order_by("-n")[:args.surgeons])
        ids = [r["trainee_id"] for r in top]
        combos = (Case.objects.filter(trainee_id__in=ids, status=CaseStatus.VALIDATED, role__in=CONSOLE_ROLES)
                  .values_list("trainee_id", "site_id", "platform", "procedure_id").distinct())
        seen, rows = set(), []
        for trainee_id, site_id, platform, procedure_id in combos.iterator():
            group = groups.get(procedure_id)
            key = (trainee_id, site_id, platform, group)
            if group is None or key in seen:
                continue
            seen.add(key)
            provisional = len(rows) % 10 == 0
            rows.append(Privilege(surgeon_id=trainee_id, site_id=site_id, platform=platform,
                                  procedure_group_id=group, requested_on=granted, granted_on=granted,
                                  full_on=None if provisional else granted,
                                  review_due_on=today + datetime.timedelta(days=30),
                                  status=PrivilegeStatus.PROVISIONAL if provisional else PrivilegeStatus.FULL))
        with transaction.atomic():
            Privilege.objects.bulk_create(rows, batch_size=2000)
        print(f"privileges created: {len(rows)} for {len(ids)} surgeons")
    print(f"privileges: {Privilege.objects.count()}, load average {os.getloadavg()}")
    for run in (1, 2):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = currency_sweep(today=today)
            elapsed = time.perf_counter() - started
        print(f"currency sweep run {run}: {len(queries)} statements, {elapsed:.2f} s, {result}", flush=True)
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
