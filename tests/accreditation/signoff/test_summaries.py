"""Sign-off's summary tables kept by its services: the turnaround histogram's percentiles,
what each write adds and the queries it costs, and the rebuild that corrects drift."""

from __future__ import annotations

import datetime
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accreditation.signoff import services as signoff
from accreditation.signoff import summaries
from accreditation.signoff.models import (
    Assessment,
    CalibrationSummary,
    SignoffPendingSummary,
    SignoffRequest,
    SignoffTurnaroundSummary,
)
from accreditation.signoff.workflows import signoff_request_reassign
from rastrack.accounts.models import User
from rastrack.core.stats import percentile_cont, weighted_percentile_cont
from rastrack.core.summary_tables import stored
from tests.builders.dashboards import varied_world_fixture  # noqa: F401 - fixture
from tests.builders.logbook import make_case
from tests.builders.signoff import (  # noqa: F401 - fixtures
    assess,
    competency_fixture,
    framework_fixture,
    request_signoff,
    self_assess,
)

pytestmark = pytest.mark.django_db


# --- The histogram's percentiles ------------------------------------------------------------------


def test_weighted_percentile_of_exact_values_is_percentile_cont():
    rng = random.Random(7)
    assert weighted_percentile_cont([], 0.5) is None
    assert weighted_percentile_cont([(3.0, 0)], 0.5) is None
    for _ in range(200):
        values = [rng.randint(0, 40) for _ in range(rng.randint(1, 60))]
        histogram = {v: values.count(v) for v in set(values)}
        for fraction in (0.0, 0.1, 0.5, 0.9, 1.0):
            assert weighted_percentile_cont(list(histogram.items()), fraction) == pytest.approx(
                percentile_cont(values, fraction))


def test_turnaround_counted_to_the_hour_is_within_an_hour_of_the_exact_percentiles():
    rng = random.Random(11)
    start = datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC)
    for _ in range(200):
        seconds = [rng.expovariate(1 / 400_000) for _ in range(rng.randint(1, 80))]
        exact = [s / 86400 for s in seconds]
        hours: dict[int, int] = {}
        for s in seconds:
            h = summaries.turnaround_hours(start, start + datetime.timedelta(seconds=s))
            hours[h] = hours.get(h, 0) + 1
        histogram = [(h / 24, n) for h, n in hours.items()]
        for fraction in (0.5, 0.9):
            assert abs(weighted_percentile_cont(histogram, fraction) - percentile_cont(exact, fraction)) <= 1 / 24


def test_turnaround_hours_round_to_the_nearest_hour():
    start = datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC)
    assert [summaries.turnaround_hours(start, start + datetime.timedelta(minutes=m)) for m in (0, 29, 30, 89, 90)] \
        == [0, 0, 1, 1, 2]


# --- Writers -------------------------------------------------------------------------------------


def _summary_writes(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "summary" in q["sql"].lower()]


def test_each_signoff_service_keeps_the_turnaround_summaries(trainee, assigned_trainer, admin, london, framework):
    from rastrack.accounts.roles import Role
    from tests.builders.faculty import accredit, assign
    from tests.builders.people import UserFactory

    keys = [c.pk for c in framework.competencies.order_by("key")]
    now = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        made = request_signoff(trainee, assigned_trainer, competency=keys[0], now=now - datetime.timedelta(days=20))
    assert len(_summary_writes(queries)) == 1  # the upsert
    due = made.due_on
    assert stored(SignoffPendingSummary) == {(london.pk, due): {"pending": 1}}

    with CaptureQueriesContext(connection) as queries:
        signoff.signoff_request_approve(request=made, actor=assigned_trainer,
                                        now=now - datetime.timedelta(days=20) + datetime.timedelta(hours=30, minutes=20))
    # pending -1 (upsert, then the row left at zero deleted), decided +1 (upsert).
    assert len(_summary_writes(queries)) == 3
    assert stored(SignoffPendingSummary) == {}
    assert stored(SignoffTurnaroundSummary) == {(london.pk, 30): {"decided": 1}}

    with CaptureQueriesContext(connection) as queries:  # reversing changes neither figure
        signoff.signoff_request_reverse(request=made, actor=admin, reason="Wrong evidence.")
    assert _summary_writes(queries) == []
    assert stored(SignoffTurnaroundSummary) == {(london.pk, 30): {"decided": 1}}

    second = request_signoff(trainee, assigned_trainer, competency=keys[1], now=now - datetime.timedelta(days=30))
    another = UserFactory(full_name="Another Trainer", roles=[Role.TRAINER], region=london)
    accredit(another)
    assign(another, trainee)
    signoff_request_reassign(request=second, actor=admin, trainer=another)
    second.refresh_from_db()
    assert second.due_on > timezone.localdate()
    assert stored(SignoffPendingSummary) == {(london.pk, second.due_on): {"pending": 1}}
    signoff.signoff_request_withdraw(request=second, actor=trainee)
    assert stored(SignoffPendingSummary) == {}
    assert summaries.rebuild_signoff_pending() == summaries.rebuild_signoff_turnaround() == 0


def test_a_trainee_with_no_region_counts_under_zero(trainee, assigned_trainer, framework):
    User.objects.filter(pk=trainee.pk).update(region=None)
    trainee.refresh_from_db()
    made = request_signoff(trainee, assigned_trainer, competency=framework.competencies.order_by("key")[0].pk)
    assert stored(SignoffPendingSummary) == {(0, made.due_on): {"pending": 1}}


def test_assessments_make_pairs_in_one_upsert(trainee, assigned_trainer, london):
    case = make_case(trainee, assigned_trainer, days=3)
    with CaptureQueriesContext(connection) as queries:
        assess(assigned_trainer, trainee, case=case, total=18)
    assert _summary_writes(queries) == []  # no self-assessment yet: no pair, nothing written
    with CaptureQueriesContext(connection) as queries:
        self_assess(trainee, case, total=22)
    assert len(_summary_writes(queries)) == 1
    ratings = [q for q in queries.captured_queries if 'FROM "accreditation_assessment"' in q["sql"]]
    assert len(ratings) == 1  # the group read once: the duplicate and blinding checks and the summary
    month = case.date.replace(day=1)
    key = (london.pk, month, Assessment.objects.get(case=case, is_self=True).tool_id, "urology", "")
    assert stored(CalibrationSummary) == {key: {"pairs": 1, "gap_sum": 4, "abs_gap_sum": 4}}


def test_the_service_still_refuses_a_second_rating_and_an_unblind_self_rating(trainee, assigned_trainer):
    from rastrack.core.exceptions import Conflict

    case = make_case(trainee, assigned_trainer, days=3)
    assess(assigned_trainer, trainee, case=case, total=18, today=case.date)
    with pytest.raises(Conflict, match="already rated"):
        assess(assigned_trainer, trainee, case=case, total=19)
    with pytest.raises(Conflict, match="would not be blind"):
        self_assess(trainee, case, total=20, today=case.date + datetime.timedelta(days=30))
    assert stored(CalibrationSummary) == {}


# --- Rebuild and drift ---------------------------------------------------------------------------


def test_the_services_leave_nothing_to_correct(varied_world):
    assert summaries.rebuild_calibration() == 0
    assert summaries.rebuild_signoff_pending() == 0
    assert summaries.rebuild_signoff_turnaround() == 0
    assert stored(CalibrationSummary) == summaries.calibration_compute()


def test_drift_behind_the_services_is_corrected_once(varied_world, north_west):
    trainee = varied_world["people"]["trainee"]
    rating = Assessment.objects.filter(trainee=trainee, is_self=False, case__isnull=False).first()
    Assessment.objects.filter(pk=rating.pk).unaudited_update("test: drift", total=rating.total + 3)
    request = SignoffRequest.objects.filter(status="pending").first()
    SignoffRequest.objects.filter(pk=request.pk).unaudited_update(
        "test: drift", due_on=request.due_on + datetime.timedelta(days=3))
    decided = SignoffRequest.objects.filter(decided_at__isnull=False).first()
    SignoffRequest.objects.filter(pk=decided.pk).unaudited_update(
        "test: drift", decided_at=decided.decided_at + datetime.timedelta(hours=5))

    assert summaries.rebuild_calibration() >= 1
    assert summaries.rebuild_signoff_pending() >= 1
    assert summaries.rebuild_signoff_turnaround() >= 1
    assert stored(CalibrationSummary) == summaries.calibration_compute()
    _assert_figures_match_live()
    assert summaries.rebuild_calibration() == summaries.rebuild_signoff_pending() \
        == summaries.rebuild_signoff_turnaround() == 0


def _assert_figures_match_live():
    from accreditation.signoff.selectors import signoff_figures

    today = timezone.localdate()
    summary = summaries.signoff_figures_from_summaries(region_id=None, today=today)
    live = signoff_figures(SignoffRequest.objects.all(), today=today)
    assert {k: summary[k] for k in ("pending", "overdue", "decided")} == \
        {k: live[k] for k in ("pending", "overdue", "decided")}
    for column in ("turnaround_median_days", "turnaround_p90_days"):
        assert abs(summary[column] - live[column]) <= 0.1 + 1e-9


def test_a_region_move_is_corrected_by_the_rebuild(varied_world, london, north_west):
    from django.db.models import Sum

    def pairs_in(region):
        return CalibrationSummary.objects.filter(region=region).aggregate(n=Sum("pairs"))["n"] or 0

    trainee = varied_world["people"]["trainee"]
    london_pairs, north_pairs = pairs_in(london), pairs_in(north_west)
    User.objects.filter(pk=trainee.pk).update(region=north_west)  # not a sign-off service
    assert summaries.rebuild_calibration() >= 1
    assert summaries.rebuild_signoff_pending() >= 1
    assert summaries.rebuild_signoff_turnaround() >= 1
    moved = summaries.calibration_pairs(Assessment.objects.filter(trainee=trainee)).count()
    assert moved > 0
    assert (pairs_in(london), pairs_in(north_west)) == (london_pairs - moved, north_pairs + moved)
    assert stored(CalibrationSummary) == summaries.calibration_compute()
    assert summaries.rebuild_calibration() == summaries.rebuild_signoff_pending() \
        == summaries.rebuild_signoff_turnaround() == 0


def test_a_region_move_through_the_service_moves_the_rows_at_once(varied_world, london, north_west):
    from rastrack.accounts.services import user_move_region

    trainee = varied_world["people"]["trainee"]
    moved = summaries.calibration_pairs(Assessment.objects.filter(trainee=trainee)).count()
    assert moved > 0 and SignoffRequest.objects.filter(trainee=trainee).exists()
    user_move_region(user=trainee, region=north_west)
    assert stored(CalibrationSummary) == summaries.calibration_compute()
    assert summaries.rebuild_calibration() == summaries.rebuild_signoff_pending() \
        == summaries.rebuild_signoff_turnaround() == 0
