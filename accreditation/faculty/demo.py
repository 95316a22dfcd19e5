"""The faculty's part of `seed_demo`: accredited trainers, two pending applications, one
lapsed and one nearly expired accreditation, and trainees assigned to their supervisors.

Idempotent (keyed on e-mail addresses and existing records); dates are relative to the day
of the first run. Accreditations and assignments start two years ago or earlier, before
any seeded logbook case, so every seeded case has a supervisor who could validate it.
Everything goes through the services, so the demo has its audit trail and notifications.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accreditation.faculty.models import (
    Accreditation,
    ApplicationKind,
    Assignment,
    AssignmentKind,
    Platform,
    TrainerApplication,
)
from accreditation.faculty.services import (
    accreditation_lapse_expired,
    add_years,
    assignment_create,
    trainer_application_approve,
    trainer_application_create,
)
from rastrack.accounts.demo import DEMO_PASSWORD
from rastrack.accounts.models import Profession, User
from rastrack.accounts.roles import Role
from rastrack.accounts.services import user_create
from rastrack.reference.models import Region, Specialty
from rastrack.reference.specialties import specialty_choices_with_legacy

LEADS = {"london": "lead.london@demo.rastrack.org", "north-west": "lead.northwest@demo.rastrack.org"}

# People this seeder adds (the accounts seeder made trainer1, trainer2 and the trainees):
# (e-mail, full name, roles, region code, GMC number)
FACULTY_PEOPLE = [
    ("trainer.northwest@demo.rastrack.org", "Rebecca Ashworth", [Role.TRAINER], "north-west", "3567890"),
    ("trainer.lapsed@demo.rastrack.org", "Oliver Grant", [Role.TRAINER], "london", "3678901"),
    # An established surgeon who converted to RAS (a trainee on the conversion pathway) and
    # now applies to train others.
    ("applicant@demo.rastrack.org", "Nadia Rahman", [Role.TRAINEE], "london", "3789012"),
    # A second pending application, decided by the other region's lead, so that the journey can
    # be tried twice on one demo world.
    ("applicant2@demo.rastrack.org", "Samuel Okafor", [Role.TRAINEE], "north-west", "3890123"),
]


# A robotic nurse specialist who holds a faculty accreditation for bedside and team
# competencies (never console ones), and assesses trainee1's bedside work.
NURSE_FACULTY = ("nurse.faculty@demo.rastrack.org", "Grace Okafor", "london", "12A3456E")


def _accreditations(today: datetime.date) -> list[tuple[str, datetime.date, str, list[str]]]:
    """(trainer e-mail, accredited on, specialty, platforms); a 3-year period each."""
    return [
        # Accredited 25 months ago: valid for about another 11 months.
        ("trainer1@demo.rastrack.org", today - datetime.timedelta(days=760), Specialty.UROLOGY,
         [Platform.DAVINCI_XI, Platform.DAVINCI_X]),
        # Expires in 20 days: the register highlights it, the reminders will nag.
        ("trainer2@demo.rastrack.org", add_years(today + datetime.timedelta(days=20), -3),
         "colorectal", [Platform.DAVINCI_XI, Platform.DAVINCI_X, Platform.VERSIUS]),
        ("trainer.northwest@demo.rastrack.org", today - datetime.timedelta(days=790),
         "general_upper_gi", [Platform.HUGO, Platform.DAVINCI_XI]),
        # Expired two months ago: lapsed below by the same job the schedule runs.
        ("trainer.lapsed@demo.rastrack.org", add_years(today - datetime.timedelta(days=60), -3),
         Specialty.OBSTETRICS_GYNAECOLOGY, [Platform.DAVINCI_X]),
    ]


# (trainee, trainer, kind, days ago it started)
ASSIGNMENTS = [
    ("trainee1@demo.rastrack.org", "trainer1@demo.rastrack.org", AssignmentKind.EDUCATIONAL_SUPERVISOR, 730),
    ("trainee2@demo.rastrack.org", "trainer1@demo.rastrack.org", AssignmentKind.EDUCATIONAL_SUPERVISOR, 730),
    ("trainee3@demo.rastrack.org", "trainer.northwest@demo.rastrack.org",
     AssignmentKind.EDUCATIONAL_SUPERVISOR, 730),
    ("trainee1@demo.rastrack.org", "trainer2@demo.rastrack.org", AssignmentKind.CLINICAL_SUPERVISOR, 365),
    ("trainee1@demo.rastrack.org", "nurse.faculty@demo.rastrack.org", AssignmentKind.CLINICAL_SUPERVISOR, 150),
]


def _person(email: str) -> User:
    return User.objects.get(email=email)


def _statement(specialty: str) -> str:
    label = dict(specialty_choices_with_legacy())[specialty].removesuffix(" (old code)").lower()
    return (f"Consultant robotic surgeon ({label}); I proctor new "
            "console surgeons and run dry-lab sessions in our regional skills lab.")


def _nurse_faculty(today: datetime.date) -> None:
    email, name, region_code, number = NURSE_FACULTY
    nurse = User.objects.filter(email=email).first()
    if nurse is None:
        nurse = user_create(email=email, full_name=name, password=DEMO_PASSWORD, roles=[Role.TRAINER],
                            region=Region.objects.get(code=region_code), profession=Profession.NURSE,
                            registration_body="nmc", registration_number=number)
    if Accreditation.objects.filter(trainer=nurse).exists():
        return
    since = today - datetime.timedelta(days=200)
    application = trainer_application_create(
        applicant=nurse, kind=ApplicationKind.INITIAL, specialty=Specialty.UROLOGY,
        platforms=[Platform.DAVINCI_XI], independent_console_cases=0,
        statement="Robotic nurse specialist: I lead our theatre team's crisis drills and teach bedside assisting.",
        train_the_trainer_completed_on=since - datetime.timedelta(days=30), today=since)
    trainer_application_approve(application=application, actor=_person(LEADS[region_code]),
                                reason="Bedside and team faculty: meets the evidence requirements.", today=since)


@transaction.atomic
def seed() -> None:
    today = timezone.localdate()
    for email, name, roles, region_code, number in FACULTY_PEOPLE:
        if not User.objects.filter(email=email).exists():
            user_create(email=email, full_name=name, password=DEMO_PASSWORD, roles=roles,
                        region=Region.objects.get(code=region_code), profession=Profession.SURGEON,
                        registration_body="gmc", registration_number=number)

    for email, since, specialty, platforms in _accreditations(today):
        trainer = _person(email)
        if Accreditation.objects.filter(trainer=trainer).exists():
            continue
        application = trainer_application_create(
            applicant=trainer, kind=ApplicationKind.INITIAL, specialty=specialty, platforms=platforms,
            independent_console_cases=180, statement=_statement(specialty),
            train_the_trainer_completed_on=since - datetime.timedelta(days=45), today=since,
        )
        trainer_application_approve(application=application, actor=_person(LEADS[trainer.region.code]),
                                    reason="Meets the faculty's evidence requirements.", today=since)
    _nurse_faculty(today)
    accreditation_lapse_expired(today=today)

    for email, specialty, platforms, cases in (
            ("applicant@demo.rastrack.org", Specialty.UROLOGY, [Platform.DAVINCI_XI], 64),
            ("applicant2@demo.rastrack.org", "colorectal", [Platform.DAVINCI_XI, Platform.VERSIUS], 71)):
        applicant = _person(email)
        if not TrainerApplication.objects.filter(applicant=applicant).exists():
            trainer_application_create(
                applicant=applicant, kind=ApplicationKind.INITIAL, specialty=specialty,
                platforms=platforms, independent_console_cases=cases, statement=_statement(specialty),
                train_the_trainer_completed_on=today - datetime.timedelta(days=90),
            )

    for trainee_email, trainer_email, kind, days_ago in ASSIGNMENTS:
        trainee, trainer = _person(trainee_email), _person(trainer_email)
        if Assignment.objects.filter(trainer=trainer, trainee=trainee, kind=kind).exists():
            continue
        assignment_create(actor=_person(LEADS[trainee.region.code]), trainer=trainer, trainee=trainee,
                          kind=kind, starts_on=today - datetime.timedelta(days=days_ago))
