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



def _at(days: float, hours: float = 0) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days) + datetime.timedelta(hours=hours)


@pytest.fixture(name="varied_world")
def varied_world_fixture(admin, london, north_west, trainee, other_trainee, assigned_trainer):
    """A world for comparing the summary-read sections with the live figures, all through
    the services: trainees in London (two), North West, the Midlands and one with no region;
    cases over four months in urology, colorectal and upper GI general surgery and
    gynaecology; trainer ratings with and without self-ratings (self first and after), two
    trainers on one case, a second tool; sign-off requests pending (due and overdue),
    approved, returned, reversed, withdrawn and reassigned, decided after uneven times (not
    whole hours)."""
    from accreditation.logbook import services as logbook
    from accreditation.signoff import services as signoff
    from accreditation.signoff.workflows import signoff_request_reassign
    from rastrack.reference.models import Region
    from tests.builders.signoff import gears

    midlands = Region.objects.get(code="midlands")
    people = {"trainee": trainee, "other": other_trainee}
    for name, region in (("north", north_west), ("midlands", midlands), ("nowhere", None)):
        people[name] = UserFactory(full_name=f"Trainee {name}", roles=[Role.TRAINEE], region=region)
    second = UserFactory(full_name="Second Trainer", roles=[Role.TRAINER], region=london)
    accredit(second)
    trainers = {"trainee": [assigned_trainer, second], "other": [second]}
    for name in ("north", "midlands", "nowhere"):
        trainer = UserFactory(full_name=f"Trainer {name}", roles=[Role.TRAINER], region=people[name].region)
        accredit(trainer)
        trainers[name] = [trainer]
    assign(assigned_trainer, other_trainee)
    for name, person in people.items():
        for trainer in trainers[name]:
            if name != "trainee" or trainer is second:
                assign(trainer, person)

    procedures = ("rarp", "anterior-resection", "cholecystectomy", "hysterectomy")
    plan = [  # (who, days ago, procedure, self total or None, trainer totals, self first)
        ("trainee", 2, 0, 22, [18, 20], False), ("trainee", 2, 1, 15, [19], True),
        ("trainee", 40, 2, None, [17], False), ("trainee", 70, 1, 25, [25], False),
        ("trainee", 100, 3, 19, [12], True), ("other", 3, 0, 30, [21], False),
        ("other", 45, 3, 9, [], False), ("north", 5, 1, 20, [17], False),
        ("north", 75, 0, 11, [16], True), ("midlands", 10, 2, 28, [20], False),
        ("nowhere", 12, 0, 24, [18], False),
    ]
    cases = []
    for who, days, procedure, own, totals, own_first in plan:
        person = people[who]
        case = make_case(person, status="submitted", days=days, procedure=procedures[procedure])
        case = logbook.case_validate(case=case, actor=case.validator)
        cases.append(case)
        if own is not None and own_first:
            self_assess(person, case, total=own, today=case.date)
        for trainer, total in zip(trainers[who], totals, strict=False):
            assess(trainer, person, case=case, total=total, today=case.date)
        if own is not None and not own_first:
            self_assess(person, case, total=own, today=case.date)
    # A second tool on one case: the entrustment scale, rated by both sides.
    for actor, level in ((assigned_trainer, 3), (trainee, 4)):
        signoff.assessment_create(actor=actor, trainee=trainee, tool="entrustment", scores={"level": level},
                                  case=cases[0], today=cases[0].date)

    framework = make_framework(admin, competencies=3)
    keys = [c.pk for c in framework.competencies.order_by("key")]
    requests = []

    def ask(who, key, days, *, trainer=None):
        made = request_signoff(people[who], trainer or trainers[who][0], competency=keys[key], now=_at(days))
        requests.append(made)
        return made

    # Decided after uneven times: 1 d 7.4 h, 3 d 0.3 h, 10 d 23.6 h, ... (hours with fractions).
    for who, key, days, after, verb in (("trainee", 0, 90, 31.4, "return"), ("trainee", 0, 60, 72.3, "return"),
                                        ("trainee", 0, 30, 263.6, "approve"), ("other", 1, 50, 5.5, "approve"),
                                        ("north", 0, 40, 100.49, "return"), ("north", 0, 20, 0.2, "approve"),
                                        ("midlands", 0, 15, 48.51, "return"), ("nowhere", 0, 25, 12.0, "approve")):
        made = ask(who, key, days)
        decide = signoff.signoff_request_approve if verb == "approve" else signoff.signoff_request_return
        decide(request=made, actor=made.trainer, feedback="More, please." if verb == "return" else "",
               now=_at(days, after))
    signoff.signoff_request_reverse(request=requests[3], actor=admin, reason="Evidence was not the trainee's.")
    ask("trainee", 1, 40)  # overdue (due after 14 days)
    ask("trainee", 2, 2)  # due later
    withdrawn = ask("other", 0, 8)
    signoff.signoff_request_withdraw(request=withdrawn, actor=other_trainee, now=_at(7))
    overdue = ask("other", 2, 30)
    signoff_request_reassign(request=overdue, actor=admin, trainer=assigned_trainer)
    ask("north", 1, 1)
    ask("nowhere", 1, 20)
    return {"people": people, "trainers": trainers, "cases": cases, "requests": requests, "midlands": midlands,
            "gears": gears}
