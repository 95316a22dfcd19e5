"""The dashboards' small hand-computed world (fixture `world`), and their API paths."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accreditation.faculty.models import AccreditationStatus
from accreditation.signoff.models import SignoffRequest, SignoffStatus
from curriculum.models import EnrolmentStatus
from curriculum.progress_summary import refresh_all
from labs import services
from rastrack.accounts.roles import Role
from tests.builders.curriculum import make_framework
from tests.builders.faculty import accredit, assign
from tests.builders.labs import make_session, when
from tests.builders.logbook import make_case
from tests.builders.people import UserFactory
from tests.builders.signoff import assess, enrol, request_signoff, self_assess, small_pathway

NATIONAL = "/api/v1/dashboards/national/"


def rebuild_signoff_summaries() -> int:
    """What the nightly rebuild does for sign-off's summaries, after rows written behind the
    services' back; returns the rows it corrected."""
    from accreditation.signoff import summaries

    return (summaries.rebuild_calibration() + summaries.rebuild_signoff_pending()
            + summaries.rebuild_signoff_turnaround())


def region_url(region_id) -> str:
    return f"/api/v1/dashboards/regions/{region_id}/"


def month_of(value) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return value.strftime("%Y-%m")


def decided_copy(request, trainer, *, days: float, created: datetime.datetime):
    """A returned copy of `request`, decided `days` after `created`."""
    copy = SignoffRequest.objects.get(pk=request.pk)
    copy.pk = None
    copy.status = SignoffStatus.RETURNED
    copy.feedback = "More cases, please."
    copy.decided_by = trainer
    copy.decided_at = timezone.now()
    copy.save()
    SignoffRequest.objects.filter(pk=copy.pk).unaudited_update("test setup",
        created_at=created, decided_at=created + datetime.timedelta(days=days))
    return copy


@pytest.fixture(name="world")
def world_fixture(admin, london, north_west, trainee, other_trainee, north_trainee, assigned_trainer,
          lab, lab_manager, other_lab, other_lab_manager):
    """London:
      faculty: assigned_trainer accredited (expires in ~1 year), Ezra accredited expiring in 30
        days, Sid suspended (expiring in 10 days: not counted, not accredited)
      lab: one session next week, 3 seats, trainee and other_trainee booked
      sign-offs (trainee): 1 pending overdue, 1 pending due later, 5 decided after 1, 2, 3, 4 and
        10 days -> median 3, p90 (linear) 4 + 0.6 * 6 = 7.6 (nearest rank would say 10)
      trainees: trainee enrolled, nothing met (0-25 %); other_trainee's enrolment completed
      cases: trainee 2 validated da Vinci Xi + 1 validated Versius; other_trainee 1 submitted
        Xi, 1 draft (not counted)
    North West:
      faculty: Nora accredited expiring in 10 days
      lab: one session next week, 2 seats, no bookings
      sign-offs: one decided after 100 days (north_trainee)
      trainees: north_trainee enrolled (0-25 %)
      cases: north_trainee 1 submitted Versius
    """
    today = timezone.localdate()
    for name, region, status, days in (("Ezra Expiring", london, AccreditationStatus.ACCREDITED, 30),
                                       ("Sid Suspended", london, AccreditationStatus.SUSPENDED, 10),
                                       ("Nora Northtrainer", north_west, AccreditationStatus.ACCREDITED, 10)):
        trainer = UserFactory(full_name=name, roles=[Role.TRAINER], region=region)
        accredit(trainer, status=status, expires_on=today + datetime.timedelta(days=days))
    assign(assigned_trainer, other_trainee)
    assign(trainer, north_trainee)  # Nora

    start = when(weeks=1, weekday=1, hour=10)
    london_session = make_session(lab, lab_manager, starts_at=start, seats=3)
    make_session(other_lab, other_lab_manager, starts_at=start.replace(hour=14), seats=2)
    for person in (trainee, other_trainee):
        services.booking_create(trainee=person, session=london_session)

    framework = make_framework(admin)
    pathway = small_pathway(admin, framework)
    enrol(trainee, pathway)
    done = enrol(other_trainee, pathway)
    type(done).objects.filter(pk=done.pk).unaudited_update("test setup", status=EnrolmentStatus.COMPLETED, completed_on=today)
    enrol(north_trainee, pathway)

    first = request_signoff(trainee, assigned_trainer, competency=framework.competencies.get(key="comp-1-1").pk)
    SignoffRequest.objects.filter(pk=first.pk).unaudited_update("test setup", due_on=today - datetime.timedelta(days=1))
    request_signoff(trainee, assigned_trainer, competency=framework.competencies.get(key="comp-1-2").pk)
    created = timezone.now() - datetime.timedelta(days=200)
    for days in (4, 1, 10, 3, 2):
        decided_copy(first, assigned_trainer, days=days, created=created)
    north_request = SignoffRequest.objects.get(pk=first.pk)
    north_request.pk = None
    north_request.trainee = north_trainee
    north_request.status = SignoffStatus.RETURNED
    north_request.feedback = "Again."
    north_request.decided_by = assigned_trainer
    north_request.decided_at = timezone.now()
    north_request.save()
    SignoffRequest.objects.filter(pk=north_request.pk).unaudited_update("test setup",
        created_at=created, decided_at=created + datetime.timedelta(days=100))

    cases = [make_case(trainee, assigned_trainer, days=3), make_case(trainee, assigned_trainer, days=3),
             make_case(trainee, assigned_trainer, days=3, platform="versius"),
             make_case(other_trainee, status="submitted", days=3),
             make_case(other_trainee, status="draft", days=3),
             make_case(north_trainee, status="submitted", days=3, platform="versius")]
    self_assess(trainee, cases[0], total=22)
    assess(assigned_trainer, trainee, case=cases[0], total=18)
    refresh_all()  # what the beat task keeps up to date
    rebuild_signoff_summaries()  # the decided copies above were written behind the services
    return {"pathway": pathway, "lab_month": month_of(start), "case_month": month_of(cases[0].date)}

