"""The daily currency sweep on a frozen clock: warnings 30 and 7 days before a rule breaks,
each exactly once, the lapse on the day it breaks, and set-based cost."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from accreditation.privileges.currency import break_date, currency_sweep, outcome_reviews_due
from accreditation.privileges.models import PrivilegeRules, PrivilegeStatus
from rastrack.notifications.models import Notification
from tests.builders.logbook import make_case
from tests.builders.privileges import scene_fixture  # noqa: F401

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
    assert result == {"privileges": 1, "warned": 0, "lapsed": 0}


def test_outcome_reviews_due_counts_the_first_cases_without_outcomes(scene):
    p = scene.provisional(granted_days_ago=30)
    for d in (20, 10, 5):
        make_case(scene.surgeon, scene.proctor, days=d)
    assert outcome_reviews_due([p]) == {p.pk: 3}
