"""A trainer applicant's figures from RASTrack (shown beside what they typed on an application
or renewal): their own validated console cases by platform (all time), and the teaching they
did since `since`: cases they validated, assessments they gave, sign-offs they decided."""

from __future__ import annotations

from django.db.models import Count

from accreditation.logbook.models import Case, CaseStatus
from accreditation.signoff.models import Assessment, SignoffRequest

CONSOLE_ROLES = ("console_whole", "console_part")


def applicant_figures(applicant, *, since) -> dict:
    by_platform = dict(
        Case.objects.filter(trainee=applicant, status=CaseStatus.VALIDATED, role__in=CONSOLE_ROLES)
        .order_by().values_list("platform").annotate(n=Count("id")).values_list("platform", "n"))
    teaching = {
        "Cases validated": Case.objects.filter(decided_by=applicant, status=CaseStatus.VALIDATED,
                                               decided_at__date__gte=since).count(),
        "Assessments given": Assessment.objects.filter(assessor=applicant, is_self=False, date__gte=since).count(),
        "Sign-offs decided": SignoffRequest.objects.filter(decided_by=applicant, decided_at__date__gte=since).count(),
    }
    return {"cases_by_platform": by_platform, "teaching": teaching, "since": since}
