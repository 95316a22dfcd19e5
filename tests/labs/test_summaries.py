"""The lab session summary (labs/summaries.py): every session and booking service keeps it
equal to a rebuild from the source rows, in its own transaction and with one or two
statements; the rebuild corrects what was changed behind the services' back."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from labs import services, summaries
from labs.capacity import _bounds, capacity_report
from labs.models import Booking, BookingStatus, LabSession, LabSessionSummary
from rastrack.core.summary_tables import stored
from tests.builders.labs import lab_summary_world, make_session, when

pytestmark = pytest.mark.django_db


def _assert_equals_a_rebuild():
    assert stored(LabSessionSummary) == summaries.compute_lab_session_summary()


def test_every_service_keeps_the_summary_equal_to_a_rebuild(lab, lab_manager, other_lab, other_lab_manager):
    steps = []

    def check():
        _assert_equals_a_rebuild()
        steps.append(1)

    world = lab_summary_world(lab=lab, lab_manager=lab_manager, other_lab=other_lab,
                              other_lab_manager=other_lab_manager, check=check)
    assert len(steps) > 30
    rows = stored(LabSessionSummary)
    # Several labs, months and kinds, and every figure somewhere.
    assert {key[0] for key in rows} == {lab.pk for lab in world["labs"]}
    assert len({key[1] for key in rows}) >= 4 and len({key[2] for key in rows}) >= 4
    for figure in summaries.FIGURES:
        assert any(sums[figure] for sums in rows.values()), figure
    assert summaries.rebuild_lab_session_summary() == 0


def _live_by_month(labs, start, end) -> list[dict]:
    """The capacity report by month as it was computed before the summary: from the rows."""
    begin, finish = _bounds(start, end)
    sessions = LabSession.objects.filter(lab__in=labs, starts_at__gte=begin, starts_at__lt=finish)
    return [{"month": month.strftime("%Y-%m"), **{name: figures[name] for name in summaries.FIGURES}}
            for (month,), figures in sorted(summaries.live_figures(sessions, ()).items())]


def test_the_capacity_report_by_month_reads_the_summary_and_agrees_with_the_rows(
        lab, lab_manager, other_lab, other_lab_manager):
    world = lab_summary_world(lab=lab, lab_manager=lab_manager, other_lab=other_lab,
                              other_lab_manager=other_lab_manager)
    months, labs = world["months"], world["labs"]
    ids = [lab.pk for lab in labs]
    for scope, start, end in [(ids, months[-2], months[2]), (ids[:1], months[-2], months[2]),
                              ([ids[0], ids[2]], months[-1], months[1]), (ids[1:2], months[-1], months[-1]),
                              (ids, months[2], months[2])]:
        with CaptureQueriesContext(connection) as queries:
            rows = capacity_report(labs=scope, start=start, end=end, group_by="month")
        assert len(queries) == 1 and LabSessionSummary._meta.db_table in queries[0]["sql"]
        assert rows == _live_by_month(scope, start, end)
    assert len(capacity_report(labs=ids, start=months[-2], end=months[2], group_by="month")) >= 4


def _summary_statements(queries) -> int:
    return sum(LabSessionSummary._meta.db_table in q["sql"] for q in queries)


def test_a_write_adds_one_statement_and_one_more_when_a_count_may_reach_zero(lab, lab_manager, trainee,
                                                                              other_trainee):
    session = make_session(lab, lab_manager, seats=1)
    with CaptureQueriesContext(connection) as queries:
        first = services.booking_create(trainee=trainee, session=session)
    assert _summary_statements(queries) == 1  # the upsert
    with CaptureQueriesContext(connection) as queries:
        waiting = services.booking_create(trainee=other_trainee, session=session)
    assert waiting.status == BookingStatus.WAITLISTED and _summary_statements(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        services.session_update(actor=lab_manager, session=session, seats=2)  # promotes: one upsert for both
    assert _summary_statements(queries) == 2  # waitlisted went down: the row may have emptied
    with CaptureQueriesContext(connection) as queries:
        services.booking_cancel(actor=trainee, booking=first)
    assert _summary_statements(queries) == 2
    with CaptureQueriesContext(connection) as queries:
        services.session_cancel(actor=lab_manager, session=session)
    # The session's booking figures (one read), the upsert, the emptied row deleted.
    assert _summary_statements(queries) == 2
    assert stored(LabSessionSummary) == {} == summaries.compute_lab_session_summary()


def test_attendance_marks_move_between_figures(lab, lab_manager, trainee):
    start = timezone.now() - datetime.timedelta(days=2)
    start = start.replace(hour=10, minute=0, second=0, microsecond=0)
    while timezone.localtime(start).weekday() >= 5:
        start -= datetime.timedelta(days=1)
    session = make_session(lab, lab_manager, starts_at=start)
    booking = services.booking_create(trainee=trainee, session=session, now=start - datetime.timedelta(days=3))
    key = summaries.session_key(session)
    with CaptureQueriesContext(connection) as queries:
        services.booking_mark_attendance(actor=lab_manager, booking=booking, attended=True)
    assert _summary_statements(queries) == 1
    assert stored(LabSessionSummary)[key] == {"sessions": 1, "seats_offered": 3, "booked": 1, "attended": 1,
                                              "no_shows": 0, "waitlist_demand": 0, "waitlisted": 0}
    services.booking_mark_attendance(actor=lab_manager, booking=booking, attended=False)
    assert stored(LabSessionSummary)[key] == {"sessions": 1, "seats_offered": 3, "booked": 1, "attended": 0,
                                              "no_shows": 1, "waitlist_demand": 0, "waitlisted": 0}
    _assert_equals_a_rebuild()


def test_a_session_moved_to_another_month_takes_its_bookings_with_it(lab, lab_manager, trainee, other_trainee):
    session = make_session(lab, lab_manager, seats=1)
    services.booking_create(trainee=trainee, session=session)
    services.booking_create(trainee=other_trainee, session=session)
    old_key = summaries.session_key(session)
    later = when(weeks=9, weekday=2, hour=10)
    services.session_update(actor=lab_manager, session=session, starts_at=later,
                            ends_at=later + datetime.timedelta(hours=2))
    session.refresh_from_db()
    new_key = summaries.session_key(session)
    assert new_key != old_key
    rows = stored(LabSessionSummary)
    assert old_key not in rows
    assert rows[new_key] == {"sessions": 1, "seats_offered": 1, "booked": 1, "attended": 0, "no_shows": 0,
                             "waitlist_demand": 1, "waitlisted": 1}
    _assert_equals_a_rebuild()


def test_the_rebuild_corrects_what_was_changed_behind_the_services_back_and_says_so(
        lab, lab_manager, other_lab, other_lab_manager):
    lab_summary_world(lab=lab, lab_manager=lab_manager, other_lab=other_lab, other_lab_manager=other_lab_manager)
    assert summaries.rebuild_lab_session_summary() == 0
    session = LabSession.objects.filter(status="scheduled", bookings__status="confirmed").first()
    LabSession.objects.filter(pk=session.pk).unaudited_update("test: drift", seats=session.seats + 5)
    attended = Booking.objects.filter(status=BookingStatus.ATTENDED).first()
    Booking.objects.filter(pk=attended.pk).unaudited_update("test: drift", status=BookingStatus.NO_SHOW)
    cancelled = LabSession.objects.filter(status="cancelled").first()
    LabSession.objects.filter(pk=cancelled.pk).unaudited_update("test: drift", status="scheduled")
    assert stored(LabSessionSummary) != summaries.compute_lab_session_summary()

    corrected = summaries.rebuild_lab_session_summary()
    assert corrected >= 3
    _assert_equals_a_rebuild()
    assert summaries.rebuild_lab_session_summary() == 0


def test_the_rebuild_deletes_rows_nothing_backs(lab, lab_manager):
    session = make_session(lab, lab_manager)
    LabSession.objects.filter(pk=session.pk).unaudited_update(
        "test: drift", status="cancelled", cancelled_at=timezone.now())
    assert summaries.rebuild_lab_session_summary() == 1
    assert stored(LabSessionSummary) == {}
    assert summaries.rebuild_lab_session_summary() == 0


def test_a_team_is_booked_and_recorded_with_one_summary_statement_each(lab, lab_manager, trainee, other_trainee):
    start = timezone.now() - datetime.timedelta(days=2)
    start = start.replace(hour=9, minute=0, second=0, microsecond=0)
    while timezone.localtime(start).weekday() >= 5:
        start -= datetime.timedelta(days=1)
    drill = make_session(lab, lab_manager, starts_at=start, kind="team_training", seats=None,
                         roles=[{"role": "console_surgeon", "seats": 1}, {"role": "bedside_assistant", "seats": 1}])
    with CaptureQueriesContext(connection) as queries:
        team = services.team_booking_create(actor=trainee, session=drill,
                                            members=[(trainee, "console_surgeon"), (other_trainee, "bedside_assistant")],
                                            now=start - datetime.timedelta(days=3))
    assert _summary_statements(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        services.team_record(actor=lab_manager, session=drill, attended=[team[0].pk])
    assert _summary_statements(queries) == 1
    assert stored(LabSessionSummary)[summaries.session_key(drill)] == {
        "sessions": 1, "seats_offered": 2, "booked": 2, "attended": 1, "no_shows": 1, "waitlist_demand": 0,
        "waitlisted": 0}
    _assert_equals_a_rebuild()
