"""`seed_bench`: a tiny bench world has the planned proportions and satisfies the
real schema. Runs on SQLite (bulk_create) and on PostgreSQL (COPY) alike, whichever the
suite runs on. No timing is asserted: performance is measured by `make bench`, not here."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q

from accreditation.faculty.models import Assignment
from accreditation.logbook.models import Case, CaseStep
from accreditation.signoff.models import Assessment, SignoffRequest
from bench import world as bench_world
from curriculum.models import Enrolment
from labs.models import SEAT_HOLDING, Booking, Lab, LabSession, LabSessionSummary
from labs.summaries import compute_lab_session_summary
from rastrack.accounts.models import Portfolio, User
from rastrack.core.summary_tables import stored

pytestmark = pytest.mark.django_db


def seed(cases: int = 300) -> None:
    # The dashboards' progress summaries are another feature's (and its tests'): skipped here.
    call_command("seed_bench", "--cases", str(cases), "--yes", "--quiet", "--no-summaries", stdout=io.StringIO())


def test_refuses_a_database_not_named_bench(monkeypatch):
    from django.db import connection

    monkeypatch.setitem(connection.settings_dict, "NAME", "rastrack")
    with pytest.raises(CommandError, match="bench"):
        call_command("seed_bench", "--cases", "300", stdout=io.StringIO())
    assert not User.objects.filter(email=bench_world.ADMIN_EMAIL).exists()


def test_tiny_world_has_the_proportions_and_keeps_the_constraints():
    seed(300)
    plan = bench_world.Plan.for_cases(300)
    bench_users = User.objects.filter(email__endswith=bench_world.BENCH_DOMAIN)
    trainees = bench_users.filter(groups__name="trainee")
    assert Case.objects.count() == 300
    assert trainees.count() == plan.trainees == 3
    assert bench_users.filter(groups__name="trainer").count() >= plan.trainers
    assert Lab.objects.filter(name__startswith="Bench skills lab").count() == plan.labs
    assert LabSession.objects.count() == plan.sessions + 1  # and the contention session
    # The curve trainee: the biggest logbook, mostly RARP.
    curve = User.objects.get(email=bench_world.CURVE_TRAINEE_EMAIL)
    assert curve.cases.count() == plan.curve_cases == 100
    assert curve.cases.filter(procedure__code="rarp").count() > 50
    assert Enrolment.objects.filter(trainee=curve, pathway__code="console-surgeon", status="active").exists()
    # Everyone has an educational supervisor who validates their cases, and a portfolio.
    for trainee in trainees:
        assert Assignment.objects.filter(trainee=trainee, kind="educational_supervisor").exists()
        assert Portfolio.objects.filter(trainee=trainee).exists()
    assert not Case.objects.filter(validator__isnull=True).exists()
    # Statuses: mostly validated, some waiting in the queues, decided ones with a decider.
    statuses = dict(Case.objects.values_list("status").annotate(n=Count("id")))
    assert statuses["validated"] > 200 and statuses.get("submitted", 0) > 0
    assert not Case.objects.filter(status="validated", decided_by__isnull=True).exists()
    # Console cases have console time and steps of their own procedure; others no console time.
    console = Case.objects.filter(role__in=["console_whole", "console_part"])
    assert console.exists() and not console.filter(console_minutes__isnull=True).exists()
    assert not CaseStep.objects.exclude(step__procedure_id=F("case__procedure_id")).exists()
    assert Assessment.objects.filter(is_self=False).exists()
    assert SignoffRequest.objects.filter(status="pending").exists()
    # Labs: the seat counter matches the seat-holding bookings and never exceeds the seats.
    for session in LabSession.objects.annotate(held=Count("bookings", filter=Q(bookings__status__in=SEAT_HOLDING))):
        assert session.seats_booked == session.held <= session.seats
    assert Booking.objects.exists()
    assert LabSession.objects.get(title=bench_world.CONTENTION_TITLE).seats_booked == 0
    # The lab session summary is computed once the loader's rows are in.
    assert stored(LabSessionSummary) == compute_lab_session_summary() != {}
    # Sign-off's summary tables were rebuilt after the bulk load: nothing left to correct.
    from accreditation.signoff import summaries
    from accreditation.signoff.models import CalibrationSummary, SignoffPendingSummary

    assert CalibrationSummary.objects.exists() and SignoffPendingSummary.objects.exists()
    assert summaries.rebuild_calibration() == summaries.rebuild_signoff_pending() \
        == summaries.rebuild_signoff_turnaround() == 0
    # The cases went in past the services: the load rebuilt the summary tables at its end.
    from accreditation.logbook import summaries as case_summaries
    from accreditation.logbook.models import CaseMonthSummary

    rows = stored(CaseMonthSummary)
    assert rows == case_summaries.compute_case_summary()
    assert sum(sums["validated"] + sums["submitted"] for sums in rows.values()) == Case.objects.filter(
        status__in=("validated", "submitted")).count()


def test_a_second_load_into_the_same_database_is_refused():
    User.objects.create_user(bench_world.ADMIN_EMAIL, "x" * 12, full_name="Bench Admin")  # a first load's mark
    with pytest.raises(CommandError, match="already holds a bench world"):
        seed(300)
    assert not Case.objects.exists()
