"""The daily currency sweep on a frozen clock: warnings 30 and 7 days before a rule breaks,
each exactly once, the lapse on the day it breaks, the site leads told of each outcome review
the day it falls due (exactly once), and set-based cost."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from accreditation.logbook import services as logbook
from accreditation.privileges import services as privileges
from accreditation.privileges.currency import break_date, currency_sweep, outcome_reviews_due
from accreditation.privileges.models import PrivilegeRules, PrivilegeStatus
from rastrack.notifications.models import Notification
from tests.builders.logbook import make_case
from tests.builders.people import SiteFactory
from tests.builders.privileges import make_site_lead, request_privilege, scene_fixture  # noqa: F401

pytestmark = pytest.mark.django_db
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def warnings_of(user):
    return list(Notification.objects.filter(recipient=user, kind="privilege.currency_warning")
                .order_by("created_at", "id").values_list("subject", flat=True))


def test_gap_rule_warns_at_30_and_7_days_once_each_then_lapses(scene):
    with time_machine.travel(START, tick=False):
        p = scene.provisional(granted_days_ago=10)
        make_case(scene.surgeon, scene.proctor, days=1)  # last case: 1 March 2026
    last = datetime.date(2026, 3, 1)
    breaks = last + datetime.timedelta(days=121)  # a gap over 120 days
    for day in (breaks - datetime.timedelta(days=31), breaks - datetime.timedelta(days=30),
                breaks - datetime.timedelta(days=30), breaks - datetime.timedelta(days=8),
                breaks - datetime.timedelta(days=7), breaks - datetime.timedelta(days=2)):
        currency_sweep(today=day)
    subjects = warnings_of(scene.surgeon)
    assert subjects == ["Robotic privileges lapse in 30 days or less", "Robotic privileges lapse in 7 days or less"]
    assert len(warnings_of(scene.lead)) == 2
    p.refresh_from_db()
    assert p.status == PrivilegeStatus.PROVISIONAL
    assert currency_sweep(today=breaks - datetime.timedelta(days=1))["lapsed"] == 0
    assert currency_sweep(today=breaks)["lapsed"] == 1
    assert currency_sweep(today=breaks)["lapsed"] == 0
    p.refresh_from_db()
    assert (p.status, p.ended_on) == (PrivilegeStatus.LAPSED, breaks)
    assert Notification.objects.filter(recipient=scene.lead, kind="privilege.lapsed").count() == 1


def test_a_recent_case_keeps_the_privilege(scene):
    # Granted in November 2025: without the March case the gap rule broke on 23 March.
    with time_machine.travel(START, tick=False):
        p = scene.provisional(granted_days_ago=100)
        make_case(scene.surgeon, scene.proctor, days=1)
    assert currency_sweep(today=datetime.date(2026, 6, 28))["lapsed"] == 0
    p.refresh_from_db()
    assert p.status == PrivilegeStatus.PROVISIONAL


def test_twelve_month_rule_breaks_when_the_oldest_needed_case_leaves_the_window():
    rules = PrivilegeRules(min_cases_per_12_months=3, max_gap_days=400)
    d = [datetime.date(2026, 1, 10), datetime.date(2026, 2, 10), datetime.date(2026, 3, 10),
         datetime.date(2026, 4, 10)]
    on, rule = break_date(dates=d, granted_on=datetime.date(2025, 1, 1), rules=rules)
    assert on == datetime.date(2027, 2, 10) and "fewer than 3" in rule
    # Not within a year of the grant: the 12-month rule waits.
    on, _ = break_date(dates=[], granted_on=datetime.date(2026, 1, 1), rules=PrivilegeRules(max_gap_days=400))
    assert on == datetime.date(2027, 1, 1)


def test_the_sweep_is_set_based(scene, django_assert_max_num_queries):
    with time_machine.travel(START, tick=False):
        scene.provisional(granted_days_ago=10)
        for d in range(1, 40, 4):
            make_case(scene.surgeon, scene.proctor, days=d)
    with django_assert_max_num_queries(3):
        result = currency_sweep(today=datetime.date(2026, 3, 3))  # nothing due: reads only
    assert result == {"privileges": 1, "warned": 0, "lapsed": 0, "outcome_reviews": 0}


def test_outcome_reviews_due_counts_the_first_cases_without_outcomes(scene):
    p = scene.provisional(granted_days_ago=30)
    for d in (20, 10, 5):
        make_case(scene.surgeon, scene.proctor, days=d)
    assert outcome_reviews_due([p]) == {p.pk: 3}


REVIEW = "privilege.outcome_review_due"


def reviews_of(user):
    return list(Notification.objects.filter(recipient=user, kind=REVIEW).order_by("created_at", "id")
                .values_list("idempotency_key", "created_at__date"))


def test_leads_are_told_of_each_outcome_review_the_day_it_falls_due_once(scene, admin):
    """The site reviews its first 2 cases: each case's 30- and 90-day reviews are told on
    the day they fall due, to the lead only, and never again on the days after."""
    PrivilegeRules.objects.create(site=scene.site, outcome_review_first_cases=2)
    with time_machine.travel(START, tick=False):
        make_case(scene.surgeon, scene.proctor, days=12)  # before the grant: not under review
        p = scene.provisional(granted_days_ago=10)
        first, second = make_case(scene.surgeon, scene.proctor, days=8), make_case(scene.surgeon, scene.proctor, days=5)
        third = make_case(scene.surgeon, scene.proctor, days=3)  # the third: beyond the first 2
        logbook.case_outcome_add(case=second, actor=scene.surgeon, data={"followup_days": 30})
    results = {}
    for offset in range(0, 96):
        moment = START + datetime.timedelta(days=offset)
        with time_machine.travel(moment, tick=False):
            results[moment.date()] = currency_sweep()["outcome_reviews"]
    day = datetime.timedelta(days=1)
    expected = {(f"privilege.outcome_review:{p.pk}:{case.pk}:{f}:{scene.lead.pk}", case.date + f * day)
                for case in (first, second) for f in (30, 90)}
    assert len(reviews_of(scene.lead)) == 4 and set(reviews_of(scene.lead)) == expected
    assert {d for d, n in results.items() if n} == {d for _, d in expected}
    assert all(n == 1 for d, n in results.items() if n)
    assert not Notification.objects.filter(recipient=scene.surgeon, kind=REVIEW).exists()
    assert not Notification.objects.filter(kind=REVIEW, idempotency_key__contains=f":{third.pk}:").exists()
    bodies = dict(Notification.objects.filter(kind=REVIEW).values_list("idempotency_key", "body"))
    assert "is recorded: review it" in bodies[f"privilege.outcome_review:{p.pk}:{second.pk}:30:{scene.lead.pk}"]
    assert "not recorded yet" in bodies[f"privilege.outcome_review:{p.pk}:{first.pk}:30:{scene.lead.pk}"]
    # The day after one fell due, the sweep runs again (a retry): nothing new.
    with time_machine.travel(START + datetime.timedelta(days=26), tick=False):
        assert currency_sweep()["outcome_reviews"] == 0
    assert len(reviews_of(scene.lead)) == 4


def test_a_missed_sweep_catches_up_for_a_week_only(scene):
    with time_machine.travel(START, tick=False):
        p = scene.provisional(granted_days_ago=30)
        old = make_case(scene.surgeon, scene.proctor, days=28)  # its 30-day review fell due 8 days later
        recent = make_case(scene.surgeon, scene.proctor, days=20)
    # The first sweep for weeks runs 6 days after `recent` fell due, 14 after `old`.
    today = recent.date + datetime.timedelta(days=36)
    assert currency_sweep(today=today)["outcome_reviews"] == 1
    assert [k for k, _ in reviews_of(scene.lead)] == [f"privilege.outcome_review:{p.pk}:{recent.pk}:30:{scene.lead.pk}"]
    assert not old.outcomes.exists()  # still due on the dashboard, but not news to send

def _privileges_at_sites(scene, admin, count):
    """The scene's surgeon privileged at `count` sites (each with its own lead), granted 10
    days before START; their one case counts for every one of them."""
    with time_machine.travel(START, tick=False):
        sites = [scene.site] + [SiteFactory(region=scene.site.region, name=f"Site {i}") for i in range(1, count)]
        leads = [scene.lead] + [make_site_lead(site, admin, full_name=f"Lead {i}") for i, site in enumerate(sites[1:])]
        for site, lead in zip(sites, leads, strict=True):
            p = request_privilege(scene.surgeon, site, scene.group, today=START.date() - datetime.timedelta(days=11))
            privileges.privilege_grant_provisional(privilege=p, actor=lead, proctor=scene.proctor,
                                                   today=START.date() - datetime.timedelta(days=10))
        case = make_case(scene.surgeon, scene.proctor, days=5)
    return leads, case


@pytest.mark.parametrize("sites", [1, 3])
def test_outcome_review_notices_cost_the_same_whatever_the_privileges(scene, admin, django_assert_num_queries,
                                                                       sites):
    leads, case = _privileges_at_sites(scene, admin, sites)
    today = case.date + datetime.timedelta(days=30)
    # Privileges, rules, cases; then outcomes, leads, keys sent, one insert, one read of the new rows.
    with django_assert_num_queries(8):
        result = currency_sweep(today=today)
    assert result["outcome_reviews"] == sites and result["privileges"] == sites
    assert all(len(reviews_of(lead)) == 1 for lead in leads)
    with django_assert_num_queries(6):  # the same day again: every key is sent already
        assert currency_sweep(today=today)["outcome_reviews"] == 0


def test_warnings_are_read_and_stored_together(scene, django_assert_num_queries):
    """A privilege in its warning window is warned once; each later daily run inside the same
    window reads which keys are stored (one query) and stores nothing."""
    with time_machine.travel(START, tick=False):
        scene.provisional(granted_days_ago=10)
        make_case(scene.surgeon, scene.proctor, days=1)
    breaks = datetime.date(2026, 3, 1) + datetime.timedelta(days=121)
    first = breaks - datetime.timedelta(days=30)
    assert currency_sweep(today=first)["warned"] == 1
    assert len(warnings_of(scene.surgeon)) == len(warnings_of(scene.lead)) == 1
    # The privileges, the rules, the cases; for the outcome reviews of the first cases and for
    # the warnings, the site leads and the keys stored each (the outcomes recorded too); nothing written.
    with django_assert_num_queries(8):
        assert currency_sweep(today=first + datetime.timedelta(days=1))["warned"] == 1
    assert len(warnings_of(scene.surgeon)) == len(warnings_of(scene.lead)) == 1
    body = Notification.objects.get(recipient=scene.lead, kind="privilege.currency_warning").body
    assert f"at {scene.site.name}) lapse on {breaks:%d %B %Y}" in body
