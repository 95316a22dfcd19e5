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
    Provenance,
    SimulatorExercise,
    SimulatorSession,
)
from curriculum.models import Audience
from curriculum.progress import EvidenceItem, Measurement, best_run_minimum, waiting_note

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


def proficiency_runs(attempts: list[tuple[bool, bool]], k: int) -> tuple[bool, int]:
    """(reached, current run) over one exercise's attempts, oldest first, each (at benchmark,
    of a provenance that counts). Reached once `k` counted passes came one after another. A
    failed attempt resets the run whatever its provenance (leaving a failure unverified must
    not help); a pass that does not count yet neither adds to the run nor breaks it."""
    k = max(1, k or 1)
    run = 0
    reached = False
    for passed, counted in attempts:
        if not passed:
            run = 0
        elif counted:
            run += 1
        reached = reached or run >= k
    return reached, run


class SimulatorEvidenceProvider:
    """Simulator sessions: how many, how long, scores on K consecutive attempts, and
    proficiency (every listed exercise at benchmark on K consecutive attempts).

    Only the provenances the requirement names count; a platform narrowing counts only the
    sessions of exercises on that platform (legacy sessions, with no exercise, never do).
    """

    name = "accreditation.simulator"

    def handles(self, requirement) -> bool:
        return requirement.component.kind == "simulation" and requirement.type in (
            "min_count", "min_hours", "min_score", "simulator_proficiency")

    def _narrowed(self, *, trainee, requirement) -> QuerySet[SimulatorSession]:
        qs = SimulatorSession.objects.filter(trainee=trainee)
        if requirement.platform:
            qs = qs.filter(exercise__platform=requirement.platform)
        if requirement.type == "simulator_proficiency":
            qs = qs.filter(exercise__frs_task=True) if requirement.all_frs_tasks else qs.filter(
                exercise__code__in=list(requirement.exercises))
        elif requirement.exercise:
            qs = qs.filter(exercise_name__iexact=requirement.exercise)
        return qs

    def measure(self, *, trainee, requirement) -> Measurement:
        narrowed = self._narrowed(trainee=trainee, requirement=requirement)
        counted = list(requirement.provenances or [])
        qs = narrowed.filter(provenance__in=counted)
        notes = waiting_note(
            trainee=trainee, requirement=requirement, singular="session", plural="sessions",
            waiting=0 if Provenance.SELF_REPORTED in counted
            else narrowed.filter(provenance=Provenance.SELF_REPORTED).count())
        if requirement.type == "simulator_proficiency":
            return self._proficiency(narrowed, counted, requirement, notes)
        if requirement.type == "min_score":
            qs = qs.filter(score__isnull=False)
        sessions = list(qs.order_by("date", "id").values_list("id", "date", "exercise_name", "score", "minutes"))
        evidence = tuple(EvidenceItem("simulator_session", pk, f"{name}: {score if score is not None else '-'}", date)
                         for pk, date, name, score, _minutes in sessions)
        if requirement.type == "min_hours":
            return Measurement(value=_hours(sum(row[4] for row in sessions)), evidence=evidence, notes=notes)
        if requirement.type == "min_score":
            value = best_run_minimum([row[3] for row in sessions], requirement.consecutive or 1)
            return Measurement(value=value, evidence=evidence, notes=notes)
        return Measurement(value=len(sessions), evidence=evidence, notes=notes)

    def _proficiency(self, qs, counted: list[str], requirement, notes: tuple[str, ...]) -> Measurement:
        k = requirement.consecutive or 2
        if requirement.all_frs_tasks:
            listed = dict(SimulatorExercise.objects.filter(frs_task=True, active=True)
                          .order_by("name").values_list("code", "name"))
        else:
            names = dict(SimulatorExercise.objects.filter(code__in=list(requirement.exercises))
                         .values_list("code", "name"))
            listed = {code: names.get(code, code) for code in requirement.exercises}
        rows = list(qs.order_by("date", "id").values_list("id", "date", "exercise__code", "exercise_name",
                                                            "meets_benchmark", "provenance"))
        attempts: dict[str, list[tuple]] = {code: [] for code in listed}
        for row in rows:
            attempts.setdefault(row[2], []).append(row)
        done = 0
        evidence: list[EvidenceItem] = []
        lines: list[str] = []
        next_step = None
        for code, name in listed.items():
            series = attempts.get(code, [])
            reached, run = proficiency_runs([(bool(r[4]), r[5] in counted) for r in series], k)
            evidence.extend(EvidenceItem("simulator_session", r[0],
                                         f"{r[3]}: {'at benchmark' if r[4] else 'below benchmark'}", r[1])
                            for r in series if r[5] in counted)
            if reached:
                done += 1
                lines.append(f"{name}: done ({k} consecutive attempts at benchmark).")
            else:
                lines.append(f"{name}: current run {run} of {k}.")
                if next_step is None:
                    left = k - run
                    next_step = (f"Next: {left} more attempt{'s' if left != 1 else ''} at benchmark in {name}"
                                 f"{' in a row' if left > 1 else ''}.")
        evidence.sort(key=lambda item: (item.date, item.id))
        tail = (next_step,) if next_step else ()
        return Measurement(value=done, evidence=tuple(evidence), met=bool(listed) and done == len(listed),
                           notes=tuple(lines) + notes + tail)


def register() -> None:
    from accreditation.logbook.verification import verifier_description
    from curriculum.progress import register_provider, register_verifier_description

    register_provider(CaseEvidenceProvider())
    register_provider(SimulatorEvidenceProvider())
    # Progress names who may verify self-reported sessions and e-learning (the assignments).
    register_verifier_description(verifier_description)

    from django.db.models.signals import post_delete, post_save

    from curriculum.progress_summary import watch

    # Not `watch(Case)`: a case counts for progress only once validated, and the sign-off
    # evidence reads a case only through an assessment or request of it, which a case just
    # logged cannot have yet. So a new case that is not validated leaves progress as it was,
    # and logging one (the busiest write) does not mark the trainee's snapshots stale. Any
    # later save or delete of a case still does.
    post_save.connect(_on_case_saved, sender=Case, dispatch_uid="progress-summary-accreditation.case-save")
    post_delete.connect(_on_case_deleted, sender=Case, dispatch_uid="progress-summary-accreditation.case-delete")
    watch(SimulatorSession)


def _on_case_saved(sender, instance: Case, created: bool = False, raw: bool = False, **kwargs) -> None:
    if raw or (created and instance.status != CaseStatus.VALIDATED):
        return
    from curriculum.progress_summary import mark_stale

    mark_stale([instance.trainee_id])


def _on_case_deleted(sender, instance: Case, **kwargs) -> None:
    from curriculum.progress_summary import mark_stale

    mark_stale([instance.trainee_id])
