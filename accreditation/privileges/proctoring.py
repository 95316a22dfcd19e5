"""Proctor reports: the assigned proctor's report on each proctored case. "Not safe to
continue" suspends the privilege at once and tells the site lead."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from accreditation.logbook.models import Case, CaseStatus
from accreditation.privileges.models import (
    CHECKLIST,
    Privilege,
    PrivilegeStatus,
    ProctorReport,
    Recommendation,
)
from accreditation.privileges.policies import refusal_to_report
from accreditation.privileges.services import _tell, privilege_suspend_unsafe
from accreditation.signoff.assessment_checks import assessment_scores_check
from accreditation.signoff.selectors import assessment_tool
from rastrack.audit.services import audit_record, snapshot
from rastrack.core.exceptions import ApplicationError, Conflict
from rastrack.core.free_text import free_text_into
from rastrack.core.permissions import refuse_unless

CHECKLIST_CODES = [code for code, _ in CHECKLIST]


def _checklist_errors(checklist) -> tuple[dict, list[str]]:
    if not isinstance(checklist, dict):
        return {}, ["Answer each checklist item yes (true) or no (false)."]
    unknown = sorted(set(checklist) - set(CHECKLIST_CODES))
    missing = [c for c in CHECKLIST_CODES if c not in checklist]
    messages = []
    if unknown:
        messages.append(f"Unknown checklist items: {', '.join(unknown)}.")
    if missing:
        messages.append(f"Answer every checklist item: {', '.join(missing)}.")
    if any(not isinstance(v, bool) for v in checklist.values()):
        messages.append("Each checklist answer is true or false.")
    return ({c: checklist[c] for c in CHECKLIST_CODES} if not messages else {}), messages


@transaction.atomic
def proctor_report_create(*, privilege, actor, case, checklist, scores, recommendation: str,
                          comments: str = "", tool: str = "gears") -> ProctorReport:
    privilege = (Privilege.objects.select_related("surgeon", "site", "procedure_group")
                 .select_for_update(of=("self",)).get(pk=privilege.pk))
    refuse_unless(refusal_to_report(actor, privilege))
    if privilege.status != PrivilegeStatus.PROVISIONAL:
        raise Conflict(f"A privilege that is {privilege.status} is not being proctored.")
    errors: dict[str, list[str]] = {}
    case_obj = Case.objects.filter(pk=getattr(case, "pk", case)).first()
    if (case_obj is None or case_obj.trainee_id != privilege.surgeon_id
            or case_obj.platform != privilege.platform
            or not privilege.procedure_group.procedures.filter(pk=case_obj.procedure_id).exists()):
        errors["case"] = ["Choose one of the surgeon's cases on this platform and procedure group."]
    elif case_obj.status not in (CaseStatus.SUBMITTED, CaseStatus.VALIDATED):
        errors["case"] = ["Only a submitted or validated case can be reported on."]
    elif privilege.granted_on and case_obj.date < privilege.granted_on:
        errors["case"] = ["The case is from before the provisional privilege was granted."]
    clean_checklist, messages = _checklist_errors(checklist)
    if messages:
        errors["checklist"] = messages
    if recommendation not in Recommendation.values:
        errors["recommendation"] = [f"Choose one of: {', '.join(Recommendation.values)}."]
    comments = free_text_into(errors, "comments", comments)
    tool_obj = assessment_tool(tool)
    if tool_obj is None:
        clean_scores = {}
        errors["tool"] = ["Unknown assessment tool: choose one from /api/v1/assessment-tools/."]
    else:
        clean_scores, score_errors = assessment_scores_check(tool=tool_obj, scores=scores)
        for domain, msgs in score_errors.items():
            errors.setdefault("scores", []).extend(
                msgs if domain == "scores" else [f"{domain}: {m}" for m in msgs])
    if errors:
        raise ApplicationError(errors=errors)
    try:
        with transaction.atomic():
            report = ProctorReport.objects.create(
                privilege=privilege, case=case_obj, proctor=actor, tool=tool_obj.code, checklist=clean_checklist,
                scores=clean_scores, total=sum(clean_scores.values()), recommendation=recommendation,
                comments=comments)
    except IntegrityError:
        raise Conflict("This case already has a proctor report.") from None
    audit_record(actor=actor, action="proctor_report.create", obj=report, after=snapshot(report))
    if recommendation == Recommendation.NOT_SAFE:
        privilege_suspend_unsafe(privilege=privilege, report=report)
    else:
        _tell(privilege, kind="privilege.proctor_report",
              subject=f"Proctor report: {report.get_recommendation_display().lower()}",
              body=f"{actor.full_name} reported on case {case_obj.pk} of {privilege.surgeon.full_name}: "
                   f"{report.get_recommendation_display().lower()}.",
              key=f"proctor_report:{report.pk}")
    return report
