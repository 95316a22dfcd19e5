"""The national and regional dashboards: reads only.

They live in `labs` because they need every app (faculty, sign-off, logbook, curriculum and
the labs' capacity report), and `labs` is the last app in the layering
(core <- curriculum <- accreditation <- labs).

Each section is tabular: a list of rows whose keys are `SECTIONS[name]`, so that the JSON and
its CSV download have the same shape. Scope: `region=None` is national; otherwise trainees
(enrolments, cases, sign-offs, assessments) and trainers (faculty) count by their *current*
region (`User.region`) and labs by `Lab.region`. The specialty filter narrows what has a
specialty: accreditations (faculty, trainer capacity) and cases by their procedure (cases,
over-logging, calibration); labs, sign-offs, trainees and lab need have none.

Every section is a fixed number of queries, whatever the data size (20 in all, pinned in
tests/dashboards): faculty 3, labs 1 (the lab session summary), sign-offs 2 (the sign-off
summaries), trainees 2 (bands from the progress summaries kept by
`curriculum.progress_summary`, and their freshness), cases 1 and over-logging 1 (the case
summary kept by `accreditation.logbook.summaries`), privileges 1, capacity versus need 4,
trainer capacity 4, calibration 1 (the calibration summary).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q

from accreditation.faculty.models import Accreditation, AccreditationStatus, Assignment
from accreditation.faculty.selectors import active_on, faculty_rules
from accreditation.logbook.models import Case, CaseStatus
from accreditation.logbook.summaries import case_summary_rows
from accreditation.signoff.models import CalibrationSummary
from accreditation.signoff.summaries import signoff_figures_from_summaries
from curriculum.models import Enrolment, EnrolmentStatus, ProgressBand
from curriculum.progress import progress_for
from curriculum.progress_summary import band_of, freshness, stored_progress_of  # noqa: F401 - band_of re-exported
from dashboards import capacity_need
from dashboards.calibration import (
    CALIBRATION_COLUMNS,
    OVERLOGGING_COLUMNS,
    assessment_gap_from_summary,
    rounded,
)
from labs import capacity
from labs.models import Lab
from rastrack.core.months import add_months, first_of_month
from rastrack.reference.specialties import specialty_q

BANDS = tuple(ProgressBand.values)

SECTIONS: dict[str, tuple[str, ...]] = {
    "faculty": ("region", "region_name", *AccreditationStatus.values, "total", "expiring_soon",
                "active_assignments", "assignments_per_trainer"),
    "labs": ("month", "sessions", "seats_offered", "booked", "attended", "no_shows",
             "waitlist_demand", "waitlisted"),
    "signoffs": ("pending", "overdue", "decided", "turnaround_median_days", "turnaround_p90_days"),
    "trainees": ("pathway", "pathway_code", "pathway_title", *BANDS, "not_computed", "total"),
    "cases": ("month", "platform", "platform_name", "validated", "submitted"),
    "privileges": ("platform", "platform_name", "provisional", "full", "surgeons"),
    "capacity": capacity_need.CAPACITY_COLUMNS,
    "trainers": capacity_need.TRAINER_COLUMNS,
    "overlogging": OVERLOGGING_COLUMNS,
    "calibration": CALIBRATION_COLUMNS,
}


@dataclass(frozen=True)
class Filters:
    """What a dashboard shows: the region (None: national), a specialty ("" for all) and the
    months from `start` to `end` (first days of the months) for the figures by month."""

    region_id: int | None
    specialty: str
    start: datetime.date
    end: datetime.date
    today: datetime.date

    @property
    def end_exclusive(self) -> datetime.date:
        return add_months(self.end, 1)

    def region(self, field: str) -> Q:
        return Q() if self.region_id is None else Q(**{field: self.region_id})

    def specialty_of(self, field: str) -> Q:
        # Old codes still filter: `colorectal` is general surgery's colorectal subspecialty.
        return specialty_q(self.specialty, specialty_field=field,
                           subspecialty_field=field.removesuffix("specialty") + "subspecialty")


# --- Sections ---------------------------------------------------------------------------------


def faculty_section(f: Filters) -> tuple[list[dict], int]:
    """Accreditations by trainer's region and status, with those accredited and expiring within
    the faculty rules' warning days (90 by default), and the trainer-to-trainee ratio: active
    assignments of accredited trainers per accredited trainer. Two aggregate queries (and the
    rules)."""
    today = f.today
    warning_days = faculty_rules().expiry_warning_days
    soon = Q(status=AccreditationStatus.ACCREDITED, expires_on__gte=today,
             expires_on__lte=today + datetime.timedelta(days=warning_days))
    counts = {status: Count("id", filter=Q(status=status)) for status in AccreditationStatus.values}
    rows = (Accreditation.objects.filter(f.region("trainer__region_id"), f.specialty_of("specialty"))
            .values("trainer__region_id", "trainer__region__name")
            .annotate(**counts, total=Count("id"), expiring_soon=Count("id", filter=soon))
            .order_by("trainer__region__name"))
    assignments = dict(
        Assignment.objects.filter(active_on(today), f.region("trainer__region_id"),
                                  f.specialty_of("trainer__accreditation__specialty"),
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


def labs_section(f: Filters) -> list[dict]:
    """Seats offered, booked, attended and waitlist by month (`labs.capacity.capacity_report`,
    which reads them from the lab session summary kept by the labs' services)."""
    labs = Lab.objects.filter(f.region("region_id"))
    rows = capacity.capacity_report(labs=labs, start=f.start, end=f.end, group_by="month")
    return [{column: row[column] for column in SECTIONS["labs"]} for row in rows]


def signoffs_section(f: Filters) -> list[dict]:
    """One row: pending, overdue, decided, and the turnaround median and 90th percentile in
    days (linear interpolation), over every request of the region, read from sign-off's
    summaries (`signoff_figures_from_summaries`; turnaround counted to the hour): the figures
    of the live `signoff_figures`. Two queries."""
    figures = signoff_figures_from_summaries(region_id=f.region_id, today=f.today)
    return [{column: figures[column] for column in SECTIONS["signoffs"]}]


def _enrolments(f: Filters):
    return Enrolment.objects.filter(
        f.region("trainee__region_id"),
        status__in=(EnrolmentStatus.ACTIVE, EnrolmentStatus.PAUSED, EnrolmentStatus.COMPLETED))


def trainees_section(f: Filters) -> list[dict]:
    """Enrolments (active, paused, completed) by pathway and progress band, from the progress
    summaries; completed enrolments are "complete"; live ones without a summary yet count as
    `not_computed`. One aggregate query."""
    completed = Q(status=EnrolmentStatus.COMPLETED)
    bands = {band: Count("id", filter=~completed & Q(progress_snapshot__band=band)) for band in BANDS}
    bands[ProgressBand.COMPLETE] = Count("id", filter=completed | Q(progress_snapshot__band=ProgressBand.COMPLETE))
    rows = (_enrolments(f)
            .values("pathway_id", "pathway__code", "pathway__title", "pathway__version")
            .annotate(**bands, not_computed=Count("id", filter=~completed & Q(progress_snapshot__isnull=True)),
                      total=Count("id"))
            .order_by("pathway__code", "pathway__version"))
    return [{"pathway": row["pathway_id"], "pathway_code": row["pathway__code"],
             "pathway_title": str(row["pathway__title"]), **{band: row[band] for band in BANDS},
             "not_computed": row["not_computed"], "total": row["total"]} for row in rows]


def cases_section(f: Filters) -> list[dict]:
    """Validated cases by month (of the case date) and platform, submitted ones (waiting for
    validation) apart, from the case summary (`accreditation.logbook.summaries`). One query."""
    rows = (case_summary_rows(region_id=f.region_id, specialty_q=f.specialty_of("specialty"), start=f.start,
                              end_exclusive=f.end_exclusive, by=("month", "platform"))
            .order_by("month", "platform"))
    from rastrack.reference.models import Platform

    # The platform's name beside its code, as in the privileges section: the CSV is read by people.
    names = dict(Platform.choices)
    return [{"month": row["month"].strftime("%Y-%m"), "platform": row["platform"],
             "platform_name": str(names.get(row["platform"], row["platform"])),
             "validated": row["validated"], "submitted": row["submitted"]} for row in rows]


def privileges_section(f: Filters) -> list[dict]:
    """Surgeons holding robotic privileges in force (provisional or full) by platform, at the
    region's sites (every site nationally); one row per platform, zeros included. One query."""
    from accreditation.privileges.models import Privilege, PrivilegeStatus
    from rastrack.reference.models import Platform

    live = Q(status__in=(PrivilegeStatus.PROVISIONAL, PrivilegeStatus.FULL))
    rows = {row["platform"]: row for row in (
        Privilege.objects.filter(live, f.region("site__region_id"))
        .values("platform")
        .annotate(provisional=Count("surgeon", distinct=True, filter=Q(status=PrivilegeStatus.PROVISIONAL)),
                  full=Count("surgeon", distinct=True, filter=Q(status=PrivilegeStatus.FULL)),
                  surgeons=Count("surgeon", distinct=True))
        .order_by("platform"))}
    return [{"platform": value, "platform_name": str(label), "provisional": rows.get(value, {}).get("provisional", 0),
             "full": rows.get(value, {}).get("full", 0), "surgeons": rows.get(value, {}).get("surgeons", 0)}
            for value, label in Platform.choices]


def overlogging_section(f: Filters) -> list[dict]:
    """Trainee/trainer disagreement on role and supervision code by region and month, of the
    validated cases of trainees who have a region, from the case summary: of the cases
    validated, how many the trainer corrected (the role, the supervision code) and how many of
    those were over-logged (`accreditation.logbook.summaries.is_overlogged`). One query, the
    regions' names in it."""
    rows = (case_summary_rows(region_id=f.region_id, specialty_q=f.specialty_of("specialty"), start=f.start,
                              end_exclusive=f.end_exclusive, by=("region_id", "month"), validated_only=True,
                              with_region_name=True)
            .order_by("region_name", "month"))
    return [{"region": row["region_id"], "region_name": row["region_name"],
             "month": row["month"].strftime("%Y-%m"), "validated": row["validated"],
             "disagreements": row["disagreements"], "role_corrected": row["role_corrected"],
             "supervision_corrected": row["supervision_corrected"],
             "disagreement_rate": rounded(row["disagreements"] / row["validated"], 3),
             "overlogged": row["overlogged"]} for row in rows]


def calibration_section(f: Filters) -> list[dict]:
    """The self-versus-trainer assessment gap by region and month, from the calibration
    summary (the months are whole: a month in the period is a month of the summary)."""
    summaries = CalibrationSummary.objects.filter(f.region("region_id"), f.specialty_of("specialty"),
                                                  month__gte=f.start, month__lt=f.end_exclusive)
    return assessment_gap_from_summary(summaries)


# --- The dashboard ----------------------------------------------------------------------------


# What a filtered view takes from the snapshots rather than recomputing: the sections that
# depend on the scope alone (neither on the months nor on the specialty), and those that
# depend on the specialty only (from the scope's snapshot when no specialty is given, else
# from the specialty's). What they read (enrolments and their progress summaries, bookings,
# trainers and assignments) grows with the trainees; the sections by month read the summary
# tables.
SCOPE_ONLY = ("progress_freshness", "trainees", "signoffs", "privileges", "capacity_period", "capacity")
SPECIALTY_ONLY = ("expiry_warning_days", "faculty", "trainers")


def specialty_sections(*, specialty: str, today: datetime.date | None = None,
                       now: datetime.datetime | None = None) -> dict:
    """The national sections that follow the specialty and not the months, by region (a
    region's rows are those of its dashboard), as `dashboards.snapshots` stores them for each
    specialty code."""
    from django.utils import timezone

    now = now or timezone.now()
    today = today or timezone.localdate(now)
    this_month = first_of_month(today)
    f = Filters(region_id=None, specialty=specialty, start=this_month, end=this_month, today=today)
    faculty, warning_days = faculty_section(f)
    return {"computed_at": now.isoformat(), "expiry_warning_days": warning_days, "faculty": faculty,
            "trainers": capacity_need.trainer_capacity(None, today=today, specialty=specialty)}


def _of_region(section: dict, region_id: int | None) -> dict:
    if region_id is None:
        return section
    return {name: [row for row in rows if row["region"] == region_id] if isinstance(rows, list) else rows
            for name, rows in section.items()}


def dashboard(*, region=None, start: datetime.date | None = None, end: datetime.date | None = None,
              specialty: str = "", today: datetime.date | None = None,
              now: datetime.datetime | None = None, snapshot: dict | None = None,
              specialty_snapshot: dict | None = None) -> dict:
    """Every section for the nation (`region=None`) or one region, for the months from
    `start`'s to `end`'s (default: `labs.capacity.default_period`), optionally for one
    specialty; capacity versus need always looks three months ahead from now.

    `snapshot`, the scope's stored default dashboard, gives the sections that depend on the
    scope alone (`SCOPE_ONLY`), and with no specialty those that follow it (`SPECIALTY_ONLY`);
    with a specialty, `specialty_snapshot` (the stored `specialty_sections`) gives those. The
    answer's `snapshot_sections` names what came from them with the older snapshot's
    `computed_at` (None when every section was computed now)."""
    from django.utils import timezone

    now = now or timezone.now()
    today = today or timezone.localdate(now)
    default_start, default_end = capacity.default_period(today)
    f = Filters(region_id=region.pk if region is not None else None, specialty=specialty or "",
                start=first_of_month(start or default_start),
                end=first_of_month(end or default_end), today=today)
    stored: dict[str, dict] = {}
    if snapshot is not None:
        stored.update(dict.fromkeys(SCOPE_ONLY, snapshot))
        if not f.specialty:
            stored.update(dict.fromkeys(SPECIALTY_ONLY, snapshot))
    if f.specialty and specialty_snapshot is not None:
        stored.update(dict.fromkeys(SPECIALTY_ONLY, _of_region(specialty_snapshot, f.region_id)))

    def section(name: str, compute):
        return stored[name][name] if name in stored else compute()

    if "faculty" in stored:
        faculty, warning_days = stored["faculty"]["faculty"], stored["faculty"]["expiry_warning_days"]
    else:
        faculty, warning_days = faculty_section(f)
    reused = [name for name in (*SCOPE_ONLY, *SPECIALTY_ONLY) if name in stored]
    reused_at = min((source["computed_at"] for source in stored.values()), default=None)
    horizon_start, horizon_end = capacity_need.horizon(now)
    return {
        "computed_at": now.isoformat(),
        "snapshot_sections": {"computed_at": reused_at, "sections": reused} if reused else None,
        "scope": {"region": f.region_id, "region_name": region.name if region is not None else ""},
        "period": {"from": f.start.strftime("%Y-%m"), "to": f.end.strftime("%Y-%m")},
        "filters": {"region": f.region_id, "specialty": f.specialty},
        "expiry_warning_days": warning_days,
        "capacity_period": section("capacity_period", lambda: {
            "from": timezone.localdate(horizon_start).isoformat(), "to": timezone.localdate(horizon_end).isoformat()}),
        "progress_freshness": section("progress_freshness", lambda: freshness(_enrolments(f))),
        "faculty": faculty,
        "labs": labs_section(f),
        "signoffs": section("signoffs", lambda: signoffs_section(f)),
        "trainees": section("trainees", lambda: trainees_section(f)),
        "cases": cases_section(f),
        "privileges": section("privileges", lambda: privileges_section(f)),
        "capacity": section("capacity", lambda: capacity_need.capacity_versus_need(f.region_id, now=now)),
        "trainers": section("trainers", lambda: capacity_need.trainer_capacity(
            f.region_id, today=today, specialty=f.specialty)),
        "overlogging": overlogging_section(f),
        "calibration": calibration_section(f),
    }


def section_csv(rows: list[dict], section: str) -> str:
    """A section as CSV text: the header is the section's columns, in order."""
    from rastrack.core.csv_export import csv_text

    columns = SECTIONS[section]
    return csv_text(columns, ([row.get(key) for key in columns] for row in rows))


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
    """The trainees the trainer supervises today with their live enrolments' progress as the
    progress summaries last stored it (`curriculum.progress_summary.stored_progress_of`: never
    computed in the request, so the page is the same few queries for 2 trainees or 12), and
    the cases and sign-off requests waiting for them, oldest first, with the overdue count."""
    from django.utils import timezone

    from accreditation.logbook.selectors import validation_queue
    from accreditation.signoff.selectors import signoff_queue, trainees_assessable_by

    today = today or timezone.localdate()
    people = list(trainees_assessable_by(trainer))
    progress = stored_progress_of(person.pk for person in people)
    trainees = [{"trainee": person, "progress": progress[person.pk]} for person in people]
    cases = validation_queue(trainer)
    signoffs = signoff_queue(trainer).select_related("trainee")
    return {"trainees": trainees,
            "cases": list(cases[:QUEUE_LIMIT]), "cases_count": cases.count(),
            "signoffs": list(signoffs[:QUEUE_LIMIT]), "signoffs_count": signoffs.count(),
            "signoffs_overdue": signoffs.filter(due_on__lt=today).count()}


def trainee_dashboard(trainee) -> dict:
    """The trainee's live enrolments with progress against each requirement, what to do next
    (the unmet requirements, in pathway order) and their upcoming lab bookings."""
    from accreditation.logbook.selectors import case_status_counts
    from curriculum.selectors import live_enrolments_of
    from labs.selectors import upcoming_bookings_of

    progress = [progress_for(e) for e in live_enrolments_of(trainee).select_related("trainee")]
    # The same counts as My logbook and the portfolio: validated first, every status named.
    by_status = case_status_counts(Case.objects.filter(trainee=trainee))
    return {"progress": progress, "logbook": by_status,
            "next": [item for p in progress for item in p.unmet()][:5],
            "bookings": list(upcoming_bookings_of(trainee)[:10]),
            "curve": _main_learning_curve(trainee)}


def _main_learning_curve(trainee) -> dict | None:
    """The learning curve (validated whole console cases) of the procedure the trainee has most
    validated whole console cases of, or None before the first."""
    from accreditation.logbook.learning_curve import chart_data
    from accreditation.logbook.selectors import learning_curve
    from rastrack.reference.models import Procedure

    top = (Case.objects.filter(trainee=trainee, validated_role="console_whole", console_minutes__isnull=False,
                               status=CaseStatus.VALIDATED).exclude(validated_supervision__in=("A", "T"))
           .values("procedure_id").annotate(n=Count("id")).order_by("-n", "procedure_id").first())
    if top is None:
        return None
    procedure = Procedure.objects.get(pk=top["procedure_id"])
    return {"procedure": procedure, "chart": chart_data(procedure.name,
                                                        learning_curve(trainee=trainee, procedure_id=procedure.pk))}
