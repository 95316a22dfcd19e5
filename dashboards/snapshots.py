"""Dashboard snapshots: the default national and regional dashboards, computed by a beat task
so that the pages and the API answer them from one row: at national scale a live dashboard
costs seconds of database time.

`labs.refresh_dashboards` (every `DASHBOARD_REFRESH_SECONDS`) recomputes the national
dashboard and every region's with the default filters (`dashboards.selectors.dashboard`). A
request with no filter reads the snapshot when it is younger than
`DASHBOARD_SNAPSHOT_MAX_AGE_SECONDS`, and computes live otherwise (no beat, a new region).
Every answer carries `computed_at`, shown on the page, so a reader knows how fresh the
figures are. The national dashboard narrowed to a region answers that region's snapshot.

The same task stores, for each specialty code a filter accepts, the national sections that
follow the specialty and not the months (faculty and trainer capacity: by region, so a
region's rows are the national rows of that region). A request with months or a specialty
then computes only the sections by month (from the summary tables) and takes the others from
the fresh snapshots (`dashboards.selectors.dashboard`), naming them, with the snapshots'
time, in `snapshot_sections`.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from dashboards import selectors as dashboards
from dashboards.models import DashboardSnapshot


def scope_key(region) -> str:
    return "national" if region is None else f"region:{region.pk}"


def specialty_key(code: str) -> str:
    return f"specialty:{code}"


def specialty_codes() -> list[str]:
    """Every code a dashboard filter accepts: today's specialties and the old codes."""
    from rastrack.reference.models import Specialty
    from rastrack.reference.specialties import LEGACY

    return [*Specialty.values, *[code for code in LEGACY if code not in Specialty.values]]


def as_json(data: dict) -> dict:
    """The dashboard as stored and as served: dates and datetimes as ISO text, whichever way
    it was computed."""
    import json

    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def refresh_dashboards(*, now: datetime.datetime | None = None) -> int:
    """Recompute and store the national dashboard and every region's, and the sections that
    follow the specialty for each specialty code; returns how many dashboards."""
    from rastrack.reference.models import Region

    now = now or timezone.now()
    done = 0
    for region in [None, *Region.objects.order_by("pk")]:
        data = as_json(dashboards.dashboard(region=region, now=now))
        DashboardSnapshot.objects.update_or_create(scope=scope_key(region),
                                                   defaults={"data": data, "computed_at": now})
        done += 1
    for code in specialty_codes():
        data = as_json(dashboards.specialty_sections(specialty=code, now=now))
        DashboardSnapshot.objects.update_or_create(scope=specialty_key(code),
                                                   defaults={"data": data, "computed_at": now})
    return done


def _fresh(scope: str, now: datetime.datetime | None) -> dict | None:
    now = now or timezone.now()
    oldest = now - datetime.timedelta(seconds=settings.DASHBOARD_SNAPSHOT_MAX_AGE_SECONDS)
    return (DashboardSnapshot.objects.filter(scope=scope, computed_at__gte=oldest)
            .values_list("data", flat=True).first())


def stored_dashboard(region, *, now: datetime.datetime | None = None) -> dict | None:
    """The stored default dashboard of the scope, if fresh enough; else None."""
    return _fresh(scope_key(region), now)


def stored_specialty_sections(code: str, *, now: datetime.datetime | None = None) -> dict | None:
    """The stored national sections that follow the specialty (`selectors.specialty_sections`)
    for the code, if fresh enough; else None."""
    return _fresh(specialty_key(code), now)
