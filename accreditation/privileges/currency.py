"""The daily currency sweep: for every privilege in force, the surgeon's cases on its platform
and procedure group in the last 12 months and the longest gap; a warning to the surgeon and the
site lead 30 and 7 days before a rule will be broken (each exactly once), the lapse when it is
broken, and the outcome reviews due (the first N cases after the grant without a 30- or 90-day
outcome).

Set-based: three queries whatever the number of privileges (the privileges in force, the
rules, and the dates of the privileged surgeons' counted cases of the last 12 months, one
row per case and group), then arithmetic per privilege. Its cost grows with the privileges
plus the cases of the last 12 months, never with their product. Writes happen only for the
privileges warned or lapsed.

When is a rule broken, with no new case? The gap rule on the day after `max_gap_days` have
passed since the last case (or the grant, when later). The 12-month rule applies from a year
after the grant: with the counted dates d1 <= ... <= dn of the window and a minimum m, the
count drops below m on the day d(n-m+1) leaves the window (365 days on), at once when n < m.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from accreditation.logbook.models import Case, CaseOutcome, CaseStatus
from accreditation.privileges.evidence import CONSOLE_ROLES, YEAR_DAYS
from accreditation.privileges.models import (
    CLEARED_STATUSES,
    Privilege,
    PrivilegeRules,
    PrivilegeStatus,
)
from accreditation.privileges.services import _change, _describe, _locked, _tell

WARN_DAYS = (30, 7)


def _rules_by_site() -> dict:
    rows = {r.site_id: r for r in PrivilegeRules.objects.all()}
    return rows


def break_date(*, dates: list[datetime.date], granted_on: datetime.date, rules) -> tuple[datetime.date, str]:
    """The first day a rule is broken if no new case is logged, and which rule."""
    base = max([granted_on, *dates[-1:]])
    gap_break = base + datetime.timedelta(days=rules.max_gap_days + 1)
    applies_from = granted_on + datetime.timedelta(days=YEAR_DAYS)
    m = rules.min_cases_per_12_months
    k = len(dates) - m  # zero-based index of d(n-m+1)
    count_break = applies_from if k < 0 else max(applies_from, dates[k] + datetime.timedelta(days=YEAR_DAYS))
    if m == 0:
        count_break = datetime.date.max
    if gap_break <= count_break:
        return gap_break, f"no case for more than {rules.max_gap_days} days"
    return count_break, f"fewer than {m} cases in 12 months"


def currency_sweep(*, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=YEAR_DAYS)
    privileges = list(Privilege.objects.filter(status__in=CLEARED_STATUSES, granted_on__lte=today)
                      .values("pk", "surgeon_id", "site_id", "platform", "procedure_group_id", "granted_on"))
    rules = _rules_by_site()
    default = rules.get(None) or PrivilegeRules()
    surgeons = {p["surgeon_id"] for p in privileges}
    dates: dict[tuple, list[datetime.date]] = defaultdict(list)
    if surgeons:
        rows = (Case.objects.filter(trainee_id__in=surgeons, status=CaseStatus.VALIDATED, role__in=CONSOLE_ROLES,
                                    date__gt=since, date__lte=today)
                .values_list("trainee_id", "platform", "procedure__privilege_groups__id", "date")
                .order_by("date"))
        for trainee_id, platform, group_id, day in rows.iterator():
            if group_id is not None:
                dates[(trainee_id, platform, group_id)].append(day)
    warned = lapsed = 0
    for p in privileges:
        r = rules.get(p["site_id"], default)
        on, rule = break_date(dates=dates[(p["surgeon_id"], p["platform"], p["procedure_group_id"])],
                              granted_on=p["granted_on"], rules=r)
        left = (on - today).days
        if left <= 0:
            lapsed += _lapse(p["pk"], rule=rule, on=today)
        elif left <= WARN_DAYS[0]:
            warned += _warn(p["pk"], threshold=WARN_DAYS[1] if left <= WARN_DAYS[1] else WARN_DAYS[0],
                            rule=rule, on=on)
    return {"privileges": len(privileges), "warned": warned, "lapsed": lapsed}


def _warn(pk: int, *, threshold: int, rule: str, on: datetime.date) -> int:
    privilege = Privilege.objects.select_related("surgeon", "site", "procedure_group").get(pk=pk)
    key = f"privilege.currency:{pk}:{threshold}:{on.isoformat()}"
    with transaction.atomic():
        _tell(privilege, kind="privilege.currency_warning",
              subject=f"Robotic privileges lapse in {threshold} days or less",
              body=f"The privileges ({_describe(privilege)}) lapse on {on:%d %B %Y}: {rule}. "
                   "A validated case on the platform and procedure group before then keeps them.",
              key=key)
    return 1


def _lapse(pk: int, *, rule: str, on: datetime.date) -> int:
    with transaction.atomic():
        privilege = _locked(Privilege(pk=pk))
        if privilege.status not in CLEARED_STATUSES:
            return 0

        def mutate(p):
            p.status = PrivilegeStatus.LAPSED
            p.ended_on = on
            p.proctor = None
            p.status_reason = f"Currency rule broken: {rule}."

        entry = _change(actor=None, action="privilege.lapse", privilege=privilege, mutate=mutate)
        _tell(privilege, kind="privilege.lapsed", subject="Robotic privileges lapsed",
              body=f"The privileges ({_describe(privilege)}) lapsed on {on:%d %B %Y}: {rule}.",
              key=f"privilege.lapsed:{pk}:{entry}")
    return 1


def outcome_reviews_due(privileges, *, rules=None) -> dict[int, int]:
    """Per privilege id: how many of the first N counted cases since the grant have no 30- or
    90-day outcome yet (N = the site's `outcome_review_first_cases`). One query for all."""
    privileges = [p for p in privileges if p.granted_on]
    if not privileges:
        return {}
    rules = rules or _rules_by_site()
    default = rules.get(None) or PrivilegeRules()
    surgeons = {p.surgeon_id for p in privileges}
    rows = (Case.objects.filter(trainee_id__in=surgeons, status=CaseStatus.VALIDATED, role__in=CONSOLE_ROLES,
                                date__gte=min(p.granted_on for p in privileges))
            .values_list("pk", "trainee_id", "platform", "procedure__privilege_groups__id", "date")
            .order_by("date", "pk"))
    by_key = defaultdict(list)
    for pk, trainee_id, platform, group_id, day in rows:
        by_key[(trainee_id, platform, group_id)].append((day, pk))
    with_outcome = set(CaseOutcome.objects.filter(case_id__in=[pk for v in by_key.values() for _, pk in v])
                       .values_list("case_id", flat=True))
    due = {}
    for p in privileges:
        n = rules.get(p.site_id, default).outcome_review_first_cases
        first = [pk for day, pk in by_key[(p.surgeon_id, p.platform, p.procedure_group_id)]
                 if day >= p.granted_on][:n]
        due[p.pk] = sum(1 for pk in first if pk not in with_outcome)
    return due
