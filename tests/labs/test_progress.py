"""Attendance is evidence for the progress engine (labs/evidence.py)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accreditation.logbook.models import SimulatorSession
from curriculum import services as curriculum
from curriculum.progress import progress_for, registered_providers
from labs import services
from tests.builders.curriculum import make_framework
from tests.builders.dates import days_ago
from tests.builders.labs import book_in_past, make_session, when

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab_pathway(admin):
    framework = make_framework(admin)
    pathway = curriculum.pathway_create(actor=admin, code="lab-path", title="Lab pathway", audience="trainee",
                                        framework=framework, self_enrol=True)
    module = curriculum.module_create(actor=admin, pathway=pathway, title="Labs")
    dry = curriculum.component_create(actor=admin, module=module, title="Dry-lab practice", kind="dry_lab")
    curriculum.requirement_create(actor=admin, component=dry, type="min_count", params={"count": 2})
    curriculum.requirement_create(actor=admin, component=dry, type="min_hours", params={"hours": "5.0"})
    wet = curriculum.component_create(actor=admin, module=module, title="Wet-lab course", kind="wet_lab")
    curriculum.requirement_create(actor=admin, component=wet, type="min_count", params={"count": 1})
    sim = curriculum.component_create(actor=admin, module=module, title="Simulator hours", kind="simulation")
    curriculum.requirement_create(actor=admin, component=sim, type="min_hours", params={"hours": "2.0"})
    return curriculum.pathway_publish(actor=admin, pathway=pathway)


def _item(progress, component_title, type_):
    return next(i for i in progress.requirements
                if i.requirement.component.title == component_title and i.requirement.type == type_)


def _attended(lab, manager, trainee, *, weeks, kind, hours, attended=True, **kwargs):
    session = make_session(lab, manager, starts_at=when(weeks=weeks), hours=hours, kind=kind, **kwargs)
    booking = book_in_past(trainee, session)
    services.booking_mark_attendance(actor=manager, booking=booking, attended=attended)
    return session


def test_the_provider_is_registered_before_the_logbooks_simulator_provider():
    names = [p.name for p in registered_providers()]
    assert "labs.attendance" in names
    if "accreditation.simulator" in names:
        assert names.index("labs.attendance") < names.index("accreditation.simulator")


def test_attended_sessions_count_by_kind_and_hours(lab, lab_manager, trainee, lab_pathway):
    enrolment = curriculum.enrolment_create(actor=trainee, trainee=trainee, pathway=lab_pathway,
                                            enrolled_on=days_ago(90))
    _attended(lab, lab_manager, trainee, weeks=-3, kind="dry_lab", hours=3)
    _attended(lab, lab_manager, trainee, weeks=-2, kind="dry_lab", hours=2, attended=False)  # no-show
    _attended(lab, lab_manager, trainee, weeks=-1, kind="simulation", hours=4)  # another kind
    progress = progress_for(enrolment)
    count, hours = _item(progress, "Dry-lab practice", "min_count"), _item(progress, "Dry-lab practice", "min_hours")
    assert (count.provider, count.value, count.met) == ("labs.attendance", 1, False)
    assert (hours.value, hours.met) == (Decimal("3.0"), False)
    assert count.evidence[0].kind == "lab_attendance"

    _attended(lab, lab_manager, trainee, weeks=-4, kind="dry_lab", hours=2)
    progress = progress_for(enrolment)
    assert _item(progress, "Dry-lab practice", "min_count").met
    assert _item(progress, "Dry-lab practice", "min_hours").value == Decimal("5.0")
    assert _item(progress, "Dry-lab practice", "min_hours").met


def test_a_session_linked_to_a_component_counts_for_it_whatever_its_kind(lab, lab_manager, trainee, lab_pathway):
    enrolment = curriculum.enrolment_create(actor=trainee, trainee=trainee, pathway=lab_pathway,
                                            enrolled_on=days_ago(90))
    wet = lab_pathway.modules.get(title="Labs").components.get(kind="wet_lab")
    dry = lab_pathway.modules.get(title="Labs").components.get(kind="dry_lab")
    _attended(lab, lab_manager, trainee, weeks=-2, kind="course", hours=6, component=wet)
    # A wet-lab session linked to another component does not count for this one.
    _attended(lab, lab_manager, trainee, weeks=-3, kind="wet_lab", hours=6, component=dry)
    progress = progress_for(enrolment)
    wet_item = _item(progress, "Wet-lab course", "min_count")
    assert (wet_item.value, wet_item.met) == (1, True)
    assert _item(progress, "Dry-lab practice", "min_count").value == 1  # the linked wet-lab session


def test_simulation_requirements_stay_with_the_simulator_log_unless_sessions_are_linked(
        lab, lab_manager, trainee, lab_pathway):
    enrolment = curriculum.enrolment_create(actor=trainee, trainee=trainee, pathway=lab_pathway,
                                            enrolled_on=days_ago(90))
    SimulatorSession.objects.create(trainee=trainee, date=timezone.localdate() - datetime.timedelta(days=3),
                                    simulator="davinci_skills", exercise_name="Ring walk", score=95, minutes=150,
                                    provenance="trainer_verified", verified_by=lab_manager,
                                    verified_at=timezone.now())
    _attended(lab, lab_manager, trainee, weeks=-1, kind="simulation", hours=1)
    item = _item(progress_for(enrolment), "Simulator hours", "min_hours")
    assert item.provider == "accreditation.simulator"  # no lab session is linked to this component
    assert item.value == Decimal("2.5")

    sim = lab_pathway.modules.get(title="Labs").components.get(kind="simulation")
    _attended(lab, lab_manager, trainee, weeks=-2, kind="simulation", hours=1, component=sim)
    item = _item(progress_for(enrolment), "Simulator hours", "min_hours")
    assert item.provider == "labs.attendance"
    assert item.value == Decimal("2.0")  # the linked session and the unlinked simulation session
    assert item.met
