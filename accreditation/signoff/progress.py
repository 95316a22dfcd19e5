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
- `min_count` on an `assessment` component: how many trainer assessments (any tool), narrowed
  the same way.

Only assessments **released to the trainee** count (not of a case, final, or the trainee has
rated the case too: `signoff_selectors.released_to_trainee`), so a progress figure never
reveals a blinded score. A component sign-off is recorded and shown but measures no
requirement: the curriculum has no requirement type that asks for one (a pathway that needs
a trainer's word on a component uses `competency_signoff`).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from accreditation.logbook.models import CaseStep
from accreditation.signoff.models import Assessment, SignoffRequest, SignoffStatus, SignoffTarget
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

        rows = _rows(trainer_assessments_counted(trainee=trainee, requirement=requirement,
                                                 tool_code=requirement.tool))
        value = best_run_minimum([a.total for a in rows], requirement.consecutive or 1)
        return Measurement(value=value, evidence=_assessment_items(rows))


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
                     AssessmentCountProvider()):
        register_provider(provider)

    from curriculum.progress_summary import watch

    watch(Assessment)
    watch(SignoffRequest)
