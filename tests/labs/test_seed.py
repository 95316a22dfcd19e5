"""The labs' demo world: one lab per region, equipment, a timetable with bookings, attendance,
no-shows, a full session with a waitlist (read from the shared demo world,
tests/builders/demo.py; seeding it twice is tests/rastrack/test_seed_demo.py)."""

from django.db.models import Count, Q
from django.utils import timezone

from accreditation.faculty import demo as faculty_demo
from curriculum import demo as curriculum_demo
from labs import demo as labs_demo
from labs.models import Booking, BookingStatus, Equipment, Lab, LabSession
from rastrack.accounts import demo as accounts_demo
from rastrack.reference import demo as reference_demo
from rastrack.reference.models import Region

# What the labs' seeder builds on.
SEEDERS = [reference_demo.seed, accounts_demo.seed, curriculum_demo.seed, faculty_demo.seed, labs_demo.seed]


def test_labs_seed_runs_after_what_it_needs():
    from rastrack.demo import SEEDERS as ALL

    # Labs need the demo people, the curriculum (linked components) and the faculty.
    labs = ALL.index(labs_demo.seed)
    for needed in (accounts_demo.seed, curriculum_demo.seed, faculty_demo.seed):
        assert ALL.index(needed) < labs
    assert set(SEEDERS) <= set(ALL)


def test_the_demo_labs(demo_world):
    assert Lab.objects.count() == Region.objects.count() == 7
    london = Lab.objects.get(region__code="london")
    assert london.name == "London Robotics Skills Lab"
    assert list(london.managers.values_list("email", flat=True)) == ["labmanager1@demo.rastrack.org"]
    assert london.site.region.code == "london"
    assert london.opening_hours.count() == 5
    assert Equipment.objects.filter(lab=london, kind="vr_console_simulator").exists()

    now = timezone.now()
    past = LabSession.objects.filter(lab=london, starts_at__lt=now)
    assert past.filter(starts_at__lt=now - timezone.timedelta(weeks=7)).exists()
    assert LabSession.objects.filter(lab=london, starts_at__gt=now + timezone.timedelta(weeks=3)).exists()
    statuses = set(Booking.objects.values_list("status", flat=True))
    assert {BookingStatus.ATTENDED, BookingStatus.NO_SHOW, BookingStatus.CONFIRMED, BookingStatus.WAITLISTED} <= statuses
    full = (LabSession.objects.filter(starts_at__gt=now, status="scheduled")
            .annotate(waiting=Count("bookings", filter=Q(bookings__status="waitlisted")))
            .filter(waiting__gt=0))
    assert any(s.seats_booked == s.seats for s in full)
    assert LabSession.objects.filter(status="cancelled").exists()
    assert LabSession.objects.filter(equipment_flagged=True).exists()
    for session in LabSession.objects.all():
        held = session.bookings.filter(status__in=["confirmed", "attended", "no_show"]).count()
        assert session.seats_booked == held, session


def test_the_demo_team_crisis_drill_nurse_faculty_and_equipment_by_platform(demo_world):
    from accreditation.faculty.models import Accreditation, FacultyScope
    from labs.models import EquipmentType, TeamOutcome

    drill = LabSession.objects.filter(title="Team crisis drill: emergency undocking",
                                      starts_at__lt=timezone.now()).get()
    roster = dict(drill.bookings.values_list("role", "status"))
    assert roster == {"console_surgeon": "attended", "bedside_assistant": "attended", "scrub_nurse": "attended"}
    assert drill.roles.count() == 6 and drill.platform == "davinci_xi"
    assert TeamOutcome.objects.filter(session=drill, measure="undocking_time_s", value=25).exists()
    assert LabSession.objects.filter(title=drill.title, starts_at__gt=timezone.now(), roles__isnull=False).exists()
    nurse = Accreditation.objects.get(trainer__email="nurse.faculty@demo.rastrack.org")
    assert nurse.scope == FacultyScope.BEDSIDE_TEAM and nurse.trainer.profession == "nurse"
    for lab in Lab.objects.all():
        robotic = lab.equipment.exclude(type=EquipmentType.LAPAROSCOPIC_BOX_TRAINER).exclude(
            type=EquipmentType.WET_LAB_STATION)
        assert robotic.exists() and not robotic.filter(platform="", model__startswith="da Vinci").exists()
    assert not Equipment.objects.filter(type=EquipmentType.LAPAROSCOPIC_BOX_TRAINER).exclude(platform="").exists()


def test_the_demo_worlds_lab_session_summary_is_what_a_rebuild_gives(demo_world):
    from labs.models import LabSessionSummary
    from labs.summaries import compute_lab_session_summary
    from rastrack.core.summary_tables import stored

    rows = stored(LabSessionSummary)
    assert rows == compute_lab_session_summary()
    assert sum(r["attended"] for r in rows.values()) and sum(r["waitlist_demand"] for r in rows.values())
