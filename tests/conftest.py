"""Shared fixtures: personas, API clients, and the services some tests need.

Personas (healthchecks style): `trainee` is the subject; `other_trainee` must never see the
trainee's records; `assigned_trainer` supervises the trainee; `unassigned_trainer` does not;
`lead` leads the trainee's region (London), `other_lead` another region (North West);
`admin` is a programme admin; `lab_manager` runs a London lab.
"""

from __future__ import annotations

import os

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from guardian.shortcuts import assign_perm
from rest_framework.test import APIClient

from rastrack.accounts.roles import Role
from rastrack.accounts.roles_data import create_role_groups
from rastrack.reference.catalogue import load_reference_data
from rastrack.reference.models import Procedure, ProcedureStep, Region
from tests.factories import UserFactory, region

IN_CI = os.environ.get("CI", "").lower() == "true"


def _needs(service: str, available: bool, reason: str) -> None:
    """Skip locally when a service is missing; in CI, fail: a skipped test proves nothing."""
    if available:
        return
    message = f"needs {service}: {reason}"
    if IN_CI:
        pytest.fail(f"{message} (CI=true, so this is a failure, not a skip)")
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _service_markers(request):
    if request.node.get_closest_marker("postgres"):
        _needs("PostgreSQL", connection.vendor == "postgresql",
               "set DATABASE_URL=postgres://... to run it")
    if request.node.get_closest_marker("redis"):
        _needs("Redis", _redis_reachable(), "set REDIS_URL=redis://... to a running Redis")


def _redis_reachable() -> bool:
    url = os.environ.get("REDIS_URL")
    if not url:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _restore_reference_data(request):
    """Give transactional tests the rows data migrations made (regions, procedures, roles).

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
    trainer = UserFactory(full_name="Ada Assigned", roles=[Role.TRAINER], region=london)
    # Until [Faculty] brings assignments, supervision is the guardian right on the portfolio.
    assign_perm("accounts.supervise_portfolio", trainer, trainee.portfolio)
    return trainer


@pytest.fixture
def unassigned_trainer(london):
    return UserFactory(full_name="Uma Unassigned", roles=[Role.TRAINER], region=london)


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


PERSONAS = [
    "trainee", "other_trainee", "assigned_trainer", "unassigned_trainer",
    "lab_manager", "lead", "other_lead", "admin",
]


@pytest.fixture
def api():
    """An API client; `api.as_user(user)` authenticates it with that user's token."""
    client = APIClient()

    def as_user(user):
        from rest_framework.authtoken.models import Token

        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    client.as_user = as_user
    return client
