"""Reads for the logbook, scoped to what the caller may see (others: 404)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet, Sum

from accreditation.logbook.learning_curve import CurvePoint, cusum_points
from accreditation.logbook.models import (
    CONSOLE_ROLES,
    Case,
    CaseStatus,
    CaseStep,
    Provenance,
    SimulatorExercise,
    SimulatorExportFormat,
    SimulatorSession,
)
from rastrack.accounts.models import User
from rastrack.accounts.trainee_scope import scoped


def cases_visible_to(user: User) -> QuerySet[Case]:
    qs = Case.objects.select_related(
        "trainee", "site", "procedure", "supervisor", "validator"
    ).prefetch_related(
        Prefetch("steps", queryset=CaseStep.objects.select_related("step").order_by("step__order"))
    ).order_by("-date", "-id")
    return scoped(qs, user)


def validation_queue(trainer: User) -> QuerySet[Case]:
    """Submitted cases waiting for this trainer, oldest first."""
    return cases_visible_to(trainer).filter(
        status=CaseStatus.SUBMITTED, validator=trainer
    ).order_by("submitted_at", "id")


def simulator_sessions_visible_to(user: User) -> QuerySet[SimulatorSession]:
    qs = SimulatorSession.objects.select_related("trainee", "verified_by", "exercise").order_by("-date", "-id")
    return scoped(qs, user)


def verification_queue(trainer: User) -> QuerySet[SimulatorSession]:
    """Self-reported sessions of the trainees this trainer supervises, oldest first (the
    verify policy still decides on each; a trainer never sees their own)."""
    from accreditation.faculty.eligibility import supervised_trainee_ids

    return (simulator_sessions_visible_to(trainer)
            .filter(provenance=Provenance.SELF_REPORTED, trainee_id__in=supervised_trainee_ids(trainer))
            .exclude(trainee=trainer).order_by("date", "id"))


def simulator_exercises() -> QuerySet[SimulatorExercise]:
    return SimulatorExercise.objects.order_by("simulator", "name", "id")


def simulator_exercise_catalogue() -> dict[str, tuple[str, bool]]:
    """The active exercises by code: (name, FRS task). Registered with the curriculum, whose
    proficiency requirements list exercises by code. One query."""
    rows = SimulatorExercise.objects.filter(active=True).values_list("code", "name", "frs_task")
    return {code: (name, frs) for code, name, frs in rows}


def export_formats() -> QuerySet[SimulatorExportFormat]:
    return SimulatorExportFormat.objects.order_by("code")


def logbook_totals(cases: QuerySet[Case]) -> dict:
    """Totals of a (filtered) logbook: by role, platform and procedure, and console hours."""
    base = cases.order_by()
    by_role = dict(base.values_list("role").annotate(n=Count("id")).values_list("role", "n"))
    by_platform = dict(base.values_list("platform").annotate(n=Count("id")).values_list("platform", "n"))
    by_procedure = list(
        base.values("procedure_id", "procedure__name").annotate(n=Count("id")).order_by("-n", "procedure__name")
    )
    minutes = base.filter(role__in=CONSOLE_ROLES).aggregate(m=Sum("console_minutes"))["m"] or 0
    return {
        "cases": base.count(),
        "by_role": by_role,
        "by_platform": by_platform,
        "by_procedure": [{"procedure": r["procedure_id"], "name": r["procedure__name"], "cases": r["n"]}
                         for r in by_procedure],
        "console_hours": round(minutes / 60, 1),
    }


def learning_curve(*, trainee: User, procedure_id: int) -> list[CurvePoint]:
    """Console time by case number and its CUSUM, over the trainee's submitted and
    validated console cases of one procedure, in date then id order."""
    rows = (
        Case.objects.filter(trainee=trainee, procedure_id=procedure_id, role__in=CONSOLE_ROLES,
                            status__in=[CaseStatus.SUBMITTED, CaseStatus.VALIDATED],
                            console_minutes__isnull=False)
        .order_by("date", "id").values_list("date", "console_minutes")
    )
    return cusum_points(list(rows))
