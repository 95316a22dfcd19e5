"""Assessments and sign-offs as evidence for the curriculum's progress engine.

Registered from `AccreditationConfig.ready()`. Each provider runs one query per requirement,
whatever the number of cases, assessments or requests (the progress page stays fast).

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

from django.db.models import Exists, OuterRef, QuerySet

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
from curriculum.progress import EvidenceItem, Measurement


def _signoff_item(request: SignoffRequest, label: str) -> EvidenceItem:
    who = request.decided_by.full_name if request.decided_by_id else "a trainer"
    return EvidenceItem("signoff", request.pk, f"{label}, signed off by {who}",
                        request.decided_at.date() if request.decided_at else None)


class CompetencySignoffProvider:
    name = "accreditation.competency_signoff"

    def handles(self, requirement) -> bool:
        return requirement.type == "competency_signoff"

    def measure(self, *, trainee, requirement) -> Measurement:
        key = requirement.competency.key
        request = (SignoffRequest.objects.select_related("decided_by", "competency")
                   .filter(trainee=trainee, target_key=f"competency:{key}", status=SignoffStatus.APPROVED)
                   .order_by("decided_at", "id").first())
        if request is None:
            return Measurement(value=0)
        label = f"{request.competency.code} {request.competency.title}"
        return Measurement(value=1, evidence=(_signoff_item(request, label),))


class FinalSignoffProvider:
    name = "accreditation.final_signoff"

    def handles(self, requirement) -> bool:
        return requirement.type == "final_signoff"

    def measure(self, *, trainee, requirement) -> Measurement:
        request = (SignoffRequest.objects.select_related("decided_by", "enrolment__pathway")
                   .filter(trainee=trainee, target=SignoffTarget.FINAL, status=SignoffStatus.APPROVED,
                           enrolment__pathway_id=requirement.component.module.pathway_id)
                   .order_by("decided_at", "id").first())
        if request is None:
            return Measurement(value=0)
        return Measurement(value=1, evidence=(
            _signoff_item(request, f"Final sign-off of {request.enrolment.pathway.title}"),))


def trainer_assessments_counted(*, trainee, requirement, tool_code: str | None = None) -> QuerySet[Assessment]:
    """Released trainer assessments of the trainee, narrowed as the requirement says."""
    qs = Assessment.objects.filter(trainee=trainee).filter(released_to_trainee())
    if tool_code:
        qs = qs.filter(tool__code=tool_code)
    if getattr(requirement, "modes", ""):
        qs = qs.filter(mode__in=requirement.modes.split(","))
    if requirement.platform:
        qs = qs.filter(case__platform=requirement.platform)
    if requirement.procedure_id:
        qs = qs.filter(case__procedure_id=requirement.procedure_id)
    if requirement.procedure_step_id:
        qs = qs.filter(Exists(CaseStep.objects.filter(case_id=OuterRef("case_id"),
                                                      step_id=requirement.procedure_step_id)))
    return qs


def _assessment_items(rows) -> tuple[EvidenceItem, ...]:
    return tuple(EvidenceItem("assessment", a.pk, f"{a.tool.name} {a.total} by {a.assessor.full_name}", a.date)
                 for a in rows)


def _rows(qs: QuerySet[Assessment]) -> list[Assessment]:
    return list(qs.select_related("tool", "assessor").order_by("date", "id")
                .only("id", "date", "total", "tool__name", "assessor__full_name"))


class AssessmentThresholdProvider:
    name = "accreditation.assessment_threshold"

    def handles(self, requirement) -> bool:
        return requirement.type == "assessment_threshold"

    def measure(self, *, trainee, requirement) -> Measurement:
        from curriculum.progress import best_run_minimum

        qs = trainer_assessments_counted(trainee=trainee, requirement=requirement, tool_code=requirement.tool)
        if requirement.min_domain is None:
            rows = _rows(qs)
            value = best_run_minimum([a.total for a in rows], requirement.consecutive or 1)
            return Measurement(value=value, evidence=_assessment_items(rows))
        # Every domain (and the total, when asked) at the mark: the longest run of passing ones.
        rows = list(qs.select_related("tool", "assessor").order_by("date", "id")
                    .only("id", "date", "total", "scores", "tool__name", "assessor__full_name"))
        best = run = 0
        for a in rows:
            passed = (min(a.scores.values(), default=0) >= requirement.min_domain
                      and (requirement.min_total is None or a.total >= requirement.min_total))
            run = run + 1 if passed else 0
            best = max(best, run)
        return Measurement(value=best, evidence=_assessment_items(rows))


class EntrustmentLevelProvider:
    """Assessments at or above a supervision level: the global level, or, narrowed to a
    procedure step, the level given for that step (a BIARGS / ERUS-style grid)."""

    name = "accreditation.entrustment_level"

    def handles(self, requirement) -> bool:
        return requirement.type == "entrustment_level"

    def measure(self, *, trainee, requirement) -> Measurement:
        qs = trainer_assessments_counted(trainee=trainee, requirement=requirement)
        if requirement.procedure_step_id:
            qs = qs.filter(Exists(AssessmentStep.objects.filter(
                assessment_id=OuterRef("pk"), step_id=requirement.procedure_step_id, level__gte=requirement.level)))
        else:
            qs = qs.filter(entrustment__gte=requirement.level)
        competency = requirement.competency if requirement.competency_id else None
        if competency is not None:
            qs = qs.filter(competency__key=competency.key)
        rows = _rows(qs)
        return Measurement(value=len(rows), evidence=_assessment_items(rows),
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
        qs = VideoReview.objects.filter(
            trainee=trainee, tool__code=requirement.tool, status=VideoReviewStatus.CLOSED,
            mean_total__gte=requirement.min_total, agreement_value__gte=requirement.min_agreement)
        if requirement.procedure_id:
            qs = qs.filter(case__procedure_id=requirement.procedure_id)
        review = qs.select_related("tool").order_by("closed_at", "id").first()
        if review is None:
            return Measurement(value=0)
        label = (f"Blinded {review.tool.name} video review: mean {review.mean_total}, "
                 f"agreement {review.agreement_value:.2f}")
        return Measurement(value=1, evidence=(EvidenceItem("video_review", review.pk, label,
                                                           review.closed_at.date()),))


class AssessmentCountProvider:
    name = "accreditation.assessment_count"

    def handles(self, requirement) -> bool:
        return requirement.type == "min_count" and requirement.component.kind == "assessment"

    def measure(self, *, trainee, requirement) -> Measurement:
        rows = _rows(trainer_assessments_counted(trainee=trainee, requirement=requirement))
        return Measurement(value=len(rows), evidence=_assessment_items(rows))


def register() -> None:
    from curriculum.progress import register_provider

    for provider in (CompetencySignoffProvider(), FinalSignoffProvider(), AssessmentThresholdProvider(),
                     AssessmentCountProvider(), EntrustmentLevelProvider(), VideoReviewPassedProvider()):
        register_provider(provider)

    from curriculum.progress_summary import watch

    watch(Assessment)
    watch(SignoffRequest)
    watch(VideoReview)
