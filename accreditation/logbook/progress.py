"""The logbook's evidence for the curriculum's progress engine.

Only validated cases count, read as the trainer confirmed them (`validated_role`,
`validated_supervision`), so over-logging by the trainee never inflates progress.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Exists, OuterRef, QuerySet

from accreditation.logbook.counting import (
    DEFAULT_RULES,
    STEP_FILTER,
    KindTable,
    case_kind_q,
    kinds_of,
    pathway_counting_annotations,
    pathway_kind_q,
    rules_for_pathways,
    step_counts,
)
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
from curriculum.progress import (
    EvidenceItem,
    Measurement,
    best_run_minimum,
    computation_trainees,
    shared,
    waiting_note,
)

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
        """The validated cases counted for the requirement, as a queryset (for a caller that
        needs one; progress itself counts in `measure_batch`, and the tests hold the two to the
        same answer): by its pathway version's counting table, or by `rules`. A proctored case (an established surgeon's,
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
        return self.measure_batch(work=[(trainee, requirement)])[0]


    def measure_batch(self, *, work: Sequence[tuple], rules=None) -> list[Measurement]:
        """`measure` of every pair from one read of the trainees' validated cases (and, when a
        requirement names a step, one of their steps): the same rules as `cases`, in memory.
        `rules`: count by these instead of each pathway version's table (what-if previews)."""
        trainees = computation_trainees(trainee.pk for trainee, _ in work)
        with_steps = any(requirement.procedure_step_id for _, requirement in work)
        pathways = {requirement.component.module.pathway_id for _, requirement in work}
        # One pathway version (a progress page): the database says what each case counts as,
        # in the same query, so the version's table costs no query of its own.
        # Several (a batch of summaries): its tables are read once and applied in memory.
        in_sql = rules is None and len(pathways) == 1
        pathway = next(iter(pathways)) if in_sql else None
        cases, steps = shared(("accreditation.validated_cases", trainees, with_steps, pathway),
                              lambda: _validated_cases(trainees, with_steps=with_steps, pathway_id=pathway))
        if in_sql:
            tables = dict.fromkeys(pathways)
        elif rules is not None:
            tables = dict.fromkeys(pathways, KindTable(rules))
        else:
            tables = shared(("accreditation.kind_tables", frozenset(pathways)), lambda: {
                pk: KindTable(rules) for pk, rules in rules_for_pathways(pathways).items()})
        return [self._measure_rows(requirement, cases.get(trainee.pk, ()), steps,
                                   tables[requirement.component.module.pathway_id])
                for trainee, requirement in work]

    def _measure_rows(self, requirement, rows, steps, table: KindTable | None) -> Measurement:
        kind = requirement.component.kind
        proctored = (requirement.component.module.pathway.audience == Audience.ESTABLISHED_SURGEON
                     and kind == CountedAs.SUPERVISED_CONSOLE)
        own_console = kind in (CountedAs.SUPERVISED_CONSOLE, CountedAs.INDEPENDENT_CONSOLE)
        step_id = requirement.procedure_step_id
        counted = []
        for row in rows:
            if proctored:
                if row.proctor_id is None or row.role not in CONSOLE_ROLES:
                    continue
            elif (kind not in (row.kinds if table is None else
                               table.kinds(role=row.role, supervision=row.supervision, taken_over=row.taken_over))
                  or (own_console and row.proctor_id is not None)):
                continue
            if requirement.platform and row.platform != requirement.platform:
                continue
            if requirement.procedure_id and row.procedure_id != requirement.procedure_id:
                continue
            if step_id and not any(step == step_id and step_counts(kind, role=role, takeover=takeover)
                                   for step, role, takeover in steps.get(row.id, ())):
                continue
            counted.append(row)
        evidence = tuple(row.item for row in counted)
        if requirement.type == "min_hours":
            column = "console_minutes" if kind.endswith("console_cases") else "total_minutes"
            return Measurement(value=_hours(sum(getattr(row, column) or 0 for row in counted)), evidence=evidence)
        return Measurement(value=len(counted), evidence=evidence)


class _CaseRow(NamedTuple):
    id: int
    role: str
    supervision: str
    taken_over: bool
    proctor_id: int | None
    platform: str
    procedure_id: int | None
    console_minutes: int | None
    total_minutes: int | None
    item: EvidenceItem  # one per case, shared by every requirement it counts for
    kinds: frozenset[str] | None = None  # what it counts as, when the database said (one pathway version)


def _validated_cases(trainee_ids, *, with_steps: bool, pathway_id: int | None = None
                     ) -> tuple[dict[int, list[_CaseRow]], dict[int, list[tuple]]]:
    """The trainees' validated cases, oldest first (date, id), with what counting reads, and,
    `with_steps`, each case's steps (step, role, takeover), read in the same query (a row per
    step: a case lists a step once, case_step_once). With `pathway_id`, what each case counts
    as under that version's table, also in the same query (`pathway_counting_annotations`)."""
    counting = pathway_counting_annotations(pathway_id) if pathway_id is not None else {}
    columns = ("id", "trainee_id", "date", "procedure__name", "validated_role", "validated_supervision",
               "proctor_id", "platform", "procedure_id", "console_minutes", "total_minutes", *counting)
    qs = (Case.objects.filter(trainee_id__in=trainee_ids, status=CaseStatus.VALIDATED).annotate(**counting)
          .order_by("date", "id"))
    if with_steps:
        qs = qs.values_list(*columns, "steps__step_id", "steps__role", "steps__takeover")
    else:
        qs = qs.annotate(taken_over=Exists(CaseStep.objects.filter(case_id=OuterRef("pk"), takeover=True)))
        qs = qs.values_list(*columns, "taken_over")
    by_trainee: dict[int, list[_CaseRow]] = {}
    steps: dict[int, list[tuple]] = {}
    fields: dict[int, tuple] = {}
    defaults = KindTable(DEFAULT_RULES)
    for row in qs:
        pk = row[0]
        if with_steps:
            step, role, takeover = row[-3:]
            if step is not None:
                steps.setdefault(pk, []).append((step, role, takeover))
            fields[pk] = row[:-3]
        else:
            fields[pk] = row
    for pk, (_, trainee_id, date, name, role, supervision, proctor, platform, procedure, console, total,
             *rest) in fields.items():  # dicts keep the query's order
        annotated, taken_over = rest[:len(counting)], rest[len(counting):]
        over = bool(taken_over[0] if taken_over else any(takeover for _, _, takeover in steps.get(pk, ())))
        kinds = kinds_of(own=bool(annotated[0]), mask=annotated[1], role=role, supervision=supervision,
                         taken_over=over, defaults=defaults) if counting else None
        by_trainee.setdefault(trainee_id, []).append(_CaseRow(
            pk, role, supervision, over, proctor, platform, procedure, console, total,
            item=EvidenceItem("case", pk, f"{name}, {date:%d %b %Y}", date), kinds=kinds))
    return by_trainee, steps


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

    def measure(self, *, trainee, requirement) -> Measurement:
        return self.measure_batch(work=[(trainee, requirement)])[0]

    def measure_batch(self, *, work: Sequence[tuple]) -> list[Measurement]:
        """`measure` of every pair from one read of the trainees' sessions (and, for
        proficiency, one of the exercises listed), narrowed in memory (`_session_narrowed`)."""
        trainees = computation_trainees(trainee.pk for trainee, _ in work)
        sessions = shared(("accreditation.simulator_sessions", trainees), lambda: _simulator_sessions(trainees))
        proficiency = [requirement for _, requirement in work if requirement.type == "simulator_proficiency"]
        exercises = _exercises(proficiency) if proficiency else []
        return [self._measure_rows(trainee, requirement, sessions.get(trainee.pk, ()), exercises)
                for trainee, requirement in work]

    def _measure_rows(self, trainee, requirement, rows, exercises) -> Measurement:
        narrowed = [row for row in rows if _session_narrowed(row, requirement)]
        counted = list(requirement.provenances or [])
        notes = waiting_note(
            trainee=trainee, requirement=requirement, singular="session", plural="sessions",
            waiting=0 if Provenance.SELF_REPORTED in counted
            else sum(1 for row in narrowed if row.provenance == Provenance.SELF_REPORTED))
        if requirement.type == "simulator_proficiency":
            return self._proficiency(narrowed, counted, requirement, notes, exercises)
        sessions = [row for row in narrowed if row.provenance in counted
                    and (requirement.type != "min_score" or row.score is not None)]
        evidence = tuple(EvidenceItem("simulator_session", row.id,
                                      f"{row.exercise_name}: {row.score if row.score is not None else '-'}", row.date)
                         for row in sessions)
        if requirement.type == "min_hours":
            return Measurement(value=_hours(sum(row.minutes for row in sessions)), evidence=evidence, notes=notes)
        if requirement.type == "min_score":
            value = best_run_minimum([row.score for row in sessions], requirement.consecutive or 1)
            return Measurement(value=value, evidence=evidence, notes=notes)
        return Measurement(value=len(sessions), evidence=evidence, notes=notes)

    def _proficiency(self, rows, counted: list[str], requirement, notes: tuple[str, ...], exercises) -> Measurement:
        k = requirement.consecutive or 2
        if requirement.all_frs_tasks:
            listed = {code: name for code, name, frs_task, active in exercises if frs_task and active}
        else:
            names = {code: name for code, name, _frs, _active in exercises}
            listed = {code: names.get(code, code) for code in requirement.exercises}
        attempts: dict[str, list] = {code: [] for code in listed}
        for row in rows:
            attempts.setdefault(row.exercise_code, []).append(row)
        done = 0
        evidence: list[EvidenceItem] = []
        lines: list[str] = []
        next_step = None
        for code, name in listed.items():
            series = attempts.get(code, [])
            reached, run = proficiency_runs([(bool(r.meets_benchmark), r.provenance in counted) for r in series], k)
            evidence.extend(EvidenceItem("simulator_session", r.id,
                                         f"{r.exercise_name}: {'at benchmark' if r.meets_benchmark else 'below benchmark'}",
                                         r.date)
                            for r in series if r.provenance in counted)
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


class _SessionRow(NamedTuple):
    id: int
    date: object
    exercise_name: str
    score: Decimal | None
    minutes: int
    provenance: str
    meets_benchmark: bool | None
    platform: str | None  # the exercise's; None for a legacy session with no exercise
    exercise_code: str | None
    frs_task: bool | None


def _simulator_sessions(trainee_ids) -> dict[int, list[_SessionRow]]:
    by_trainee: dict[int, list[_SessionRow]] = {}
    for trainee_id, *row in (SimulatorSession.objects.filter(trainee_id__in=trainee_ids).order_by("date", "id")
                             .values_list("trainee_id", "id", "date", "exercise_name", "score", "minutes",
                                          "provenance", "meets_benchmark", "exercise__platform",
                                          "exercise__code", "exercise__frs_task")):
        by_trainee.setdefault(trainee_id, []).append(_SessionRow(*row))
    return by_trainee


def _session_narrowed(row: _SessionRow, requirement) -> bool:
    """The sessions a requirement looks at (`_narrowed`, in memory)."""
    if requirement.platform and row.platform != requirement.platform:
        return False
    if requirement.type == "simulator_proficiency":
        return bool(row.frs_task) if requirement.all_frs_tasks else row.exercise_code in set(requirement.exercises)
    if requirement.exercise:
        # iexact: PostgreSQL compares UPPER() of both sides.
        return row.exercise_name.upper() == requirement.exercise.upper()
    return True


def exercise_rows() -> list[tuple]:
    """Every simulator exercise as (code, name, FRS task, active), by name: one read per
    progress computation (the catalogue is small), for the proficiency requirements and for
    the names the requirements' descriptions give (`selectors.simulator_exercise_catalogue`)."""
    return shared(("accreditation.simulator_exercises",), lambda: list(
        SimulatorExercise.objects.order_by("name", "id").values_list("code", "name", "frs_task", "active")))


def _exercises(requirements) -> list[tuple]:
    """The exercises proficiency requirements list (every active FRS task, or their codes), by name."""
    codes = {code for requirement in requirements for code in (requirement.exercises or ())}
    frs = any(requirement.all_frs_tasks for requirement in requirements)
    return [row for row in exercise_rows() if row[0] in codes or (frs and row[2] and row[3])]


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
