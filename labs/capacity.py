"""Capacity reporting: seats offered, booked, attended, no-shows and waitlist demand by lab,
region, platform and month. The dashboards reuse `capacity_report`.

Definitions (cancelled sessions are left out of every figure: their seats were never
offered):

- `sessions`: scheduled (not cancelled) sessions starting in the month (local time).
- `seats_offered`: the sum of their seats.
- `booked`: bookings holding a seat (confirmed, attended or no-show): `seats_booked`.
- `attended` / `no_shows`: bookings marked so.
- `waitlist_demand`: bookings that joined a waitlist, whatever became of them (promoted,
  cancelled, still waiting): how many more people wanted a place than there were seats.
- `waitlisted`: bookings still on a waitlist now (for past sessions: demand never met).

By platform: a session's platform (labs/services/platforms.py: the one given, else that of
its robotic equipment); `platform` "" groups the platform-neutral sessions (laparoscopic,
wet-lab, team sessions without a platform), so box-trainer seats never count as robotic.

By month only (the dashboards' grouping): one query over the lab session summary
(labs/summaries.py, kept by the services). The other groupings: two aggregate queries
(sessions; bookings, `summaries.live_figures`, where the figures are defined in code),
grouped in the database, whatever the number of sessions or bookings.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils import timezone

from labs import summaries
from labs.models import Lab, LabSession
from rastrack.accounts.roles import Role
from rastrack.core.exceptions import ApplicationError, NotFound
from rastrack.core.months import add_months, first_of_month, month_range
from rastrack.reference.models import Platform

GROUPS = ("lab", "region", "platform", "month")
FIGURES = summaries.FIGURES
_KEYS = {
    "lab": ("lab_id", "lab__name", "lab__region_id", "lab__region__name"),
    "region": ("lab__region_id", "lab__region__name"),
    "platform": ("platform",),
    "month": (),
}
_NAMES = {"lab_id": "lab", "lab__name": "lab_name", "lab__region_id": "region", "lab__region__name": "region_name",
          "platform": "platform"}


def capacity_labs_for(user) -> QuerySet[Lab]:
    """The labs whose capacity `user` may see: programme admins all, regional leads their
    region's, lab managers their own; nobody else any."""
    if not (user and user.is_authenticated and user.is_active):
        return Lab.objects.none()
    if user.has_role(Role.PROGRAMME_ADMIN):
        return Lab.objects.all()
    scope = Q(pk__in=[])
    if user.has_role(Role.REGIONAL_LEAD) and user.region_id:
        scope |= Q(region_id=user.region_id)
    if user.has_role(Role.LAB_MANAGER):
        scope |= Q(manager_links__user=user)
    return Lab.objects.filter(scope).distinct()


def capacity_region_allowed(user, region_id: int) -> bool:
    """A region the caller may ask about: any for programme admins, their own for regional
    leads, their labs' regions for lab managers."""
    from rastrack.reference.models import Region

    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.has_role(Role.PROGRAMME_ADMIN):
        return Region.objects.filter(pk=region_id).exists()
    if user.has_role(Role.REGIONAL_LEAD) and user.region_id == region_id:
        return True
    return capacity_labs_for(user).filter(region_id=region_id).exists()


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """Five months back to two months ahead (first days of the months)."""
    today = today or timezone.localdate()
    return add_months(today, -5), add_months(today, 2)


def _bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    begin = datetime.datetime.combine(first_of_month(start), datetime.time.min, tzinfo=tz)
    finish = datetime.datetime.combine(add_months(end, 1), datetime.time.min, tzinfo=tz)
    return begin, finish


def capacity_report(*, labs: QuerySet[Lab] | Iterable[int], start: datetime.date, end: datetime.date,
                    group_by: str = "lab") -> list[dict]:
    """Rows of figures for the months from `start`'s to `end`'s (inclusive), grouped by
    lab (with its region), region, platform or month only; ordered by month, then region, then lab.

    `labs` scopes the report (a queryset or ids, e.g. `capacity_labs_for(user)`). Each row:
    `month` ("YYYY-MM"), the group's keys (`lab`, `lab_name`, `region`, `region_name` as
    they apply) and the FIGURES. Months without sessions have no row.
    """
    if group_by not in GROUPS:
        raise ValueError(f"group_by must be one of {GROUPS}")
    if group_by == "month":
        # The dashboards' grouping: read from the summary kept by the services (labs/summaries.py).
        return [{"month": row["month"].strftime("%Y-%m"), **{name: row[name] for name in FIGURES}}
                for row in summaries.figures_by_month(labs=labs, start=start, end=end)]
    begin, finish = _bounds(start, end)
    lab_filter = Q(lab__in=labs) if isinstance(labs, QuerySet) else Q(lab_id__in=list(labs))
    sessions = LabSession.objects.filter(lab_filter, starts_at__gte=begin, starts_at__lt=finish)
    keys = _KEYS[group_by]
    rows = []
    for (month, *_), figures in summaries.live_figures(sessions, keys).items():
        row = {"month": month.strftime("%Y-%m")}
        row.update({_NAMES[k]: figures[k] for k in keys})
        if "platform" in keys:
            row["platform_name"] = Platform(figures["platform"]).label if figures["platform"] else "Platform-neutral"
        row.update({name: figures[name] for name in FIGURES})
        rows.append(row)
    return sorted(rows, key=lambda r: (r["month"], r.get("region_name") or "", r.get("lab_name") or "",
                                       r.get("platform") or ""))


def capacity_totals(rows: Iterable[dict]) -> dict:
    """The figures summed over rows (for a totals line)."""
    totals = dict.fromkeys(FIGURES, 0)
    for row in rows:
        for figure in FIGURES:
            totals[figure] += row[figure]
    return totals


def capacity_report_for(user, params) -> dict:
    """The capacity report `user` asked for with query parameters `from`, `to` (months),
    `group_by`, `region` and `lab` (ids): the API and the page answer the same. 400 per
    field; a lab or region outside the caller's scope: 404."""
    labs = capacity_labs_for(user)
    errors: dict[str, list[str]] = {}
    try:
        start, end = month_range(params)
    except ApplicationError as exc:
        errors.update(exc.errors)
        start = end = None
    group_by = params.get("group_by") or "lab"
    if group_by not in GROUPS:
        errors["group_by"] = [f"Choose one of: {', '.join(GROUPS)}."]
    ids = {}
    for name in ("region", "lab"):
        raw = params.get(name)
        if raw:
            try:
                ids[name] = int(raw)
            except ValueError:
                errors[name] = ["Give an id (a whole number)."]
    if errors:
        raise ApplicationError(errors=errors)
    default_start, default_end = default_period()
    start, end = start or default_start, end or default_end
    if end < start:
        raise ApplicationError(errors={"to": ["The last month comes after the first."]})
    if "lab" in ids:
        if not labs.filter(pk=ids["lab"]).exists():
            raise NotFound("Not found.")
        labs = labs.filter(pk=ids["lab"])
    if "region" in ids:
        if not capacity_region_allowed(user, ids["region"]):
            raise NotFound("Not found.")
        labs = labs.filter(region_id=ids["region"])
    rows = capacity_report(labs=labs, start=start, end=end, group_by=group_by)
    return {"group_by": group_by, "period_from": start.strftime("%Y-%m"), "period_to": end.strftime("%Y-%m"),
            "rows": rows, "totals": capacity_totals(rows)}
