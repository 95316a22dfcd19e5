"""A site robotic lead's dashboard (the privileges page): privileges by status, proctored cases
outstanding, currency warnings (a rule breaks within 30 days) and outcome reviews due, over
the privileges the person may see. A fixed number of queries (the currency arithmetic is the
daily sweep's, `currency.break_date`)."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

from django.db.models import Count

from accreditation.logbook.models import Case, CaseStatus
from accreditation.privileges.currency import (
    WARN_DAYS,
    _rules_by_site,
    break_date,
    outcome_reviews_due,
)
from accreditation.privileges.evidence import CONSOLE_ROLES, YEAR_DAYS
from accreditation.privileges.models import CLEARED_STATUSES, PrivilegeRules, PrivilegeStatus


def site_lead_dashboard(privileges, *, today: datetime.date) -> dict:
    privileges = list(privileges.annotate(reports=Count("proctor_reports")))
    rules = _rules_by_site()
    default = rules.get(None) or PrivilegeRules()
    by_status = Counter(p.status for p in privileges)
    outstanding = [(p, max(0, rules.get(p.site_id, default).proctored_cases_required - p.reports))
                   for p in privileges if p.status == PrivilegeStatus.PROVISIONAL]
    in_force = [p for p in privileges if p.status in CLEARED_STATUSES and p.granted_on]
    dates = defaultdict(list)
    if in_force:
        since = today - datetime.timedelta(days=YEAR_DAYS)
        for trainee_id, platform, group_id, day in (
                Case.objects.filter(trainee_id__in={p.surgeon_id for p in in_force}, status=CaseStatus.VALIDATED,
                                    role__in=CONSOLE_ROLES, date__gt=since, date__lte=today)
                .values_list("trainee_id", "platform", "procedure__privilege_groups__id", "date").order_by("date")):
            dates[(trainee_id, platform, group_id)].append(day)
    warnings = []
    for p in in_force:
        on, rule = break_date(dates=dates[(p.surgeon_id, p.platform, p.procedure_group_id)], granted_on=p.granted_on,
                              rules=rules.get(p.site_id, default))
        if (on - today).days <= WARN_DAYS[0]:
            warnings.append((p, on, rule))
    reviews = outcome_reviews_due(in_force, rules=rules)
    return {
        "by_status": [(label, by_status.get(value, 0)) for value, label in PrivilegeStatus.choices],
        "proctoring_outstanding": [(p, n) for p, n in outstanding if n],
        "currency_warnings": sorted(warnings, key=lambda w: w[1]),
        "outcome_reviews_due": [(p, reviews[p.pk]) for p in in_force if reviews.get(p.pk)],
    }
