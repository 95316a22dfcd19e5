"""The logbook's evidence for the curriculum's progress engine.

Only validated cases count, read as the trainer confirmed them (`validated_role`,
`validated_supervision`), so over-logging by the trainee never inflates progress.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet, Sum

from accreditation.logbook.counting import STEP_FILTER, case_kind_q, pathway_kind_q
from accreditation.logbook.models import (
    CONSOLE_ROLES,
    Case,
    CaseStatus,
    CaseStep,
    CountedAs,
    SimulatorSession,
)
from curriculum.models import Audience
from curriculum.progress import EvidenceItem, Measurement, best_run_minimum

# The component kinds counted from validated cases; what counts as each is the pathway
# version's counting table (counting.py).
CASE_KINDS = frozenset(CountedAs.values) - {CountedAs.TEACHING}
HOURS = Decimal("0.1")


def _hours(minutes) -> Decimal:
    return (Decimal(minutes or 0) / Decimal(60)).quantize(HOURS)


class CaseEvidenceProvider:
    """Counts or hours of validated cases, narrowed by platform, procedure and step."""

    name = "accreditation.cases"

    def handles(self, requirement) -> bool:
        return requirement.type in ("min_count", "min_hours") and requirement.component.kind in CASE_KINDS

    def cases(self, *, trainee, requirement, rules=None) -> QuerySet[Case]:
        """The validated cases counted for the requirement: by its pathway version's counting
        table, or by `rules` (what-if previews). A proctored case (an established surgeon's,
        with the assigned proctor named) counts only as the conversion pathway's proctored
        console case, never under the trainee supervision codes."""
        kind = requirement.component.kind
        pathway = requirement.component.module.pathway
        qs = Case.objects.filter(trainee=trainee, status=CaseStatus.VALIDATED)
        if pathway.audience == Audience.ESTABLISHED_SURGEON and kind == CountedAs.SUPERVISED_CONSOLE:
            qs = qs.filter(proctor__isnull=False, validated_role__in=CONSOLE_ROLES)
        else:
            kind_q = case_kind_q(kind, rules) if rules is not None else pathway_kind_q(kind, pathway.pk)
            qs = qs.filter(kind_q)
            if kind in (CountedAs.SUPERVISED_CONSOLE, CountedAs.INDEPENDENT_CONSOLE):
                qs = qs.filter(proctor__isnull=True)
        if requirement.platform:
            qs = qs.filter(platform=requirement.platform)
        if requirement.procedure_id:
            qs = qs.filter(procedure_id=requirement.procedure_id)
        if requirement.procedure_step_id:
            # EXISTS, not a join + DISTINCT: a case lists a step once (case_step_once).
            qs = qs.filter(Exists(CaseStep.objects.filter(
                STEP_FILTER[kind], case_id=OuterRef("pk"), step_id=requirement.procedure_step_id)))
        return qs

    def measure(self, *, trainee, requirement) -> Measurement:
        qs = self.cases(trainee=trainee, requirement=requirement)
        # Plain rows, not model instances: a trainee with hundreds of cases has hundreds of
        # pieces of evidence per requirement, and instances made the progress page slow at 500 cases.
        rows = list(qs.order_by("date", "id").values_list("id", "date", "procedure__name"))
        evidence = tuple(EvidenceItem("case", pk, f"{name}, {date:%d %b %Y}", date) for pk, date, name in rows)
        if requirement.type == "min_hours":
            column = "console_minutes" if requirement.component.kind.endswith("console_cases") else "total_minutes"
            minutes = qs.order_by().aggregate(m=Sum(column))["m"] if rows else 0
            return Measurement(value=_hours(minutes), evidence=evidence)
        return Measurement(value=len(rows), evidence=evidence)


class SimulatorEvidenceProvider:
    """Simulator sessions: how many, how long, and scores on K consecutive attempts."""

    name = "accreditation.simulator"

    def handles(self, requirement) -> bool:
        return requirement.component.kind == "simulation" and requirement.type in (
            "min_count", "min_hours", "min_score")

    def measure(self, *, trainee, requirement) -> Measurement:
        qs = SimulatorSession.objects.filter(trainee=trainee)
        if requirement.exercise:
            qs = qs.filter(exercise__iexact=requirement.exercise)
        sessions = list(qs.order_by("date", "id").only("id", "date", "exercise", "score", "minutes"))
        evidence = tuple(EvidenceItem("simulator_session", s.pk, f"{s.exercise}: {s.score}", s.date)
                         for s in sessions)
        if requirement.type == "min_hours":
            return Measurement(value=_hours(sum(s.minutes for s in sessions)), evidence=evidence)
        if requirement.type == "min_score":
            value = best_run_minimum([s.score for s in sessions], requirement.consecutive or 1)
            return Measurement(value=value, evidence=evidence)
        return Measurement(value=len(sessions), evidence=evidence)


def register() -> None:
    from curriculum.progress import register_provider

    register_provider(CaseEvidenceProvider())
    register_provider(SimulatorEvidenceProvider())

    from curriculum.progress_summary import watch

    watch(Case)
    watch(SimulatorSession)
