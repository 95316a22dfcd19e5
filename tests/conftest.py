"""Shared fixtures: personas, API clients, and the services some tests need.

Personas (healthchecks style): `trainee` is the subject; `other_trainee` must never see the
trainee's records; `assigned_trainer` supervises the trainee; `unassigned_trainer` does not;
`lead` leads the trainee's region (London), `other_lead` another region (North West);
`admin` is a programme admin; `lab_manager` runs a London lab.
"""

from __future__ import annotations

import hypothesis
import pytest
from django.contrib.auth.models import Group
from django.db import connection
from rest_framework.test import APIClient

from rastrack.accounts.roles import Role
from rastrack.accounts.roles_data import create_role_groups
from rastrack.reference.catalogue import load_reference_data
from rastrack.reference.models import Procedure, ProcedureStep, Region
from tests.builders.people import UserFactory, region
from tests.support.services import needs, redis_reachable

# Hypothesis measures its own speed: on a busy 2-core CI machine generating examples can be
# slow without anything being wrong, and a timing-based failure would prove nothing.
hypothesis.settings.register_profile(
    "rastrack", deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow])
hypothesis.settings.load_profile("rastrack")


@pytest.fixture(autouse=True)
def _service_markers(request):
    if request.node.get_closest_marker("postgres"):
        needs("PostgreSQL", connection.vendor == "postgresql",
              "set DATABASE_URL=postgres://... to run it")
    if request.node.get_closest_marker("redis"):
        needs("Redis", redis_reachable(), "set REDIS_URL=redis://... to a running Redis")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _restore_reference_data(request):
    """Give transactional tests the rows data migrations made (regions, procedures, roles,
    assessment tools).

    A transactional test's flush wipes them. pytest-django runs transactional tests after
    the others, so restoring them at the start of each transactional test is enough.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
        or (marker and marker.kwargs.get("transaction"))
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        load_reference_data(Region, Procedure, ProcedureStep)
        create_role_groups(Group)
        from accreditation.signoff.models import AssessmentDomain, AssessmentTool
        from accreditation.signoff.tools import load_assessment_tools

        load_assessment_tools(AssessmentTool, AssessmentDomain)


# --- Personas --------------------------------------------------------------------------------


@pytest.fixture
def london(db):
    return region("london")


@pytest.fixture
def north_west(db):
    return region("north-west")


@pytest.fixture
def trainee(london):
    return UserFactory(full_name="Tara Trainee", roles=[Role.TRAINEE], region=london)


@pytest.fixture
def other_trainee(london):
    return UserFactory(full_name="Otto Othertrainee", roles=[Role.TRAINEE], region=london)


@pytest.fixture
def assigned_trainer(london, trainee):
    """Accredited two years ago (until a year from now), the trainee's educational
    supervisor since a year ago, holding the right on the trainee's portfolio."""
    from tests.builders.faculty import accredit, assign

    trainer = UserFactory(full_name="Ada Assigned", roles=[Role.TRAINER], region=london)
    accredit(trainer)
    assign(trainer, trainee)
    return trainer


@pytest.fixture
def unassigned_trainer(london):
    """Accredited just like `assigned_trainer`, but assigned to nobody."""
    from tests.builders.faculty import accredit

    trainer = UserFactory(full_name="Uma Unassigned", roles=[Role.TRAINER], region=london)
    accredit(trainer)
    return trainer


@pytest.fixture
def lab_manager(london):
    return UserFactory(full_name="Lars Labmanager", roles=[Role.LAB_MANAGER], region=london)


@pytest.fixture
def lead(london):
    return UserFactory(full_name="Lena Lead", roles=[Role.REGIONAL_LEAD], region=london)


@pytest.fixture
def other_lead(north_west):
    return UserFactory(full_name="Nils Northwest", roles=[Role.REGIONAL_LEAD], region=north_west)


@pytest.fixture
def admin(db):
    return UserFactory(full_name="Pam Programme", roles=[Role.PROGRAMME_ADMIN])


@pytest.fixture
def api():
    """An API client. `api.as_user(user)` returns a new client authenticated with that
    user's token (so several users can act in one test), and also authenticates `api`."""
    client = APIClient()

    def as_user(user):
        from rest_framework.authtoken.models import Token

        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        own = APIClient()
        own.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return own

    client.as_user = as_user
    return client
