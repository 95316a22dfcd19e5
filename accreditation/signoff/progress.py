"""Assessments and sign-offs as evidence for the curriculum's progress engine.

Registered from `AccreditationConfig.ready()`. Each provider measures a batch of requirements
(`measure_batch`) from one read of the trainees' approved sign-offs, released assessments or
closed video reviews, shared by the providers that read the same rows, whatever the number of
requirements, cases, assessments or requests (the progress page stays fast); `measure` is the
batch of one.

- `competency_signoff`: 1 when the trainee holds an approved (not reversed) sign-off of a
  competency with the requirement's competency **key**, from any framework version.
- `final_signoff`: 1 when an approved (not reversed) final sign-off exists for an enrolment
  of the trainee on the requirement's pathway.
- `assessment_threshold`: the trainer assessments (never self-assessments) with the tool,
  oldest first (date, then id); the value is the best "lowest total of K consecutive"
  (`best_run_minimum`), so `value >= min_total` is exactly the rule. Narrowed by platform,
  procedure and step through the linked case when the requirement is.
  With `min_domain`, the value is the longest run of assessments with every domain at the mark
  (and the total, if asked); `modes` counts only assessments made live, from video, ...
- `min_count` on an `assessment` component: how many trainer assessments (any tool), narrowed
  the same way.
- `entrustment_level`: how many released trainer assessments reach the ISCP level: the global
  level, or the per-step level when the requirement is narrowed to a procedure step; with a
  competency, only assessments of a competency with its key (any framework version).
- `video_review_passed`: 1 for a closed blinded review with the tool whose mean total and
  agreement reach the requirement's marks.

Only assessments **released to the trainee** count (not of a case, final, or the trainee has
rated the case too: `signoff_selectors.released_to_trainee`), so a progress figure never
reveals a blinded score. A component sign-off is recorded and shown but measures no
requirement: the curriculum has no requirement type that asks for one (a pathway that needs
a trainer's word on a component uses `competency_signoff`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from django.db.models import Q

from accreditation.logbook.models import CaseStep
from accreditation.signoff.models import (
    Assessment,
    AssessmentStep,
    SignoffRequest,
    SignoffStatus,
    SignoffTarget,
    VideoReview,
    VideoReviewStatus,
)
from accreditation.signoff.selectors import released_to_trainee
from curriculum.progress import (
    EvidenceItem,
    Measurement,
    best_run_minimum,
    computation_trainees,
    shared,
)


def _signoff_item(request: SignoffRequest, label: str) -> EvidenceItem:
    who = request.decided_by.full_name if request.decided_by_id else "a trainer"
    return EvidenceItem("signoff", request.pk, f"{label}, signed off by {who}",
                        request.decided_at.date() if request.decided_at else None)


class CompetencySignoffProvider:
    name = "accreditation.competency_signoff"

    def handles(self, requirement) -> bool:
        return requirement.type == "competency_signoff"

    def measure(self, *, trainee, requirement) -> Measurement:
        return self.measure_batch(work=[(trainee, requirement)])[0]

    def measure_batch(self, *, work: Sequence[tuple]) -> list[Measurement]:
        approved = _approved_signoffs(work)
        return [self._measured(next((r for r in approved.get(trainee.pk, ())
                                     if r.target_key == f"competency:{requirement.competency.key}"), None))
                for trainee, requirement in work]

    def _measured(self, request) -> Measurement:
        if request is None:
            return Measurement(value=0)
        label = f"{request.competency.code} {request.competency.title}"
        return Measurement(value=1, evidence=(_signoff_item(request, label),))


class FinalSignoffProvider:
    name = "accreditation.final_signoff"

    def handles(self, requirement) -> bool:
        return requirement.type == "final_signoff"

    def measure(self, *, trainee, requirement) -> Measurement:
        return self.measure_batch(work=[(trainee, requirement)])[0]

    def measure_batch(self, *, work: Sequence[tuple]) -> list[Measurement]:
        approved = _approved_signoffs(work)
        return [self._measured(next((r for r in approved.get(trainee.pk, ())
                                     if r.target == SignoffTarget.FINAL and r.enrolment_id is not None
                                     and r.enrolment.pathway_id == requirement.component.module.pathway_id), None))
                for trainee, requirement in work]

    def _measured(self, request) -> Measurement:
        if request is None:
            return Measurement(value=0)
        return Measurement(value=1, evidence=(
            _signoff_item(request, f"Final sign-off of {request.enrolment.pathway.title}"),))


def _approved_signoffs(work) -> dict[int, list[SignoffRequest]]:
    """The trainees' approved competency and final sign-offs, first decided first; one read
    per computation for both providers."""
    trainees = computation_trainees(trainee.pk for trainee, _ in work)

    def load():
        by_trainee: dict[int, list[SignoffRequest]] = {}
        for request in (SignoffRequest.objects.select_related("decided_by", "competency", "enrolment__pathway")
                        .filter(Q(target_key__startswith="competency:") | Q(target=SignoffTarget.FINAL),
                                trainee_id__in=trainees, status=SignoffStatus.APPROVED)
                        .order_by("decided_at", "id")):
            by_trainee.setdefault(request.trainee_id, []).append(request)
        return by_trainee

    return shared(("accreditation.approved_signoffs", trainees), load)


class _AssessmentRow(NamedTuple):
    id: int
    date: object
    total: int
    scores: dict
    tool_code: str
    mode: str
    case_id: int | None
    platform: str | None  # the case's
    procedure_id: int | None  # the case's
    entrustment: int | None
    competency_key: object
    item: EvidenceItem


def _released_assessments(trainees) -> dict[int, list[_AssessmentRow]]:
    by_trainee: dict[int, list[_AssessmentRow]] = {}
    for pk, trainee_id, date, total, tool_name, assessor, *rest in (
            Assessment.objects.filter(trainee_id__in=trainees).filter(released_to_trainee()).order_by("date", "id")
            .values_list("id", "trainee_id", "date", "total", "tool__name", "assessor__full_name", "scores",
                         "tool__code", "mode", "case_id", "case__platform", "case__procedure_id", "entrustment",
                         "competency__key")):
        by_trainee.setdefault(trainee_id, []).append(_AssessmentRow(
            pk, date, total, *rest, item=EvidenceItem("assessment", pk, f"{tool_name} {total} by {assessor}", date)))
    return by_trainee


class _Assessments:
    """The trainees' released trainer assessments (one read per computation), narrowed in memory
    by tool, mode, the linked case's platform, procedure and step; steps are read only when a
    requirement names one."""

    def __init__(self, work):
        self.trainees = computation_trainees(trainee.pk for trainee, _ in work)
        self.rows = shared(("accreditation.released_assessments", self.trainees),
                           lambda: _released_assessments(self.trainees))
        self._case_steps: set | None = None
        self._levels: dict | None = None
        if any(requirement.procedure_step_id for _, requirement in work):
            self._case_steps = shared(("accreditation.assessed_case_steps", self.trainees), lambda: set(
                CaseStep.objects.filter(case_id__in=Assessment.objects.filter(trainee_id__in=self.trainees)
                                        .values("case_id")).values_list("case_id", "step_id")))

    def levels(self) -> dict[tuple[int, int], int]:
        """(assessment, step) -> the level given for that step."""
        if self._levels is None:
            self._levels = shared(("accreditation.assessment_step_levels", self.trainees), lambda: {
                (assessment, step): level for assessment, step, level in AssessmentStep.objects.filter(
                    assessment__trainee_id__in=self.trainees).values_list("assessment_id", "step_id", "level")})
        return self._levels

    def counted(self, trainee, requirement, tool_code: str | None = None) -> list[_AssessmentRow]:
        modes = requirement.modes.split(",") if getattr(requirement, "modes", "") else None
        return [a for a in self.rows.get(trainee.pk, ())
                if (not tool_code or a.tool_code == tool_code)
                and (modes is None or a.mode in modes)
                and (not requirement.platform or a.platform == requirement.platform)
                and (not requirement.procedure_id or a.procedure_id == requirement.procedure_id)
                and (not requirement.procedure_step_id
                     or (a.case_id, requirement.procedure_step_id) in self._case_steps)]


class AssessmentThresholdProvider:
    name = "accreditation.assessment_threshold"

    def handles(self, requirement) -> bool:
        return requirement.type == "assessment_threshold"

    def measure(self, *, trainee, requirement) -> Measurement:
        return self.measure_batch(work=[(trainee, requirement)])[0]

    def measure_batch(self, *, work: Sequence[tuple]) -> list[Measurement]:
        assessments = _Assessments(work)
        return [self._measured(requirement, assessments.counted(trainee, requirement, tool_code=requirement.tool))
                for trainee, requirement in work]

    def _measured(self, requirement, rows: list[_AssessmentRow]) -> Measurement:
        evidence = tuple(a.item for a in rows)
        if requirement.min_domain is None:
            return Measurement(value=best_run_minimum([a.total for a in rows], requirement.consecutive or 1),
                               evidence=evidence)
        # Every domain (and the total, when asked) at the mark: the longest run of passing ones.
        best = run = 0
        for a in rows:
            passed = (min(a.scores.values(), default=0) >= requirement.min_domain
                      and (requirement.min_total is None or a.total >= requirement.min_total))
            run = run + 1 if passed else 0
            best = max(best, run)
        return Measurement(value=best, evidence=evidence)


class EntrustmentLevelProvider:
    """Assessments at or above a supervision level: the global level, or, narrowed to a
    procedure step, the level given for that step (a BIARGS / ERUS-style grid)."""

    name = "accreditation.entrustment_level"

    def handles(self, requirement) -> bool:
        return requirement.type == "entrustment_level"

    def measure(self, *, trainee, requirement) -> Measurement:
        return self.measure_batch(work=[(trainee, requirement)])[0]

    def measure_batch(self, *, work: Sequence[tuple]) -> list[Measurement]:
        assessments = _Assessments(work)
        return [self._measured(requirement, assessments.counted(trainee, requirement), assessments)
                for trainee, requirement in work]

    def _measured(self, requirement, rows: list[_AssessmentRow], assessments: _Assessments) -> Measurement:
        step, level = requirement.procedure_step_id, requirement.level
        if step:
            levels = assessments.levels()
            rows = [a for a in rows if (a.id, step) in levels and levels[(a.id, step)] >= level]
        else:
            rows = [a for a in rows if a.entrustment is not None and a.entrustment >= level]
        competency = requirement.competency if requirement.competency_id else None
        if competency is not None:
            rows = [a for a in rows if a.competency_key == competency.key]
        return Measurement(value=len(rows), evidence=tuple(a.item for a in rows),
                           notes=_entrustment_notes(requirement, competency, len(rows)))


def _entrustment_notes(requirement, competency, reached: int) -> tuple[str, ...]:
    """Says what counts, so that a trainee rated at the level on another competency knows why it
    does not: "2 of 2 assessments at level IV or above in C3 Docking"."""
    from curriculum.rules import LEVELS

    need = requirement.count or 1
    level = LEVELS[(requirement.level or 1) - 1]
    about = f" in {competency.code} {competency.title}" if competency is not None else ""
    noun = "assessment" if need == 1 else "assessments"
    note = f"{min(reached, need)} of {need} {noun} at level {level} or above{about}."
    if reached < need and competency is not None:
        note += (" Only assessments that name this competency count: ask your trainer to choose it when "
                     "they assess you.")
    return (note,)


class VideoReviewPassedProvider:
    name = "accreditation.video_review_passed"

    def handles(self, requirement) -> bool:
        return requirement.type == "video_review_passed"

    def measure(self, *, trainee, requirement) -> Measurement:
        return self.measure_batch(work=[(trainee, requirement)])[0]

    def measure_batch(self, *, work: Sequence[tuple]) -> list[Measurement]:
        trainees = computation_trainees(trainee.pk for trainee, _ in work)

        def load():
            by_trainee: dict[int, list[VideoReview]] = {}
            for review in (VideoReview.objects.filter(trainee_id__in=trainees, status=VideoReviewStatus.CLOSED)
                           .select_related("tool", "case").order_by("closed_at", "id")):
                by_trainee.setdefault(review.trainee_id, []).append(review)
            return by_trainee

        closed = shared(("accreditation.closed_video_reviews", trainees), load)
        return [self._measured(next((review for review in closed.get(trainee.pk, ())
                                     if _review_passes(review, requirement)), None))
                for trainee, requirement in work]

    def _measured(self, review) -> Measurement:
        if review is None:
            return Measurement(value=0)
        label = (f"Blinded {review.tool.name} video review: mean {review.mean_total}, "
                 f"agreement {review.agreement_value:.2f}")
        return Measurement(value=1, evidence=(EvidenceItem("video_review", review.pk, label,
                                                           review.closed_at.date()),))


def _review_passes(review: VideoReview, requirement) -> bool:
    """A closed review with the tool whose mean total and agreement reach the marks (and of the
    procedure, when the requirement names one). The agreement is a float column: compared as
    the database compares it, as floats."""
    return (review.tool.code == requirement.tool
            and review.mean_total is not None and requirement.min_total is not None
            and review.mean_total >= requirement.min_total
            and review.agreement_value is not None and requirement.min_agreement is not None
            and review.agreement_value >= float(requirement.min_agreement)
            and (not requirement.procedure_id
                 or (review.case_id is not None and review.case.procedure_id == requirement.procedure_id)))


class AssessmentCountProvider:
    name = "accreditation.assessment_count"

    def handles(self, requirement) -> bool:
        return requirement.type == "min_count" and requirement.component.kind == "assessment"

    def measure(self, *, trainee, requirement) -> Measurement:
        return self.measure_batch(work=[(trainee, requirement)])[0]

    def measure_batch(self, *, work: Sequence[tuple]) -> list[Measurement]:
        assessments = _Assessments(work)
        measured = []
        for trainee, requirement in work:
            rows = assessments.counted(trainee, requirement)
            measured.append(Measurement(value=len(rows), evidence=tuple(a.item for a in rows)))
        return measured


def register() -> None:
    from curriculum.progress import register_provider

    for provider in (CompetencySignoffProvider(), FinalSignoffProvider(), AssessmentThresholdProvider(),
                     AssessmentCountProvider(), EntrustmentLevelProvider(), VideoReviewPassedProvider()):
        register_provider(provider)

    from curriculum.progress_summary import watch

    watch(Assessment)
    watch(SignoffRequest)
    watch(VideoReview)
