"""The daily currency sweep: for every privilege in force, the surgeon's cases on its platform
and procedure group in the last 12 months and the longest gap; a warning to the surgeon and the
site lead 30 and 7 days before a rule will be broken (each exactly once), the lapse when it is
broken, and the site's robotic leads told of each outcome review that falls due (exactly once).

Set-based: three queries whatever the number of privileges (the privileges in force, each
with how many counted cases it had from the grant to the outcome-review window, the rules,
and the privileged surgeons' counted cases of the last 12 months, one row per case and
group), then arithmetic per privilege. Its cost grows with the privileges plus the cases of
the last 12 months, never with their product. Writes happen only for the privileges warned
or lapsed; outcome reviews falling due add at most five, whatever their number (their
outcomes, the sites' leads, the keys sent already, then one insert and one read of the new
rows when any is new: `_outcome_review_notices`).

Outcome reviews: the site lead reviews the 30- and 90-day outcomes of a privilege's first N
counted cases after the grant (N = `outcome_review_first_cases`). The review of a case's
F-day outcome falls due F days after the case; the leads are told on that day, or on a later
sweep within `OUTCOME_REVIEW_CATCH_UP_DAYS` (a sweep missed for a few days still tells them;
reviews that fell due long before are only on the dashboard, not a flood of old news). One
notification per privilege, case, follow-up and lead: the key names all four.

When is a rule broken, with no new case? The gap rule on the day after `max_gap_days` have
passed since the last case (or the grant, when later). The 12-month rule applies from a year
after the grant: with the counted dates d1 <= ... <= dn of the window and a minimum m, the
count drops below m on the day d(n-m+1) leaves the window (365 days on), at once when n < m.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accreditation.logbook.models import Case, CaseOutcome, CaseStatus
from accreditation.privileges.evidence import CONSOLE_ROLES, YEAR_DAYS
from accreditation.privileges.models import (
    CLEARED_STATUSES,
    Privilege,
    PrivilegeRules,
    PrivilegeStatus,
)
from accreditation.privileges.services import (
    _change,
    _describe,
    _locked,
    _tell,
    describe_privilege,
    privilege_link,
)
from rastrack.accounts.models import SiteLeadership
from rastrack.core.wording import counted
from rastrack.notifications.services import notify_unsent

WARN_DAYS = (30, 7)
FOLLOW_UPS = (30, 90)
OUTCOME_REVIEW_CATCH_UP_DAYS = 7


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
        return gap_break, f"no case for more than {counted(rules.max_gap_days, 'day')}"
    return count_break, f"fewer than {counted(m, 'case')} in 12 months"


def _review_window_start(today: datetime.date) -> datetime.date:
    """The first case date whose outcome review can fall due in the catch-up window."""
    return today - datetime.timedelta(days=max(FOLLOW_UPS) + OUTCOME_REVIEW_CATCH_UP_DAYS - 1)


def _counted_before(window_start: datetime.date) -> Coalesce:
    """Per privilege (correlated): its counted cases from the grant to the day before
    `window_start`, so that the cases inside the window can be ranked among the first N."""
    cases = (Case.objects.filter(trainee_id=OuterRef("surgeon_id"), platform=OuterRef("platform"),
                                 procedure__privilege_groups=OuterRef("procedure_group_id"),
                                 status=CaseStatus.VALIDATED, role__in=CONSOLE_ROLES,
                                 date__gte=OuterRef("granted_on"), date__lt=window_start)
             .order_by().values("trainee_id").annotate(n=Count("id")).values("n"))
    return Coalesce(Subquery(cases, output_field=IntegerField()), Value(0))


def currency_sweep(*, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=YEAR_DAYS)
    window_start = _review_window_start(today)
    privileges = list(Privilege.objects.filter(status__in=CLEARED_STATUSES, granted_on__lte=today)
                      .annotate(counted_before=_counted_before(window_start))
                      .values("pk", "surgeon_id", "site_id", "platform", "procedure_group_id", "granted_on",
                              "counted_before", "surgeon__full_name", "site__name", "procedure_group__name"))
    rules = _rules_by_site()
    default = rules.get(None) or PrivilegeRules()
    surgeons = {p["surgeon_id"] for p in privileges}
    dates: dict[tuple, list[datetime.date]] = defaultdict(list)
    recent: dict[tuple, list[tuple[datetime.date, int]]] = defaultdict(list)
    if surgeons:
        rows = (Case.objects.filter(trainee_id__in=surgeons, status=CaseStatus.VALIDATED, role__in=CONSOLE_ROLES,
                                    date__gt=since, date__lte=today)
                .values_list("pk", "trainee_id", "platform", "procedure__privilege_groups__id", "date")
                .order_by("date", "pk"))
        for pk, trainee_id, platform, group_id, day in rows.iterator():
            if group_id is not None:
                dates[(trainee_id, platform, group_id)].append(day)
                if day >= window_start:
                    recent[(trainee_id, platform, group_id)].append((day, pk))
    reviews = _outcome_review_notices(privileges, recent=recent, rules=rules, default=default,
                                      window_start=window_start, today=today)
    lapsed = 0
    warnings = []  # (privilege, threshold, rule, lapses on)
    for p in privileges:
        r = rules.get(p["site_id"], default)
        on, rule = break_date(dates=dates[(p["surgeon_id"], p["platform"], p["procedure_group_id"])],
                              granted_on=p["granted_on"], rules=r)
        left = (on - today).days
        if left <= 0:
            lapsed += _lapse(p["pk"], rule=rule, on=today)  # a change of state, audited: one at a time
        elif left <= WARN_DAYS[0]:
            warnings.append((p, WARN_DAYS[1] if left <= WARN_DAYS[1] else WARN_DAYS[0], rule, on))
    _warn(warnings)
    return {"privileges": len(privileges), "warned": len(warnings), "lapsed": lapsed, "outcome_reviews": reviews}


def _active_site_leads(site_ids) -> dict[int, list[int]]:
    """Site id -> the ids of its active site leads, in one query."""
    leads = defaultdict(list)
    for site_id, user_id in (SiteLeadership.objects.filter(site_id__in=set(site_ids), user__is_active=True)
                             .order_by("site_id", "user_id").values_list("site_id", "user_id")):
        leads[site_id].append(user_id)
    return leads


def _outcome_review_notices(privileges, *, recent, rules, default, window_start, today) -> int:
    """Tell each privilege's site leads of the outcome reviews of its first N cases that fall
    due in the catch-up window, once each. Nothing falling due: no query."""
    due = []  # (privilege, case pk, case date, follow-up days, due on, N)
    for p in privileges:
        n = rules.get(p["site_id"], default).outcome_review_first_cases
        rank = p["counted_before"]
        for day, pk in recent[(p["surgeon_id"], p["platform"], p["procedure_group_id"])]:
            if day < p["granted_on"]:
                continue
            rank += 1
            if rank > n:
                break
            for days in FOLLOW_UPS:
                on = day + datetime.timedelta(days=days)
                if today - datetime.timedelta(days=OUTCOME_REVIEW_CATCH_UP_DAYS) < on <= today:
                    due.append((p, pk, day, days, on, n))
    if not due:
        return 0
    recorded = set(CaseOutcome.objects.filter(case_id__in={d[1] for d in due})
                   .values_list("case_id", "followup_days"))
    leads = _active_site_leads(d[0]["site_id"] for d in due)
    notices = []
    for p, case_id, day, days, on, n in due:
        state = ("is recorded: review it" if (case_id, days) in recorded
                 else "is not recorded yet: ask for it, then review it")
        what = (f"{p['surgeon__full_name']}'s case of {day:%d %B %Y} is one of their first {n} under the "
                f"privileges ({describe_privilege(platform=p['platform'], group=p['procedure_group__name'], site=p['site__name'])}) "
                f"and reached its {days}-day follow-up on {on:%d %B %Y}. ")
        for lead_id in leads[p["site_id"]]:
            notices.append({
                "recipient_id": lead_id, "kind": "privilege.outcome_review_due",
                "subject": f"Outcome review due: {p['surgeon__full_name']}, {days}-day outcome",
                "body": what + f"Its {days}-day outcome {state}.",
                "key": f"privilege.outcome_review:{p['pk']}:{case_id}:{days}:{lead_id}",
                "link": privilege_link(Privilege(pk=p["pk"])),
            })
    return notify_unsent(notices)


def _warn(warnings) -> int:
    """Tell each surgeon and their site's leads that the privileges lapse soon, once per
    threshold and lapse date: the keys already stored are read once, the new notices stored
    together. Nothing in the window: no query."""
    if not warnings:
        return 0
    leads = _active_site_leads(p["site_id"] for p, *_ in warnings)
    notices = []
    for p, threshold, rule, on in warnings:
        what = describe_privilege(platform=p["platform"], group=p["procedure_group__name"], site=p["site__name"])
        for person in dict.fromkeys([p["surgeon_id"], *leads[p["site_id"]]]):
            notices.append({
                "recipient_id": person, "kind": "privilege.currency_warning",
                "subject": f"Robotic privileges lapse in {counted(threshold, 'day')} or less",
                "body": (f"The privileges ({what}) lapse on {on:%d %B %Y}: {rule}. "
                         "A validated case on the platform and procedure group before then keeps them."),
                "key": f"privilege.currency:{p['pk']}:{threshold}:{on.isoformat()}:{person}",
                "link": privilege_link(Privilege(pk=p["pk"])),
            })
    return notify_unsent(notices)


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
