"""Reads for the logbook, scoped to what the caller may see (others: 404)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    CharField,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)

from accreditation.logbook.learning_curve import CurvePoint, cusum_points
from accreditation.logbook.models import (
    CONSOLE_ROLES,
    Case,
    CaseOutcome,
    CaseRole,
    CaseStatus,
    CaseStep,
    ComplicationGrade,
    Conversion,
    Provenance,
    SimulatorExercise,
    SimulatorExportFormat,
    SimulatorSession,
    StepRole,
    Supervision,
)
from rastrack.accounts.models import User
from rastrack.accounts.trainee_scope import scoped


def cases_visible_to(user: User, *, read_now: bool = False) -> QuerySet[Case]:
    qs = Case.objects.select_related(
        "trainee", "site", "procedure", "supervisor", "validator"
    ).prefetch_related(
        Prefetch("steps", queryset=CaseStep.objects.select_related("step").order_by("step__order"))
    ).order_by("-date", "-id")
    return scoped(qs, user, read_now=read_now)


def validation_queue(trainer: User) -> QuerySet[Case]:
    """Submitted cases waiting for this trainer, oldest first (the trainer's trainees read
    once: the queue's count and page each carry their ids, not the rights subquery)."""
    return cases_visible_to(trainer, read_now=True).filter(
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


def elearning_verification_queue(trainer: User):
    """Self-reported e-learning completions of the trainees this trainer supervises, oldest
    first: they wait beside the sessions and the cases (the same verify rule decides)."""
    from accreditation.faculty.eligibility import supervised_trainee_ids
    from curriculum.selectors import elearning_completions_visible_to

    return (elearning_completions_visible_to(trainer)
            .filter(provenance=Provenance.SELF_REPORTED, trainee_id__in=supervised_trainee_ids(trainer))
            .exclude(trainee=trainer).order_by("completed_on", "id"))


def simulator_exercises() -> QuerySet[SimulatorExercise]:
    return SimulatorExercise.objects.order_by("simulator", "name", "id")


def simulator_exercise_catalogue() -> dict[str, tuple[str, bool]]:
    """The active exercises by code: (name, FRS task). Registered with the curriculum, whose
    proficiency requirements list exercises by code. One query, shared with a progress
    computation's read of the exercises when made inside one."""
    from accreditation.logbook.progress import exercise_rows

    return {code: (name, frs) for code, name, frs, active in exercise_rows() if active}


def export_formats() -> QuerySet[SimulatorExportFormat]:
    return SimulatorExportFormat.objects.order_by("code")


# Validated first: those are the cases that count as evidence (portfolio, progress); the rest
# are on their way there or were returned.
STATUS_ORDER = (CaseStatus.VALIDATED, CaseStatus.SUBMITTED, CaseStatus.DRAFT, CaseStatus.REJECTED)


def case_status_counts(cases: QuerySet[Case]) -> list[dict]:
    """Cases and console hours per status, validated first (one query, every status listed)."""
    rows = {r["status"]: r for r in cases.order_by().values("status").annotate(
        n=Count("id"), m=Sum("console_minutes", filter=Q(role__in=CONSOLE_ROLES)))}
    return [{"status": code, "label": CaseStatus(code).label, "cases": rows.get(code, {}).get("n", 0),
             "console_minutes": rows.get(code, {}).get("m") or 0,
             "console_hours": round((rows.get(code, {}).get("m") or 0) / 60, 1)} for code in STATUS_ORDER]


def logbook_summary(cases: QuerySet[Case]) -> dict:
    """What a logbook shows: every case counted by status (validated first), and the totals of
    the validated ones, exactly as the portfolio export gives them."""
    by_status = case_status_counts(cases)
    return {
        "by_status": by_status,
        "all_cases": sum(row["cases"] for row in by_status),
        "all_console_hours": round(sum(row["console_minutes"] for row in by_status) / 60, 1),
        "validated": logbook_totals(cases.filter(status=CaseStatus.VALIDATED)),
        "waiting": next(row["cases"] for row in by_status if row["status"] == CaseStatus.SUBMITTED),
    }


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


EXCLUSION_REASONS = {
    "not_validated": "not validated yet (drafts, submitted and returned cases)",
    "part_case": "part cases (the whole-case curve reads whole cases only; pick a step for part cases)",
    "not_console": "not at the console (observed or bedside assisting)",
    "not_own_console_work": "coded A or T: the trainer did the key parts, or the trainee was teaching",
    "no_console_time": "no console time recorded",
    "step_not_recorded": "the step is not recorded on the case",
    "step_not_at_console": "the step was not done at the console",
    "step_taken_over": "the trainer took the step over",
    "no_step_minutes": "no minutes recorded for the step",
}


@dataclass
class LearningCurve:
    points: list[CurvePoint]
    excluded: dict[str, int]
    # Console cases in the curve's order with their outcome: (case id, complication?, converted?).
    outcomes: list[tuple[int, bool, bool]] = field(default_factory=list)


def learning_curve_of(*, trainee: User, procedure_id: int, step_id: int | None = None,
                      target=None) -> LearningCurve:
    """The curve over the trainee's validated cases of one procedure, read as validated: whole
    console cases by their console time, or, with `step_id`, every validated console case (whole
    or part) by that step's own minutes (the case's console time when the step was its only
    console step). One query whatever the number of cases; the others are counted by reason."""
    qs = Case.objects.filter(trainee=trainee, procedure_id=procedure_id)
    if step_id is not None:
        steps = CaseStep.objects.filter(case_id=OuterRef("pk"), step_id=step_id)
        qs = qs.annotate(
            step_role=Subquery(steps.values("role")[:1]), step_takeover=Subquery(steps.values("takeover")[:1]),
            step_minutes=Subquery(steps.values("console_minutes")[:1]),
            console_steps=Subquery(CaseStep.objects.filter(case_id=OuterRef("pk"), role=StepRole.CONSOLE)
                                   .order_by().values("case_id").annotate(n=Count("id")).values("n")[:1]))
    else:
        qs = qs.annotate(step_role=Value(None, output_field=CharField()),
                         step_takeover=Value(None, output_field=BooleanField()),
                         step_minutes=Value(None, output_field=IntegerField()),
                         console_steps=Value(None, output_field=IntegerField()))
    qs = qs.annotate(outcome_grade=Subquery(CaseOutcome.objects.filter(case_id=OuterRef("pk"))
                                            .order_by("-followup_days").values("complication_grade")[:1]))
    rows = qs.order_by("date", "id").values_list(
        "id", "date", "status", "validated_role", "validated_supervision", "console_minutes",
        "step_role", "step_takeover", "step_minutes", "console_steps", "complication_grade", "outcome_grade",
        "conversion")
    excluded: dict[str, int] = {}
    series, outcomes = [], []

    def leave_out(reason: str) -> None:
        excluded[reason] = excluded.get(reason, 0) + 1

    for (pk, date, status, role, code, minutes, step_role, takeover, step_minutes, console_steps,
         grade, outcome_grade, conversion) in rows:
        if status != CaseStatus.VALIDATED:
            leave_out("not_validated")
            continue
        if role not in CONSOLE_ROLES:
            leave_out("not_console")
            continue
        if code in (Supervision.A, Supervision.T):
            leave_out("not_own_console_work")
            continue
        outcomes.append((pk, (outcome_grade or grade) != ComplicationGrade.NONE, conversion != Conversion.NONE))
        if step_id is None:
            if role != CaseRole.CONSOLE_WHOLE:
                leave_out("part_case")
            elif minutes is None:
                leave_out("no_console_time")
            else:
                series.append((date, minutes, pk))
            continue
        if step_role is None:
            leave_out("step_not_recorded")
        elif step_role != StepRole.CONSOLE:
            leave_out("step_not_at_console")
        elif takeover:
            leave_out("step_taken_over")
        elif step_minutes is not None:
            series.append((date, step_minutes, pk))
        elif console_steps == 1 and minutes is not None:
            series.append((date, minutes, pk))
        else:
            leave_out("no_step_minutes")
    return LearningCurve(points=cusum_points(series, target), excluded=excluded, outcomes=outcomes)


def learning_curve(*, trainee: User, procedure_id: int) -> list[CurvePoint]:
    """The whole-case console-time curve's points (validated whole console cases only)."""
    return learning_curve_of(trainee=trainee, procedure_id=procedure_id).points
