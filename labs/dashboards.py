"""The national and regional dashboards ([Dashboards], API.md "Dashboards"): reads only.

They live in `labs` because they need every app (faculty, sign-off, logbook, curriculum and
the labs' capacity report), and `labs` is the last app in the layering
(core <- curriculum <- accreditation <- labs).

Each section is tabular: a list of rows whose keys are `SECTIONS[name]`, so that the JSON and
its CSV download have the same shape. Scope: `region=None` is national; otherwise trainees
(enrolments, cases, sign-offs) and trainers (faculty) count by their *current* region
(`User.region`) and labs by `Lab.region`.

Queries: faculty 3 (rules, two aggregates), labs 2 (`capacity_report`), sign-offs 4
(`signoff_figures`' 3 and the decided durations), cases 1 aggregate. Trainees is the known
exception: progress is computed per enrolment in Python (`curriculum.progress.progress_for`,
a few queries per requirement), bounded by `MAX_PROGRESS_ENROLMENTS`; a summary table kept by
tasks is the plan for [Performance] (issue 12).
"""

from __future__ import annotations

import datetime

from django.db.models import Count, DateField, Q
from django.db.models.functions import TruncMonth

from accreditation.faculty_models import Accreditation, AccreditationStatus, Assignment
from accreditation.faculty_selectors import active_on, faculty_rules
from accreditation.logbook_models import Case, CaseStatus
from accreditation.signoff_models import SignoffRequest
from accreditation.signoff_selectors import signoff_figures
from curriculum.models import Enrolment, EnrolmentStatus
from curriculum.progress import progress_for
from labs import capacity
from labs.models import Lab

MAX_PROGRESS_ENROLMENTS = 2000

BANDS = ("band_0_25", "band_25_50", "band_50_75", "band_75_99", "complete")

SECTIONS: dict[str, tuple[str, ...]] = {
    "faculty": ("region", "region_name", *AccreditationStatus.values, "total", "expiring_soon",
                "active_assignments", "assignments_per_trainer"),
    "labs": ("month", "sessions", "seats_offered", "booked", "attended", "no_shows",
             "waitlist_demand", "waitlisted"),
    "signoffs": ("pending", "overdue", "decided", "turnaround_median_days", "turnaround_p90_days"),
    "trainees": ("pathway", "pathway_code", "pathway_title", *BANDS, "total"),
    "cases": ("month", "platform", "validated", "submitted"),
}


def band_of(share: float, complete: bool) -> str:
    """The progress band of a share of requirements met (0.0-1.0)."""
    if complete:
        return "complete"
    if share < 0.25:
        return "band_0_25"
    if share < 0.5:
        return "band_25_50"
    if share < 0.75:
        return "band_50_75"
    return "band_75_99"


def _by_region(region_id: int | None, field: str) -> Q:
    return Q() if region_id is None else Q(**{field: region_id})


# --- Sections ---------------------------------------------------------------------------------


def faculty_section(region_id: int | None, today: datetime.date) -> tuple[list[dict], int]:
    """Accreditations by trainer's region and status, with those accredited and expiring within
    the faculty rules' warning days (90 by default), and the trainer-to-trainee ratio: active
    assignments of accredited trainers per accredited trainer. Two aggregate queries (and the
    rules)."""
    warning_days = faculty_rules().expiry_warning_days
    soon = Q(status=AccreditationStatus.ACCREDITED, expires_on__gte=today,
             expires_on__lte=today + datetime.timedelta(days=warning_days))
    counts = {status: Count("id", filter=Q(status=status)) for status in AccreditationStatus.values}
    rows = (Accreditation.objects.filter(_by_region(region_id, "trainer__region_id"))
            .values("trainer__region_id", "trainer__region__name")
            .annotate(**counts, total=Count("id"), expiring_soon=Count("id", filter=soon))
            .order_by("trainer__region__name"))
    assignments = dict(
        Assignment.objects.filter(active_on(today), _by_region(region_id, "trainer__region_id"),
                                  trainer__accreditation__status=AccreditationStatus.ACCREDITED)
        .values("trainer__region_id").annotate(n=Count("id")).order_by().values_list("trainer__region_id", "n"))
    result = []
    for row in rows:
        active = assignments.get(row["trainer__region_id"], 0)
        accredited = row[AccreditationStatus.ACCREDITED]
        result.append({"region": row["trainer__region_id"], "region_name": row["trainer__region__name"] or "",
                       **{status: row[status] for status in AccreditationStatus.values},
                       "total": row["total"], "expiring_soon": row["expiring_soon"],
                       "active_assignments": active,
                       "assignments_per_trainer": round(active / accredited, 2) if accredited else None})
    return result, warning_days


def labs_section(region_id: int | None, start: datetime.date, end: datetime.date) -> list[dict]:
    """Seats offered, booked, attended and waitlist by month (`labs.capacity.capacity_report`)."""
    labs = Lab.objects.filter(_by_region(region_id, "region_id"))
    rows = capacity.capacity_report(labs=labs, start=start, end=end, group_by="month")
    return [{column: row[column] for column in SECTIONS["labs"]} for row in rows]


def signoffs_section(region_id: int | None, today: datetime.date) -> list[dict]:
    """One row: pending, overdue, decided, and the turnaround median and 90th percentile in
    days (`signoff_figures`: linear interpolation, the same on SQLite and PostgreSQL)."""
    requests = SignoffRequest.objects.filter(_by_region(region_id, "trainee__region_id"))
    figures = signoff_figures(requests, today=today)
    return [{column: figures[column] for column in ("pending", "overdue", "decided",
                                                    "turnaround_median_days", "turnaround_p90_days")}]


def trainees_section(region_id: int | None) -> tuple[list[dict], bool]:
    """Enrolments (active, paused, completed) by pathway and progress band; completed
    enrolments are "complete" without evaluation. Returns the rows and whether the
    `MAX_PROGRESS_ENROLMENTS` bound cut the evaluation short."""
    enrolments = (Enrolment.objects
                  .filter(_by_region(region_id, "trainee__region_id"),
                          status__in=(EnrolmentStatus.ACTIVE, EnrolmentStatus.PAUSED, EnrolmentStatus.COMPLETED))
                  .select_related("trainee", "pathway")
                  .order_by("pathway__code", "pathway__version", "id"))
    chosen = list(enrolments[:MAX_PROGRESS_ENROLMENTS + 1])
    truncated = len(chosen) > MAX_PROGRESS_ENROLMENTS
    rows: dict[int, dict] = {}
    for enrolment in chosen[:MAX_PROGRESS_ENROLMENTS]:
        pathway = enrolment.pathway
        row = rows.setdefault(pathway.pk, {"pathway": pathway.pk, "pathway_code": pathway.code,
                                           "pathway_title": str(pathway.title), **dict.fromkeys(BANDS, 0),
                                           "total": 0})
        if enrolment.status == EnrolmentStatus.COMPLETED:
            band = "complete"
        else:
            progress = progress_for(enrolment)
            band = band_of(progress.share, progress.complete)
        row[band] += 1
        row["total"] += 1
    return list(rows.values()), truncated


def cases_section(region_id: int | None, start: datetime.date, end: datetime.date) -> list[dict]:
    """Validated cases by month (of the case date) and platform, submitted ones (waiting for
    validation) apart. One aggregate query."""
    rows = (Case.objects.filter(_by_region(region_id, "trainee__region_id"),
                                status__in=(CaseStatus.VALIDATED, CaseStatus.SUBMITTED),
                                date__gte=capacity.first_of_month(start), date__lt=capacity.add_months(end, 1))
            .annotate(month=TruncMonth("date", output_field=DateField()))
            .values("month", "platform")
            .annotate(validated=Count("id", filter=Q(status=CaseStatus.VALIDATED)),
                      submitted=Count("id", filter=Q(status=CaseStatus.SUBMITTED)))
            .order_by("month", "platform"))
    return [{"month": row["month"].strftime("%Y-%m"), "platform": row["platform"],
             "validated": row["validated"], "submitted": row["submitted"]} for row in rows]


# --- The dashboard ----------------------------------------------------------------------------


def dashboard(*, region=None, start: datetime.date | None = None, end: datetime.date | None = None,
              today: datetime.date | None = None) -> dict:
    """Every section for the nation (`region=None`) or one region, for the months from
    `start`'s to `end`'s (default: `labs.capacity.default_period`)."""
    from django.utils import timezone

    today = today or timezone.localdate()
    default_start, default_end = capacity.default_period(today)
    start = capacity.first_of_month(start or default_start)
    end = capacity.first_of_month(end or default_end)
    region_id = region.pk if region is not None else None
    faculty, warning_days = faculty_section(region_id, today)
    trainees, truncated = trainees_section(region_id)
    return {
        "scope": {"region": region_id, "region_name": region.name if region is not None else ""},
        "period": {"from": start.strftime("%Y-%m"), "to": end.strftime("%Y-%m")},
        "expiry_warning_days": warning_days,
        "trainees_truncated": truncated,
        "faculty": faculty,
        "labs": labs_section(region_id, start, end),
        "signoffs": signoffs_section(region_id, today),
        "trainees": trainees,
        "cases": cases_section(region_id, start, end),
    }


def section_csv(rows: list[dict], section: str) -> str:
    """A section as CSV text: the header is the section's columns, in order."""
    import csv
    import io

    from accreditation.logbook_csv import escape_cell  # formula injection

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=SECTIONS[section], extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: escape_cell(value) if isinstance(value, str) else ("" if value is None else value)
                         for key, value in row.items()})
    return out.getvalue()


def dashboard_regions_visible_to(user):
    """The regions whose dashboard `user` may see: every region for programme admins, their
    own for regional leads, none for anyone else (so another region answers 404)."""
    from rastrack.accounts.roles import Role
    from rastrack.reference.models import Region

    if not (user and user.is_authenticated and user.is_active):
        return Region.objects.none()
    if user.has_role(Role.PROGRAMME_ADMIN):
        return Region.objects.all()
    if user.has_role(Role.REGIONAL_LEAD) and user.region_id:
        return Region.objects.filter(pk=user.region_id)
    return Region.objects.none()


# --- Trainer and trainee dashboards (web pages) -------------------------------------------------

QUEUE_LIMIT = 20


def trainer_dashboard(trainer, *, today: datetime.date | None = None) -> dict:
    """The trainees the trainer supervises today with their live enrolments' progress (per
    enrolment, bounded by the faculty's trainee cap), and the cases and sign-off requests
    waiting for them, oldest first, with the overdue count."""
    from django.utils import timezone

    from accreditation.logbook_selectors import validation_queue
    from accreditation.signoff_selectors import signoff_queue, trainees_assessable_by
    from curriculum.selectors import live_enrolments_of

    today = today or timezone.localdate()
    trainees = []
    for trainee in trainees_assessable_by(trainer):
        trainees.append({"trainee": trainee,
                         "progress": [progress_for(e) for e in live_enrolments_of(trainee).select_related("trainee")]})
    cases = validation_queue(trainer)
    signoffs = signoff_queue(trainer).select_related("trainee")
    return {"trainees": trainees,
            "cases": list(cases[:QUEUE_LIMIT]), "cases_count": cases.count(),
            "signoffs": list(signoffs[:QUEUE_LIMIT]), "signoffs_count": signoffs.count(),
            "signoffs_overdue": signoffs.filter(due_on__lt=today).count()}


def trainee_dashboard(trainee) -> dict:
    """The trainee's live enrolments with progress against each requirement, what to do next
    (the unmet requirements, in pathway order) and their upcoming lab bookings."""
    from curriculum.selectors import live_enrolments_of
    from labs.selectors import upcoming_bookings_of

    progress = [progress_for(e) for e in live_enrolments_of(trainee).select_related("trainee")]
    return {"progress": progress,
            "next": [item for p in progress for item in p.unmet()][:5],
            "bookings": list(upcoming_bookings_of(trainee)[:10])}
