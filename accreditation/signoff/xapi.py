"""Sign-off's xAPI statements: trainer assessments and approved sign-offs (README "xAPI")."""

from __future__ import annotations

from rastrack.notifications.xapi import activity, actor, iri, xapi_record


def assessment_recorded(assessment) -> None:
    """`<trainee> scored <tool> assessment`, instructor = the assessor. Self-assessments are not sent."""
    if assessment.is_self:
        return
    tool = assessment.tool
    domains = len(assessment.scores)
    xapi_record(
        key=f"assessment.created:{assessment.pk}", who=assessment.trainee, verb="scored",
        what=activity("assessment", assessment.pk, f"{tool.name}, {assessment.date:%-d %B %Y}"),
        timestamp=assessment.created_at,
        result={"score": {"raw": assessment.total, "min": tool.scale_min * domains, "max": tool.scale_max * domains},
                "extensions": {iri("extensions/scores"): assessment.scores}},
        context={"instructor": actor(assessment.assessor),
                 "extensions": {iri("extensions/tool"): tool.code,
                                **({iri("extensions/case"): iri(f"activities/case/{assessment.case_id}")}
                                   if assessment.case_id else {})}},
    )


def signoff_approved(request) -> None:
    """`<trainee> passed <competency, component or final sign-off>`, instructor = the trainer."""
    xapi_record(
        key=f"signoff.approved:{request.pk}", who=request.trainee, verb="passed",
        what=activity("competency", request.target_key, request.target_label),
        timestamp=request.decided_at, result={"success": True, "completion": True},
        context={"instructor": actor(request.decided_by), "extensions": {iri("extensions/signoff-target"): request.target}},
    )
