"""Reads for the logbook, scoped to what the caller may see (others: 404)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from accreditation.logbook.learning_curve import CurvePoint, cusum_points
from accreditation.logbook.models import CONSOLE_ROLES, Case, CaseStatus, CaseStep, SimulatorSession
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
    qs = SimulatorSession.objects.select_related("trainee", "verified_by").order_by("-date", "-id")
    return scoped(qs, user)


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
