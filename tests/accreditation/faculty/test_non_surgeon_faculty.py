"""Non-surgeon faculty (nurses, ODPs, surgical care practitioners): they apply for and hold an
accreditation for bedside and team competencies, sign those off, and never console ones."""

import pytest

from accreditation.faculty.models import FacultyScope
from accreditation.faculty.services import trainer_application_approve, trainer_application_create
from accreditation.signoff import services as signoff
from curriculum import services as curriculum
from rastrack.accounts.models import Profession
from rastrack.accounts.roles import Role
from rastrack.core.exceptions import ApplicationError, NotPermitted
from tests.builders.curriculum import make_framework
from tests.builders.dates import days_ago
from tests.builders.faculty import assign
from tests.builders.people import UserFactory
from tests.builders.signoff import gears, request_signoff

pytestmark = pytest.mark.django_db


def _apply(person, **overrides):
    data = {"kind": "initial", "specialty": "urology", "platforms": ["davinci_xi"], "independent_console_cases": 0,
            "train_the_trainer_completed_on": days_ago(30), "statement": "Robotic nurse specialist for six years."}
    data.update(overrides)
    return trainer_application_create(applicant=person, **data)


@pytest.fixture
def nurse_faculty(admin, london, trainee):
    nurse = UserFactory(full_name="Nia Nurse", profession=Profession.NURSE, region=london)
    application = _apply(nurse)
    assert application.scope == FacultyScope.BEDSIDE_TEAM
    trainer_application_approve(application=application, actor=admin)
    nurse.refresh_from_db()
    assign(nurse, trainee)
    return nurse


@pytest.fixture
def settings_framework(admin):
    framework = make_framework(admin, publish=False)
    bedside = framework.competencies.get(key="comp-1-1")
    console = framework.competencies.get(key="comp-1-2")
    curriculum.competency_update(actor=admin, competency=bedside, setting="bedside")
    curriculum.competency_update(actor=admin, competency=console, setting="console")
    return curriculum.framework_publish(actor=admin, framework=framework)


def test_nurses_apply_for_bedside_and_team_without_console_cases_and_others_may_not_apply(london):
    nurse = UserFactory(profession=Profession.NURSE, region=london)
    assert _apply(nurse).scope == FacultyScope.BEDSIDE_TEAM
    surgeon = UserFactory(profession=Profession.SURGEON, region=london)
    with pytest.raises(ApplicationError) as exc:
        _apply(surgeon)
    assert "independent_console_cases" in exc.value.errors
    with pytest.raises(NotPermitted):
        _apply(UserFactory(profession=Profession.OTHER, region=london))


def test_the_nurse_signs_off_a_bedside_competency_and_cannot_touch_a_console_one(
        nurse_faculty, trainee, settings_framework):
    assert nurse_faculty.accreditation.scope == FacultyScope.BEDSIDE_TEAM
    assert nurse_faculty.has_role(Role.TRAINER)
    bedside = settings_framework.competencies.get(key="comp-1-1")
    console = settings_framework.competencies.get(key="comp-1-2")
    request = request_signoff(trainee, nurse_faculty, competency=bedside)
    approved = signoff.signoff_request_approve(request=request, actor=nurse_faculty)
    assert approved.status == "approved"
    with pytest.raises(ApplicationError) as exc:
        request_signoff(trainee, nurse_faculty, competency=console)
    assert "bedside and team competencies only" in exc.value.errors["trainer"][0]


def test_a_console_request_addressed_before_the_scope_narrowed_cannot_be_decided(
        admin, unassigned_trainer, trainee, settings_framework):
    # A surgeon's request, then the accreditation narrowed to bedside and team: deciding it is refused.
    assign(unassigned_trainer, trainee)
    console = settings_framework.competencies.get(key="comp-1-2")
    request = request_signoff(trainee, unassigned_trainer, competency=console)
    accreditation = unassigned_trainer.accreditation
    accreditation.scope = FacultyScope.BEDSIDE_TEAM
    accreditation.save(update_fields=["scope"])
    with pytest.raises(NotPermitted) as exc:
        signoff.signoff_request_approve(request=request, actor=unassigned_trainer)
    assert "console competency" in str(exc.value)
    # Surgeon faculty keep the full scope: they sign off console competencies.
    accreditation.scope = FacultyScope.FULL
    accreditation.save(update_fields=["scope"])
    assert signoff.signoff_request_approve(request=request, actor=unassigned_trainer).status == "approved"


def test_non_surgeon_faculty_assess_teamwork_with_otas_and_never_with_a_console_tool(nurse_faculty, trainee):
    from accreditation.signoff.models import Assessment

    otas = {code: 5 for code in ("communication", "coordination", "cooperation", "leadership", "monitoring")}
    assessment = signoff.assessment_create(actor=nurse_faculty, trainee=trainee, tool="otas", scores=otas)
    assert assessment.tool.code == "otas"
    with pytest.raises(ApplicationError) as exc:
        signoff.assessment_create(actor=nurse_faculty, trainee=trainee, tool="gears", scores=gears(20))
    assert "OTAS" in exc.value.errors["tool"][0]
    assert Assessment.objects.filter(assessor=nurse_faculty).count() == 1


def test_surgeon_trainers_keep_every_tool(assigned_trainer, trainee):
    assert signoff.assessment_create(actor=assigned_trainer, trainee=trainee, tool="gears",
                                     scores=gears(20)).tool.code == "gears"
