"""THE evidence a privilege decision and its currency rest on, and the site rules it must meet.

A surgeon's cases on a privilege are their validated console cases (whole or part) on its
platform whose procedure is in its procedure group (at any site: practice elsewhere counts
towards currency). Proctored cases are the proctor reports on the privilege.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q

from accreditation.logbook.models import Case, CaseStatus
from accreditation.privileges.models import PrivilegeRules, ProctorReport, Recommendation
from rastrack.core.wording import counted

CONSOLE_ROLES = ("console_whole", "console_part")
YEAR_DAYS = 365


def counted_cases(*, surgeon_id: int, platform: str, group_id: int):
    return Case.objects.filter(trainee_id=surgeon_id, platform=platform, status=CaseStatus.VALIDATED,
                               role__in=CONSOLE_ROLES, procedure__privilege_groups__id=group_id)


def longest_gap(dates: list[datetime.date], today: datetime.date) -> int | None:
    """The longest number of days between consecutive case dates, and since the last one."""
    if not dates:
        return None
    days = sorted(dates) + [today]
    return max((b - a).days for a, b in zip(days, days[1:], strict=False))


def evidence_of(privilege, *, today: datetime.date) -> dict:
    since = today - datetime.timedelta(days=YEAR_DAYS)
    dates = list(counted_cases(surgeon_id=privilege.surgeon_id, platform=privilege.platform,
                               group_id=privilege.procedure_group_id)
                 .filter(date__lte=today).order_by("date").values_list("date", flat=True))
    recent = [d for d in dates if d > since]
    reports = ProctorReport.objects.filter(privilege_id=privilege.pk).aggregate(
        total=Count("id"), ready=Count("id", filter=Q(recommendation=Recommendation.READY)),
        not_safe=Count("id", filter=Q(recommendation=Recommendation.NOT_SAFE)))
    latest = (ProctorReport.objects.filter(privilege_id=privilege.pk).order_by("-created_at", "-id")
              .values_list("recommendation", flat=True).first())
    return {
        "on": today.isoformat(),
        "cases_total": len(dates),
        "cases_last_12_months": len(recent),
        "last_case_on": dates[-1].isoformat() if dates else None,
        "days_since_last_case": (today - dates[-1]).days if dates else None,
        "longest_gap_days": longest_gap(recent or dates[-1:], today),
        "proctor_reports": reports["total"],
        "ready_reports": reports["ready"],
        "not_safe_reports": reports["not_safe"],
        "latest_recommendation": latest,
    }


def unmet_for_full(evidence: dict, rules: PrivilegeRules) -> list[str]:
    """Every site rule the evidence does not meet, in words (empty: full privileges allowed)."""
    unmet = []
    if evidence["proctor_reports"] < rules.proctored_cases_required:
        unmet.append(f"Proctored cases: {evidence['proctor_reports']} of the {rules.proctored_cases_required} "
                     "the site requires have a proctor report.")
    if evidence["ready_reports"] < rules.ready_reports_required:
        unmet.append(f"Proctor reports recommending independent practice: {evidence['ready_reports']} of "
                     f"{rules.ready_reports_required}.")
    elif evidence["latest_recommendation"] != Recommendation.READY:
        unmet.append("The latest proctor report does not recommend independent practice.")
    if evidence["cases_last_12_months"] < rules.min_cases_per_12_months:
        unmet.append(f"Validated console cases in the last 12 months: {evidence['cases_last_12_months']} of "
                     f"{rules.min_cases_per_12_months}.")
    since = evidence["days_since_last_case"]
    if since is None or since > rules.max_gap_days:
        unmet.append(f"No validated console case in the last {counted(rules.max_gap_days, 'day')}.")
    return unmet
