"""The labs' part of `seed_demo`: one skills lab per region, realistic equipment, opening hours
Monday-Friday 08:00-18:00, and in London and the North West a timetable of sessions over the
past 8 weeks and the next 4, booked by the demo trainees, with attendance and no-shows on
past sessions, a full upcoming session with a waitlist (and a past one whose waitlist moved
up), a session cancelled by its manager and a piece of kit out of service that flags the
session needing it. Every lab's equipment has its type and platform. London also has a team
crisis drill last week (a roster by team role, booked by its team lead, attendance and the
measured emergency undocking time recorded once for the team) and an upcoming one with seats
by role.

Managers: labmanager1 runs London, labmanager.northwest the North West. Faculty are the
accredited demo trainers (trainer2's accreditation runs out in 20 days, so later sessions
fall back to trainer1: faculty must be accredited on the day).

Idempotent: labs by name, equipment by (lab, model), sessions by (lab, title, start),
bookings by (session, trainee). Dates are relative to today. Everything goes through the
services (past sessions are created and booked with `now=` a few days before they start),
so the audit trail and notifications are those of real use (the equipment of labs that have
no manager yet is inserted directly: only a lab's managers may add equipment).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accreditation.faculty.eligibility import is_accredited_on
from curriculum.models import Component, Lifecycle, Module
from labs import services
from labs.models import (
    KIND_OF_TYPE,
    NOT_CANCELLED,
    Booking,
    Equipment,
    EquipmentStatus,
    EquipmentType,
    Lab,
    LabManager,
    LabSession,
    LabSessionKind,
)
from labs.selectors import week_start
from rastrack.accounts.demo import DEMO_PASSWORD
from rastrack.accounts.models import Profession, User
from rastrack.accounts.roles import Role
from rastrack.accounts.services import user_create
from rastrack.core.exceptions import ApplicationError
from rastrack.reference.models import Platform, Region, Site

CON, VR, DRY, BOX, WET = (EquipmentType.CONSOLE_SIMULATOR, EquipmentType.VR_TRAINER, EquipmentType.DRY_LAB_ROBOT,
                          EquipmentType.LAPAROSCOPIC_BOX_TRAINER, EquipmentType.WET_LAB_STATION)
# The platform of each model (empty: platform-neutral, e.g. RobotiX Mentor runs several).
PLATFORM_OF = {
    "da Vinci SimNow": Platform.DAVINCI_XI, "Mimic dV-Trainer": Platform.DAVINCI_XI,
    "da Vinci Xi dry-lab system": Platform.DAVINCI_XI, "da Vinci Si dry-lab console": Platform.DAVINCI_SI,
    "Versius Trainer": Platform.VERSIUS, "Hugo RAS dry-lab arm": Platform.HUGO,
}

# region code -> (lab name, host site, address, [(type, model, units)])
LABS = {
    "london": ("London Robotics Skills Lab", "Guy's Hospital",
               "Simulation and Interactive Learning Centre, Guy's Hospital, London", [
                   (CON, "da Vinci SimNow", 2), (VR, "Mimic dV-Trainer", 1),
                   (DRY, "da Vinci Xi dry-lab system", 1), (BOX, "Laparoscopic box trainer", 6),
                   (WET, "Wet-lab station (porcine tissue)", 4)]),
    "north-west": ("North West Robotics Skills Lab", "Salford Royal Hospital",
                   "Education Centre, Salford Royal Hospital, Salford", [
                       (VR, "RobotiX Mentor", 1), (VR, "Versius Trainer", 1),
                       (DRY, "da Vinci Si dry-lab console", 1), (BOX, "Laparoscopic box trainer", 4),
                       (WET, "Wet-lab station (porcine tissue)", 2)]),
    "east-of-england": ("East of England Robotics Skills Lab", "Addenbrooke's Hospital",
                        "Clinical Skills Centre, Addenbrooke's Hospital, Cambridge", [
                            (CON, "da Vinci SimNow", 1), (BOX, "Laparoscopic box trainer", 4)]),
    "midlands": ("Midlands Robotics Skills Lab", "Queen Elizabeth Hospital Birmingham",
                 "Education Centre, Queen Elizabeth Hospital Birmingham", [
                     (VR, "Mimic dV-Trainer", 1), (DRY, "Hugo RAS dry-lab arm", 1),
                     (BOX, "Laparoscopic box trainer", 4), (WET, "Wet-lab station (porcine tissue)", 2)]),
    "north-east-and-yorkshire": ("North East and Yorkshire Robotics Skills Lab", "Freeman Hospital",
                                 "Surgical Training Centre, Freeman Hospital, Newcastle upon Tyne", [
                                     (VR, "RobotiX Mentor", 1), (BOX, "Laparoscopic box trainer", 6),
                                     (WET, "Wet-lab station (porcine tissue)", 4)]),
    "south-east": ("South East Robotics Skills Lab", "Royal Surrey County Hospital",
                   "Education Centre, Royal Surrey County Hospital, Guildford", [
                       (CON, "da Vinci SimNow", 1), (BOX, "Laparoscopic box trainer", 4)]),
    "south-west": ("South West Robotics Skills Lab", "Southmead Hospital",
                   "Learning and Research Centre, Southmead Hospital, Bristol", [
                       (VR, "Versius Trainer", 1), (BOX, "Laparoscopic box trainer", 4)]),
}

MANAGERS = {
    "london": ("labmanager1@demo.rastrack.org", None),
    "north-west": ("labmanager.northwest@demo.rastrack.org", "Tom Whitfield"),
}

# A weekly timetable: (weekday, start, end, title, kind, seats, [equipment models], faculty e-mails,
#                      component (pathway code, title) or None, prerequisite (pathway code, module) or None,
#                      every n weeks)
LONDON_WEEK = [
    (1, "09:00", "12:00", "VR simulator basic skills", LabSessionKind.SIMULATION, 3,
     ["da Vinci SimNow", "Mimic dV-Trainer"], ["trainer1@demo.rastrack.org"], None, None, 1),
    (3, "13:00", "17:00", "Dry-lab console practice: docking and suturing", LabSessionKind.DRY_LAB, 6,
     ["da Vinci Xi dry-lab system", "Laparoscopic box trainer"], ["trainer2@demo.rastrack.org",
                                                                   "trainer1@demo.rastrack.org"],
     ("console-surgeon", "Dry-lab console practice"), None, 1),
    (0, "14:00", "16:00", "Console practice on the simulator", LabSessionKind.CONSOLE_PRACTICE, 2,
     ["da Vinci SimNow"], ["trainer1@demo.rastrack.org"], None, ("robotic-literacy", "Platform e-learning"), 1),
    (4, "09:00", "16:00", "Wet-lab course: porcine model", LabSessionKind.WET_LAB, 4,
     ["Wet-lab station (porcine tissue)"], ["trainer2@demo.rastrack.org", "trainer1@demo.rastrack.org"],
     ("console-surgeon", "Wet-lab or cadaveric course"), None, 4),
]
NORTH_WEST_WEEK = [
    (2, "10:00", "13:00", "VR simulator skills", LabSessionKind.SIMULATION, 2,
     ["RobotiX Mentor", "Versius Trainer"], ["trainer.northwest@demo.rastrack.org"], None, None, 1),
    (3, "09:00", "12:00", "Dry-lab docking practice", LabSessionKind.DRY_LAB, 4,
     ["da Vinci Si dry-lab console", "Laparoscopic box trainer"], ["trainer.northwest@demo.rastrack.org"],
     None, None, 2),
]

TRAINEES = {
    "london": ["trainee1@demo.rastrack.org", "trainee2@demo.rastrack.org", "applicant@demo.rastrack.org"],
    "north-west": ["trainee3@demo.rastrack.org"],
}
PAST_WEEKS, FUTURE_WEEKS = 8, 4
BANK_HOLIDAYS = {(12, 25), (12, 26), (1, 1)}  # the fixed-date ones: no sessions


def _user(email: str) -> User | None:
    return User.objects.filter(email=email).first()


def _lab_manager(email: str, name: str | None, region: Region) -> User:
    user = _user(email)
    if user is None:
        user = user_create(email=email, full_name=name, password=DEMO_PASSWORD, roles=[Role.LAB_MANAGER],
                           region=region, profession=Profession.ODP)
    return user


def _lab(code: str, admin: User) -> Lab:
    name, site_name, address, kit = LABS[code]
    region = Region.objects.get(code=code)
    lab = Lab.objects.filter(name=name).first()
    if lab is None:
        site = Site.objects.get(region=region, name=site_name)
        managers = []
        if code in MANAGERS:
            managers = [_lab_manager(*MANAGERS[code], region=region)]
        lab = services.lab_create(actor=admin, name=name, region=region, site=site, address=address,
                                  description="Regional hub for robotic simulation, dry-lab and wet-lab training.",
                                  managers=managers)
    elif code in MANAGERS:
        manager = _lab_manager(*MANAGERS[code], region=region)
        LabManager.objects.get_or_create(lab=lab, user=manager)
    manager = lab.managers.first()
    for type_, model, units in kit:
        platform = PLATFORM_OF.get(model, "")
        existing = Equipment.objects.filter(lab=lab, model=model).first()
        if manager is not None and existing is None:
            services.equipment_create(actor=manager, lab=lab, type=type_, platform=platform, model=model, count=units)
        elif manager is None and existing is None:
            Equipment.objects.create(lab=lab, kind=KIND_OF_TYPE[type_], type=type_, platform=platform, model=model,
                                     count=units, status_changed_at=timezone.now())
        elif manager is not None and (existing.type, existing.platform) != (type_, platform):
            services.equipment_update(actor=manager, equipment=existing, type=type_, platform=platform)
    return lab


def _at(day: datetime.date, hhmm: str) -> datetime.datetime:
    hour, minute = map(int, hhmm.split(":"))
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone())


def _component(spec) -> Component | None:
    if spec is None:
        return None
    code, title = spec
    return (Component.objects.filter(module__pathway__code=code, module__pathway__status=Lifecycle.PUBLISHED,
                                     title=title).order_by("-module__pathway__version").first())


def _module(spec) -> Module | None:
    if spec is None:
        return None
    code, title = spec
    return (Module.objects.filter(pathway__code=code, pathway__status=Lifecycle.PUBLISHED, title=title)
            .order_by("-pathway__version").first())


def _sessions(lab: Lab, timetable, now: datetime.datetime) -> list[tuple[LabSession, bool]]:
    """Create the timetable's sessions (past and future); returns (session, created now)."""
    manager = lab.managers.first()
    base = week_start(timezone.localdate())
    made = []
    for week in range(-PAST_WEEKS, FUTURE_WEEKS + 1):
        monday = base + datetime.timedelta(weeks=week)
        for weekday, start, end, title, kind, seats, models, faculty, component, prerequisite, every in timetable:
            if week % every:
                continue
            day = monday + datetime.timedelta(days=weekday)
            if (day.month, day.day) in BANK_HOLIDAYS:
                continue
            starts_at, ends_at = _at(day, start), _at(day, end)
            existing = LabSession.objects.filter(lab=lab, title=title, starts_at=starts_at).first()
            if existing is not None:
                made.append((existing, False))
                continue
            teachers = [u for u in (_user(e) for e in faculty) if u is not None and is_accredited_on(u, day)][:1]
            kit = list(Equipment.objects.filter(lab=lab, model__in=models, status=EquipmentStatus.AVAILABLE))
            past = starts_at <= now + datetime.timedelta(hours=1)
            try:
                session = services.session_create(
                    actor=manager, lab=lab, kind=kind, starts_at=starts_at, ends_at=ends_at,
                    seats=min(seats, sum(e.count for e in kit) or seats), title=title, faculty=teachers,
                    equipment=kit, component=_component(component), prerequisite=_module(prerequisite),
                    now=starts_at - datetime.timedelta(days=14) if past else None)
            except ApplicationError:
                continue  # e.g. kit out of service since an earlier run: leave that slot empty
            made.append((session, True))
    return made


def _book(session: LabSession, trainee: User, now: datetime.datetime) -> Booking | None:
    existing = Booking.objects.filter(session=session, trainee=trainee, status__in=NOT_CANCELLED).first()
    if existing is not None:
        return existing
    past = session.starts_at <= now
    try:
        return services.booking_create(trainee=trainee, session=session,
                                       now=session.starts_at - datetime.timedelta(days=3) if past else None)
    except ApplicationError:
        return None  # prerequisite not met, overlap: what a real trainee would be told


def _book_and_attend(lab: Lab, made, trainees: list[User], now: datetime.datetime) -> None:
    manager = lab.managers.first()
    for index, (session, created) in enumerate(made):
        if not created:
            continue
        # Two of the trainees per session, rotating, so that each has a varied record; every
        # trainee tries sessions with a prerequisite (those who lack it are refused).
        chosen = trainees if session.prerequisite_id else (
            [t for n, t in enumerate(trainees) if (n + index) % 3 != 2] or trainees)
        bookings = [b for b in (_book(session, t, now) for t in chosen) if b is not None]
        if session.starts_at > now:
            continue
        for n, booking in enumerate(bookings):
            if booking.status != "confirmed":
                continue
            attended = (index + n) % 5 != 0  # about one in five is a no-show
            services.booking_mark_attendance(actor=manager, booking=booking, attended=attended, now=now)


def _full_session_with_waitlist(lab: Lab, trainees: list[User], now: datetime.datetime) -> None:
    """Next week's one-to-one session: one place, taken, and a waitlist behind it."""
    manager = lab.managers.first()
    day = week_start(timezone.localdate()) + datetime.timedelta(weeks=1, days=2)
    title = "One-to-one console coaching"
    starts_at = _at(day, "15:00")
    session = LabSession.objects.filter(lab=lab, title=title, starts_at=starts_at).first()
    if session is None:
        kit = list(Equipment.objects.filter(lab=lab, model="Mimic dV-Trainer", status=EquipmentStatus.AVAILABLE))
        teachers = [u for u in [_user("trainer1@demo.rastrack.org")] if u and is_accredited_on(u, day)]
        session = services.session_create(actor=manager, lab=lab, kind=LabSessionKind.CONSOLE_PRACTICE,
                                          starts_at=starts_at, ends_at=_at(day, "17:00"), seats=1, title=title,
                                          faculty=teachers, equipment=kit)
    for trainee in trainees:
        _book(session, trainee, now)


def _past_waitlist_session(lab: Lab, trainees: list[User], now: datetime.datetime) -> None:
    """Three weeks ago: a one-place session with a waitlist; the first trainee cancelled two
    days before, the next was promoted (and told) and attended, the last never got a place."""
    manager = lab.managers.first()
    day = week_start(timezone.localdate()) - datetime.timedelta(weeks=3) + datetime.timedelta(days=2)
    title = "One-to-one console coaching"
    starts_at = _at(day, "15:00")
    if LabSession.objects.filter(lab=lab, title=title, starts_at=starts_at).exists():
        return
    kit = list(Equipment.objects.filter(lab=lab, model="Mimic dV-Trainer", status=EquipmentStatus.AVAILABLE))
    teachers = [u for u in [_user("trainer1@demo.rastrack.org")] if u and is_accredited_on(u, day)]
    session = services.session_create(actor=manager, lab=lab, kind=LabSessionKind.CONSOLE_PRACTICE,
                                      starts_at=starts_at, ends_at=_at(day, "17:00"), seats=1, title=title,
                                      faculty=teachers, equipment=kit, now=starts_at - datetime.timedelta(days=14))
    bookings = [b for b in (_book(session, t, now) for t in trainees) if b is not None]
    if len(bookings) < 2:
        return
    services.booking_cancel(actor=bookings[0].trainee, booking=bookings[0],
                            now=starts_at - datetime.timedelta(days=2))
    bookings[1].refresh_from_db()
    if bookings[1].status == "confirmed":
        services.booking_mark_attendance(actor=manager, booking=bookings[1], attended=True, now=now)


def _cancelled_session(lab: Lab, trainees: list[User], now: datetime.datetime) -> None:
    """A session two weeks ahead that its manager had to cancel (everyone booked was told)."""
    manager = lab.managers.first()
    day = week_start(timezone.localdate()) + datetime.timedelta(weeks=2, days=1)
    title = "Emergency undocking drill with the theatre team"
    starts_at = _at(day, "14:00")
    if LabSession.objects.filter(lab=lab, title=title, starts_at=starts_at).exists():
        return
    kit = list(Equipment.objects.filter(lab=lab, model="da Vinci Xi dry-lab system", status=EquipmentStatus.AVAILABLE))
    session = services.session_create(actor=manager, lab=lab, kind=LabSessionKind.DRY_LAB, starts_at=starts_at,
                                      ends_at=_at(day, "15:00"), seats=1, title=title, equipment=kit)
    for trainee in trainees:
        _book(session, trainee, now)
    services.session_cancel(actor=manager, session=session,
                            reason="The dry-lab system is needed for a theatre team induction that day.")


TEAM_ROSTER = [{"role": "console_surgeon", "seats": 1}, {"role": "bedside_assistant", "seats": 1},
               {"role": "scrub_nurse", "seats": 1}, {"role": "circulating_nurse", "seats": 1},
               {"role": "anaesthetist", "seats": 1}, {"role": "odp", "seats": 1}]
SCRUB_NURSE = ("scrub.nurse@demo.rastrack.org", "Priya Shah")


def _team_drill(lab: Lab, day: datetime.date, now: datetime.datetime) -> LabSession | None:
    manager = lab.managers.first()
    title = "Team crisis drill: emergency undocking"
    starts_at = _at(day, "13:00")
    session = LabSession.objects.filter(lab=lab, title=title, starts_at=starts_at).first()
    if session is not None:
        return session
    kit = list(Equipment.objects.filter(lab=lab, model="da Vinci Xi dry-lab system", status=EquipmentStatus.AVAILABLE))
    faculty = [u for u in (_user("trainer1@demo.rastrack.org"), _user("nurse.faculty@demo.rastrack.org"))
               if u is not None and is_accredited_on(u, day)]
    past = starts_at <= now
    try:
        return services.session_create(
            actor=manager, lab=lab, kind=LabSessionKind.TEAM_TRAINING, starts_at=starts_at,
            ends_at=_at(day, "16:00"), title=title, roles=TEAM_ROSTER, equipment=kit, faculty=faculty,
            component=_component(("console-surgeon", "Dry-lab console practice")),
            notes="The whole theatre team: emergency undocking, then a called conversion.",
            now=starts_at - datetime.timedelta(days=14) if past else None)
    except ApplicationError:
        return None  # the dry-lab system is taken or out of service: no drill that day


def _team_drills(lab: Lab, now: datetime.datetime) -> None:
    """Last week's drill, booked by trainee1 as team lead for the team, with its attendance
    and outcomes recorded once; next month's with open seats by role."""
    nurse = _user(SCRUB_NURSE[0])
    if nurse is None:
        nurse = user_create(email=SCRUB_NURSE[0], full_name=SCRUB_NURSE[1], password=DEMO_PASSWORD,
                            roles=[Role.TRAINEE], region=lab.region, profession=Profession.NURSE)
    lead, assistant = _user("trainee1@demo.rastrack.org"), _user("trainee2@demo.rastrack.org")
    base = week_start(timezone.localdate())
    past = _team_drill(lab, base - datetime.timedelta(weeks=1) + datetime.timedelta(days=1), now)
    _team_drill(lab, base + datetime.timedelta(weeks=4, days=1), now)
    if past is None or lead is None or assistant is None or Booking.objects.filter(session=past).exists():
        return
    members = [(lead, "console_surgeon"), (assistant, "bedside_assistant"), (nurse, "scrub_nurse")]
    try:
        bookings = services.team_booking_create(actor=lead, session=past, members=members,
                                                now=past.starts_at - datetime.timedelta(days=5))
    except ApplicationError:
        return  # a member already has a place at that time
    recorder = next(iter(past.faculty.all()), None) or lab.managers.first()
    services.team_record(actor=recorder, session=past, attended=[b.pk for b in bookings],
                         outcomes=[{"measure": "undocking_time_s", "value": "25"},
                                   {"measure": "time_to_step_s", "label": "Instruments out, arms clear",
                                    "value": "41"},
                                   {"measure": "otas_score", "label": "Communication", "value": "5"}], now=now)


def _equipment_breakdown(lab: Lab, now: datetime.datetime) -> None:
    """The North West dry-lab console goes out of service: its upcoming session is flagged and
    the lab's manager told. Once only (a later manual repair is respected)."""
    item = Equipment.objects.filter(lab=lab, model="da Vinci Si dry-lab console").first()
    if item is None or item.status_changed_at is None or item.status != EquipmentStatus.AVAILABLE:
        return
    if not LabSession.objects.filter(equipment=item, starts_at__gt=now).exists():
        return
    if Equipment.objects.filter(pk=item.pk, notes__startswith="Out of service").exists():
        return
    services.equipment_update(actor=lab.managers.first(), equipment=item, status=EquipmentStatus.OUT_OF_SERVICE,
                              notes="Out of service: instrument arm fault, engineer booked.")


@transaction.atomic
def seed() -> None:
    admin = _user("admin@demo.rastrack.org")
    if admin is None:
        return
    now = timezone.now()
    labs = {code: _lab(code, admin) for code in LABS}
    for code, timetable in (("london", LONDON_WEEK), ("north-west", NORTH_WEST_WEEK)):
        lab = labs[code]
        trainees = [u for u in (_user(e) for e in TRAINEES[code]) if u is not None]
        made = _sessions(lab, timetable, now)
        _book_and_attend(lab, made, trainees, now)
    london_trainees = [u for u in (_user(e) for e in [*TRAINEES["london"], *TRAINEES["north-west"]]) if u]
    _full_session_with_waitlist(labs["london"], london_trainees, now)
    _past_waitlist_session(labs["london"], london_trainees, now)
    _cancelled_session(labs["london"], london_trainees[:2], now)
    _team_drills(labs["london"], now)
    _equipment_breakdown(labs["north-west"], now)
