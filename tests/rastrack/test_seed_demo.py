"""`manage.py seed_demo`: the whole demo world, idempotent, refused outside DEBUG unless forced.

The one test that seeds twice is here (`test_seed_demo_twice_gives_the_same_world`); it
compares every context's part of the world, which each context's own demo tests then read
from the shared, seeded-once demo world (tests/builders/demo.py).
"""

import pytest
from django.core.management import CommandError, call_command

from accreditation.certificates.models import Certificate
from accreditation.faculty.models import Accreditation, Assignment, TrainerApplication
from accreditation.logbook.models import Case, SimulatorSession
from accreditation.signoff.models import Assessment, SignoffRequest, VideoReview
from curriculum.models import (
    Competency,
    ELearningCompletion,
    Enrolment,
    Framework,
    LearningResource,
    Pathway,
    Requirement,
    Standard,
)
from labs.models import Booking, Equipment, Lab, LabSession
from rastrack.accounts.demo import DEMO_PASSWORD
from rastrack.accounts.models import RegionStay, User
from rastrack.accounts.roles import MFA_ROLES, Role
from rastrack.audit.models import AuditEntry
from rastrack.demo import DEMO_LOGINS
from rastrack.reference.models import Procedure, Site


def _world() -> dict:
    """Every context's part of the demo world, by natural keys."""
    return {
        # People and places
        "users": sorted((u.email, tuple(u.roles), u.region_id) for u in User.objects.prefetch_related("groups")),
        "sites": sorted(Site.objects.values_list("name", "region_id")),
        "procedures": Procedure.objects.count(),
        "stays": RegionStay.objects.count(),
        # Curriculum
        "frameworks": list(Framework.objects.values_list("code", "version", "status")),
        "standards": Standard.objects.count(),
        "competencies": Competency.objects.count(),
        "pathways": sorted(Pathway.objects.values_list("code", "status")),
        "requirements": Requirement.objects.count(),
        "enrolments": sorted(Enrolment.objects.values_list("trainee__email", "pathway__code", "status",
                                                           "enrolled_on")),
        "elearning": ELearningCompletion.objects.count(),
        "resources": sorted(LearningResource.objects.values_list("status", flat=True)),
        # Faculty
        "accreditations": sorted(Accreditation.objects.values_list(
            "trainer__email", "status", "accredited_on", "expires_on")),
        "assignments": sorted(Assignment.objects.values_list("trainer__email", "trainee__email", "kind")),
        "applications": sorted(TrainerApplication.objects.values_list("applicant__email", "status")),
        # Logbook
        "cases": sorted(Case.objects.values_list("trainee__email", "date", "procedure__code", "role",
                                                 "status", "console_minutes")),
        "simulator_sessions": sorted(SimulatorSession.objects.values_list("trainee__email", "date", "exercise_name",
                                                                         "score")),
        # Sign-off
        "assessments": sorted(Assessment.objects.values_list("trainee__email", "assessor__email", "tool__code",
                                                             "case_id", "date", "total")),
        "requests": sorted(SignoffRequest.objects.values_list("trainee__email", "target_key", "status")),
        "video_reviews": sorted(VideoReview.objects.values_list("video_reference", "status", "mean_total",
                                                                "agreement_value")),
        # Labs
        "labs": sorted(Lab.objects.values_list("name", "region__code")),
        "equipment": Equipment.objects.count(),
        "lab_sessions": LabSession.objects.count(),
        "bookings": sorted(Booking.objects.values_list("session_id", "trainee_id", "status")),
        # Certificates: the same certificate, not a new one with a new code
        "certificates": sorted(Certificate.objects.values_list("pk", "trainee__email", "verification_code",
                                                               "issued_on")),
        # Nothing done twice
        "audit": AuditEntry.objects.count(),
        "certificate_issues": AuditEntry.objects.filter(action="certificate.issue").count(),
    }


@pytest.mark.django_db
def test_seed_demo_twice_gives_the_same_world(settings):
    # The first run is the forced one, outside DEBUG (as on a staging server).
    settings.DEBUG = False
    call_command("seed_demo", "--force")
    first = _world()
    assert len(first["users"]) == len(DEMO_LOGINS)
    settings.DEBUG = True
    call_command("seed_demo")
    assert _world() == first
    assert first["cases"] and first["assessments"] and first["bookings"] and first["accreditations"]
    assert len(first["certificates"]) == first["certificate_issues"] == 1


def test_the_demo_logins_work_with_their_roles(demo_world, settings, api):
    settings.DEBUG = True
    for email, _ in DEMO_LOGINS:
        response = api.post("/api/v1/auth/token/", {"username": email, "password": DEMO_PASSWORD})
        if User.objects.get(email=email).has_role(*MFA_ROLES):
            # The password is right (no non_field_errors); their token also needs the code.
            assert response.status_code == 400 and set(response.json()) == {"otp_token"}, email
        else:
            assert response.status_code == 200, email
    trainee3 = User.objects.get(email="trainee3@demo.rastrack.org")
    assert trainee3.roles == [Role.TRAINEE] and trainee3.region.code == "north-west"
    assert User.objects.get(email="lead.london@demo.rastrack.org").region.code == "london"
    assert Site.objects.filter(region__code="london").count() >= 3


@pytest.mark.django_db
def test_seed_demo_refuses_without_debug_unless_forced(settings):
    # `--force` seeding the whole world is shown by test_seed_demo_twice_gives_the_same_world.
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_seed_demo_reset_refuses_outside_debug_even_when_forced(settings, trainee):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=false"):
        call_command("seed_demo", "--reset", "--force")
    assert User.objects.filter(pk=trainee.pk).exists()  # nothing deleted


# Transactional: the reset flushes committed data, as on a developer's database (inside a
# test's transaction PostgreSQL refuses to TRUNCATE tables with pending deferred checks).
@pytest.mark.django_db(transaction=True)
def test_seed_demo_reset_empties_the_database_and_keeps_the_reference_rows(settings, monkeypatch, trainee):
    from django.contrib.auth.models import Group

    from accreditation.signoff.models import AssessmentTool
    from rastrack.management.commands import seed_demo

    seeded = []
    monkeypatch.setattr(seed_demo, "seed_demo_world", lambda: seeded.append(User.objects.count()))
    procedures, groups, tools = Procedure.objects.count(), Group.objects.count(), AssessmentTool.objects.count()
    settings.DEBUG = True
    call_command("seed_demo", "--reset")
    assert seeded == [0]  # the demo world is seeded into an empty database ...
    assert not User.objects.exists()
    # ... that still has what the migrations put there.
    assert (Procedure.objects.count(), Group.objects.count(), AssessmentTool.objects.count()) == (
        procedures, groups, tools)
    assert procedures and groups and tools


def test_demo_admins_and_leads_get_a_token_with_their_demo_code(demo_world, settings, api):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from rastrack.accounts.demo_mfa import current_code

    settings.DEBUG = True
    for email in ("admin@demo.rastrack.org", "lead.london@demo.rastrack.org"):
        device = TOTPDevice.objects.get(user__email=email, confirmed=True)
        response = api.post("/api/v1/auth/token/", {
            "username": email, "password": DEMO_PASSWORD, "otp_token": current_code(device)})
        assert response.status_code == 200, (email, response.json())
    assert not TOTPDevice.objects.filter(user__email="trainee1@demo.rastrack.org").exists()


def test_the_demo_worlds_case_summary_counts_its_cases(demo_world):
    from accreditation.logbook import summaries
    from accreditation.logbook.models import CaseMonthSummary
    from rastrack.core.summary_tables import stored

    rows = stored(CaseMonthSummary)
    assert rows == summaries.compute_case_summary()
    assert sum(sums["validated"] for sums in rows.values()) == Case.objects.filter(status="validated").count() > 0
